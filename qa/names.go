package qa

// Names several people share. "Sharaa" is Ahmed al-Sharaa most often and
// Maher al-Sharaa once; a question that says only "sharaa" means the one
// the articles mean most often. For each name, partner holds the name that
// most often stands right before it (skipping "al", a stop word): "ahmed"
// before "sharaa". A sentence where the question's name follows another
// name is about someone else of that name (Features.OtherName).

// partners returns, per term, the proper noun that most often comes right
// before it in the articles, or -1. Worked out on first use.
func (ix *Index) partners() []int32 {
	ix.partnerOnce.Do(func() {
		type pair struct{ before, t int32 }
		counts := map[pair]int32{}
		for _, s := range ix.sents {
			toks := ix.toks[s.tok : s.tok+s.ntok]
			flags := ix.flags[s.tok : s.tok+s.ntok]
			prev := int32(-1)
			for i, t := range toks {
				if t < 0 {
					continue // a stop word: "al" between the two
				}
				if flags[i]&flagCap != 0 && ix.properNoun(t) {
					if prev >= 0 {
						counts[pair{prev, t}]++
					}
					prev = t
				} else {
					prev = -1
				}
			}
		}
		partner := make([]int32, len(ix.terms))
		best := make([]int32, len(ix.terms))
		for i := range partner {
			partner[i] = -1
		}
		for p, n := range counts {
			if n > best[p.t] || n == best[p.t] && p.before < partner[p.t] {
				best[p.t], partner[p.t] = n, p.before
			}
		}
		ix.partner = partner
	})
	return ix.partner
}

// otherName reports whether name t at position i of a sentence's tokens
// follows a name other than its usual partner: "Maher al-Sharaa" where
// "Sharaa" is mostly "Ahmed al-Sharaa".
func (ix *Index) otherName(toks []int32, flags []tokFlag, i int) bool {
	partner := ix.partners()[toks[i]]
	if partner < 0 {
		return false
	}
	for j := i - 1; j >= 0; j-- {
		if toks[j] < 0 {
			continue
		}
		return flags[j]&flagCap != 0 && ix.properNoun(toks[j]) && !ix.terms[toks[j]].role && toks[j] != partner
	}
	return false
}
