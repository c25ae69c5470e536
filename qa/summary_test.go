package qa

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/storybot/storybot/seeds"
)

// wordSet returns the lower-case words of s.
func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	tokenize(s, func(t token) {
		if !isStop(string(t.word)) {
			m[string(t.word)] = true
		}
	})
	return m
}

// wordOverlap is the Jaccard similarity of two sentences' words.
func wordOverlap(a, b string) float64 {
	wa, wb := wordSet(a), wordSet(b)
	inter := 0
	for w := range wa {
		if wb[w] {
			inter++
		}
	}
	if u := len(wa) + len(wb) - inter; u > 0 {
		return float64(inter) / float64(u)
	}
	return 0
}

// checkVerbatimInOrder checks that every answer is a sentence of its
// article, that they come in article order and then in the order each
// article tells them, and that none is a headline.
func checkVerbatimInOrder(t *testing.T, ix *Index, as []Answer) {
	t.Helper()
	order := map[string]int{}
	for i, s := range ix.Sources() {
		order[s.ID] = i
	}
	body := map[string]string{}
	for i, s := range ix.sources {
		body[s.ID] = ix.texts[i]
	}
	lastArt, lastPos := -1, -1
	for _, a := range as {
		pos := strings.Index(body[a.Source.ID], a.Text)
		if pos < 0 {
			t.Errorf("%q is not in article %s", a.Text, a.Source.ID)
			continue
		}
		if art := order[a.Source.ID]; art < lastArt || art == lastArt && pos < lastPos {
			t.Errorf("%q is out of article order", a.Text)
		} else {
			lastArt, lastPos = art, pos
		}
		if strings.IndexAny(a.Text[len(a.Text)-1:], ".!?\"”’)") < 0 {
			t.Errorf("%q reads as a headline", a.Text)
		}
	}
}

// TestSummarySeeds checks the summary of the seed articles against what a
// reader of them would want first: the call, the first since Assad fell;
// Russia's support for Syria's territorial integrity; and the sanctions or
// the bases, in 3 to 6 sentences that do not repeat one another.
func TestSummarySeeds(t *testing.T) {
	ix := seedIndex(t)
	sum := ix.Summary()
	if len(sum) < 3 || len(sum) > 6 {
		t.Fatalf("Summary has %d sentences, want 3 to 6: %v", len(sum), sum)
	}
	all := make([]string, len(sum))
	for i, a := range sum {
		all[i] = a.Text
	}
	text := strings.Join(all, "\n")
	for what, re := range map[string]string{
		"the first call since Assad's fall": `(?i)(first|marking).{0,120}(call|conversation|contact|communication).{0,80}since|` +
			`(call|conversation).{0,160}first time since the (fall|ouster)`,
		"Syria's territorial integrity": `(?i)territorial integrity`,
		"the sanctions or the bases":    `(?i)sanction|bases?\b`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("the summary does not name %s:\n%s", what, text)
		}
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if o := wordOverlap(all[i], all[j]); o >= 0.35 {
				t.Errorf("summary repeats itself (overlap %.2f):\n%s\n%s", o, all[i], all[j])
			}
		}
	}
	checkVerbatimInOrder(t, ix, sum)
	for _, a := range sum {
		if a.Score <= 0 || a.Score > 1 {
			t.Errorf("score %v of %q is not in (0, 1]", a.Score, a.Text)
		}
		if a.AlsoIn == nil {
			t.Errorf("AlsoIn of %q is nil, want empty", a.Text)
		}
	}
	if !slices.ContainsFunc(sum, func(a Answer) bool { return a.Score == 1 }) {
		t.Errorf("no sentence has the top score 1: %v", sum)
	}
}

