// Package evalset reads the sets of questions and dialogs that measure
// storybot's answers (the format of ../shared/eval/README.md) and tells
// whether an answer is right. storybot eval, cmd/train and qa's quality
// tests read them through it, so that all three judge alike.
//
// A set is a JSON Lines file, one question an object:
//
//	{"id": "d01", "q": "When did ...?", "expect": ["Wednesday", "February 12"]}
//	{"id": "d23", "q": "What is ...?", "unanswerable": true}
//
// or one dialog a line, its turns asked in order by one person:
//
//	{"id": "c01", "turns": [{"q": "who is bogdanov", "expect": ["..."]}, {"q": "and when?", "unanswerable": true}]}
//
// expect holds regular expressions, matched without regard to case against
// an answer's text with its white space read as plain spaces (Go's \s is
// ASCII only, and the articles hold no-break spaces). Blank lines are
// skipped; other fields are ignored but "article", the story a question
// (or a dialog) of a collection is about.
package evalset

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"
)

// Question is a question of a set, or a turn of a dialog.
type Question struct {
	ID           string   `json:"id"` // a turn's is the dialog's, "/", and its place: "c01/2"
	Q            string   `json:"q"`
	Expect       []string `json:"expect"`
	Unanswerable bool     `json:"unanswerable"`
	Article      string   `json:"article"` // a turn's is its dialog's
	// Where is the file and line that hold it, the same for all the turns
	// of a dialog. Dialog is a turn's dialog's id ("" for a question), and
	// Turn its place in the dialog, from 1 (0 for a question).
	Where  string `json:"-"`
	Dialog string `json:"-"`
	Turn   int    `json:"-"`

	expect []*regexp.Regexp
}

// Read reads the set at path, a dialog's turns in order after each other.
// Errors name the file and line.
func Read(path string) ([]*Question, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*Question
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, n)
		var dialog struct {
			ID      string            `json:"id"`
			Article string            `json:"article"`
			Turns   []json.RawMessage `json:"turns"`
		}
		if err := json.Unmarshal([]byte(line), &dialog); err != nil {
			return nil, fmt.Errorf("%s: not a JSON question: %v", where, err)
		}
		if dialog.Turns == nil {
			q, err := Parse([]byte(line), where)
			if err != nil {
				return nil, err
			}
			out = append(out, q)
			continue
		}
		if len(dialog.Turns) == 0 {
			return nil, fmt.Errorf("%s: a conversation with no turns", where)
		}
		for i, raw := range dialog.Turns {
			q, err := Parse(raw, where)
			if err != nil {
				return nil, err
			}
			q.ID = fmt.Sprintf("%s/%d", dialog.ID, i+1)
			q.Dialog, q.Turn = dialog.ID, i+1
			if q.Article == "" {
				q.Article = dialog.Article
			}
			out = append(out, q)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
	}
	return out, nil
}

// Parse reads one question, found at where (file:line), and checks it: a
// question, and either patterns that compile or "unanswerable".
func Parse(line []byte, where string) (*Question, error) {
	q := &Question{Where: where}
	if err := json.Unmarshal(line, q); err != nil {
		return nil, fmt.Errorf("%s: not a JSON question: %v", where, err)
	}
	switch {
	case strings.TrimSpace(q.Q) == "":
		return nil, fmt.Errorf("%s: no question (\"q\")", where)
	case q.Unanswerable && len(q.Expect) > 0:
		return nil, fmt.Errorf("%s: both \"expect\" and \"unanswerable\"", where)
	case !q.Unanswerable && len(q.Expect) == 0:
		return nil, fmt.Errorf("%s: neither \"expect\" nor \"unanswerable\"", where)
	}
	for _, p := range q.Expect {
		re, err := regexp.Compile("(?i)" + p)
		if err != nil {
			return nil, fmt.Errorf("%s: expect %q: %v", where, p, err)
		}
		q.expect = append(q.expect, re)
	}
	return q, nil
}

// Right reports whether text, an answer's, is right for q: a pattern
// matches it. Never for an unanswerable question.
func (q *Question) Right(text string) bool {
	text = strings.Map(plainSpace, text)
	for _, re := range q.expect {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// Rank returns the 1-based place of the first of answers that is right for
// q, or 0 when none is.
func (q *Question) Rank(answers []string) int {
	for i, a := range answers {
		if q.Right(a) {
			return i + 1
		}
	}
	return 0
}

func plainSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return ' '
	}
	return r
}
