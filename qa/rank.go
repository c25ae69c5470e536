package qa

// Ranking. A question becomes slots, one for each of its words that is not
// a stop word; a slot matches its own term and, with a lower weight w, the
// terms one edit away that stand for the same word: a typo in the question
// ("sanctoins") or a name spelled two ways across articles
// (Tartus/Tartous, Hmeimim/Khmeimim).
//
// Stage 1 scores every sentence s holding a slot's term t with BM25:
//
//	bm25(s) = Σ_t  w_t · idf(t) · tf(t,s)·(k1+1) / (tf(t,s) + k1·(1 − b + b·len(s)/avglen))
//	idf(t)  = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
//
// over N sentences, where len(s) counts the words that are not stop words.
// k1 = 1.2 and b = 0.5 scored best on the dev and SQuAD sets: sentences
// vary less in length than documents, so length matters less than usual.
//
// Stage 2 rescores the best candidates:
//
//	score(s) = (bm25(s) + c·bm25(prev(s))) · (1 + p·phrase(s)) · (1 + a·answer(s)) · coverage(s)^e
//
// where prev(s) is the sentence before s in the same paragraph (questions
// often name what that sentence set up), phrase(s) is the share of the
// question's neighbouring word pairs that stand within two words of each
// other, in order, in s; answer(s) is 1 when s holds the kind of thing the
// question asks for (a name for "who", a date for "when", a number for "how
// many") beyond the question's own words; and coverage(s) is the share of
// the question's idf weight that s matches. Words of the question the
// articles never use weigh as much as the rarest word.
//
// The question is declined when the best sentence's coverage is under
// minCoverage: only a common word or two matched.

import (
	"math"
	"slices"
	"strings"
)

// Parameters, chosen by measurement (see the comment above and qa_test.go).
var (
	k1            = 1.2
	bParam        = 0.5
	ctxWeight     = 0.2
	phraseBoost   = 0.3
	answerBoost   = 1.0
	covExp        = 1.0
	minCoverage   = 0.3
	typoWeight    = 0.9
	spellWeight   = 0.8
	synWeight     = 0.5
	inflectWeight = 0.5
	paraBoost     = 1.0
	artBoost      = 0.5
	candidates    = 64
)

type answerKind uint8

const (
	kindAny answerKind = iota
	kindName
	kindDate
	kindNumber
	kindQuote // what someone said: a sentence with a quotation
)

type alt struct {
	id int32
	w  float64
}

type slot struct {
	idf  float64 // weight of the slot in coverage
	alts []alt
}

type query struct {
	slots []slot
	want  answerKind
	total float64 // Σ slot idf
}

// maxTerms bounds the slots of one question, so a huge message costs no
// more than a long question.
const maxTerms = 32

// maxAlts bounds the terms one slot matches.
const maxAlts = 8

// parseQuery turns a question into slots.
func (ix *Index) parseQuery(q string) query {
	var qu query
	var prev []string
	maxIDF := ix.idf(0)
	tokenize(q, func(t token) {
		prev = append(prev, t.word)
		if len(qu.slots) >= maxTerms {
			return
		}
		if qu.want == kindAny {
			qu.want = questionKind(prev)
		}
		if qu.want == kindAny && sayingWords[t.word] && len(prev) > 1 {
			qu.want = kindQuote
		}
		if queryStop[t.word] {
			return
		}
		id, known := ix.words[t.word]
		if known && id < 0 {
			return // stop word
		}
		term := ""
		if !known {
			if isStop(t.word) {
				return
			}
			term = stem(t.word)
			var ok bool
			if id, ok = ix.vocab[term]; !ok {
				id = -1
			}
		} else {
			term = ix.terms[id].text
		}
		for _, s := range qu.slots {
			if slices.ContainsFunc(s.alts, func(a alt) bool { return id >= 0 && a.id == id }) {
				return // repeated word
			}
		}
		var s slot
		if id >= 0 {
			s.alts = append(s.alts, alt{id, 1})
			s.idf = ix.idf(ix.terms[id].df)
			if ix.properNoun(id) {
				ix.similar(term, func(v int32) {
					switch {
					case !ix.properNoun(v):
					case !suffixOnly(term, ix.terms[v].text):
						s.alts = append(s.alts, alt{v, spellWeight})
					default:
						s.alts = append(s.alts, alt{v, inflectWeight})
					}
				})
			}
		} else {
			s.idf = maxIDF
			best := int32(-1)
			ix.similar(term, func(v int32) {
				if best < 0 || ix.terms[v].df > ix.terms[best].df {
					best = v
				}
			})
			if best >= 0 {
				s.alts = append(s.alts, alt{best, typoWeight})
				s.idf = ix.idf(ix.terms[best].df)
			}
		}
		for _, syn := range synonyms[term] {
			if v, ok := ix.vocab[syn]; ok && v != id {
				s.alts = append(s.alts, alt{v, synWeight})
				if id < 0 && len(s.alts) == 1 {
					s.idf = ix.idf(ix.terms[v].df)
				}
			}
		}
		if len(s.alts) > maxAlts {
			s.alts = s.alts[:maxAlts]
		}
		qu.slots = append(qu.slots, s)
		qu.total += s.idf
	})
	return qu
}

