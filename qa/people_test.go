package qa

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// peopleNamed returns the people whose name matches re.
func peopleNamed(ps []Person, re string) []Person {
	var out []Person
	r := regexp.MustCompile(re)
	for _, p := range ps {
		if r.MatchString(p.Name) {
			out = append(out, p)
		}
	}
	return out
}

// checkPeople checks what every who's who must be: most mentioned first,
// each person's sentence verbatim in its article, holding the name's last
// word and the role as given.
func checkPeople(t *testing.T, ix *Index, ps []Person) {
	t.Helper()
	body := map[string]string{}
	for i, s := range ix.sources {
		body[s.ID] = ix.texts[i]
	}
	for i, p := range ps {
		if i > 0 && p.Mentions > ps[i-1].Mentions {
			t.Errorf("%s (%d mentions) after %s (%d): not most mentioned first", p.Name, p.Mentions, ps[i-1].Name, ps[i-1].Mentions)
		}
		if p.Mentions < 1 {
			t.Errorf("%s: %d mentions", p.Name, p.Mentions)
		}
		if !strings.Contains(body[p.Source.ID], p.Text) {
			t.Errorf("%s: sentence %q is not in article %s", p.Name, p.Text, p.Source.ID)
		}
		if p.Role != "" && !strings.Contains(p.Text, p.Role) {
			t.Errorf("%s: role %q is not in the sentence given, %q", p.Name, p.Role, p.Text)
		}
	}
}

// TestPeopleSeeds checks who's who on the seeds as a reader would: Peskov,
// Bogdanov, Abu Qasra and Shaibani (spelt Sheibani in one article, called
// Hassan in another) each once, with their roles; Ahmed al-Sharaa (Ahmad in
// one article) apart from the health minister Maher al-Sharaa; Putin and
// Vladimir Putin one person; no country, city or body.
func TestPeopleSeeds(t *testing.T) {
	ix := seedIndex(t)
	ps := ix.People()
	checkPeople(t, ix, ps)
	for _, c := range []struct{ name, role string }{
		{`Peskov`, `(?i)kremlin spokesman`},
		{`Bogdanov`, `(?i)foreign minister|envoy`},
		{`Abu Qasra`, `(?i)defen[cs]e minister|minister of defen[cs]e`},
		{`Sh[ae]ibani`, `(?i)foreign minister`},
		{`Putin`, `(?i)president`},
		{`^Ahm[ae]d.*Sharaa`, `(?i)president|leader`},
		{`Maher al-Sharaa`, `(?i)health minister`},
		{`Assad`, `(?i)president`},
	} {
		got := peopleNamed(ps, c.name)
		if len(got) != 1 {
			t.Errorf("%d people named %s, want 1: %v", len(got), c.name, got)
			continue
		}
		if !regexp.MustCompile(c.role).MatchString(got[0].Role) {
			t.Errorf("%s: role %q, want %s", got[0].Name, got[0].Role, c.role)
		}
	}
	if sharaa := peopleNamed(ps, `Sharaa`); len(sharaa) == 2 && sharaa[0].Mentions <= sharaa[1].Mentions {
		t.Errorf("Ahmed al-Sharaa should be named far more than Maher: %v", sharaa)
	}
	if len(ps) > 0 && !strings.Contains(ps[0].Name, "Sharaa") {
		t.Errorf("most mentioned is %s, want al-Sharaa", ps[0].Name)
	}
	for _, p := range ps {
		if regexp.MustCompile(`(?i)^(the )?(syria|russia|kremlin|moscow|damascus|tartus|tartous|dubai|ukraine|hmeimim|khmeimim|latakia|tass|hayat|al.arabiya|washington|telegram|foreign ministry|european|western|united states)\b`).MatchString(p.Name) {
			t.Errorf("%q is not a person (role %q)", p.Name, p.Role)
		}
	}
}

