package bot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/storybot/storybot/qa"
)

// fakeQA answers every question with the same quote, except "nothing".
type fakeQA struct{ asked []string }

func (f *fakeQA) Ask(q string) (qa.Result, error) {
	f.asked = append(f.asked, q)
	if strings.Contains(q, "nothing") {
		return qa.Result{Question: q}, nil
	}
	return qa.Result{Question: q, Answers: []qa.Answer{
		{Text: "One.", Source: qa.Source{ID: "a"}}, {Text: "Two.", Source: qa.Source{ID: "b"}},
		{Text: "Three.", Source: qa.Source{ID: "c"}}, {Text: "Four.", Source: qa.Source{ID: "d"}},
	}}, nil
}

func (f *fakeQA) Sources() []qa.SourceInfo { return []qa.SourceInfo{{Source: qa.Source{ID: "a"}}} }

type countMetrics struct{ kinds []Kind }

func (m *countMetrics) Question(_ string, k Kind, _ time.Duration) { m.kinds = append(m.kinds, k) }
func (m *countMetrics) PlatformError(string, string)               {}

func TestServiceAsk(t *testing.T) {
	f := &fakeQA{}
	m := &countMetrics{}
	s := NewService(f, Config{MaxQuestion: 20, MaxAnswers: 2, Limit: LimitConfig{Burst: 100, Every: time.Second}}, m)
	tests := []struct {
		q    string
		want Kind
	}{
		{"who called?", Answered},
		{"  \t\x00\x1b ", Empty},
		{"\xff\xfe", Empty},
		{"this question is far too long to take", TooLong},
		{"nothing here", NotFound},
	}
	for _, tt := range tests {
		r := s.Ask("test", "u1", tt.q)
		if r.Kind != tt.want {
			t.Errorf("Ask(%q).Kind = %v, want %v", tt.q, r.Kind, tt.want)
		}
		if r.Kind == Answered && len(r.Answers) != 2 {
			t.Errorf("Ask(%q) gave %d answers, want MaxAnswers 2", tt.q, len(r.Answers))
		}
		if r.Kind != Answered && r.Kind != NotFound && s.Message(r) == "" {
			t.Errorf("Ask(%q): kind %v has no message", tt.q, r.Kind)
		}
	}
	if len(f.asked) != 2 {
		t.Errorf("the core was asked %q; empty and too-long questions must not reach it", f.asked)
	}
	if len(m.kinds) != len(tests) {
		t.Errorf("metrics saw %d questions, want %d", len(m.kinds), len(tests))
	}
}

func TestServiceFloodControl(t *testing.T) {
	s := NewService(&fakeQA{}, Config{Limit: LimitConfig{Burst: 2, Every: time.Hour}}, nil)
	var got []Kind
	for range 5 {
		got = append(got, s.Ask("test", "u1", "who?").Kind)
	}
	want := []Kind{Answered, Answered, Limited, Silent, Silent}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("kinds = %v, want %v", got, want)
		}
	}
	if k := s.Ask("test", "u2", "who?").Kind; k != Answered {
		t.Errorf("another user got %v, want Answered", k)
	}
}

// TestLookup: a lookup (an inline suggestion, asked as the user types) is
// neither flood-controlled nor remembered as a turn of a conversation.
func TestLookup(t *testing.T) {
	f := &turnQA{}
	s := NewService(f, Config{Limit: LimitConfig{Burst: 1, Every: time.Hour}}, nil)
	for i := range 5 {
		if k := s.Lookup("test", "who is Carl?").Kind; k != Answered {
			t.Fatalf("lookup %d: %v, want Answered", i+1, k)
		}
	}
	s.Lookup("test", "who is Carl?")
	s.Ask("test", "u1", "where did he go?")
	if len(f.turnsSeen) != 1 || f.turnsSeen[0] != 0 {
		t.Errorf("lookups were kept as turns: the question came with %v", f.turnsSeen)
	}
	if k := s.Lookup("test", strings.Repeat("x", 501)).Kind; k != TooLong {
		t.Errorf("a long lookup: %v, want TooLong", k)
	}
}

