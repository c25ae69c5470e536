package repl

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/chzyer/readline"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/bot/bottest"
)

// typeInto runs the interactive prompt on a fake terminal 80 columns wide,
// types keys into it, and returns the screen output once the prompt has
// returned. ctx may end the prompt instead of the keys.
//
// It waits for the prompt however long the machine takes: readline handles
// one key at a time through its goroutines, so a 100 KB paste under -race
// on a loaded machine takes many seconds, and any fixed allowance is a guess
// that fails under load. Only the test binary's own deadline (go test
// -timeout) ends the wait, early enough to report the screen and how many
// keys were read.
func typeInto(t *testing.T, ctx context.Context, r *REPL, keys string) string {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pr.Close(); pw.Close() })
	go func() { io.WriteString(pw, keys) }()
	in := &countingReader{r: pr}
	screen := &bottest.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- r.interactive(ctx, &readline.Config{
			Stdin:              in,
			Stdout:             screen,
			Stderr:             screen,
			FuncIsTerminal:     func() bool { return true },
			FuncMakeRaw:        func() error { return nil },
			FuncExitRaw:        func() error { return nil },
			FuncGetWidth:       func() int { return 80 },
			FuncOnWidthChanged: func(func()) {},
		})
	}()
	var giveUp <-chan time.Time
	if d, ok := t.Deadline(); ok {
		timer := time.NewTimer(time.Until(d) * 9 / 10)
		defer timer.Stop()
		giveUp = timer.C
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("interactive: %v", err)
		}
	case <-giveUp:
		t.Fatalf("the prompt did not return before the test deadline; it read %d of %d bytes of keys; screen so far:\n%.4000q",
			in.n.Load(), len(keys), screen.String())
	}
	return screen.String()
}

