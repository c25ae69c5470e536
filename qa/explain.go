package qa

// Explanations: why the ranker chose an answer, or declined. Built only when
// asked (Index.Explain), so answering pays nothing for it.

import (
	"fmt"
	"slices"
	"strings"
)

// Explanation is how a question was read and scored.
type Explanation struct {
	Question  string        `json:"question"`
	Kind      string        `json:"kind"`              // the kind of answer asked for ("date", "any")
	Terms     []ExplainTerm `json:"terms"`             // the question's words and what they match
	Unknown   []string      `json:"unknown,omitempty"` // words the articles never use
	Threshold float64       `json:"threshold"`         // decline under this probability
	// Candidates are the best sentences, best first, with their features.
	Candidates []ExplainCandidate `json:"candidates"`
	Declined   bool               `json:"declined"`
	Reason     string             `json:"reason,omitempty"` // why it was declined
}

// ExplainTerm is one word of the question.
type ExplainTerm struct {
	Word    string   `json:"word"`
	Weight  float64  `json:"weight"`  // its idf weight in the shares
	Matches []string `json:"matches"` // "term (kind)" for each term of the articles it matches
}

// ExplainCandidate is one candidate sentence and its score.
type ExplainCandidate struct {
	Text        string         `json:"text"`
	Source      string         `json:"source"`
	Probability float64        `json:"probability"`
	Score       float64        `json:"score"`
	Features    []FeatureShare `json:"features"` // the features that are not 0
	// Decision is what makes up the probability: the decision features
	// that are not 0 (decide.go).
	Decision []FeatureShare `json:"decision"`
}

// FeatureShare is one feature's value and what it adds to the score.
type FeatureShare struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Weight float64 `json:"weight"`
	Adds   float64 `json:"adds"` // Value × Weight
}

// maxExplained bounds the candidates an explanation shows.
const maxExplained = 5

// Explain answers question as Ask does and says why: the question's terms,
// the best candidates with every feature's value and share of the score,
// and, for a declined question, the reason.
func (ix *Index) Explain(question string) (Result, Explanation, error) {
	res, ex, err := ix.ask(question, followUp{}, true)
	if ex == nil {
		ex = &Explanation{Question: res.Question, Declined: true, Reason: "no words in the question"}
	}
	if !res.Answered() {
		ex.Declined = true
		if ex.Reason == "" {
			ex.Reason = ex.declineReason()
		}
	}
	return res, *ex, err
}

func (ix *Index) explainQuery(qu *query) *Explanation {
	ex := &Explanation{Kind: qu.want.String(), Threshold: ix.params.Threshold}
	for _, s := range qu.slots {
		t := ExplainTerm{Word: s.term, Weight: round3(s.idf), Matches: []string{}}
		for _, a := range s.alts {
			t.Matches = append(t.Matches, fmt.Sprintf("%s (%s)", ix.terms[a.id].text, a.kind))
		}
		if len(s.alts) == 0 {
			ex.Unknown = append(ex.Unknown, s.term)
		}
		ex.Terms = append(ex.Terms, t)
	}
	if len(qu.slots) == 0 {
		ex.Reason = "no word of the question is one the articles could match"
	}
	return ex
}

func (ex *Explanation) candidates(ix *Index, top []cand) {
	var x []float64
	decisions := make([][]float64, min(len(top), maxExplained))
	decisionVectors(top, nil, len(decisions), func(i int, d []float64) {
		decisions[i] = slices.Clone(d)
	})
	for i, c := range top {
		if i == maxExplained {
			break
		}
		s := &ix.sents[c.sent]
		ec := ExplainCandidate{Text: ix.texts[s.art][s.start:s.end], Source: ix.sources[s.art].ID,
			Probability: round3(c.p), Score: round3(c.score)}
		ec.Features = shares(c.f.Vector(x[:0]), ix.params.Weights, featureNames)
		ec.Decision = shares(decisions[i], ix.params.Decide, decisionNames)
		ex.Candidates = append(ex.Candidates, ec)
	}
}

