package qa

import (
	"strings"
	"testing"
)

// FuzzStoryViews checks that no article text makes the summary, the
// timeline or who's who fail, and that what they quote is the article's.
func FuzzStoryViews(f *testing.F) {
	for _, s := range []string{
		"Syria's interim president, Ahmed al-Sharaa, and Russian President Vladimir Putin held a phone call on Wednesday.",
		"The Kremlin announced today, Wednesday, February 12, that talks took place. Dec. 8, Sen. John McCain, 38, said.",
		"Rabbi Shmuley Boteach, Michael Jackson's confidant, sat down. Her brother, Tomas Vasquez, a local architect, spoke.",
		"Al-Sharaa, also known by his nom de guerre Abu Mohammad al-Julani, became leader in December 2024 after 3 days ago.",
		"Mr. , Dr. . Gen.\nMinister of Defense, , said\n\"\" ” “ ’s 's al- -al Al- \n2,000 1999 mid- mid-2024 last Friday next",
		"A, B. C, D, E. President X, Y, Z, 120, W. the. of the of, who, who said said",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		a, err := ParseArticle("x", []byte(text))
		if err != nil {
			return
		}
		ix, err := NewIndex([]Article{a})
		if err != nil {
			return
		}
		for _, s := range ix.Summary() {
			if !strings.Contains(a.Text, s.Text) {
				t.Fatalf("summary quotes %q, not in the article", s.Text)
			}
		}
		for _, e := range ix.Timeline() {
			if !strings.Contains(a.Text, e.Text) || !strings.Contains(e.Text, e.Written) {
				t.Fatalf("event %q (%q) is not the article's", e.Text, e.Written)
			}
		}
		for _, p := range ix.People() {
			if !strings.Contains(a.Text, p.Text) || p.Name == "" {
				t.Fatalf("person %+v is not the article's", p)
			}
		}
	})
}
