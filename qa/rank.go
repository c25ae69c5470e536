package qa

// Ranking. A question becomes a query (analyse.go); stage 1 finds the
// sentences that share its words by BM25 (candidates.go); stage 2 describes
// each candidate s by a feature vector x(s) (features.go) and scores it
// with weights learned by logistic regression (cmd/train, weights.json):
//
//	score(s) = w · x(s)
//
// w maximises, over the training questions q with candidates C(q) of which
// R(q) are right, the conditional log-likelihood (a listwise softmax)
//
//	Σ_q log( Σ_{s ∈ R(q)} e^{score(s)} / Σ_{s ∈ C(q)} e^{score(s)} )  − λ/2 |w|²
//
// so it learns what puts the right sentence first. The candidates are shown
// best score first; whether to answer at all is decided from the scores by
// a second, calibrated model (decide.go).
//
// The features are the shares of the question's idf weight that s matches
// by each kind of match (the word itself, an inflection, a name's other
// spelling, another form of its lemma, a WordNet synonym or derivation, a
// typo's correction), BM25, phrase and proximity, the kind of answer the
// question asks for and whether s holds it, the sentence before, headline,
// the paragraph's and the article's coverage, how many articles carry the
// sentence, whether it is the publisher's appeal to the reader, the share
// of the question's words the articles never use, and
// in a conversation how near s stands to the sentence the last answer
// quoted. Nothing is added
// or multiplied by hand: how much each counts is the learned weight's.

import (
	"math"
	"math/bits"
	"slices"
)

// scratch is the per-question working memory, pooled.
type scratch struct {
	acc      []float32 // stage-1 score per sentence
	seen     []uint64  // a bit a sentence: touched, so acc is set
	order    [][2]int  // slot and alt, rarest term first
	words    []qword
	slots    []slot
	alts     [maxTerms * maxAlts]alt
	slotOf   []uint16 // per term: slot<<8 | alt, plus 1; 0 when not in the question
	paraMask []uint64 // slots matched anywhere in each paragraph
	artMask  []uint64 // slots matched anywhere in each article
	touched  []int32
	cands    []cand
	vec      []float64
	feats    []Features
}

type cand struct {
	sent  int32
	score float64   // stage 1, then w · x
	p     float64   // the probability that it answers the question (decide.go)
	f     *Features // in scratch.feats: sorting moves only the pointer
}

// rank returns the best sentences for qu, best first, with their features
// and scores. The caller must give sc back to the pool.
func (ix *Index) rank(qu *query, sc *scratch) []cand {
	for si, s := range qu.slots {
		for ai, a := range s.alts {
			if sc.slotOf[a.id] == 0 {
				sc.slotOf[a.id] = uint16(si<<8|ai) + 1
			}
		}
	}
	defer func() {
		for _, s := range qu.slots {
			for _, a := range s.alts {
				sc.slotOf[a.id] = 0
			}
		}
	}()
	top := ix.candidates(qu, sc)
	top = ix.around(qu.focus, top)
	// Stage 2.
	var best float64
	if cap(sc.feats) < len(top) {
		sc.feats = make([]Features, len(top))
	}
	sc.feats = sc.feats[:len(top)]
	for i := range top {
		c := &top[i]
		sc.feats[i] = Features{}
		c.f = &sc.feats[i]
		s := &ix.sents[c.sent]
		var prev *sentence
		if c.sent > 0 && ix.sents[c.sent-1].para == s.para {
			prev = &ix.sents[c.sent-1]
		}
		var antecedent *sentence
		if s.pronoun {
			antecedent = prev
		}
		ix.features(qu, s, sc.slotOf, antecedent, c.f)
		if prev != nil && qu.total > 0 {
			c.f.Prev = float64(sc.acc[c.sent-1]) / qu.total
		}
		c.f.Para = qu.coverage(sc.paraMask[s.para])
		c.f.Article = qu.coverage(sc.artMask[s.art])
		if s.lead {
			c.f.First = 1
		}
		if s.appeal {
			c.f.Appeal = 1
		}
		if qu.focus > 0 {
			if f := &ix.sents[qu.focus-1]; f.art == s.art {
				d := abs(c.sent - (qu.focus - 1))
				c.f.FocusArticle, c.f.FocusNear = 1, 1/float64(1+d)
				if d == 0 {
					c.f.FocusSame = 1
				}
				if qu.own == 0 {
					c.f.BareNear, c.f.BareSame = c.f.FocusNear, c.f.FocusSame
				}
			}
		}
		best = max(best, c.f.BM25Rel)
	}
	ix.carried(top)
	w := ix.params.Weights
	for i := range top {
		c := &top[i]
		if best > 0 {
			c.f.BM25Rel /= best
		}
		sc.vec = c.f.Vector(sc.vec[:0])
		c.score = dot(w, sc.vec)
	}
	sortByScore(top)
	ix.decide(top, sc)
	// The probability has the last word: a candidate close behind the best
	// may be likelier to answer (it holds the kind of answer asked for).
	slices.SortStableFunc(top[:min(len(top), Decided)], func(a, b cand) int { return cmpDesc(a.p, b.p) })
	for _, sid := range sc.touched {
		sc.acc[sid] = 0
		sc.seen[sid>>6] = 0
		para := ix.sentPara[sid]
		sc.paraMask[para] = 0
		sc.artMask[ix.paraArt[para]] = 0
	}
	sc.touched = sc.touched[:0]
	sc.cands = top
	return top
}

