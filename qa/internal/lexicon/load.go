package lexicon

import (
	"errors"
	"fmt"
	"strings"
)

// The table file, wordnet.bin, as gen writes it. Every integer is an
// unsigned varint (encoding/binary's Uvarint).
//
//	magic                          fileMagic
//	nwords, nbytes                 entries, and their total length in bytes
//	nsyn, nmem, nsense, nrel, nexc how many synsets, members, senses,
//	                               related forms and exception bases follow
//	nwords × (shared, n, bytes)    the entries in byte order, front-coded:
//	                               shared prefix with the previous, n new bytes
//	nsyn × (n<<2|pos, n × id)      synsets: single-word members, WordNet's order
//	nwords × (n, n × (syn, count)) senses: noun, verb, adj, adv, each in
//	                               WordNet's sense order, with tagged counts
//	nwords × (n, n × id)           related forms, most tagged sense first
//	nwords × (n, n × (id<<2|pos))  exception-list base forms
//	size                           bytes before this field
//
// An entry is a single-word lemma or an inflected form from an exception
// list (or both); pos is 0 noun, 1 verb, 2 adjective (satellites too),
// 3 adverb.
const fileMagic = "storybot-wordnet-3.0 v1\n"

// db is the decoded table. Entries are numbered by byte order; ranges into
// the flat slices are [at[i], at[i+1]).
type db struct {
	words   string   // every entry's bytes, back to back
	wordEnd []uint32 // entry i is words[wordEnd[i-1]:wordEnd[i]]
	ids     map[string]uint32

	posMask []uint8 // bit p: the entry is a lemma of part of speech p

	synPOS   []uint8
	memberAt []uint32
	members  []uint32

	senseAt    []uint32
	senseSyn   []uint32
	senseCount []uint32

	relAt []uint32
	rel   []uint32

	excAt []uint32
	exc   []uint32 // base id<<2 | pos
}

// reader reads varints from the table without copying it.
type reader struct {
	s   string
	i   int
	err error
}

var errTruncated = errors.New("truncated")

func (r *reader) uvarint() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.i >= len(r.s) {
			r.err = errTruncated
			return 0
		}
		b := r.s[r.i]
		r.i++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	r.err = errors.New("bad varint")
	return 0
}

// count reads a length and checks it against what the rest of the file can
// hold (each item takes at least one byte), so a bad file cannot make the
// decoder allocate without bound.
func (r *reader) count(perItem int) int {
	v := r.uvarint()
	if r.err == nil && v > uint64(len(r.s)-r.i)/uint64(perItem) {
		r.err = fmt.Errorf("count %d at byte %d is too large", v, r.i)
	}
	if r.err != nil {
		return 0
	}
	return int(v)
}

// id reads an index that must be below n.
func (r *reader) id(n int) uint32 {
	v := r.uvarint()
	if r.err == nil && v >= uint64(n) {
		r.err = fmt.Errorf("index %d at byte %d out of range %d", v, r.i, n)
	}
	return uint32(v)
}

// decode builds the table from the file's bytes.
func decode(data string) (*db, error) {
	if !strings.HasPrefix(data, fileMagic) {
		return nil, errors.New("decode wordnet table: not a storybot wordnet table")
	}
	r := &reader{s: data, i: len(fileMagic)}
	d := &db{}
	if err := d.read(r); err != nil {
		return nil, fmt.Errorf("decode wordnet table: %w", err)
	}
	return d, nil
}

func (d *db) read(r *reader) error {
	n := r.count(2)
	total := r.count(1)
	nsyn := r.count(1)
	d.members = make([]uint32, 0, r.count(1))
	nsense := r.count(2)
	d.senseSyn = make([]uint32, 0, nsense)
	d.senseCount = make([]uint32, 0, nsense)
	d.rel = make([]uint32, 0, r.count(1))
	d.exc = make([]uint32, 0, r.count(1))
	var b strings.Builder
	b.Grow(total)
	d.wordEnd = make([]uint32, n)
	d.ids = make(map[string]uint32, n)
	prev := 0 // start of the previous entry in b
	for i := range n {
		shared := int(r.uvarint())
		k := r.count(1)
		start := b.Len()
		if r.err != nil || shared > start-prev || start+shared+k > total || shared+k == 0 {
			return errOr(r.err, fmt.Errorf("bad entry %d", i))
		}
		prevWord := b.String()[prev:start]
		b.WriteString(prevWord[:shared])
		b.WriteString(r.s[r.i : r.i+k])
		r.i += k
		d.wordEnd[i] = uint32(b.Len())
		prev = start
	}
	if b.Len() != total {
		return fmt.Errorf("entries hold %d bytes, header says %d", b.Len(), total)
	}
	d.words = b.String()
	for i := range n {
		w := d.word(uint32(i))
		if i > 0 && w <= d.word(uint32(i-1)) {
			return fmt.Errorf("entries out of order at %q", w)
		}
		d.ids[w] = uint32(i)
	}

	d.synPOS = make([]uint8, nsyn)
	d.memberAt = make([]uint32, nsyn+1)
	for s := range nsyn {
		h := r.uvarint()
		d.synPOS[s] = uint8(h & 3)
		m := h >> 2
		if r.err == nil && m > uint64(len(r.s)-r.i) {
			return fmt.Errorf("synset %d has %d members", s, m)
		}
		for range m {
			d.members = append(d.members, r.id(n))
		}
		d.memberAt[s+1] = uint32(len(d.members))
	}

	d.posMask = make([]uint8, n)
	d.senseAt = make([]uint32, n+1)
	for i := range n {
		k := r.count(2)
		for range k {
			s := r.id(nsyn)
			d.senseSyn = append(d.senseSyn, s)
			d.senseCount = append(d.senseCount, uint32(r.uvarint()))
			if r.err == nil {
				d.posMask[i] |= 1 << d.synPOS[s]
			}
		}
		d.senseAt[i+1] = uint32(len(d.senseSyn))
	}

	d.relAt = make([]uint32, n+1)
	for i := range n {
		k := r.count(1)
		for range k {
			d.rel = append(d.rel, r.id(n))
		}
		d.relAt[i+1] = uint32(len(d.rel))
	}

	d.excAt = make([]uint32, n+1)
	for i := range n {
		k := r.count(1)
		for range k {
			d.exc = append(d.exc, r.id(n<<2))
		}
		d.excAt[i+1] = uint32(len(d.exc))
	}

	end := r.i
	if size := r.uvarint(); r.err == nil && size != uint64(end) {
		return fmt.Errorf("table ends at byte %d, file says %d", end, size)
	}
	if r.err != nil {
		return r.err
	}
	if r.i != len(r.s) {
		return fmt.Errorf("%d bytes after the table", len(r.s)-r.i)
	}
	return nil
}

func errOr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}

// word is entry i's text.
func (d *db) word(i uint32) string {
	start := uint32(0)
	if i > 0 {
		start = d.wordEnd[i-1]
	}
	return d.words[start:d.wordEnd[i]]
}
