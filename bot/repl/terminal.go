package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/chzyer/readline"
)

const prompt = "storybot> "

// DefaultHistoryFile is where the prompt keeps its history:
// os.UserCacheDir()/storybot/history, or "" when there is no cache folder.
func DefaultHistoryFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "storybot", "history")
}

// Interactive runs the prompt on the process's terminal (stdin and stdout)
// until the user quits with :quit or Ctrl-D, or ctx is done; then it
// returns nil. Ctrl-C clears the line being typed.
func (r *REPL) Interactive(ctx context.Context) error {
	return r.interactive(ctx, &readline.Config{})
}

// interactive runs the prompt with cfg's terminal settings (tests give a
// pipe and no raw mode); it fills in the rest of cfg.
func (r *REPL) interactive(ctx context.Context, cfg *readline.Config) error {
	r.dim = true
	if ctx.Err() != nil {
		// Closing readline before its input goroutine has started races
		// inside readline (WaitGroup.Add after Wait).
		return nil
	}
	// One character over the limit is enough to call the line too long.
	guard := &inputGuard{max: r.svc.MaxQuestion() + 1}
	cfg.Prompt = prompt
	cfg.HistoryFile = prepareHistory(r.history)
	cfg.DisableAutoSaveHistory = true // only questions that were asked, cleaned
	cfg.HistorySearchFold = true
	cfg.AutoComplete = readline.NewPrefixCompleter(
		readline.PcItem(":help"), readline.PcItem(":sources"), readline.PcItem(":summary"),
		readline.PcItem(":timeline"), readline.PcItem(":who"), readline.PcItem(":quit"))
	cfg.FuncFilterInputRune = guard.filter
	cfg.Listener = guard
	if cfg.Stdin == nil {
		cfg.Stdin = readline.NewCancelableStdin(readline.Stdin) // what readline itself would read
	}
	cfg.Stdin = &keyReader{r: cfg.Stdin}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	var once sync.Once
	closeRL := func() { once.Do(func() { rl.Close() }) }
	defer closeRL()
	// Closing readline ends a Readline blocked on the keyboard.
	stop := context.AfterFunc(ctx, closeRL)
	defer stop()

	if r.width == nil {
		r.width = func() int { return rl.Config.FuncGetWidth() }
	}
	out := rl.Config.Stdout
	r.say(out, r.svc.About())
	r.say(out, "Type a question, :help for help, or :quit to leave.")
	fmt.Fprintln(out)
	for {
		line, err := rl.Readline()
		long := guard.submittedLong()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, readline.ErrInterrupt):
			continue // Ctrl-C: readline has dropped the line
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("terminal: %w", err)
		}
		if q := clean(line); q != "" && !long {
			rl.SaveHistory(q) // best effort
		}
		if r.handle(out, Line{Text: line, Long: long}) {
			return nil
		}
		fmt.Fprintln(out)
	}
}

// prepareHistory creates the history file at path, private to the user,
// and returns path; or "" when path is empty or cannot be used.
func prepareHistory(path string) string {
	if path == "" {
		return ""
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return ""
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return ""
	}
	f.Close()
	return path
}

// inputGuard keeps what is typed or pasted at the prompt harmless: control
// characters that are not editing keys are dropped rather than echoed to the
// terminal, and a line stops growing at max characters (redrawing a 100 KB
// line for each pasted character would take minutes), the line then being
// reported as too long when it is entered. It is readline's input filter
// and listener, which run on readline's key-handling goroutine (the
// listener also once on the goroutine that calls Readline).
//
// It also mends Ctrl-W (and Alt-Backspace) inside the first word, which
// readline v1.5.1 takes as "clear the line", text after the cursor and
// all (RuneBuffer.BackEscapeWord finds no start of a word before the
// cursor, so it empties the buffer): there the key becomes Ctrl-U, which
// deletes back to the start of the line, that is, of the first word, and
// keeps what it deletes for Ctrl-Y as Ctrl-W would.
type inputGuard struct {
	max int

	mu   sync.Mutex
	n    int    // characters in the line, as the listener last saw it
	line []rune // the line, as the listener last saw it
	pos  int    // the cursor in line
	cut  bool   // characters were dropped since the line was last under max
	long bool   // the line last entered had been cut
}

// editKeys are the control keys readline acts on; other control
// characters would be inserted into the line.
var editKeys = map[rune]bool{
	readline.CharLineStart: true, readline.CharBackward: true, readline.CharInterrupt: true,
	readline.CharDelete: true, readline.CharLineEnd: true, readline.CharForward: true,
	readline.CharBell: true, readline.CharCtrlH: true, readline.CharTab: true,
	readline.CharCtrlJ: true, readline.CharKill: true, readline.CharCtrlL: true,
	readline.CharEnter: true, readline.CharNext: true, readline.CharPrev: true,
	readline.CharBckSearch: true, readline.CharFwdSearch: true, readline.CharTranspose: true,
	readline.CharCtrlU: true, readline.CharCtrlW: true, readline.CharCtrlY: true,
	readline.CharCtrlZ: true, readline.CharEsc: true, readline.CharBackspace: true,
}

