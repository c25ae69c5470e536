package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storybot/storybot/qa"
)

// turnQA answers as a conversant core does, recording how many turns of
// the user's conversation each question came with.
type turnQA struct {
	fakeQA
	turnsSeen []int
}

func (f *turnQA) AskIn(c *qa.Conversation, q string) (qa.Result, qa.Turn, error) {
	f.turnsSeen = append(f.turnsSeen, len(c.Turns))
	res, err := f.Ask(q)
	t := qa.Turn{Question: q, Asked: q + " (resolved)"}
	c.Turns = append(c.Turns, t)
	return res, t, err
}

// TestConversationPerUser checks that each user's questions come with
// that user's own turns, that a lookup comes with none, and that an idle
// conversation is forgotten.
func TestConversationPerUser(t *testing.T) {
	f := &turnQA{}
	s := NewService(f, Config{}, nil)
	now := time.Unix(0, 0)
	s.conversations.now = func() time.Time { return now }
	s.Ask("test", "u1", "one")
	s.Ask("test", "u1", "two")
	s.Ask("test", "u2", "one")
	r := s.Ask("test", "u1", "three")
	s.Lookup("test", "inline")
	if got, want := fmt.Sprint(f.turnsSeen), "[0 1 0 2]"; got != want {
		t.Errorf("turns given with each question %s, want %s", got, want)
	}
	if r.Asked != "three (resolved)" || r.Question != "three" {
		t.Errorf("reply asked %q question %q: want the core's resolution and the user's words", r.Asked, r.Question)
	}
	if got := f.asked[len(f.asked)-1]; got != "inline" {
		t.Errorf("a lookup asked %q, want it alone", got)
	}
	now = now.Add(conversationTTL + time.Second)
	s.Ask("test", "u1", "four")
	if got := f.turnsSeen[len(f.turnsSeen)-1]; got != 0 {
		t.Errorf("after %v idle the conversation should be forgotten; came with %d turns", conversationTTL, got)
	}
}

func TestConversationsAreBounded(t *testing.T) {
	cs := newConversations()
	for i := range maxConversations + 50 {
		cs.set(fmt.Sprint("user", i), qa.Conversation{Turns: []qa.Turn{{Question: "x"}}})
	}
	if n := len(cs.byUser); n > maxConversations {
		t.Errorf("remembers %d users, bound is %d", n, maxConversations)
	}
}

// TestFollowUpWithTheCore asks the real core a follow-up that only the
// earlier question makes answerable.
func TestFollowUpWithTheCore(t *testing.T) {
	var arts []qa.Article
	for i, text := range []string{
		"Anna Berg, the trade envoy, travelled to Oslo in May to sign the fishing accord.",
		"Carl Dahl, the defence envoy, travelled to Rome in June to sign the arms accord.",
		"Envoy Carl Dahl met Anna Berg at home.",
	} {
		a, err := qa.ParseArticle(fmt.Sprint(i), []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	ix, err := qa.NewIndex(arts)
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(ix, Config{}, nil)
	s.Ask("test", "u1", "who is carl dahl?")
	r := s.Ask("test", "u1", "where did he travel?")
	if r.Kind != Answered || !strings.Contains(r.Answers[0].Text, "Rome") {
		t.Errorf("follow-up = %v %v, want the Rome sentence", r.Kind, r.Answers)
	}
	if r.Question != "where did he travel?" {
		t.Errorf("reply question = %q, want the user's own words", r.Question)
	}

	s.Ask("test", "u2", "where did anna berg travel?")
	r = s.Ask("test", "u2", "and carl dahl?")
	if r.Kind != Answered || !strings.Contains(r.Answers[0].Text, "Rome") {
		t.Errorf("\"and carl dahl?\" after where Anna Berg travelled = %v %v, want the Rome sentence", r.Kind, r.Answers)
	}
}
