package qa

import (
	"slices"
	"strings"
	"testing"
)

// TestListsAgree checks that no word of the hand-made lists (lists/*.txt)
// sits in two lists that contradict each other: a stop word is never
// indexed, so a stop word that is also a title, a date word, a synonym or a
// question's topic would silently never match; a word the question drops
// (querystop) cannot also be a synonym to match.
func TestListsAgree(t *testing.T) {
	synWords := map[string]bool{}
	for _, line := range listLines("synonyms.txt") {
		for _, w := range strings.Fields(line) {
			synWords[w] = true
		}
	}
	sets := map[string]map[string]bool{
		"role.txt": roleWords, "date.txt": dateWords, "synonyms.txt": synWords,
	}
	for name, set := range sets {
		for w := range set {
			if isStop(w) {
				t.Errorf("%q is in %s and is a stop word (snowball or stop.txt): it can never match", w, name)
			}
		}
	}
	for w := range queryStop {
		if synWords[w] {
			t.Errorf("%q is in querystop.txt, which drops it from questions, and in synonyms.txt", w)
		}
	}
	for w := range roleWords {
		if dateWords[w] {
			t.Errorf("%q is both a title (role.txt) and a date word (date.txt)", w)
		}
	}
	// Question words say the kind of answer; none may be one the kinds
	// list does not know (readList panics on a malformed line).
	for words, k := range questionWords {
		if k == kindAny || !slices.Contains(kindNames[:], k.String()) {
			t.Errorf("questions.txt: %q asks for %v", words, k)
		}
	}
}
