package qa

import (
	"errors"
	"fmt"
	"strings"
)

// ErrEmptyQuestion is returned by Index.Ask for a question with no words in it.
var ErrEmptyQuestion = errors.New("empty question")

// Source names the article a sentence came from.
type Source struct {
	ID     string `json:"id"`     // file name without .txt
	Title  string `json:"title"`  // headline, or the opening words when there is none
	Outlet string `json:"outlet"` // publisher, when the article names it; may be empty
}

// String returns "Title (Outlet)", or the title alone when the outlet is unknown.
func (s Source) String() string {
	if s.Outlet == "" {
		return s.Title
	}
	return s.Title + " (" + s.Outlet + ")"
}

// Answer is one quoted sentence, verbatim, with the article it came from
// and the other articles that say the same thing.
type Answer struct {
	Text   string   `json:"text"`
	Score  float64  `json:"score"`
	Source Source   `json:"source"`
	AlsoIn []Source `json:"also_in"`
}

// String returns a short readable form for tests and logs.
func (a Answer) String() string {
	return fmt.Sprintf("%q [%s]", a.Text, a.Source.ID)
}

// Result is the answer to one question: Answers best first, empty when the
// articles do not say.
type Result struct {
	Question string   `json:"question"`
	Answers  []Answer `json:"answers"`
}

// Answered reports whether the articles hold an answer.
func (r Result) Answered() bool { return len(r.Answers) > 0 }

// String returns a short readable form for tests and logs.
func (r Result) String() string {
	if !r.Answered() {
		return "not found"
	}
	parts := make([]string, len(r.Answers))
	for i, a := range r.Answers {
		parts[i] = a.String()
	}
	return strings.Join(parts, "; ")
}

// SourceInfo describes one indexed article.
type SourceInfo struct {
	Source
	Sentences int `json:"sentences"`
}