func TestLimiterRefillsAndForgets(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(LimitConfig{Burst: 1, Every: time.Minute})
	l.now = func() time.Time { return now }
	if l.Check("a") != Allow || l.Check("a") != Notice || l.Check("a") != Drop {
		t.Fatal("want Allow, Notice, Drop")
	}
	now = now.Add(time.Minute)
	if v := l.Check("a"); v != Allow {
		t.Errorf("after a refill: %v, want Allow", v)
	}
	if v := l.Check("a"); v != Notice {
		t.Errorf("over the limit again: %v, want a new Notice", v)
	}
	for i := range 1000 {
		l.Check(string(rune('A' + i)))
	}
	now = now.Add(time.Hour)
	l.Check("late")
	if n := l.tracked(); n != 1 {
		t.Errorf("limiter remembers %d users after an idle hour, want 1", n)
	}
	if NewLimiter(LimitConfig{}).Check("x") != Allow {
		t.Error("a zero config must not limit")
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  who\tcalled \n whom? ", "who called whom?"},
		{"who\x00is\x1b[31mpeskov", "who is [31mpeskov"},
		{"bad \xff utf8", "bad utf8"},
		{"zero\u200bwidth", "zerowidth"},
		{"soft\u00adhyphen \ufeffbom \u200d\u2060 joiners", "softhyphen bom joiners"},
		{"right\u202eto\u202cleft", "righttoleft"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAskAcrossInvisibleCharacters asks the real core through the Service
// about a word with a format character inside it, as text pasted from a web
// page or typed on some phone keyboards carries: the word must still be
// found, and the question shown back must read as typed.
func TestAskAcrossInvisibleCharacters(t *testing.T) {
	ix, err := qa.NewIndex([]qa.Article{
		{Source: qa.Source{ID: "farm", Title: "Harvest"}, Text: "The farmers on the plain harvested wheat in July.\nPrices for barley fell sharply in the autumn."},
		{Source: qa.Source{ID: "port", Title: "Port"}, Text: "The harbour master closed the port for the storm."},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(ix, Config{}, nil)
	for _, invisible := range []string{"\u200b", "\u00ad", "\u200d", "\u2060", "\ufeff"} {
		q := "When was the wh" + invisible + "eat harvested?"
		r := s.Ask("test", "u1", q)
		if r.Kind != Answered || !strings.Contains(r.Answers[0].Text, "wheat") {
			t.Errorf("Ask(%+q) = %v %+v; want the sentence about wheat", q, r.Kind, r.Answers)
		}
		if r.Question != "When was the wheat harvested?" {
			t.Errorf("Ask(%+q).Question = %q, want the word whole", q, r.Question)
		}
	}
}

func TestSplit(t *testing.T) {
	text := "The first sentence is here. The second one follows it. A third."
	parts := Split(text, 40)
	want := []string{"The first sentence is here.", "The second one follows it. A third."}
	if strings.Join(parts, "|") != strings.Join(want, "|") {
		t.Errorf("Split at sentences = %q, want %q", parts, want)
	}
	long := strings.Repeat("word ", 30)
	for _, p := range Split(long, 23) {
		if Length(p) > 23 || strings.HasPrefix(p, " ") || strings.Contains(p, "wor ") {
			t.Errorf("Split at words gave %q", p)
		}
	}
	emoji := strings.Repeat("😀", 10) // two UTF-16 units each
	for _, p := range Split(emoji, 5) {
		if Length(p) > 5 || !utf8.ValidString(p) {
			t.Errorf("Split(emoji, 5) gave %q (length %d)", p, Length(p))
		}
	}
	if got := Split("short", 100); len(got) != 1 || got[0] != "short" {
		t.Errorf("Split(short) = %q", got)
	}
	// Neither an abbreviation nor a quote closing mid-sentence ends one.
	traps := "Peskov spoke on Dec. 8. He met U.S. officials and called it \"important\" in talks. Then he left."
	want = []string{"Peskov spoke on Dec. 8.", "He met U.S. officials and called it \"important\" in talks.", "Then he left."}
	for _, limit := range []int{60, 65, 70} {
		if got := Split(traps, limit); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("Split(traps, %d) = %q, want %q", limit, got, want)
		}
	}
}

func TestPack(t *testing.T) {
	got := Pack([]string{"aaaa", "bbbb", "cccc", strings.Repeat("d", 12)}, "\n", 10)
	want := []string{"aaaa\nbbbb", "cccc", strings.Repeat("d", 12)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Pack = %q, want %q", got, want)
	}
}
