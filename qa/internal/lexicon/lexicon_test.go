package lexicon

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestLoad(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
}

func lemmaStrings(ls []Lemma) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Word+"/"+string(l.POS))
	}
	return out
}

func TestLemmas(t *testing.T) {
	for _, tc := range []struct {
		word  string
		want  []string // lemma/pos that must be among the answers
		not   []string // and that must not
		first string   // the answer that must come first, if set
		exact bool     // want is the whole answer, in any order
	}{
		// An irregular verb form that is also a noun and an adjective.
		{word: "left", want: []string{"leave/v", "left/n", "left/a"}, first: "leave/v"},
		{word: "sanctions", want: []string{"sanction/n", "sanction/v"}, exact: true},
		{word: "met", want: []string{"meet/v"}, exact: true},
		{word: "countries", want: []string{"country/n"}, exact: true},
		// The adjective exception list, and the word itself.
		{word: "better", want: []string{"good/a", "better/a", "better/n", "better/v", "well/r"}},
		{word: "went", want: []string{"go/v"}, exact: true},
		{word: "children", want: []string{"child/n"}, exact: true},
		{word: "women", want: []string{"woman/n"}, exact: true},
		{word: "is", want: []string{"be/v"}, exact: true}, // no "i" (iodine): short nouns are not detached
		{word: "glasses", want: []string{"glass/n", "glasses/n", "glass/v"}, exact: true},
		{word: "stressed", want: []string{"stress/v", "stressed/a"}, exact: true},
		{word: "invited", want: []string{"invite/v"}, exact: true},
		{word: "said", want: []string{"say/v", "said/a"}, first: "say/v"},
		// Case does not matter.
		{word: "Running", want: []string{"run/v", "running/n", "running/a"}, first: "run/v"},
		{word: "COUNTRIES", want: []string{"country/n"}, exact: true},
		// The first rule that gives a lemma wins, as in WordNet's morph.c:
		// "shining" is shine, not also shin.
		{word: "shining", want: []string{"shine/v"}, not: []string{"shin/v"}},
		// "ful" nouns are detached before the suffix.
		{word: "cupsful", want: []string{"cupful/n"}, exact: true},
		// Hyphens that WordNet spells without.
		{word: "non-partisan", want: []string{"nonpartisan/a", "nonpartisan/n"}, exact: true},
		{word: "follow-ups", want: []string{"follow-up/n", "followup/n"}, exact: true},
		// Comparatives by rule.
		{word: "wider", want: []string{"wide/a"}},
		{word: "hottest", want: []string{"hot/a"}},
		// Verb rules.
		{word: "hoping", want: []string{"hope/v"}},
		{word: "carries", want: []string{"carry/v"}},
		{word: "watches", want: []string{"watch/v", "watch/n"}},
	} {
		got := lemmaStrings(Lemmas(tc.word))
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("Lemmas(%q) = %v, want %s among them", tc.word, got, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(got, w) {
				t.Errorf("Lemmas(%q) = %v, want no %s", tc.word, got, w)
			}
		}
		if tc.exact && len(got) != len(tc.want) {
			t.Errorf("Lemmas(%q) = %v, want exactly %v", tc.word, got, tc.want)
		}
		if tc.first != "" && (len(got) == 0 || got[0] != tc.first) {
			t.Errorf("Lemmas(%q) = %v, want %s first", tc.word, got, tc.first)
		}
		seen := map[string]bool{}
		for _, g := range got {
			if seen[g] {
				t.Errorf("Lemmas(%q) = %v: %s twice", tc.word, got, g)
			}
			seen[g] = true
		}
	}
}

func TestLemmasUnknown(t *testing.T) {
	for _, w := range []string{"", "sharaa", "bogdanov", "qzxv", "russia's", "-", "--"} {
		if got := Lemmas(w); got != nil {
			t.Errorf("Lemmas(%q) = %v, want none", w, got)
		}
		if Known(w) {
			t.Errorf("Known(%q) = true, want false", w)
		}
	}
}

