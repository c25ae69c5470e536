package lexicon

import "bytes"

// detach is one of morphy's detachment rules: a suffix and what replaces it.
type detach struct{ suffix, ending string }

// rules are WordNet's detachment rules (morph.c's sufx and addr tables), by
// part of speech; adverbs have only their exception list.
var rules = [4][]detach{
	{{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}},
	{{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}},
	{{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
	nil,
}

// morph calls visit with each lemma (entry id, part of speech number) that
// w, in lower case, can be a form of, part of speech by part of speech, as
// WordNet's morphy (morph.c) finds them: w itself if it is a lemma; then
// the exception list's base forms if w is on it; else the first form the
// detachment rules give that the index holds. Nouns ending in "ss" or of
// two letters or fewer are not detached, and a noun ending in "ful" is
// detached before it ("cupsful" -> "cupful"). A hyphenated word is also
// looked up without its hyphens, as WordNet's getindex does
// ("non-partisan" -> nonpartisan). It stops when visit returns false. It
// does not allocate for words of up to 48 bytes.
func (d *db) morph(w []byte, visit func(id uint32, p int) bool) {
	if !d.morphWord(w, visit) {
		return
	}
	if bytes.IndexByte(w, '-') < 0 {
		return
	}
	var buf [48]byte
	joined := buf[:0]
	for _, c := range w {
		if c != '-' {
			joined = append(joined, c)
		}
	}
	d.morphWord(joined, visit)
}

// morphWord is morph without the hyphen rule; it reports false if visit
// asked it to stop.
func (d *db) morphWord(w []byte, visit func(id uint32, p int) bool) bool {
	if len(w) == 0 {
		return true
	}
	self, isEntry := d.ids[string(w)]
	var exc []uint32
	if isEntry {
		exc = d.exc[d.excAt[self]:d.excAt[self+1]]
	}
	var buf [48]byte
	for p := range 4 {
		if isEntry && d.posMask[self]&(1<<p) != 0 {
			if !visit(self, p) {
				return false
			}
		}
		listed := false
		for _, e := range exc {
			if int(e&3) != p {
				continue
			}
			listed = true
			// A form listed as its own base is a lemma only if the
			// index says so.
			if id := e >> 2; (id != self || d.posMask[id]&(1<<p) != 0) && !visit(id, p) {
				return false
			}
		}
		if listed || p == 3 {
			continue
		}
		stem, tail := w, []byte(nil)
		if p == 0 {
			switch {
			case bytes.HasSuffix(w, []byte("ful")):
				stem, tail = w[:len(w)-3], w[len(w)-3:]
			case bytes.HasSuffix(w, []byte("ss")) || len(w) <= 2:
				continue
			}
		}
		for _, r := range rules[p] {
			if len(stem) <= len(r.suffix) || !bytes.HasSuffix(stem, []byte(r.suffix)) {
				continue
			}
			c := append(buf[:0], stem[:len(stem)-len(r.suffix)]...)
			c = append(c, r.ending...)
			c = append(c, tail...)
			if bytes.Equal(c, w) {
				continue
			}
			if id, ok := d.ids[string(c)]; ok && d.posMask[id]&(1<<p) != 0 {
				if !visit(id, p) {
					return false
				}
				break // morph.c takes the first rule that gives a lemma
			}
		}
	}
	return true
}
