package qa

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoryKindIssue checks the examples issue 9 gives, which the rules in
// lists/story.txt were written from.
func TestStoryKindIssue(t *testing.T) {
	for q, want := range map[string]string{
		"what happened":             "summary",
		"What happened?":            "summary",
		"summarize":                 "summary",
		"tl;dr":                     "summary",
		"what's going on":           "summary",
		"what's the story":          "summary",
		"whats the latest":          "summary",
		"give me the gist":          "summary",
		"timeline":                  "timeline",
		"chronology":                "timeline",
		"what happened when":        "timeline",
		"sequence of events":        "timeline",
		"who is who":                "people",
		"who's involved":            "people",
		"who are the people":        "people",
		"who are the key players":   "people",
		"what happened to assad":    "",
		"who is peskov":             "",
		"when did the call happen":  "",
		"":                          "",
		"?!":                        "",
		"\xff\xfe":                  "",
		strings.Repeat("what ", 40): "",
	} {
		if got := StoryKind(q); got != want {
			t.Errorf("StoryKind(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestStoryKindHeldOut checks StoryKind on paraphrases written before the
// rules and not used to write them (testdata/story-questions.txt).
func TestStoryKindHeldOut(t *testing.T) {
	data, err := os.ReadFile("testdata/story-questions.txt")
	if err != nil {
		t.Fatal(err)
	}
	n, wrong := 0, 0
	for line := range strings.SplitSeq(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
			continue
		}
		kind, q, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("story-questions.txt: %q is not kind: question", line)
		}
		want := strings.TrimSpace(kind)
		if want == "none" {
			want = ""
		}
		n++
		if got := StoryKind(q); got != want {
			wrong++
			t.Errorf("StoryKind(%q) = %q, want %q", strings.TrimSpace(q), got, want)
		}
	}
	t.Logf("%d of %d held-out questions right", n-wrong, n)
}

// TestStoryKindChatQuestions checks that none of the questions people
// asked in the chat and dialog sets (testdata/*.jsonl, written for the
// ranker, each about one thing) is taken for a question about the whole
// story.
func TestStoryKindChatQuestions(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no question sets in testdata")
	}
	n := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var rec struct {
				Q     string `json:"q"`
				Turns []struct {
					Q string `json:"q"`
				} `json:"turns"`
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			qs := []string{rec.Q}
			for _, turn := range rec.Turns {
				qs = append(qs, turn.Q)
			}
			for _, q := range qs {
				if q == "" {
					continue
				}
				n++
				if k := StoryKind(q); k != "" {
					t.Errorf("%s: StoryKind(%q) = %q, want a question", filepath.Base(path), q, k)
				}
			}
		}
		f.Close()
	}
	if n < 100 {
		t.Errorf("only %d questions read from the sets", n)
	}
}

// TestStoryGrammar checks the pattern syntax of lists/story.txt and that
// the embedded list reads.
func TestStoryGrammar(t *testing.T) {
	if _, err := parseGrammar(listLines("story.txt")); err != nil {
		t.Fatalf("lists/story.txt: %v", err)
	}
	got, err := expand("a [b|c d] (e|f [g])", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "a b e|a b f g|a b f|a c d e|a c d f g|a c d f|a e|a f g|a f"
	if strings.Join(got, "|") != want {
		t.Errorf("expand = %q, want %q", strings.Join(got, "|"), want)
	}
	for _, bad := range [][]string{
		{"summary: a [b"},
		{"summary: a (b]"},
		{"summary: a ) b"},
		{"summary: @nowhere"},
		{"summary: x", "people: x"},
		{"story: x"},
		{"spell: a b"},
		{"no colon"},
	} {
		if _, err := parseGrammar(bad); err == nil {
			t.Errorf("parseGrammar(%q) = nil error", bad)
		}
	}
}

func BenchmarkStoryKind(b *testing.B) {
	qs := append([]string{"what happened?", "tl;dr please", "who is the kremlin spokesman"}, seedQuestions...)
	StoryKind("")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		StoryKind(qs[i%len(qs)])
		i++
	}
}