func TestKnown(t *testing.T) {
	for _, w := range []string{"countries", "left", "kremlin", "Damascus", "met", "telephoned", "twenty-five"} {
		if !Known(w) {
			t.Errorf("Known(%q) = false, want true", w)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Known("countries") }); n != 0 {
		t.Errorf("Known allocates %v times a call, want 0", n)
	}
}

func TestAppendLemmasReusesBuffer(t *testing.T) {
	buf := make([]Lemma, 0, 16)
	n := testing.AllocsPerRun(100, func() { buf = AppendLemmas(buf[:0], "left") })
	if n != 0 {
		t.Errorf("AppendLemmas allocates %v times a call with room, want 0", n)
	}
	if got, want := lemmaStrings(buf), lemmaStrings(Lemmas("left")); !slices.Equal(got, want) {
		t.Errorf("AppendLemmas = %v, Lemmas = %v", got, want)
	}
	pre := []Lemma{{"x", Noun}}
	if got := AppendLemmas(pre, "met"); len(got) != 2 || got[0].Word != "x" || got[1].Word != "meet" {
		t.Errorf("AppendLemmas(%v, met) = %v, want x then meet", pre, got)
	}
}

func TestSynonyms(t *testing.T) {
	for _, tc := range []struct {
		lemma    string
		pos      byte
		maxSense int
		want     []string
		not      []string
	}{
		{"weapon", Noun, 0, []string{"arm"}, nil},
		{"phone", Noun, 0, []string{"telephone"}, nil},
		{"telephone", Noun, 0, []string{"phone"}, nil},
		{"phone", Verb, 0, []string{"call", "telephone", "ring"}, nil},
		// call's verb senses: 1 name, 2 (a label) without synonyms,
		// 3 telephone, 4 shout.
		{"call", Verb, 1, []string{"name"}, []string{"telephone", "phone", "shout"}},
		{"call", Verb, 3, []string{"name", "telephone", "phone", "ring"}, []string{"shout"}},
		{"call", Verb, 4, []string{"shout", "yell"}, nil},
		{"call", Noun, 0, []string{"cry", "claim"}, []string{"name", "telephone"}},
		// Every part of speech, by tagged count: the noun senses of
		// "call" are less tagged than its first verb senses.
		{"call", 0, 3, []string{"name", "telephone"}, []string{"cry", "claim"}},
		{"country", Noun, 0, []string{"nation", "state", "land"}, nil},
		{"big", Adjective, 1, []string{"large"}, nil},
		{"big", 's', 1, []string{"large"}, nil}, // "s", satellite, is an adjective
		{"Country", Noun, 1, []string{"nation"}, nil},
		{"talk", Verb, 0, []string{"speak"}, []string{"talk"}},
	} {
		got := Synonyms(tc.lemma, tc.pos, tc.maxSense)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("Synonyms(%q, %q, %d) = %v, want %s among them", tc.lemma, tc.pos, tc.maxSense, got, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(got, w) {
				t.Errorf("Synonyms(%q, %q, %d) = %v, want no %s", tc.lemma, tc.pos, tc.maxSense, got, w)
			}
		}
		if slices.Contains(got, strings.ToLower(tc.lemma)) {
			t.Errorf("Synonyms(%q, ...) = %v includes the lemma", tc.lemma, got)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Errorf("Synonyms(%q, %q, %d) = %v has duplicates", tc.lemma, tc.pos, tc.maxSense, got)
		}
		for _, w := range got {
			if strings.ContainsAny(w, "_ ") || w != strings.ToLower(w) {
				t.Errorf("Synonyms(%q, ...) = %v: %q is not a single lower-case word", tc.lemma, got, w)
			}
		}
	}
	for _, bad := range []struct {
		lemma string
		pos   byte
	}{{"phone", 'x'}, {"qzxv", Noun}, {"", 0}, {"country", Adjective}, {"countries", Noun}} {
		if got := Synonyms(bad.lemma, bad.pos, 0); got != nil {
			t.Errorf("Synonyms(%q, %q, 0) = %v, want none", bad.lemma, bad.pos, got)
		}
	}
}

