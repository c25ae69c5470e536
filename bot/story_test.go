package bot

import (
	"strings"
	"testing"

	"github.com/storybot/storybot/qa"
)

// storyQA gives views of the whole story besides answers.
type storyQA struct{ fakeQA }

func (storyQA) Summary() []qa.Answer {
	return []qa.Answer{{Text: "The leaders spoke.", Source: qa.Source{ID: "a", Title: "A"}}}
}
func (storyQA) Timeline() []qa.Event {
	return []qa.Event{{Date: "2024-12-08", Written: "on Dec. 8", Text: "Assad fell on Dec. 8.", Source: qa.Source{ID: "a", Title: "A"}}}
}
func (storyQA) People() []qa.Person {
	return []qa.Person{{Name: "Dmitry Peskov", Role: "Kremlin spokesman", Mentions: 3}}
}

// TestStoryQuestions checks that a question about the whole story gets the
// story's view, a question about one thing stays a question, and the
// commands get their view directly.
func TestStoryQuestions(t *testing.T) {
	f := &storyQA{}
	s := NewService(f, Config{}, nil)
	if r := s.Ask("test", "u", "so what happened?"); r.Kind != Answered || r.Story != "summary" || r.Answers[0].Text != "The leaders spoke." {
		t.Errorf("what happened: %+v, want the summary", r)
	}
	if r := s.Ask("test", "u", "what happened to assad"); r.Story != "" || len(f.asked) != 1 {
		t.Errorf("a question about one thing got the story view %q (core asked %q)", r.Story, f.asked)
	}
	r := s.Ask("test", "u", "timeline please")
	if r.Kind != Story || len(r.Events) != 1 {
		t.Fatalf("timeline: %+v", r)
	}
	if msg := s.Message(r); !strings.Contains(msg, "2024-12-08 (on Dec. 8): Assad fell on Dec. 8. — A") {
		t.Errorf("timeline worded %q", msg)
	}
	r = s.StoryView("test", "", "people")
	if msg := s.Message(r); r.Kind != Story || !strings.Contains(msg, "• Dmitry Peskov — Kremlin spokesman (3 mentions)") {
		t.Errorf("who's who: %+v worded %q", r, msg)
	}
	// A core with no views: the words are asked as a question.
	plain := NewService(&fakeQA{}, Config{}, nil)
	if r := plain.Ask("test", "u", "what happened?"); r.Story != "" {
		t.Errorf("no views, got %+v", r)
	}
	f2 := &fakeQA{}
	if r := NewService(f2, Config{}, nil).StoryView("test", "", "summary"); r.Kind != NotFound || len(f2.asked) != 0 {
		t.Errorf("a command for a view the core does not give: %v, core asked %q; want NotFound, nothing asked", r.Kind, f2.asked)
	}
}