// suffixOnly reports whether a and b differ only in their last rune or by
// one rune added at the end, as inflections do ("Russia", "Russian").
func suffixOnly(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	n := min(len(ra), len(rb))
	return string(ra[:n-1]) == string(rb[:n-1])
}

// questionKind returns the kind of answer the question words so far ask for.
func questionKind(words []string) answerKind {
	last := words[len(words)-1]
	before := ""
	if len(words) > 1 {
		before = words[len(words)-2]
	}
	switch {
	case last == "who" || last == "whom" || last == "whose" || last == "where" || last == "which":
		return kindName
	case last == "when":
		return kindDate
	case before == "how" && (last == "many" || last == "much" || last == "long" || last == "old"):
		return kindNumber
	case (before == "what" || before == "which") && dateWords[last]:
		return kindDate
	}
	return kindAny
}

// sayingWords are verbs of saying: a question that uses one asks for what
// someone said.
var sayingWords = setOf(`say said says tell told state stated comment commented describe described
	think thinks thought believe believes call called claim claimed react reacted respond responded`)

// queryStop are words that shape a question but say nothing about the
// answer, so a sentence need not hold them.
var queryStop = setOf(`happen happened happens tell told know knew explain describe mention mentioned
	think please anyone anything something someone exactly actually really ever thing things kind type`)

// scratch is the per-question working memory, pooled.
type scratch struct {
	acc      []float32 // stage-1 score per sentence
	paraMask []uint64  // slots matched anywhere in each paragraph
	artMask  []uint64  // slots matched anywhere in each article
	touched  []int32
	cands    []cand
}

type cand struct {
	sent     int32
	score    float64
	coverage float64
}