func TestSynonymsSenseOrder(t *testing.T) {
	// More senses never lose a synonym, and keep the first ones first.
	prev := Synonyms("call", Verb, 1)
	for n := 2; n <= 28; n++ {
		got := Synonyms("call", Verb, n)
		if len(got) < len(prev) || !slices.Equal(got[:len(prev)], prev) {
			t.Fatalf("Synonyms(call, v, %d) = %v does not start with those of %d senses, %v", n, got, n-1, prev)
		}
		prev = got
	}
	if all := Synonyms("call", Verb, 0); !slices.Equal(all, prev) {
		t.Errorf("Synonyms(call, v, 0) = %v, want those of all 28 senses %v", all, prev)
	}
}

func TestRelated(t *testing.T) {
	for _, tc := range []struct {
		lemma string
		want  []string
	}{
		{"visit", []string{"visitor", "visitation"}},
		{"criticize", []string{"criticism", "critic"}},
		{"criticism", []string{"criticize", "critical"}},
		{"recognize", []string{"recognition"}},
		{"recognition", []string{"recognize"}},
		{"invite", []string{"invitation"}},
		{"invitation", []string{"invite"}},
		{"discuss", []string{"discussion"}},
		{"negotiate", []string{"negotiation", "negotiator"}},
		{"kill", []string{"killer", "killing"}},
		{"die", []string{"death"}},
		{"strategy", []string{"strategic"}},
		{"economy", []string{"economic"}},
		{"quickly", []string{"quick"}}, // a pertainym
		{"Visit", []string{"visitor"}},
	} {
		got := Related(tc.lemma)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("Related(%q) = %v, want %s among them", tc.lemma, got, w)
			}
		}
		if slices.Contains(got, strings.ToLower(tc.lemma)) {
			t.Errorf("Related(%q) = %v includes the lemma", tc.lemma, got)
		}
	}
	if got := Related("qzxv"); got != nil {
		t.Errorf("Related(qzxv) = %v, want none", got)
	}
}

// TestRelatedSymmetric checks the whole table: if b is related to a, a is
// related to b, and every related form is a known lemma.
func TestRelatedSymmetric(t *testing.T) {
	d, err := get()
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i := range d.wordEnd {
		a := d.word(uint32(i))
		for _, b := range Related(a) {
			if b == a {
				t.Errorf("Related(%q) includes itself", a)
			}
			if !slices.Contains(Related(b), a) && bad < 10 {
				bad++
				t.Errorf("Related(%q) has %q, but Related(%q) = %v lacks %q", a, b, b, Related(b), a)
			}
			if d.posMask[d.ids[b]] == 0 {
				t.Errorf("Related(%q) has %q, which is no lemma", a, b)
			}
		}
	}
}

func TestFrequency(t *testing.T) {
	if v, a := Frequency("leave", Verb), Frequency("left", Adjective); v <= a || a == 0 {
		t.Errorf("Frequency(leave, v) = %d, Frequency(left, a) = %d: want both tagged, the verb more", v, a)
	}
	if all, n, a, r := Frequency("left", 0), Frequency("left", Noun), Frequency("left", Adjective), Frequency("left", Adverb); all != n+a+r {
		t.Errorf("Frequency(left, any) = %d, want noun %d + adjective %d + adverb %d", all, n, a, r)
	}
	if got := Frequency("qzxv", 0); got != 0 {
		t.Errorf("Frequency(qzxv) = %d, want 0", got)
	}
}

