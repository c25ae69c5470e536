package qa

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"

	"github.com/storybot/storybot/seeds"
)

func words(text string) []string {
	var out []string
	tokenize(text, func(t token) { out = append(out, string(t.word)) })
	return out
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Syria's interim president", []string{"syria", "interim", "president"}},
		{"Syria’s leaders’ talks", []string{"syria", "leaders", "talks"}},
		{"don't DON’T", []string{"dont", "dont"}},
		{"al-Sharaa and Al Sharaa", []string{"al", "sharaa", "and", "al", "sharaa"}},
		{"on Dec. 8, 2024, 1,000 troops, 3.5%", []string{"on", "dec", "8", "2024", "1000", "troops", "3.5"}},
		{"Khmeimim — Tartus/Tartous", []string{"khmeimim", "tartus", "tartous"}},
		{"Ménendez ÉTÉ naïve", []string{"ménendez", "été", "naïve"}},
		{"Путин, «Кремль»", []string{"путин", "кремль"}},
		{"'Building a new Syria'", []string{"building", "a", "new", "syria"}},
		{"?!…", nil},
	}
	for _, tt := range tests {
		if got := words(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenFlags(t *testing.T) {
	var got []tokFlag
	tokenize("The Kremlin said 12 things. Then Moscow", func(t token) { got = append(got, t.flags) })
	want := []tokFlag{flagCap | flagFirst, flagCap, 0, flagNumber, 0, flagCap | flagFirst, flagCap}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flags = %v, want %v", got, want)
	}
}

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sanctions", "sanction"},
		{"sanctioned", "sanction"},
		{"said", "say"},
		{"met", "meet"},
		{"fled", "flee"},
		{"bases", "base"},
		{"2015", "2015"},
	}
	for _, tt := range tests {
		if got := stem(tt.in); got != tt.want {
			t.Errorf("stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNameFormsMeet checks that the ways a name is written reduce to the
// same index terms once stop words are set aside.
func TestNameFormsMeet(t *testing.T) {
	terms := func(s string) []string {
		var out []string
		for _, w := range words(s) {
			if !isStop(w) {
				out = append(out, stem(w))
			}
		}
		return out
	}
	want := terms("Sharaa")
	for _, form := range []string{"al-Sharaa", "al Sharaa", "Al-Sharaa’s", "AL SHARAA", "sharaa's"} {
		if got := terms(form); !reflect.DeepEqual(got, want) {
			t.Errorf("terms(%q) = %q, want %q", form, got, want)
		}
	}
}

func TestEditDistance1(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"tartus", "tartous", true},
		{"hmeimim", "khmeimim", true},
		{"shaibani", "sheibani", true},
		{"sanctoin", "sanction", true},
		{"puttin", "putin", true},
		{"putin", "putin", false},
		{"putin", "pution", true},
		{"russia", "prussian", false},
		{"abcd", "badc", false},
	}
	for _, tt := range tests {
		if got := editDistance1(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance1(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Syria’s al-Sharaa", "1,000.5 U.S. don't", "’s''s", "\xff\xfe a", "é\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		tokenize(text, func(tk token) {
			if tk.start < prev || tk.end <= tk.start || tk.end > len(text) {
				t.Fatalf("tokenize(%q): bad range [%d,%d) after %d", text, tk.start, tk.end, prev)
			}
			prev = tk.end
			w := string(tk.word)
			if w == "" || !utf8.ValidString(w) {
				t.Fatalf("tokenize(%q): bad word %q", text, w)
			}
			if strings.IndexFunc(w, func(r rune) bool { return !isWordRune(r) && r != '.' }) >= 0 {
				t.Fatalf("tokenize(%q): word %q holds a separator", text, w)
			}
			if w != strings.ToLower(w) && strings.IndexFunc(w, unicode.IsUpper) >= 0 {
				t.Fatalf("tokenize(%q): word %q is not lower case", text, w)
			}
		})
	})
}

// TestStemShortcut checks that stem, which skips the stemmer for words
// ending in a letter no Snowball suffix ends in, agrees with the stemmer on
// every word of the seeds and, when present, the SQuAD and State of the
// Union corpora.
func TestStemShortcut(t *testing.T) {
	dirs := []string{filepath.Join(evalDir, "squad", "articles"), sotuDir}
	arts, _ := LoadFS(seeds.FS)
	for _, d := range dirs {
		if more, err := LoadDir(d); err == nil {
			arts = append(arts, more...)
		}
	}
	seen := map[string]bool{}
	for _, a := range arts {
		tokenize(a.Text, func(tk token) {
			w := string(tk.word)
			if seen[w] {
				return
			}
			seen[w] = true
			base := w
			if b, ok := irregular[w]; ok {
				base = b
			}
			if got, want := stem(w), english.Stem(base, true); got != want {
				t.Errorf("stem(%q) = %q, want %q", w, got, want)
			}
		})
	}
	t.Logf("%d words checked", len(seen))
}

// TestSynonymOfFirstTerm checks that a question word the articles do not
// use reaches, through WordNet, a synonym that happens to be the first
// term the index numbered ("harbour" for "seaport").
func TestSynonymOfFirstTerm(t *testing.T) {
	// Terms are numbered in the order of the sorted words: "harbour" first.
	ix := memIndex(t, "Harbour news\n\nThe harbour shut on Monday. The pier shut on Tuesday.")
	res, _ := ix.Ask("when did the seaport shut")
	if !res.Answered() || !strings.Contains(res.Answers[0].Text, "harbour shut") {
		t.Errorf("when did the seaport shut = %v, want the harbour's closing", res)
	}
}
