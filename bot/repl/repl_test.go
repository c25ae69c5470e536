package repl

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/storybot/storybot/bot"
	"github.com/storybot/storybot/qa"
)

// fakeQA answers from a fixed table, so these tests do not depend on the
// ranking of the real core. It records the questions it is asked.
type fakeQA struct {
	mu    sync.Mutex
	asked []string
	onAsk func() // called after recording each question, when set
}

var (
	gazette = qa.Source{ID: "gazette", Title: "Granite tower changes hands", Outlet: "Harbour Gazette"}
	valley  = qa.Source{ID: "valley", Title: "Island news", Outlet: "Valley Times"}
	notes   = qa.Source{ID: "notes", Title: "Coast notes"}
)

var fakeAnswers = map[string][]qa.Answer{
	"who keeps the lighthouse?": {
		{Text: "Miriam Okafor keeps the Port Alder lighthouse.", Score: 9, Source: gazette, AlsoIn: []qa.Source{valley, notes}},
		{Text: "The keeper lives in the cottage by the lighthouse.", Score: 5, Source: valley},
		{Text: "A keeper was appointed in March.", Score: 4, Source: notes},
		{Text: "A fourth answer the bot leaves out.", Score: 1, Source: notes},
	},
	"what does the evil article say?": {
		{Text: "Click \x1b]8;;http://x.example\x07here\x1b]8;;\x07 \x1b[2J now \u202eevil\u009b31m\x07 done.",
			Source: qa.Source{ID: "evil", Title: "\x1b[31mRed\x1b[0m title", Outlet: "Bad\nOutlet"}},
	},
}

func (f *fakeQA) Ask(q string) (qa.Result, error) {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	f.mu.Unlock()
	if f.onAsk != nil {
		f.onAsk()
	}
	if strings.IndexFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return qa.Result{Question: q}, qa.ErrEmptyQuestion
	}
	return qa.Result{Question: q, Answers: fakeAnswers[strings.ToLower(q)]}, nil
}

func (f *fakeQA) Sources() []qa.SourceInfo {
	return []qa.SourceInfo{{Source: gazette, Sentences: 12}, {Source: notes, Sentences: 1}}
}

func (f *fakeQA) questions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

func newTestREPL(t testing.TB, cfg bot.Config, opts ...Option) (*REPL, *fakeQA) {
	t.Helper()
	f := &fakeQA{}
	return New(bot.NewService(f, cfg, nil), opts...), f
}

// runLines feeds input to Run and returns what it printed.
func runLines(t testing.TB, r *REPL, input string) string {
	t.Helper()
	var out strings.Builder
	if err := r.Run(context.Background(), strings.NewReader(input), &out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String()
}

func TestRunPrintsTopThreeNumbered(t *testing.T) {
	r, _ := newTestREPL(t, bot.Config{})
	got := runLines(t, r, "Who keeps the lighthouse?\n")
	want := `1. “Miriam Okafor keeps the Port Alder lighthouse.”
   source:  Granite tower changes hands — Harbour Gazette
   also in: Island news — Valley Times
            Coast notes

2. “The keeper lives in the cottage by the lighthouse.”
   source:  Island news — Valley Times

3. “A keeper was appointed in March.”
   source:  Coast notes
`
	if got != want {
		t.Errorf("Run printed\n%s\nwant\n%s", got, want)
	}
}

func TestAnswerSingleIsNotNumbered(t *testing.T) {
	r, _ := newTestREPL(t, bot.Config{MaxAnswers: 1})
	var out strings.Builder
	r.Answer(&out, "who keeps the lighthouse?")
	want := `“Miriam Okafor keeps the Port Alder lighthouse.”
source:  Granite tower changes hands — Harbour Gazette
also in: Island news — Valley Times
         Coast notes
`
	if out.String() != want {
		t.Errorf("Answer printed\n%s\nwant\n%s", out.String(), want)
	}
}

func TestAnswerWrapsToWidth(t *testing.T) {
	r, _ := newTestREPL(t, bot.Config{}, WithWidth(func() int { return 30 }))
	var out strings.Builder
	r.Answer(&out, "who keeps the lighthouse?")
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if w := textWidth(line); w > 30 {
			t.Errorf("line %q is %d columns wide, want at most 30", line, w)
		}
	}
	if !strings.Contains(out.String(), "1. “Miriam Okafor keeps the\n   Port Alder lighthouse.”\n") {
		t.Errorf("quote not wrapped under its number:\n%s", out.String())
	}
}