// shares pairs the values of x that are not 0 with their weights.
func shares(x, w []float64, names []string) []FeatureShare {
	var out []FeatureShare
	for j, v := range x {
		if v != 0 {
			out = append(out, FeatureShare{Name: names[j], Value: round3(v), Weight: round3(w[j]), Adds: round3(v * w[j])})
		}
	}
	return out
}

func (ex *Explanation) declineReason() string {
	if len(ex.Candidates) == 0 {
		return "no sentence holds any word of the question"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the best sentence's probability %.3f is under the threshold %.3f", ex.Candidates[0].Probability, ex.Threshold)
	if len(ex.Unknown) > 0 {
		fmt.Fprintf(&b, "; the articles never use %s", strings.Join(ex.Unknown, ", "))
	}
	if ex.Kind != kindAny.String() {
		has := false
		for _, f := range ex.Candidates[0].Features {
			if strings.HasPrefix(f.Name, "has_") {
				has = true
			}
		}
		if !has {
			fmt.Fprintf(&b, "; it holds no %s, which the question asks for", ex.Kind)
		}
	}
	return b.String()
}

func round3(v float64) float64 {
	if v < 0 {
		return -round3(-v)
	}
	return float64(int64(v*1000+0.5)) / 1000
}

// String prints the explanation for a terminal.
func (ex Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "asked for: %s\n", ex.Kind)
	for _, t := range ex.Terms {
		fmt.Fprintf(&b, "  %-14s weight %.2f  %s\n", t.Word, t.Weight, strings.Join(t.Matches, ", "))
	}
	for i, c := range ex.Candidates {
		fmt.Fprintf(&b, "%d. p=%.3f score=%.3f [%s] %s\n", i+1, c.Probability, c.Score, c.Source, c.Text)
		b.WriteString("   rank score:\n")
		for _, f := range c.Features {
			fmt.Fprintf(&b, "     %-16s %7.3f × %7.3f = %+.3f\n", f.Name, f.Value, f.Weight, f.Adds)
		}
		b.WriteString("   probability (logit):\n")
		for _, f := range c.Decision {
			fmt.Fprintf(&b, "     %-16s %7.3f × %7.3f = %+.3f\n", f.Name, f.Value, f.Weight, f.Adds)
		}
	}
	if ex.Declined {
		fmt.Fprintf(&b, "declined: %s\n", ex.Reason)
	}
	return b.String()
}

// Candidate is one sentence the ranker considered for a question, with
// its feature vector in the order of FeatureNames.
type Candidate struct {
	Text     string
	Source   string // the article's ID
	Features Features
	X        []float64 // Features.Vector
}

// Candidates returns every candidate of stage 2 for question, best first
// by the current weights, with its features: what cmd/train learns
// the weights from. It returns nil for a question with no word to match.
func (ix *Index) Candidates(question string) []Candidate {
	return ix.candidatesFor(question, followUp{})
}

// CandidatesIn is Candidates for question asked as the next turn of c, as
// AskIn resolves it; c is left as it was.
func (ix *Index) CandidatesIn(c *Conversation, question string) []Candidate {
	var prev []Turn
	if c != nil {
		prev = c.Turns
	}
	return ix.candidatesFor(ix.resolve(prev, question).query())
}

func (ix *Index) candidatesFor(question string, fu followUp) []Candidate {
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	qu := ix.parseQuery(strings.TrimSpace(strings.ToValidUTF8(question, "\uFFFD")), fu.words, fu.prior, sc)
	qu.focus = fu.focus
	if len(qu.slots) == 0 && qu.focus == 0 {
		return nil
	}
	top := ix.rank(&qu, sc)
	out := make([]Candidate, len(top))
	for i, c := range top {
		s := &ix.sents[c.sent]
		out[i] = Candidate{Text: ix.texts[s.art][s.start:s.end], Source: ix.sources[s.art].ID, Features: *c.f, X: c.f.Vector(nil)}
	}
	return out
}