// TestConcurrent runs every lookup from many goroutines at once, on a
// table none of them has loaded yet, and checks each gets the answers one
// goroutine alone gets. Run it with -race.
func TestConcurrent(t *testing.T) {
	fresh := &lazyDB{data: &wordnetBin}
	words := []string{"left", "countries", "better", "phone", "call", "visit", "twenty-five", "Met", "qzxv"}
	type answer struct {
		lemmas, syn, rel string
		known            bool
		num              float64
	}
	ask := func(d *db, w string) answer {
		// The exported functions read the package's table; check the
		// fresh one gives the same lemmas through the same code.
		var got []string
		var buf [48]byte
		d.morph(lower(w, buf[:0]), func(id uint32, p int) bool {
			got = append(got, d.word(id)+"/"+string(posLetters[p]))
			return true
		})
		n, _ := Number(w)
		return answer{
			lemmas: fmt.Sprint(got, lemmaStrings(Lemmas(w))),
			syn:    fmt.Sprint(Synonyms(w, 0, 3)),
			rel:    fmt.Sprint(Related(w)),
			known:  Known(w),
			num:    n,
		}
	}
	const workers = 8
	results := make([][]answer, workers)
	dbs := make([]*db, workers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			d, err := fresh.get()
			if err != nil {
				t.Errorf("load: %v", err)
				return
			}
			dbs[g] = d
			for i := range 50 {
				for _, w := range words {
					a := ask(d, w)
					if i == 0 {
						results[g] = append(results[g], a)
					}
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	d, err := fresh.get()
	if err != nil {
		t.Fatal(err)
	}
	for g := range workers {
		if dbs[g] != d {
			t.Errorf("goroutine %d got a table of its own: loaded more than once", g)
		}
		for i, w := range words {
			if want := ask(d, w); i >= len(results[g]) || results[g][i] != want {
				t.Errorf("goroutine %d asked %q, got %+v, want %+v", g, w, results[g], want)
				break
			}
		}
	}
}

func TestDecodeRejectsBadTables(t *testing.T) {
	data := wordnetBin
	if _, err := decode("not a table"); err == nil {
		t.Error("decode(not a table) succeeded")
	}
	// Cut short anywhere, the table is refused, without a panic.
	for _, n := range []int{len(fileMagic), len(fileMagic) + 3, 1000, len(data) / 3, len(data) / 2, len(data) - 1} {
		if _, err := decode(data[:n]); err == nil {
			t.Errorf("decode of the first %d of %d bytes succeeded", n, len(data))
		}
	}
	if _, err := decode(data + "x"); err == nil {
		t.Error("decode with a byte appended succeeded")
	}
	// A byte changed may go unnoticed, but must not crash the decoder.
	b := []byte(data)
	for i := len(fileMagic); i < len(b); i += len(b) / 13 {
		c := b[i]
		b[i] = ^c
		if d, err := decode(string(b)); err == nil && d == nil {
			t.Errorf("decode with byte %d changed gave no table and no error", i)
		}
		b[i] = c
	}
}

// TestLemmasAgreeWithWordNet compares Lemmas with what WordNet 3.0's own
// morphy finds (testdata/morphy-wn.txt, written by WordNet's wn command,
// see testdata/wn-morphy.sh) for 2,794 words of news and speeches.
func TestLemmasAgreeWithWordNet(t *testing.T) {
	data, err := os.ReadFile("testdata/morphy-wn.txt")
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]byte{"noun": Noun, "verb": Verb, "adj": Adjective, "adv": Adverb}
	words, bad := 0, 0
	for line := range strings.Lines(string(data)) {
		word, answers, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ":")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		var want []string
		for a := range strings.SplitSeq(answers, ",") {
			if a = strings.TrimSpace(a); a == "" {
				continue
			}
			p, lemma, _ := strings.Cut(a, " ")
			if pos[p] == 0 {
				t.Fatalf("bad answer %q in line %q", a, line)
			}
			want = append(want, lemma+"/"+string(pos[p]))
		}
		got := lemmaStrings(Lemmas(word))
		slices.Sort(got)
		slices.Sort(want)
		words++
		if !slices.Equal(got, want) {
			if bad++; bad <= 20 {
				t.Errorf("Lemmas(%q) = %v, WordNet's morphy finds %v", word, got, want)
			}
		}
	}
	if words < 2000 {
		t.Errorf("read %d words from testdata/morphy-wn.txt, want its 2,794", words)
	}
	if bad > 0 {
		t.Errorf("%d of %d words disagree", bad, words)
	}
}