// countingReader counts the bytes read through it, so a prompt that never
// returns can be told from one still reading its keys.
type countingReader struct {
	r io.ReadCloser
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// Close lets readline close the keyboard, as it does a terminal's.
func (c *countingReader) Close() error { return c.r.Close() }

func TestInteractive(t *testing.T) {
	history := filepath.Join(t.TempDir(), "cache", "storybot", "history")
	r, f := newTestREPL(t, bot.Config{}, WithHistory(history))
	const up = "\x1b[A"
	screen := typeInto(t, context.Background(), r,
		":help\n"+
			"who keeps the lighthouse?\n"+
			"half a question\x03"+ // Ctrl-C drops the line
			up+"\n"+ // Up recalls the last question
			"\x04") // Ctrl-D on an empty line quits
	for _, want := range []string{
		"I answer questions about the news story",
		"Type a question, :help for help, or :quit to leave.",
		"storybot> ",
		":sources   list the articles",
		"1. “Miriam Okafor keeps the Port Alder lighthouse.”\n   source:  Granite tower changes hands — Harbour Gazette\n",
		"half a question^C\n",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	want := []string{"who keeps the lighthouse?", "who keeps the lighthouse?"}
	if got := f.questions(); !slices.Equal(got, want) {
		t.Errorf("asked %q, want %q", got, want)
	}
	data, err := os.ReadFile(history)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if got, want := string(data), ":help\nwho keeps the lighthouse?\n"; got != want {
		t.Errorf("history file holds %q, want %q", got, want)
	}
	if fi, err := os.Stat(history); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

func TestInteractiveQuit(t *testing.T) {
	r, f := newTestREPL(t, bot.Config{})
	typeInto(t, context.Background(), r, ":quit\nnever asked\n")
	if q := f.questions(); len(q) > 0 {
		t.Errorf("asked %q after :quit", q)
	}
}

// TestInteractiveEndsWithContext cancels the context (as SIGTERM does)
// while the session runs, with keys still to come: the prompt must return
// without reading them.
func TestInteractiveEndsWithContext(t *testing.T) {
	r, f := newTestREPL(t, bot.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.onAsk = cancel
	typeInto(t, ctx, r, "who keeps the lighthouse?\nnever asked\n")
	if got := f.questions(); !slices.Equal(got, []string{"who keeps the lighthouse?"}) {
		t.Errorf("asked %q, want only the question before the cancel", got)
	}

	r, f = newTestREPL(t, bot.Config{})
	typeInto(t, ctx, r, "never asked\n") // already cancelled
	if got := f.questions(); len(got) > 0 {
		t.Errorf("asked %q with the context already done", got)
	}
}

// TestInteractivePaste100KB pastes a 100 KB line: the prompt must not
// redraw the whole line for every character (which is what made it slow:
// measured here by what it writes, not by the clock), must call the line
// too long, and must go on to the next question.
func TestInteractivePaste100KB(t *testing.T) {
	history := filepath.Join(t.TempDir(), "history")
	r, f := newTestREPL(t, bot.Config{}, WithHistory(history))
	screen := typeInto(t, context.Background(), r, strings.Repeat("x", 100<<10)+"\nwho keeps the lighthouse?\n\x04")
	if !strings.Contains(screen, "That question is too long: please keep it under 500 characters.") {
		t.Errorf("no too-long message:\n%.2000s", screen)
	}
	if len(screen) > 2<<20 {
		t.Errorf("the prompt wrote %d bytes for one pasted line", len(screen))
	}
	if got := f.questions(); !slices.Equal(got, []string{"who keeps the lighthouse?"}) {
		t.Errorf("asked %.80q, want only the question after the long line", got)
	}
	if data, _ := os.ReadFile(history); string(data) != "who keeps the lighthouse?\n" {
		t.Errorf("history holds %.80q", data)
	}
}

// TestInteractiveDropsControlCharacters types control and format
// characters that are not editing keys: they must not be echoed.
func TestInteractiveDropsControlCharacters(t *testing.T) {
	r, f := newTestREPL(t, bot.Config{})
	screen := typeInto(t, context.Background(), r, "who \x1c\u202e\u0085keeps the lighthouse?\n\x04")
	for _, bad := range []string{"\x1c", "\u202e", "\u0085"} {
		if strings.Contains(screen, bad) {
			t.Errorf("screen echoes %q", bad)
		}
	}
	if got := f.questions(); !slices.Equal(got, []string{"who keeps the lighthouse?"}) {
		t.Errorf("asked %q", got)
	}
}

func TestPrepareHistory(t *testing.T) {
	dir := t.TempDir()
	if got := prepareHistory(""); got != "" {
		t.Errorf(`prepareHistory("") = %q, want ""`, got)
	}
	p := filepath.Join(dir, "a", "b", "history")
	if got := prepareHistory(p); got != p {
		t.Errorf("prepareHistory(%q) = %q, want it created", p, got)
	}
	if got := prepareHistory(dir); got != "" { // a folder cannot be the file
		t.Errorf("prepareHistory(folder) = %q, want \"\"", got)
	}
}

// TestInteractiveHomeAndEnd types a question with its start and end added
// after a jump to the start and to the end, with Home and End as each
// kind of terminal sends them: tmux and screen (ESC [ 1 ~, ESC [ 4 ~),
// rxvt (ESC [ 7 ~, ESC [ 8 ~), and xterm in its two cursor modes.
func TestInteractiveHomeAndEnd(t *testing.T) {
	keys := []struct{ name, home, end string }{
		{"tmux", "\x1b[1~", "\x1b[4~"},
		{"rxvt", "\x1b[7~", "\x1b[8~"},
		{"xterm", "\x1b[H", "\x1b[F"},
		{"xterm application mode", "\x1bOH", "\x1bOF"},
	}
	var typed strings.Builder
	for _, k := range keys {
		typed.WriteString("keeps the" + k.home + "who " + k.end + " lighthouse?\n")
	}
	r, f := newTestREPL(t, bot.Config{})
	typeInto(t, context.Background(), r, typed.String()+"\x04")
	got := f.questions()
	if len(got) != len(keys) {
		t.Fatalf("asked %q, want %d questions", got, len(keys))
	}
	for i, k := range keys {
		if got[i] != "who keeps the lighthouse?" {
			t.Errorf("%s Home and End: asked %q, want %q", k.name, got[i], "who keeps the lighthouse?")
		}
	}
}

// TestInteractiveDeleteWord: Ctrl-W (and Alt-Backspace) delete back to the
// start of the word the cursor is in or after, in the first word as in
// any other, keep the text after the cursor, and keep what they delete
// for Ctrl-Y.
func TestInteractiveDeleteWord(t *testing.T) {
	const (
		home, end, right = "\x1b[H", "\x1b[F", "\x1b[C"
		ctrlW, altBS     = "\x17", "\x1b\x7f"
		ctrlY            = "\x19"
	)
	for _, tc := range []struct{ name, keys string }{
		{"after the first word", "xyz keeps the lighthouse?" + home + right + right + right + ctrlW + "who"},
		{"inside the first word", "abwho keeps the lighthouse?" + home + right + right + ctrlW},
		{"Alt-Backspace inside the first word", "abwho keeps the lighthouse?" + home + right + right + altBS},
		{"another word", "who keeps the lighthouse? tower" + ctrlW},
		{"Ctrl-Y after it", "who keeps the lighthouse?" + home + right + right + right + ctrlW + ctrlY},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, f := newTestREPL(t, bot.Config{})
			typeInto(t, context.Background(), r, tc.keys+"\n\x04")
			if got := f.questions(); !slices.Equal(got, []string{"who keeps the lighthouse?"}) {
				t.Errorf("asked %q, want who keeps the lighthouse?", got)
			}
		})
	}
}

// TestKeyReader: Home and End sequences are rewritten however the reads
// cut them, and everything else passes as it came, a lone ESC at the end
// of the input too.
func TestKeyReader(t *testing.T) {
	in := "a\x1b[1~b\x1b[4~\x1b[A\x1b[3~\x1b[7~\x1b[8~\x1bOH\x1b[1;5H\x1b"
	want := "a\x01b\x05\x1b[A\x1b[3~\x01\x05\x1bOH\x1b[1;5H\x1b"
	for name, r := range map[string]io.Reader{
		"whole":          strings.NewReader(in),
		"a byte a read":  iotest.OneByteReader(strings.NewReader(in)),
		"half at a time": iotest.HalfReader(strings.NewReader(in)),
	} {
		got, err := io.ReadAll(&keyReader{r: r})
		if err != nil || string(got) != want {
			t.Errorf("%s: read %q, %v; want %q", name, got, err, want)
		}
	}
}
