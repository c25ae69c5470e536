// Package lexicon answers the questions about English words that retrieval
// asks: a word's lemmas (WordNet's morphy), a lemma's synonyms and
// derivationally related forms, whether WordNet knows a word, and the value
// of number words.
//
// The WordNet data is Princeton WordNet 3.0 (see LICENSE.wordnet), reduced
// to what retrieval needs and embedded as wordnet.bin, so the binary needs
// nothing installed. Rebuild the table, on a machine with Debian's
// wordnet-base package (apt-get install -y wordnet-base), with
//
//	go generate ./qa/internal/lexicon
//
// which runs gen/main.go on /usr/share/wordnet (the go:generate line below
// gives its flags); the test in gen fails if the committed table is not
// what the generator makes. The number words are the hand-made list
// numbers.txt.
//
// The table is decoded once, on first use; after that every function is a
// read of immutable data, safe for concurrent use. Words are matched in
// lower case; results are lower case.
package lexicon

//go:generate go run ./gen -dict /usr/share/wordnet -out wordnet.bin -copyright /usr/share/doc/wordnet-base/copyright -license LICENSE.wordnet

import (
	_ "embed"
	"errors"
	"slices"
	"strings"
	"sync"
)

//go:embed wordnet.bin
var wordnetBin string

// table is the embedded WordNet table, decoded on first use.
var table = lazyDB{data: &wordnetBin}

// lazyDB decodes a table once, however many goroutines ask at once.
type lazyDB struct {
	data *string
	once sync.Once
	db   *db
	err  error
}

func (l *lazyDB) get() (*db, error) {
	l.once.Do(func() { l.db, l.err = decode(*l.data) })
	return l.db, l.err
}

// Load decodes the embedded WordNet table if that has not happened yet and
// reports whether it could. The other functions load it themselves on first
// use (and answer as if WordNet knew no word should it fail), so calling
// Load is only needed to pay the cost at a chosen time or to see the error.
func Load() error {
	_, err := get()
	_, nerr := numbers()
	return errors.Join(err, nerr)
}

func get() (*db, error) { return table.get() }

// Parts of speech, as Lemma.POS and the pos arguments spell them.
const (
	Noun      byte = 'n'
	Verb      byte = 'v'
	Adjective byte = 'a' // satellite adjectives ("s" in WordNet) included
	Adverb    byte = 'r'
)

// posLetters maps the file's part of speech numbers to letters.
const posLetters = "nvar"

// posNumber maps a letter to the file's number; 's' is an adjective.
func posNumber(pos byte) (int, bool) {
	switch pos {
	case Noun:
		return 0, true
	case Verb:
		return 1, true
	case Adjective, 's':
		return 2, true
	case Adverb:
		return 3, true
	}
	return 0, false
}

// Lemma is a base form of a word with its part of speech (Noun, Verb,
// Adjective or Adverb).
type Lemma struct {
	Word string
	POS  byte
}

// Lemmas returns the WordNet lemmas that word can be a form of, by WordNet's
// morphy: for each part of speech, the word itself if WordNet has it, then
// the base forms its exception list gives (met -> meet, better -> good) or,
// when the list has none, the first form that the detachment rules give and
// WordNet's index holds (countries -> country, sanctions -> sanction). So
// "left" gives leave (verb) and left (noun, adjective). A hyphenated word is
// also looked up without hyphens (non-partisan -> nonpartisan), as WordNet
// does. On the words of testdata/morphy-wn.txt it finds what WordNet's own
// wn command finds.
//
// The lemmas come most frequent first, by how often WordNet's tagged corpus
// uses that lemma in that part of speech; lemmas never tagged follow in the
// order noun, verb, adjective, adverb. Lemmas returns nil for a word
// WordNet does not know. It knows no stop words: like WordNet's morphy it
// reads "was" as be and as wa (the noun, Washington's postal code), so
// leave stop words out before asking.
func Lemmas(word string) []Lemma {
	return AppendLemmas(nil, word)
}

// AppendLemmas appends Lemmas(word) to dst and returns the extended slice;
// with a dst of room enough it does not allocate.
func AppendLemmas(dst []Lemma, word string) []Lemma {
	d, err := get()
	if err != nil {
		return dst
	}
	var buf [48]byte
	w := lower(word, buf[:0])
	var found [12]lemmaRef
	refs := found[:0]
	d.morph(w, func(id uint32, p int) bool {
		for _, r := range refs {
			if r.id == id && int(r.pos) == p {
				return true
			}
		}
		refs = append(refs, lemmaRef{id, uint8(p), d.tagged(id, p)})
		return true
	})
	slices.SortStableFunc(refs, func(a, b lemmaRef) int { return int(b.count) - int(a.count) })
	for _, r := range refs {
		dst = append(dst, Lemma{d.word(r.id), posLetters[r.pos]})
	}
	return dst
}

type lemmaRef struct {
	id    uint32
	pos   uint8
	count uint32
}

