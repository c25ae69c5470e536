package lexicon

import (
	"io/fs"
	"runtime"
	"strings"
	"testing"
	"unicode"

	"github.com/storybot/storybot/seeds"
)

// BenchmarkLoad measures the one-time decoding of the embedded table and,
// as heap-MB, the heap the decoded table keeps.
func BenchmarkLoad(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := decode(wordnetBin)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(d)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := decode(wordnetBin); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(len(wordnetBin))/(1<<20), "file-MB")
}

// seedWords are the words of the five seed articles, in order.
func seedWords(b *testing.B) []string {
	var words []string
	err := fs.WalkDir(seeds.FS, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".txt") {
			return err
		}
		text, err := fs.ReadFile(seeds.FS, path)
		if err != nil {
			return err
		}
		words = append(words, strings.FieldsFunc(string(text), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
		})...)
		return nil
	})
	if err != nil || len(words) == 0 {
		b.Fatalf("read seeds: %v (%d words)", err, len(words))
	}
	return words
}

// BenchmarkLemmas is one Lemmas call, averaged over the seed articles' words.
func BenchmarkLemmas(b *testing.B) {
	words := seedWords(b)
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Lemmas(words[i%len(words)])
		i++
	}
}

// BenchmarkSeeds is what an index build of the five seed articles would ask
// the lexicon, after the first load: every word's lemmas, and for each
// lemma its synonyms in its first three senses and its related forms.
func BenchmarkSeeds(b *testing.B) {
	words := seedWords(b)
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var buf []Lemma
	for b.Loop() {
		for _, w := range words {
			buf = AppendLemmas(buf[:0], w)
			for _, l := range buf {
				Synonyms(l.Word, l.POS, 3)
				Related(l.Word)
			}
		}
	}
	b.ReportMetric(float64(len(words)), "words")
}

func BenchmarkKnown(b *testing.B) {
	words := seedWords(b)
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Known(words[i%len(words)])
		i++
	}
}

func BenchmarkSynonyms(b *testing.B) {
	if err := Load(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Synonyms("call", Verb, 3)
	}
}

func BenchmarkNumbers(b *testing.B) {
	phrase := strings.Fields("two hundred and five thousand people")
	b.ReportAllocs()
	for b.Loop() {
		Numbers(phrase)
	}
}