func TestRunCommands(t *testing.T) {
	r, f := newTestREPL(t, bot.Config{Topic: "the Port Alder lighthouse"})
	got := runLines(t, r, ":help\n:sources\n:nope\nwho keeps the lighthouse?\n:quit\nnever asked\n")
	for _, want := range []string{
		"I answer questions about the Port Alder lighthouse",
		":sources   list the articles",
		":quit      leave",
		"I know 2 articles:\n 1. Granite tower changes hands — Harbour Gazette (12 sentences)\n 2. Coast notes (1 sentence)\n",
		"There is no command :nope: type :help for the commands.",
		"1. “Miriam Okafor",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if q := f.questions(); len(q) != 1 || q[0] != "who keeps the lighthouse?" {
		t.Errorf("asked %q, want only the question before :quit", q)
	}
}

func TestRunNotFound(t *testing.T) {
	r, _ := newTestREPL(t, bot.Config{})
	got := runLines(t, r, "What is the price of bitcoin?")
	want := "I could not find that in the articles.\nTry other words, or see what they cover with :sources.\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	r, _ = newTestREPL(t, bot.Config{}, WithSourcesCommand("storybot sources"))
	var out strings.Builder
	r.Answer(&out, "What is the price of bitcoin?")
	if !strings.Contains(out.String(), "with storybot sources.") {
		t.Errorf("one-shot hint names the wrong command: %q", out.String())
	}
}

func TestRunBadInput(t *testing.T) {
	const (
		blank   = "Type a question, or :help for help.\n"
		noWords = "That has no words in it: ask a question in plain words.\n"
		tooLong = "That question is too long: please keep it under 500 characters.\n"
	)
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "\n", blank},
		{"spaces", " \t  \n", blank},
		{"control characters", "\x00\x01\x07\x1b[31m\x1b]0;title\x07\n", blank},
		{"invalid UTF-8", "\xff\xfe\xfd\n", blank},
		{"punctuation", "?!... ;-)\n", noWords},
		{"600 characters", strings.Repeat("word ", 120) + "\n", tooLong},
		{"100 KB", strings.Repeat("x", 100<<10) + "\n", tooLong},
		{"escapes around words", "\x1b[1mwho keeps the lighthouse?\x1b[0m\n", "1. “Miriam Okafor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestREPL(t, bot.Config{})
			got := runLines(t, r, tc.in)
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("Run(%.40q) printed %q, want it to start %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestRunCleansArticleText checks that nothing from an article reaches the
// terminal as a control character or escape sequence.
func TestRunCleansArticleText(t *testing.T) {
	r, _ := newTestREPL(t, bot.Config{})
	got := runLines(t, r, "What does the evil article say?\n")
	for _, c := range got {
		if c != '\n' && (unicode.IsControl(c) || unicode.Is(unicode.Cf, c)) {
			t.Errorf("output holds control character %U:\n%q", c, got)
		}
	}
	if want := "“Click here now evil 31m done.”"; !strings.Contains(got, want) {
		t.Errorf("output lacks the cleaned text %q:\n%q", want, got)
	}
	if want := "source:  Red title — Bad Outlet"; !strings.Contains(got, want) {
		t.Errorf("output lacks the cleaned source %q:\n%q", want, got)
	}
}

func TestRunStopsWhenContextDone(t *testing.T) {
	r, f := newTestREPL(t, bot.Config{})
	pr, pw := io.Pipe() // never written: Run blocks reading
	t.Cleanup(func() { pw.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx, pr, io.Discard) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if q := f.questions(); len(q) > 0 {
		t.Errorf("asked %q, want nothing", q)
	}
}

// A quote that leans on the sentence before ("She said…") is shown after
// that sentence, labelled, dimmed only at a terminal, and cleaned like
// every piece of article text.
func TestAnswerContext(t *testing.T) {
	a := qa.Answer{Text: "She said the tolls would end in spring.", Source: notes,
		Context: "Mayor Ellen Hart \x1b[31mopened the bridge on Monday."}
	var plain, dimmed strings.Builder
	writeAnswers(&plain, []qa.Answer{a}, 80, false)
	writeAnswers(&dimmed, []qa.Answer{a}, 80, true)
	want := "context: Mayor Ellen Hart opened the bridge on Monday.\n" +
		"“She said the tolls would end in spring.”\n" +
		"source:  Coast notes\n"
	if plain.String() != want {
		t.Errorf("plain:\n%s\nwant:\n%s", plain.String(), want)
	}
	if !strings.HasPrefix(dimmed.String(), "\x1b[2mcontext: Mayor Ellen Hart opened") ||
		!strings.Contains(dimmed.String(), "Monday.\x1b[0m\n“She said") {
		t.Errorf("dimmed: %q", dimmed.String())
	}
}

// storyQA is fakeQA with views of the whole story.
type storyQA struct{ *fakeQA }

func (storyQA) Summary() []qa.Answer {
	return []qa.Answer{{Text: "The keeper rang the bell.", Source: gazette}}
}
func (storyQA) Timeline() []qa.Event {
	return []qa.Event{{Date: "2025-03-01", Written: "in March", Text: "Miriam Okafor became the keeper in March.", Source: gazette}}
}
func (storyQA) People() []qa.Person {
	return []qa.Person{{Name: "Miriam Okafor", Role: "the keeper", Mentions: 2, Source: gazette}}
}

func TestStoryCommands(t *testing.T) {
	svc := bot.NewService(storyQA{&fakeQA{}}, bot.Config{}, nil)
	got := runLines(t, New(svc), ":summary\n:timeline\n:who\nwhat's the story\n")
	for _, want := range []string{
		"“The keeper rang the bell.”\nsource:  Granite tower changes hands — Harbour Gazette\n",
		"Timeline:\n• 2025-03-01 (in March): Miriam Okafor became the keeper in March. — Granite\n  tower changes hands (Harbour Gazette)\n",
		"Who's who:\n• Miriam Okafor — the keeper (2 mentions)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "The keeper rang the bell.") != 2 {
		t.Errorf("\"what's the story\" should get the summary too:\n%s", got)
	}
}