// Known reports whether WordNet has a lemma for word (the word itself or a
// form that Lemmas finds). For words of up to 48 bytes it does not
// allocate.
func Known(word string) bool {
	d, err := get()
	if err != nil {
		return false
	}
	var buf [48]byte
	known := false
	d.morph(lower(word, buf[:0]), func(uint32, int) bool {
		known = true
		return false
	})
	return known
}

// Synonyms returns the lemmas that share one of lemma's first maxSense
// senses of part of speech pos, senses most frequent first and each
// synset's words in WordNet's order, without duplicates and without lemma
// itself. pos 0 means every part of speech, senses ordered by their tagged
// counts; maxSense <= 0 means every sense. Only single-word lemmas are
// kept. lemma must be a base form, as Lemmas returns it, or a verb of two
// words joined by "_" ("kick_out": expel).
func Synonyms(lemma string, pos byte, maxSense int) []string {
	d, err := get()
	if err != nil {
		return nil
	}
	id, ok := d.lookup(lemma)
	if !ok {
		return nil
	}
	want := -1
	if pos != 0 {
		p, ok := posNumber(pos)
		if !ok {
			return nil
		}
		want = p
	}
	senses := d.senses(id, want)
	if maxSense > 0 && len(senses) > maxSense {
		senses = senses[:maxSense]
	}
	var out []string
	var seen []uint32
	for _, s := range senses {
		for _, m := range d.members[d.memberAt[s]:d.memberAt[s+1]] {
			if m != id && !slices.Contains(seen, m) {
				seen = append(seen, m)
				out = append(out, d.word(m))
			}
		}
	}
	return out
}

// Related returns lemma's derivationally related forms in every part of
// speech, those of its most frequent senses first: visit -> visitor,
// visitation; criticize -> critic, criticism; recognize -> recognition.
// They are WordNet's derivation pointers ("+") and pertainym pointers ("\",
// which link adverbs and adjectives to what they derive from: quickly ->
// quick, economic -> economy), taken both ways, and those of lemma's
// spelling variants in the same synset (criticise), since WordNet attaches
// some derivations to one spelling only. Only single-word lemmas are kept.
func Related(lemma string) []string {
	d, err := get()
	if err != nil {
		return nil
	}
	id, ok := d.lookup(lemma)
	if !ok {
		return nil
	}
	rel := d.rel[d.relAt[id]:d.relAt[id+1]]
	if len(rel) == 0 {
		return nil
	}
	out := make([]string, len(rel))
	for i, r := range rel {
		out[i] = d.word(r)
	}
	return out
}

// Frequency returns how many times WordNet's tagged corpus uses lemma in
// part of speech pos (0: in any), summed over its senses; 0 for a lemma
// never tagged or unknown.
func Frequency(lemma string, pos byte) int {
	d, err := get()
	if err != nil {
		return 0
	}
	id, ok := d.lookup(lemma)
	if !ok {
		return 0
	}
	if pos == 0 {
		n := 0
		for p := range 4 {
			n += int(d.tagged(id, p))
		}
		return n
	}
	p, ok := posNumber(pos)
	if !ok {
		return 0
	}
	return int(d.tagged(id, p))
}

// lookup finds an entry by its text, in lower case.
func (d *db) lookup(word string) (uint32, bool) {
	var buf [48]byte
	id, ok := d.ids[string(lower(word, buf[:0]))]
	return id, ok
}

// senses lists entry id's synsets of part of speech p (-1: all, by tagged
// count, ties in part of speech and sense order).
func (d *db) senses(id uint32, p int) []uint32 {
	lo, hi := d.senseAt[id], d.senseAt[id+1]
	var out []uint32
	if p >= 0 {
		for i := lo; i < hi; i++ {
			if int(d.synPOS[d.senseSyn[i]]) == p {
				out = append(out, d.senseSyn[i])
			}
		}
		return out
	}
	idx := make([]uint32, 0, hi-lo)
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	slices.SortStableFunc(idx, func(a, b uint32) int { return int(d.senseCount[b]) - int(d.senseCount[a]) })
	for _, i := range idx {
		out = append(out, d.senseSyn[i])
	}
	return out
}

// tagged sums entry id's tagged counts in part of speech p.
func (d *db) tagged(id uint32, p int) uint32 {
	var n uint32
	for i := d.senseAt[id]; i < d.senseAt[id+1]; i++ {
		if int(d.synPOS[d.senseSyn[i]]) == p {
			n += d.senseCount[i]
		}
	}
	return n
}

// lower returns word in lower case, in buf when it has to change it (and
// fits), so that the common lookups do not allocate.
func lower(word string, buf []byte) []byte {
	for i := 0; i < len(word); i++ {
		c := word[i]
		if c >= 0x80 {
			return append(buf, strings.ToLower(word)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// lowerString returns word in lower case, word itself when it already is.
func lowerString(word string) string {
	for i := 0; i < len(word); i++ {
		if c := word[i]; c >= 0x80 || ('A' <= c && c <= 'Z') {
			return strings.ToLower(word)
		}
	}
	return word
}