// TestPeopleSpellingsAndNamesakes checks on a story written for it: one
// mayor written Vasquez and Vazquez, her brother who shares her name kept
// apart, a librarian named in full once and then by his last name, a body
// that speaks and a town left out, and a name only in a headline left out.
func TestPeopleSpellingsAndNamesakes(t *testing.T) {
	ix := memIndex(t,
		"Okonkwo Praises New Library\n"+
			"Mayor Elena Vasquez opened the new Riverton library on Monday morning.\n"+
			"Vasquez said the building had cost four million dollars to finish.\n"+
			"Her brother, Tomas Vasquez, a local architect, designed the building.\n"+
			"Librarian Sam Okafor, who has worked in the town for twenty years, showed visitors around.\n"+
			"The Riverton Library Trust said donations had paid for half of the building.\n"+
			"Visitors from Easton praised the reading rooms and the garden.",
		"Library opens its doors\n"+
			"Mayor Elena Vazquez cut the ribbon in front of a crowd of several hundred people.\n"+
			"Okafor said children had queued since dawn to borrow the first books.\n"+
			"Tomas Vasquez said he had drawn the first plans for the library ten years ago.")
	ps := ix.People()
	checkPeople(t, ix, ps)
	elena := peopleNamed(ps, `Elena`)
	if len(elena) != 1 || elena[0].Role != "Mayor" || elena[0].Mentions != 3 {
		t.Errorf("the mayor: %v, want one Elena Vasquez, Mayor, named 3 times", elena)
	}
	tomas := peopleNamed(ps, `Tomas Vasquez`)
	if len(tomas) != 1 || !strings.Contains(tomas[0].Role, "architect") || tomas[0].Mentions != 2 {
		t.Errorf("her brother: %v, want Tomas Vasquez, a local architect, named twice", tomas)
	}
	sam := peopleNamed(ps, `Okafor`)
	if len(sam) != 1 || sam[0].Name != "Sam Okafor" || sam[0].Role != "Librarian" || sam[0].Mentions != 2 {
		t.Errorf("the librarian: %v, want Sam Okafor, Librarian, named twice", sam)
	}
	for _, p := range ps {
		if strings.Contains(p.Name, "Trust") || strings.Contains(p.Name, "Easton") ||
			strings.Contains(p.Name, "Riverton") || strings.Contains(p.Name, "Okonkwo") {
			t.Errorf("%q is not a person of the story", p.Name)
		}
	}
	if len(ps) != 3 {
		t.Errorf("People = %v, want the mayor, her brother and the librarian", ps)
	}
}

// TestPeopleCached checks that who's who is worked out once, the same for
// every caller at once, and a caller's change stays its own.
func TestPeopleCached(t *testing.T) {
	ix := seedIndex(t)
	var wg sync.WaitGroup
	got := make([][]Person, 8)
	for i := range got {
		wg.Go(func() { got[i] = ix.People() })
	}
	wg.Wait()
	for i := range got {
		if !slices.Equal(got[i], got[0]) {
			t.Fatalf("People differs between callers")
		}
	}
	got[0][0].Name = "changed"
	if again := ix.People(); !slices.Equal(again, got[1]) {
		t.Errorf("a caller's change reached the cache")
	}
}

// BenchmarkPeopleSeeds measures working who's who out, what the first
// call to People costs.
func BenchmarkPeopleSeeds(b *testing.B) {
	ix := seedIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		ix.findPeople()
	}
}

// BenchmarkPeopleSOTU measures who's who of 233 speeches.
func BenchmarkPeopleSOTU(b *testing.B) {
	ix, err := NewIndex(sotu(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ix.findPeople()
	}
}

// TestPeopleListsAgree checks that no word of lists/people.txt sits in two
// of its lists that contradict each other: an office or relation that is
// also a body's last word would make every holder of it no one; a particle
// or a sentence opener that is also an office would never be read as one.
func TestPeopleListsAgree(t *testing.T) {
	for w := range bodyWords {
		if isRoleWord(w) {
			t.Errorf("%q is a body's word and an office or relation", w)
		}
	}
	for w := range nameParticles {
		if isRoleWord(w) || openers[w] {
			t.Errorf("%q is a name particle and an office or an opener", w)
		}
	}
	for w := range openers {
		if isRoleWord(w) {
			t.Errorf("%q opens sentences and is an office", w)
		}
	}
	for w := range kinWords {
		if personWords[w] || roleWords[w] {
			t.Errorf("%q is a relation and an office: which is it to show?", w)
		}
	}
}
