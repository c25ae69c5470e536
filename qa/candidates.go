package qa

// Candidates: stage 1 scores every sentence holding a term of the query
// with BM25 and keeps the best Params.Candidates of them for the features:
//
//	bm25(s) = Σ_t  w_t · idf(t) · tf(t,s)·(k1+1) / (tf(t,s) + k1·(1 − b + b·len(s)/avglen))
//	idf(t)  = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
//
// over N sentences, where len(s) counts the words that are not stop words
// and w_t is the recall weight of how t matches the question's word
// (Params.Recall). Stage 1 only has to find the answer among the
// candidates; the learned weights of stage 2 order them.

import (
	"math/bits"
	"slices"
)

// candidates fills sc.acc, sc.paraMask and sc.artMask for the query and
// returns the best candidates by stage-1 score. The slotOf table must be
// set for the query's terms.
// A term in more than 1/commonShare of the sentences, and in more than
// minCommon, is common.
const (
	commonShare = 64
	minCommon   = 1000
)

func (ix *Index) candidates(qu *query, sc *scratch) []cand {
	ncand := ix.params.Candidates
	// Stage 1: BM25 over the postings, rarest terms first. Once rarer terms
	// have found enough sentences, a common term (more than commonShare of
	// all sentences) only adds to sentences already found: a sentence
	// holding none of the question's rarer words is no answer, and skipping
	// the long posting lists keeps answering fast on a large corpus.
	order := sc.order[:0]
	for si, s := range qu.slots {
		for ai := range s.alts {
			order = append(order, [2]int{si, ai})
		}
	}
	// A lexicon match (lemma, synonym, derivation) of a word the articles
	// also use as written is secondary: it only rescores the sentences the
	// words themselves found, after them. It still finds sentences for a
	// word the articles never write ("weapons": arms).
	secondary := func(o [2]int) bool {
		sl := &qu.slots[o[0]]
		k := sl.alts[o[1]].kind
		return (k == matchLemma || k == matchSynonym || k == matchRelated) && sl.alts[0].kind == matchWord
	}
	slices.SortFunc(order, func(x, y [2]int) int {
		if sx, sy := secondary(x), secondary(y); sx != sy {
			if sx {
				return 1
			}
			return -1
		}
		return int(ix.terms[qu.slots[x[0]].alts[x[1]].id].df - ix.terms[qu.slots[y[0]].alts[y[1]].id].df)
	})
	sc.order = order
	common := max(minCommon, len(ix.sents)/commonShare)
	for _, o := range order {
		a := qu.slots[o[0]].alts[o[1]]
		bit := uint64(1) << o[0]
		w := float32(a.w * a.idf)
		posts := ix.postingsOf(a.id)
		add := func(p posting) {
			if m := uint64(1) << (p.sent & 63); sc.seen[p.sent>>6]&m == 0 {
				sc.seen[p.sent>>6] |= m
				sc.touched = append(sc.touched, p.sent)
			}
			sc.acc[p.sent] += w * p.norm
			para := ix.sentPara[p.sent]
			sc.paraMask[para] |= bit
			sc.artMask[ix.paraArt[para]] |= bit
		}
		switch {
		case !secondary(o) && (len(posts) <= common || len(sc.touched) < 4*ncand):
			for _, p := range posts {
				add(p)
			}
		case len(sc.touched)*bits.Len(uint(len(posts))) < len(posts):
			for _, sid := range sc.touched {
				i, ok := slices.BinarySearchFunc(posts, sid, func(p posting, sid int32) int { return int(p.sent - sid) })
				if ok {
					add(posts[i])
				}
			}
		default:
			// The bitmap is small enough to stay in the fastest cache.
			for _, p := range posts {
				if sc.seen[p.sent>>6]&(1<<(p.sent&63)) != 0 {
					add(p)
				}
			}
		}
	}
	// Keep the best candidates.
	top := sc.cands[:0]
	for _, sid := range sc.touched {
		c := cand{sent: sid, score: float64(sc.acc[sid])}
		if len(top) < ncand {
			top = append(top, c)
			if len(top) == ncand {
				sortByScore(top)
			}
			continue
		}
		if c.score > top[len(top)-1].score {
			i, _ := slices.BinarySearchFunc(top, c, byScore)
			copy(top[i+1:], top[i:len(top)-1])
			top[i] = c
		}
	}
	return top
}
