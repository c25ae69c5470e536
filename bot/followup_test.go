package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storybot/storybot/qa"
)

// namingQA records what it is asked and names the capitalised names it knows.
type namingQA struct {
	fakeQA
	known []string
}

func (n *namingQA) Names(q string) []string {
	var out []string
	for _, k := range n.known {
		if strings.Contains(strings.ToLower(q), k) {
			out = append(out, k)
		}
	}
	return out
}

func TestFollowUpCarriesTheSubject(t *testing.T) {
	f := &namingQA{known: []string{"carl", "anna"}}
	s := NewService(f, Config{}, nil)
	now := time.Unix(0, 0)
	s.subjects.now = func() time.Time { return now }
	steps := []struct{ user, q, asked string }{
		{"u1", "who is Carl?", "who is Carl?"},
		{"u1", "where did he go?", "where did he go? carl"},
		{"u2", "where did he go?", "where did he go?"},                           // another user has no subject
		{"u1", "and Anna?", "who is anna"},                                       // only a name: the last question, about her
		{"u1", "what about her trip", "what about her trip anna"},                // the subject moved on
		{"u1", "when was the ceasefire signed", "when was the ceasefire signed"}, // no reference back
		{"u1", "what did Carl's aide say about the trip?", "what did Carl's aide say about the trip?"},
		{"u1", "what about Anna", "what did anna aide say about the trip?"},
		{"u1", "and Anna and the trip?", "and Anna and the trip?"}, // more than a name: asked as is
		{"u2", "and Carl?", "where did he go? carl"},               // u2's own earlier question, about Carl
	}
	for _, st := range steps {
		s.Ask("test", st.user, st.q)
		if got := f.asked[len(f.asked)-1]; got != st.asked {
			t.Errorf("%s asks %q: core asked %q, want %q", st.user, st.q, got, st.asked)
		}
	}
	now = now.Add(subjectTTL + time.Second)
	s.Ask("test", "u1", "what did she say?")
	if got := f.asked[len(f.asked)-1]; got != "what did she say?" {
		t.Errorf("after %v the subject should be forgotten; core asked %q", subjectTTL, got)
	}
}

func TestSubjectsAreBounded(t *testing.T) {
	s := newSubjects()
	for i := range maxSubjects + 50 {
		s.set(fmt.Sprint("user", i), subject{names: []string{"x"}})
	}
	if n := len(s.byUser); n > maxSubjects {
		t.Errorf("remembers %d users, bound is %d", n, maxSubjects)
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

// TestFollowUpKeepsTheTopic checks the follow-ups that lean on the whole
// question before, not only on its names: "and when?", "why?", "what did
// they do there", and a follow-up of a follow-up.
func TestFollowUpKeepsTheTopic(t *testing.T) {
	f := &namingQA{known: []string{"carl"}}
	s := NewService(f, Config{}, nil)
	steps := []struct{ q, asked string }{
		{"what did Carl say about the harbour tolls", "what did Carl say about the harbour tolls"},
		{"and when?", "and when? carl say harbour tolls"},
		{"why?", "why? carl say harbour tolls"}, // the chain goes on
		{"who pays them", "who pays them carl say harbour tolls"},
		{"where is the new bridge", "where is the new bridge"}, // a new topic inherits nothing
		{"how long is it", "how long is it new bridge"},
	}
	for _, st := range steps {
		s.Ask("test", "u", st.q)
		if got := f.asked[len(f.asked)-1]; got != st.asked {
			t.Errorf("asks %q: core asked %q, want %q", st.q, got, st.asked)
		}
	}
}