// filter sees each key before readline acts on it. A key it drops becomes
// CharBell, which readline takes without redrawing the line.
func (g *inputGuard) filter(r rune) (rune, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case r == 0 || r == readline.CharEnter || r == readline.CharCtrlJ: // 0: end of input, enters the line
		g.long, g.cut = g.cut, false
	case r == readline.CharInterrupt:
		g.cut = false
	case (r == readline.CharCtrlW || r == readline.MetaBackspace) && inFirstWord(g.line, g.pos):
		return readline.CharCtrlU, true
	case r < 0 || editKeys[r]:
	case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
		return readline.CharBell, true
	case g.n >= g.max:
		g.cut = true
		return readline.CharBell, true
	}
	return r, true
}

// OnChange is called after each key with the line as it now is.
func (g *inputGuard) OnChange(line []rune, pos int, _ rune) ([]rune, int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n = len(line)
	g.line, g.pos = append(g.line[:0], line...), pos
	if g.n < g.max {
		g.cut = false
	}
	return nil, 0, false
}

// submittedLong reports whether the line last entered had been cut.
func (g *inputGuard) submittedLong() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.long
}

// inFirstWord reports whether the cursor at pos in line has no start of a
// word before it but the line's own: whether readline's Ctrl-W there would
// clear the line instead of deleting back to the start of the word. Words
// are as readline's (readline.IsWordBreak).
func inFirstWord(line []rune, pos int) bool {
	if pos <= 0 || pos > len(line) {
		return false // nothing to delete, or a line the guard has not seen
	}
	for i := pos - 1; i > 0; i-- {
		if !readline.IsWordBreak(line[i]) && readline.IsWordBreak(line[i-1]) {
			return false
		}
	}
	return true
}

// homeEnd are the Home and End keys as terminals send them that readline
// v1.5.1 drops (its escapeExKey knows "ESC [ 3 ~", Delete, and no other
// "ESC [ n ~"): tmux and screen send ESC [ 1 ~ and ESC [ 4 ~, as does
// xterm in VT220 mode, and rxvt ESC [ 7 ~ and ESC [ 8 ~. keyReader turns
// them into Ctrl-A and Ctrl-E, readline's own Home and End. (ESC [ H,
// ESC [ F, ESC O H and ESC O F readline reads as Home and End itself.)
var homeEnd = map[string]byte{
	"\x1b[1~": readline.CharLineStart, "\x1b[4~": readline.CharLineEnd,
	"\x1b[7~": readline.CharLineStart, "\x1b[8~": readline.CharLineEnd,
}

// homeEndLen is the length of every homeEnd sequence.
const homeEndLen = 4

// keyReader is the keyboard as readline reads it, with the Home and End
// keys it would drop (homeEnd) rewritten into ones it knows. A sequence
// split between two reads is held until the rest comes, as readline
// itself waits for the rest of an escape sequence.
type keyReader struct {
	r    io.Reader
	held []byte // the start of what may be a homeEnd sequence
	out  []byte // rewritten, not yet read
	err  error  // from r, returned once out and held are read
}

func (k *keyReader) Read(p []byte) (int, error) {
	for len(k.out) == 0 {
		if k.err != nil {
			if len(k.held) == 0 {
				return 0, k.err
			}
			k.out, k.held = k.held, nil // the input ended inside it: not a key
			break
		}
		var buf [512]byte
		n, err := k.r.Read(buf[:])
		k.err = err
		k.rewrite(buf[:n])
	}
	n := copy(p, k.out)
	k.out = k.out[n:]
	return n, nil
}

// rewrite appends data, after what was held, to out, rewriting homeEnd
// sequences and holding back a trailing start of one.
func (k *keyReader) rewrite(data []byte) {
	s := append(k.held, data...)
	k.held = nil
	for i := 0; i < len(s); {
		if s[i] != '\x1b' {
			k.out = append(k.out, s[i])
			i++
			continue
		}
		rest := s[i:]
		if len(rest) >= homeEndLen {
			if key, ok := homeEnd[string(rest[:homeEndLen])]; ok {
				k.out = append(k.out, key)
				i += homeEndLen
				continue
			}
		} else if startsHomeEnd(rest) {
			k.held = append([]byte(nil), rest...)
			return
		}
		k.out = append(k.out, s[i])
		i++
	}
}

// startsHomeEnd reports whether s is the start of a homeEnd sequence.
func startsHomeEnd(s []byte) bool {
	for seq := range homeEnd {
		if strings.HasPrefix(seq, string(s)) {
			return true
		}
	}
	return false
}

// Close closes the keyboard, as readline closes its input.
func (k *keyReader) Close() error {
	if c, ok := k.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