// TestSummarySharedFact checks, on a story told by four outlets, that the
// fact three of them carry is in the summary once, with the others as
// AlsoIn; that a headline and page furniture never are; and that a
// sentence off the story is left out.
func TestSummarySharedFact(t *testing.T) {
	shared := "The council closed the Old Mill bridge after engineers found deep cracks in its main arch."
	ix := memIndex(t,
		"Riverton bridge closed\n"+
			"The Old Mill bridge in Riverton was shut to traffic on Monday after an inspection.\n"+
			shared+"\n"+
			"Drivers now face a detour of twelve miles through the hills to reach the town centre.\n"+
			"Subscribe to our newsletter for more local news.\n"+
			"The local football team won its match against Easton on Saturday evening.",
		"Cracks shut Riverton's Old Mill bridge\n"+
			"Riverton's mayor said repairs to the Old Mill bridge could take most of the year.\n"+
			"The council closed the Old Mill bridge after engineers found deep cracks in the main arch.\n"+
			"Engineers will return next week with divers to inspect the bridge piers under the river.",
		"Riverton\n"+
			"Shops near the Old Mill bridge fear the closure of the bridge will keep customers away.\n"+
			"Engineers found deep cracks in its main arch, so the council closed the Old Mill bridge.\n"+
			"The bridge was built in 1884 and last repaired in 1990.",
		"Bridge repairs\n"+
			"The repair bill for the Old Mill bridge in Riverton could reach two million pounds, the council said.\n"+
			"Council engineers inspect every bridge in the county each spring.\n"+
			"A bakery in Easton is celebrating its hundredth birthday with free bread for children.")
	sum := ix.Summary()
	if len(sum) < 3 || len(sum) > 6 {
		t.Fatalf("Summary has %d sentences, want 3 to 6: %v", len(sum), sum)
	}
	checkVerbatimInOrder(t, ix, sum)
	n := 0
	for _, a := range sum {
		if strings.Contains(a.Text, "deep cracks") {
			n++
			var also []string
			for _, s := range a.AlsoIn {
				also = append(also, s.ID)
			}
			slices.Sort(also)
			if got := append([]string{a.Source.ID}, also...); len(got) != 3 {
				t.Errorf("the shared fact is in %v, want the three articles that carry it", got)
			}
			if a.Score != 1 {
				t.Errorf("the fact three outlets carry scores %v, want the top score 1", a.Score)
			}
		}
		for _, off := range []string{"football", "bakery", "Subscribe", "Riverton bridge closed", "Bridge repairs"} {
			if strings.Contains(a.Text, off) {
				t.Errorf("summary holds %q", a.Text)
			}
		}
	}
	if n != 1 {
		t.Errorf("the shared fact is in the summary %d times, want once: %v", n, sum)
	}
}

// TestSummaryCachedAndShared checks that the summary is worked out once,
// the same for every caller, from many goroutines at once, and that a
// caller changing what it got does not change what the next one gets.
func TestSummaryCachedAndShared(t *testing.T) {
	arts, err := LoadFS(seeds.FS)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(arts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]Answer, 8)
	for i := range got {
		wg.Go(func() { got[i] = ix.Summary() })
	}
	wg.Wait()
	for i := range got {
		if !slices.EqualFunc(got[i], got[0], answersEqual) {
			t.Fatalf("Summary differs between callers:\n%v\n%v", got[i], got[0])
		}
	}
	got[0][0].Text = "changed"
	got[0][0].AlsoIn = append(got[0][0].AlsoIn, Source{ID: "x"})
	if again := ix.Summary(); !slices.EqualFunc(again, got[1], answersEqual) {
		t.Errorf("a caller's change reached the cache: %v", again)
	}
}

func answersEqual(a, b Answer) bool {
	return a.Text == b.Text && a.Source == b.Source && a.Score == b.Score && slices.Equal(a.AlsoIn, b.AlsoIn)
}

// TestSummaryShortStory checks a story too short for a summary of three:
// every sentence it has, none invented, and nothing for an index whose
// sentences are all too short to quote.
func TestSummaryShortStory(t *testing.T) {
	ix := memIndex(t, "Storm hits coast\nA storm brought down power lines across the northern coast overnight.\n"+
		"Crews expect to restore power to most homes by Friday evening.")
	sum := ix.Summary()
	if len(sum) != 2 {
		t.Errorf("Summary = %v, want the two sentences", sum)
	}
	if sum := memIndex(t, "This one is rather short.\nAnd so is this one here.").Summary(); sum == nil || len(sum) != 0 {
		t.Errorf("Summary of sentences too short = %#v, want empty", sum)
	}
}

// BenchmarkSummarySeeds measures working the summary out, what the first
// call to Summary costs; later calls return it kept.
func BenchmarkSummarySeeds(b *testing.B) {
	ix := seedIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		ix.summarize()
	}
}

// BenchmarkSummarySOTU measures the summary of a corpus far bigger than a
// story (233 speeches), where the centroid picks the sentences LexRank
// ranks.
func BenchmarkSummarySOTU(b *testing.B) {
	ix, err := NewIndex(sotu(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ix.summarize()
	}
}