// focusSpan is how many sentences on each side of the last answer's
// sentence are always among a follow-up's candidates: "what is her name?"
// may share no word with the sentence after the one just quoted, which
// answers it.
const focusSpan = 3

// around adds to top the sentences of the article of focus (a sentence
// plus 1; 0 for none) within focusSpan of it that stage 1 did not keep,
// up to maxCandidates in all.
func (ix *Index) around(focus int32, top []cand) []cand {
	if focus <= 0 || int(focus) > len(ix.sents) {
		return top
	}
	f := focus - 1
	art := ix.sents[f].art
	for sid := max(0, f-focusSpan); sid <= f+focusSpan && int(sid) < len(ix.sents); sid++ {
		if len(top) >= maxCandidates {
			break
		}
		if ix.sents[sid].art != art || slices.ContainsFunc(top, func(c cand) bool { return c.sent == sid }) {
			continue
		}
		top = append(top, cand{sent: sid})
	}
	return top
}

func abs(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// carried sets each candidate's Carried feature: how many other articles
// carry the same sentence (or nearly), among the candidates.
func (ix *Index) carried(top []cand) {
	var arts [maxCandidates]uint64 // per candidate: the other articles found carrying it
	// What the cheap filter reads, side by side: most pairs stop there.
	type brief struct {
		art, nterm int32
		bit        uint64 // 1 << (art mod 64)
		sig        uint64
	}
	var bs [maxCandidates]brief
	for i, c := range top {
		s := &ix.sents[c.sent]
		bs[i] = brief{s.art, s.nterm, 1 << (uint32(s.art) & 63), s.sig}
	}
	for i := range top {
		a := &bs[i]
		for j := i + 1; j < len(top); j++ {
			b := &bs[j]
			ab, bb := b.bit, a.bit
			if a.art == b.art || arts[i]&ab != 0 && arts[j]&bb != 0 || !mayBeSame(a.nterm, b.nterm, a.sig, b.sig) ||
				!ix.sameTerms(top[i].sent, top[j].sent) {
				continue
			}
			arts[i] |= ab
			arts[j] |= bb
		}
		top[i].f.Carried = math.Log1p(float64(bits.OnesCount64(arts[i])))
	}
}

func dot(w, x []float64) float64 {
	w = w[:len(x)] // one bounds check, not one a term
	// Four sums, so that the additions do not wait on each other.
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		x4, w4 := x[i:i+4:i+4], w[i:i+4:i+4]
		s0 += w4[0] * x4[0]
		s1 += w4[1] * x4[1]
		s2 += w4[2] * x4[2]
		s3 += w4[3] * x4[3]
	}
	for ; i < len(x); i++ {
		s0 += w[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// sigmoid is the logistic function: the probability of a score.
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// sortByScore sorts top by byScore. The candidates are few: an insertion
// sort with the comparison inlined beats a general sort calling it.
func sortByScore(top []cand) {
	if len(top) > 4*Decided {
		slices.SortFunc(top, byScore)
		return
	}
	for i := 1; i < len(top); i++ {
		c := top[i]
		j := i
		for ; j > 0 && byScore(c, top[j-1]) < 0; j-- {
			top[j] = top[j-1]
		}
		top[j] = c
	}
}

func byScore(a, b cand) int {
	switch {
	case a.score > b.score:
		return -1
	case a.score < b.score:
		return 1
	}
	return int(a.sent - b.sent)
}

// coverage returns the share of the question's idf weight in the slots
// set in matched.
func (qu *query) coverage(matched uint64) float64 {
	var got float64
	for i, s := range qu.slots {
		if matched&(1<<i) != 0 {
			got += s.idf
		}
	}
	if qu.total == 0 {
		return 0
	}
	return got / qu.total
}
