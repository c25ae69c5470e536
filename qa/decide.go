package qa

// Deciding. The ranker's scores order the candidates of one question but
// do not compare across questions, so whether to answer at all is a second
// model, fitted on held-out ranker scores (cmd/train): for candidate i,
// with rank score s_i,
//
//	P(i answers the question) = σ(v · d_i)
//	d_i = (1, s_i, s_i − max_{j≠i} s_j, e^{s_i}/Σ_j e^{s_j}, the share of the
//	       question i matches, by the word itself, the BM25 share,
//	       the words the articles never use, 1/(the question's words),
//	       the kind asked for, whether i holds it)
//
// The question is declined when the best candidate's probability is under
// Params.Threshold.

import (
	"math"
	"slices"
)

// decisionNames names the elements of a decision vector, in order: the
// keys of the weights file's "decide" table.
var decisionNames = func() []string {
	names := []string{"bias", "score", "margin", "share", "matched", "word", "bm25", "unknown",
		"unknown_name", "has_kind", "missing_max", "lexical", "para", "matched2", "unknown_words", "slots", "few"}
	for _, k := range kindNames[1:] {
		names = append(names, "want_"+k)
	}
	return names
}()

// DecisionNames returns the names of the elements of a decision vector.
func DecisionNames() []string { return append([]string(nil), decisionNames...) }

// NumDecision is the length of a decision vector.
var NumDecision = len(decisionNames)

// DecisionVector appends to dst the decision features of the candidate
// with features f and rank score s, among candidates whose best other
// score is other (−Inf when it is alone) and whose softmax share is share.
func DecisionVector(dst []float64, f *Features, s, other, share float64) []float64 {
	margin := 0.0
	if !math.IsInf(other, -1) {
		margin = s - other
	} else {
		margin = 1 // alone: as if a clear margin
	}
	has := 0.0
	for k := range f.Has {
		has += f.Has[k]
	}
	m := 1 - f.Missing
	lex := f.Match[matchLemma] + f.Match[matchSynonym] + f.Match[matchRelated]
	dst = append(dst, 1, s, margin, share, m, f.Match[matchWord], f.BM25, f.Unknown, f.UnknownName, has,
		f.MissingMax, lex, f.Para, m*m, f.UnknownWords, f.Slots, f.Few)
	return append(dst, f.Want[1:]...)
}

// decide sets each candidate's probability of answering. top is sorted by
// score, best first.
func (ix *Index) decide(top []cand, sc *scratch) {
	v := ix.params.Decide
	for i := Decided; i < len(top); i++ {
		top[i].p = 0
	}
	sc.vec = decisionVectors(top, sc.vec, Decided, func(i int, d []float64) {
		top[i].p = sigmoid(dot(v, d))
	})
}

// Decided is how many of the best candidates by score get a probability;
// the others, too far behind to be shown, get 0.
const Decided = 10

// decisionVectors calls fn with the decision vector of each of the first
// n candidates of top, which is sorted by score, best first. d is valid
// during the call.
func decisionVectors(top []cand, buf []float64, n int, fn func(i int, d []float64)) []float64 {
	if len(top) == 0 {
		return buf
	}
	var z float64
	for _, c := range top {
		z += math.Exp(c.score - top[0].score)
	}
	for i := range top[:min(n, len(top))] {
		c := &top[i]
		other := top[0].score
		if i == 0 {
			other = math.Inf(-1)
			if len(top) > 1 {
				other = top[1].score
			}
		}
		buf = DecisionVector(buf[:0], c.f, c.score, other, math.Exp(c.score-top[0].score)/z)
		fn(i, buf)
	}
	return buf
}

// DecisionVectors returns the decision vector of each of a question's
// candidates, given their features and rank scores, as Ask computes them:
// what cmd/train fits the decision weights on.
func DecisionVectors(fs []Features, scores []float64) [][]float64 {
	top := make([]cand, len(fs))
	for i := range fs {
		top[i] = cand{sent: int32(i), score: scores[i], f: &fs[i]}
	}
	slices.SortStableFunc(top, func(a, b cand) int { return cmpDesc(a.score, b.score) })
	out := make([][]float64, len(fs))
	decisionVectors(top, nil, len(top), func(i int, d []float64) {
		out[top[i].sent] = slices.Clone(d)
	})
	return out
}
