package evalset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func question(t *testing.T, line string) *Question {
	t.Helper()
	q, err := Parse([]byte(line), "t.jsonl:1")
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestRank(t *testing.T) {
	answers := []string{"Putin called on Wednesday.", "It was February\u00a012.", "Tartus base", "four", "five", "six: Hmeimim"}
	for _, tc := range []struct {
		expect string
		want   int
	}{
		{`["wednesday"]`, 1},          // case-insensitive
		{`["February 1[0-9]"]`, 2},    // a regular expression, over a no-break space
		{`["February\\s12"]`, 2},      // \s too
		{`["Hmeimim", "Tartu?s"]`, 3}, // any pattern, first matching answer
		{`["^five$"]`, 5},             // anchored to the answer's text
		{`["Thursday", "Moscow"]`, 0}, // no match
	} {
		q := question(t, `{"id": "a", "q": "a?", "expect": `+tc.expect+`}`)
		if got := q.Rank(answers); got != tc.want {
			t.Errorf("Rank(%s) = %d, want %d", tc.expect, got, tc.want)
		}
	}
	if got := question(t, `{"id": "a", "q": "a?", "expect": ["x"]}`).Rank(nil); got != 0 {
		t.Errorf("Rank(no answers) = %d, want 0", got)
	}
	if question(t, `{"id": "u", "q": "u?", "unanswerable": true}`).Right("anything") {
		t.Error("an unanswerable question has a right answer")
	}
}

// TestRead checks that a dialog's turns come in order, each named by its
// dialog and place and carrying its dialog's article, and that a bad line
// is an error naming the file and line.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "set.jsonl")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"id": "q1", "q": "who?", "expect": ["Okafor"]}

{"id": "c1", "article": "story_7", "turns": [{"q": "who rang the bell", "expect": ["Okafor"]}, {"q": "and when?", "unanswerable": true}]}
`)
	qs, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range qs {
		got = append(got, strings.Join([]string{q.ID, q.Dialog, q.Article, filepath.Base(q.Where), string(rune('0' + q.Turn))}, ","))
	}
	want := "q1,,,set.jsonl:1,0 c1/1,c1,story_7,set.jsonl:3,1 c1/2,c1,story_7,set.jsonl:3,2"
	if strings.Join(got, " ") != want {
		t.Errorf("Read = %q, want %q", strings.Join(got, " "), want)
	}
	for _, tc := range []struct{ text, want string }{
		{"{\"id\": \"a\", \"q\": \"a?\"}\n", "set.jsonl:1: neither"},
		{"\n{\"id\": \"a\", \"q\": \"a?\", \"expect\": [\"(\"]}\n", "set.jsonl:2: expect"},
		{"{\"id\": \"a\", \"q\": \"\", \"unanswerable\": true}\n", "set.jsonl:1: no question"},
		{"{\"id\": \"a\", \"q\": \"a?\", \"expect\": [\"x\"], \"unanswerable\": true}\n", "set.jsonl:1: both"},
		{"{\"id\": \"c\", \"turns\": []}\n", "set.jsonl:1: a conversation with no turns"},
		{"not json\n", "set.jsonl:1: not a JSON question"},
	} {
		write(tc.text)
		if _, err := Read(path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Read(%q): err = %v, want it to say %q", tc.text, err, tc.want)
		}
	}
}
