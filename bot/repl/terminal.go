package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
		readline.PcItem(":help"), readline.PcItem(":sources"), readline.PcItem(":quit"))
	cfg.FuncFilterInputRune = guard.filter
	cfg.Listener = guard
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
// and listener, which both run on readline's key-handling goroutine.
type inputGuard struct {
	max int

	mu   sync.Mutex
	n    int  // characters in the line, as the listener last saw it
	cut  bool // characters were dropped since the line was last under max
	long bool // the line last entered had been cut
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
func (g *inputGuard) OnChange(line []rune, _ int, _ rune) ([]rune, int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n = len(line)
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