// rank returns the best sentences for q, best first, with their scores
// and coverage. The caller must give sc back to the pool.
func (ix *Index) rank(qu query, sc *scratch) []cand {
	// Stage 1: BM25 over the postings.
	for si, s := range qu.slots {
		bit := uint64(1) << si
		for _, a := range s.alts {
			w := a.w * ix.idf(ix.terms[a.id].df)
			for _, p := range ix.postingsOf(a.id) {
				l := float64(ix.sents[p.sent].length)
				tf := float64(p.tf)
				v := w * tf * (k1 + 1) / (tf + k1*(1-bParam+bParam*l/ix.avgLen))
				if sc.acc[p.sent] == 0 {
					sc.touched = append(sc.touched, p.sent)
				}
				sc.acc[p.sent] += float32(v)
				sc.paraMask[ix.sents[p.sent].para] |= bit
				sc.artMask[ix.sents[p.sent].art] |= bit
			}
		}
	}
	// Keep the best candidates.
	top := sc.cands[:0]
	for _, sid := range sc.touched {
		c := cand{sent: sid, score: float64(sc.acc[sid])}
		if len(top) < candidates {
			top = append(top, c)
			if len(top) == candidates {
				slices.SortFunc(top, byScore)
			}
			continue
		}
		if c.score > top[len(top)-1].score {
			i, _ := slices.BinarySearchFunc(top, c, byScore)
			copy(top[i+1:], top[i:len(top)-1])
			top[i] = c
		}
	}
	// Stage 2: rescore.
	for i := range top {
		c := &top[i]
		s := &ix.sents[c.sent]
		base, cov, phrase, answer := ix.features(&qu, s)
		if c.sent > 0 {
			if p := &ix.sents[c.sent-1]; p.para == s.para {
				base += ctxWeight * float64(sc.acc[c.sent-1])
			}
		}
		paraCov := qu.coverage(sc.paraMask[s.para])
		artCov := qu.coverage(sc.artMask[s.art])
		if qu.want == kindQuote && s.quote {
			answer = 1
		}
		c.coverage = cov
		c.score = base * (1 + phraseBoost*phrase) * (1 + answerBoost*answer) * math.Pow(cov, covExp) * (1 + paraBoost*paraCov) * (1 + artBoost*artCov)
	}
	slices.SortFunc(top, byScore)
	for _, sid := range sc.touched {
		sc.acc[sid] = 0
		sc.paraMask[ix.sents[sid].para] = 0
		sc.artMask[ix.sents[sid].art] = 0
	}
	sc.touched = sc.touched[:0]
	sc.cands = top
	return top
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

// features computes the stage-2 features of sentence s for query qu: its
// BM25 score with each slot scored by its best-matching term (stage 1 adds
// up every term, so a sentence holding a word and its synonym counts twice
// there), the coverage with each slot weighted by that term's weight, the
// phrase share and whether s holds the kind of answer wanted.
func (ix *Index) features(qu *query, s *sentence) (bm25, coverage, phrase, answer float64) {
	toks := ix.toks[s.tok : s.tok+s.ntok]
	flags := ix.flags[s.tok : s.tok+s.ntok]
	var tf [maxTerms][maxAlts]int32
	var matched uint64
	// pos[i] is the last position (in non-stop words) where slot i matched.
	var pos [maxTerms]int
	pairs := 0
	n := 0
	for i, t := range toks {
		if t < 0 {
			continue
		}
		n++
		si, ai := qu.slotOf(t)
		if si < 0 {
			if answer == 0 && ix.isAnswer(qu.want, t, flags[i]) {
				answer = 1
			}
			continue
		}
		tf[si][ai]++
		if si > 0 && matched&(1<<(si-1)) != 0 && n-pos[si-1] <= 2 {
			pairs++
		}
		matched |= 1 << si
		pos[si] = n
	}
	norm := k1 * (1 - bParam + bParam*float64(s.length)/ix.avgLen)
	var got float64
	for si := range qu.slots {
		if matched&(1<<si) == 0 {
			continue
		}
		sl := &qu.slots[si]
		var best, bestW float64
		for ai, a := range sl.alts {
			if tf[si][ai] == 0 {
				continue
			}
			f := float64(tf[si][ai])
			v := a.w * ix.idf(ix.terms[a.id].df) * f * (k1 + 1) / (f + norm)
			best = max(best, v)
			bestW = max(bestW, a.w)
		}
		bm25 += best
		got += bestW * sl.idf
	}
	if qu.total > 0 {
		coverage = got / qu.total
	}
	if len(qu.slots) > 1 {
		phrase = math.Min(1, float64(pairs)/float64(len(qu.slots)-1))
	}
	return bm25, coverage, phrase, answer
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

// slotOf returns the slot term t matches and the index of t among the
// slot's terms, or -1, -1.
func (qu *query) slotOf(t int32) (int, int) {
	for i := range qu.slots {
		for j, a := range qu.slots[i].alts {
			if a.id == t {
				return i, j
			}
		}
	}
	return -1, -1
}

// isAnswer reports whether a word of a sentence that the question does not
// hold is the kind of thing the question asks for.
func (ix *Index) isAnswer(want answerKind, t int32, f tokFlag) bool {
	switch want {
	case kindName:
		return f&flagCap != 0 && f&flagFirst == 0 && ix.properNoun(t)
	case kindDate:
		return ix.terms[t].date
	case kindNumber:
		return f&flagNumber != 0 || numberTerms[ix.terms[t].text]
	}
	return false
}

// numberTerms are the stems of number words.
var numberTerms = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`one two three four five six seven eight nine ten eleven twelve
		twenty thirty forty fifty hundred thousand million billion trillion dozen`) {
		m[stem(w)] = true
	}
	return m
}()
