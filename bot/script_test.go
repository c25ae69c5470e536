package bot

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storybot/storybot/qa"
)

// TestScriptIsNeverFloodControlled: a script's questions, in a
// conversation or alone, are answered however fast they come, and get
// every answer the core gave, while a chat user with the same settings is
// limited and cut to MaxAnswers.
func TestScriptIsNeverFloodControlled(t *testing.T) {
	s := NewService(&turnQA{}, Config{MaxAnswers: 2, Limit: LimitConfig{Burst: 1, Every: time.Hour}}, nil)
	for i := range 10 {
		for _, conv := range []string{"", "c1"} {
			r := s.Script("test", ScriptQuestion{Text: fmt.Sprint("who called ", i), Conversation: conv})
			if r.Kind != Answered || len(r.Answers) != 4 {
				t.Fatalf("script question %d (conversation %q): %v with %d answers, want Answered with all 4", i, conv, r.Kind, len(r.Answers))
			}
		}
	}
	if r := s.Ask("test", "u1", "who called?"); r.Kind != Answered || len(r.Answers) != 2 {
		t.Errorf("chat: %v with %d answers, want Answered with MaxAnswers 2", r.Kind, len(r.Answers))
	}
	if k := s.Ask("test", "u1", "who called?").Kind; k != Limited {
		t.Errorf("the chat user's second question: %v, want Limited", k)
	}
}

// TestScriptChecksAsTheChatsDo: a script's question is cleaned and checked
// by the same rules as a chat message, and the reply says which rule
// refused it.
func TestScriptChecksAsTheChatsDo(t *testing.T) {
	f := &fakeQA{}
	s := NewService(f, Config{MaxQuestion: 20}, nil)
	for _, tt := range []struct {
		q     ScriptQuestion
		kind  Kind
		clean string // Reply.Question
	}{
		{ScriptQuestion{Text: "who\x00 called\u200b?\n"}, Answered, "who called?"},
		{ScriptQuestion{Text: " \t\x1b "}, Empty, ""},
		{ScriptQuestion{Text: "\xff\xfe"}, Empty, ""},
		{ScriptQuestion{Text: "this question is far too long"}, TooLong, "this question is far too long"},
		{ScriptQuestion{Text: "who?", Cut: true}, TooLong, "who?"},
		{ScriptQuestion{Text: "", Cut: true}, TooLong, ""},
		{ScriptQuestion{Text: "nothing here"}, NotFound, "nothing here"},
	} {
		r := s.Script("test", tt.q)
		if r.Kind != tt.kind || r.Question != tt.clean {
			t.Errorf("Script(%+q) = %v %q, want %v %q", tt.q.Text, r.Kind, r.Question, tt.kind, tt.clean)
		}
		if tt.q.Cut {
			continue // a chat message is never cut
		}
		if chat := s.Ask("test", "u1", tt.q.Text); chat.Kind != r.Kind {
			t.Errorf("%+q: a chat gets %v, a script %v: want the same check", tt.q.Text, chat.Kind, r.Kind)
		}
	}
	if want := []string{"who called?", "who called?", "nothing here", "nothing here"}; fmt.Sprint(f.asked) != fmt.Sprint(want) {
		t.Errorf("the core was asked %q, want %q: what the checks refuse must not reach it", f.asked, want)
	}
}

// TestScriptConversations: questions with the same conversation ID follow
// each other up; another ID, a question alone and a chat user with the
// same name each start afresh.
func TestScriptConversations(t *testing.T) {
	f := &turnQA{}
	s := NewService(f, Config{}, nil)
	s.Script("test", ScriptQuestion{Text: "one", Conversation: "x"})
	s.Script("test", ScriptQuestion{Text: "one", Conversation: "y"})
	r := s.Script("test", ScriptQuestion{Text: "two", Conversation: "x"})
	s.Ask("test", "x", "chat")
	s.Script("test", ScriptQuestion{Text: "alone"})
	if got, want := fmt.Sprint(f.turnsSeen), "[0 0 1 0]"; got != want {
		t.Errorf("turns given with each question %s, want %s", got, want)
	}
	if r.Asked != "two (resolved)" {
		t.Errorf("the follow-up's reply asked %q, want the core's resolution", r.Asked)
	}
	if got := f.asked[len(f.asked)-1]; got != "alone" {
		t.Errorf("a question with no conversation was asked as %q", got)
	}
	if r := s.Script("test", ScriptQuestion{Text: "nothing here", Conversation: "x"}); r.Kind != NotFound || r.Asked != "nothing here (resolved)" {
		t.Errorf("a declined follow-up: %v asked %q, want not found, asked as the core resolved it", r.Kind, r.Asked)
	}
}

// failingQA fails every question, as a broken core would.
type failingQA struct{ fakeQA }

var errBroken = errors.New("index broken")

func (f *failingQA) Ask(string) (qa.Result, error) { return qa.Result{}, errBroken }

func TestScriptReportsCoreErrors(t *testing.T) {
	s := NewService(&failingQA{}, Config{}, nil)
	r := s.Script("test", ScriptQuestion{Text: "who called?"})
	if r.Kind != NotFound || !errors.Is(r.Err, errBroken) {
		t.Errorf("Script = %v, err %v; want NotFound with the core's error", r.Kind, r.Err)
	}
	if r := s.Ask("test", "u1", "who called?"); r.Kind != NotFound || s.Message(r) == "" {
		t.Errorf("chat: %v %q, want the not-found message", r.Kind, s.Message(r))
	}
}

// explainQA explains as *qa.Index does, recording what it was asked.
type explainQA struct {
	turnQA
	explained []string
}

func (f *explainQA) Explain(q string) (qa.Result, qa.Explanation, error) {
	f.explained = append(f.explained, q)
	if !strings.ContainsAny(q, "abcdefghijklmnopqrstuvwxyz") {
		return qa.Result{}, qa.Explanation{Declined: true, Reason: "no words"}, qa.ErrEmptyQuestion
	}
	res, err := f.Ask(q)
	return res, qa.Explanation{Question: q}, err
}

func TestScriptExplains(t *testing.T) {
	f := &explainQA{}
	s := NewService(f, Config{}, nil)
	r := s.Script("test", ScriptQuestion{Text: "who\x00 called?", Explain: true})
	if r.Kind != Answered || r.Explanation == nil || r.Explanation.Question != "who called?" {
		t.Errorf("Script(explain) = %v, explanation %+v; want the answers and the cleaned question explained", r.Kind, r.Explanation)
	}
	if r := s.Script("test", ScriptQuestion{Text: "?!", Explain: true}); r.Kind != Empty || r.Question != "?!" ||
		r.Explanation == nil || !r.Explanation.Declined {
		t.Errorf("Script(\"?!\", explain) = %v %q, explanation %+v; want Empty and the core's reason", r.Kind, r.Question, r.Explanation)
	}
	for _, q := range []ScriptQuestion{
		{Text: "who called?"},                                   // not asked for
		{Text: " ", Explain: true},                              // refused before the core
		{Text: "who called?", Explain: true, Cut: true},         // too long
		{Text: "who called?", Explain: true, Conversation: "c"}, // a follow-up: the core explains none
	} {
		if r := s.Script("test", q); r.Explanation != nil {
			t.Errorf("Script(%+v) has an explanation", q)
		}
	}
	if len(f.explained) != 2 {
		t.Errorf("the core explained %q, want the two questions that asked", f.explained)
	}
}
