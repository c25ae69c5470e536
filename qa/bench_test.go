package qa

import (
	"os"
	"runtime"
	"testing"

	"github.com/storybot/storybot/seeds"
)

// sotuDir is the State of the Union corpus, beside the repository.
const sotuDir = "../../shared/corpora/sotu"

var seedQuestions = []string{
	"When did Putin and al-Sharaa talk?",
	"which bases does russia have in syria",
	"what did bogdanov say about sanctions",
	"who is the kremlin spokesman",
	"did puttin offer humanitarian aid",
	"what is the price of bitcoin",
}

var sotuQuestions = []string{
	"What did the president say about taxes?",
	"When was the war with Mexico?",
	"how many soldiers died in the civil war",
	"what about the national debt",
	"who negotiated the treaty with great britain",
	"the economy and jobs for american workers",
}

func seedIndex(tb testing.TB) *Index {
	tb.Helper()
	arts, err := LoadFS(seeds.FS)
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := NewIndex(arts)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func BenchmarkIndexSeeds(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		arts, err := LoadFS(seeds.FS)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewIndex(arts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAskSeeds(b *testing.B) {
	ix := seedIndex(b)
	benchAsk(b, ix, seedQuestions)
}

func benchAsk(b *testing.B, ix *Index, qs []string) {
	for _, q := range qs { // warm the pool and the fuzzy index
		ix.Ask(q)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := ix.Ask(qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func sotu(b *testing.B) []Article {
	if _, err := os.Stat(sotuDir); err != nil {
		b.Skipf("corpus not available: %v", err)
	}
	arts, err := LoadDir(sotuDir)
	if err != nil {
		b.Fatal(err)
	}
	return arts
}

func BenchmarkIndexSOTU(b *testing.B) {
	arts := sotu(b)
	b.ReportAllocs()
	var ix *Index
	for b.Loop() {
		var err error
		if ix, err = NewIndex(arts); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(ix.Len()), "sentences")
}

func BenchmarkAskSOTU(b *testing.B) {
	ix, err := NewIndex(sotu(b))
	if err != nil {
		b.Fatal(err)
	}
	benchAsk(b, ix, sotuQuestions)
	// The heap once answering has built what it builds on first need (the
	// typo neighbourhoods among them).
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap-MB")
}

// BenchmarkAcronymsSOTU measures the one-time work the first question with
// a short unknown word ("what did the eu say") pays on a large corpus:
// indexing the initials of its names.
func BenchmarkAcronymsSOTU(b *testing.B) {
	ix, err := NewIndex(sotu(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ix.buildAcronyms()
	}
	b.ReportMetric(float64(len(ix.acronyms)), "acronyms")
}
