package qa

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// ErrEmptyQuestion is returned by Index.Ask for a question with no words in it.
var ErrEmptyQuestion = errors.New("empty question")

// Source names the article a sentence came from.
type Source struct {
	ID     string `json:"id"`            // file name without .txt
	Title  string `json:"title"`         // headline, or the opening words when there is none
	Outlet string `json:"outlet"`        // publisher, when the article names it; may be empty
	URL    string `json:"url,omitempty"` // the article's web address, from its url: header; may be empty
}

// String returns "Title (Outlet)", or the title alone when the outlet is unknown.
func (s Source) String() string {
	if s.Outlet == "" {
		return s.Title
	}
	return s.Title + " (" + s.Outlet + ")"
}

// Answer is one quoted sentence, verbatim, with the article it came from
// and the other articles that say the same thing.
type Answer struct {
	Text string `json:"text"`
	// Context is the sentence before Text when Text leans on it ("He met
	// with Sharaa…"): the one that names who "he" is. Empty otherwise.
	Context string   `json:"context,omitempty"`
	Score   float64  `json:"score"` // the probability that Text answers the question
	Source  Source   `json:"source"`
	AlsoIn  []Source `json:"also_in"`
}

// String returns a short readable form for tests and logs.
func (a Answer) String() string {
	return fmt.Sprintf("%q [%s]", a.Text, a.Source.ID)
}

// Result is the answer to one question: Answers best first, empty when the
// articles do not say.
type Result struct {
	Question string   `json:"question"`
	Answers  []Answer `json:"answers"`
	first    int32    // the first answer's sentence, plus 1
}

// Answered reports whether the articles hold an answer.
func (r Result) Answered() bool { return len(r.Answers) > 0 }

// String returns a short readable form for tests and logs.
func (r Result) String() string {
	if !r.Answered() {
		return "not found"
	}
	parts := make([]string, len(r.Answers))
	for i, a := range r.Answers {
		parts[i] = a.String()
	}
	return strings.Join(parts, "; ")
}

// SourceInfo describes one indexed article.
type SourceInfo struct {
	Source
	Date      string `json:"date,omitempty"` // publication day, YYYY-MM-DD, from the date: header; may be empty
	Sentences int    `json:"sentences"`
}

// Answer assembly.
const (
	maxAnswers  = 5   // quotes in one result
	answerRatio = 0.5 // a further quote must have this share of the best one's probability
	sameThing   = 0.6 // Jaccard similarity of two sentences' terms that say the same thing
	dupFloor    = 0.2 // a sentence under this share of the best one's probability is no one's duplicate
)

// Ask answers a question with the sentences that match it best, best first.
// It returns ErrEmptyQuestion when the question has no word in it, and a
// Result with no answers when the articles do not say.
func (ix *Index) Ask(question string) (Result, error) {
	res, _, err := ix.ask(question, followUp{}, false)
	return res, err
}

// followUp is what a follow-up question takes from the turns before it
// (AskIn): the zero value, for a question on its own, takes nothing.
type followUp struct {
	words string // inherited, weighing Params.Context
	prior bool   // words are a prior (Turn.prior): they weigh Params.Prior times as much again
	focus int32  // the sentence the last answer quoted, plus 1
}

// ask answers question and, when explain is set, says why.
func (ix *Index) ask(question string, fu followUp, explain bool) (Result, *Explanation, error) {
	question = strings.TrimSpace(strings.ToValidUTF8(question, "\uFFFD"))
	res := Result{Question: question}
	if strings.IndexFunc(question, isWordRune) < 0 {
		return res, nil, ErrEmptyQuestion
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	qu := ix.parseQuery(question, fu.words, fu.prior, sc)
	qu.focus = fu.focus
	var ex *Explanation
	if explain {
		ex = ix.explainQuery(&qu)
	}
	if len(qu.slots) == 0 && qu.focus == 0 {
		return res, ex, nil
	}
	top := ix.rank(&qu, sc)
	if explain {
		ex.candidates(ix, top)
	}
	if len(top) == 0 || top[0].p < ix.params.Threshold {
		return res, ex, nil
	}
	bestP := top[0].p
	var answerSents []int32 // the sentence of each answer
	for _, c := range top {
		p := c.p
		if p < dupFloor*bestP {
			continue
		}
		s := &ix.sents[c.sent]
		dup := -1
		for i, other := range answerSents {
			if ix.sameThing(c.sent, other) {
				dup = i
				break
			}
		}
		src := ix.sources[s.art].Source
		if dup >= 0 {
			a := &res.Answers[dup]
			if a.Source.ID != src.ID && !slices.ContainsFunc(a.AlsoIn, func(o Source) bool { return o.ID == src.ID }) {
				a.AlsoIn = append(a.AlsoIn, src)
			}
			continue
		}
		if len(res.Answers) == maxAnswers || p < ix.params.Threshold || p < answerRatio*bestP {
			continue
		}
		res.Answers = append(res.Answers, Answer{
			Text:    ix.texts[s.art][s.start:s.end],
			Context: ix.context(c.sent),
			Score:   math.Round(p*1000) / 1000,
			Source:  src,
			AlsoIn:  []Source{},
		})
		answerSents = append(answerSents, c.sent)
		if res.first == 0 {
			res.first = c.sent + 1
		}
	}
	return res, ex, nil
}

// sameThing reports whether sentences a and b say the same thing: their
// terms overlap by sameThing (Jaccard).
func (ix *Index) sameThing(a, b int32) bool {
	sa, sb := &ix.sents[a], &ix.sents[b]
	return mayBeSame(sa.nterm, sb.nterm, sa.sig, sb.sig) && ix.sameTerms(a, b)
}

// sameTerms is sameThing past its cheap filter: the Jaccard similarity of
// the sentences' terms.
func (ix *Index) sameTerms(a, b int32) bool {
	return jaccard(ix.sentenceTerms(a), ix.sentenceTerms(b)) >= sameThing
}

// mayBeSame is sameThing's cheap filter, on the sentences' term counts and
// signatures (a bit a term, modulo 64): false when they cannot be the same.
func mayBeSame(na, nb int32, siga, sigb uint64) bool {
	// |A∩B| ≤ min and |A∪B| ≥ max of their sizes: J ≤ min/max.
	if lo, hi := min(na, nb), max(na, nb); float64(lo) < sameThing*float64(hi) {
		return false
	}
	// The signatures of near-duplicates overlap about as much as their terms.
	return bits.OnesCount64(siga&sigb) >= int(sameThing*float64(bits.OnesCount64(siga|sigb)))-2
}

// context returns the sentence before sentence i when i leans on it: it
// opens with "He" or "She", or with a stand-in ("The Russian leader"),
// and the sentence before is in the same paragraph. Otherwise "".
func (ix *Index) context(i int32) string {
	s := &ix.sents[i]
	if i == 0 || !s.pronoun && !s.standIn {
		return ""
	}
	prev := &ix.sents[i-1]
	if prev.para != s.para || prev.headline {
		return ""
	}
	return ix.texts[prev.art][prev.start:prev.end]
}

// sentenceTerms returns the distinct terms of sentence i, sorted.
func (ix *Index) sentenceTerms(i int32) []int32 {
	end := int32(len(ix.dterms))
	if int(i)+1 < len(ix.sents) {
		end = ix.sents[i+1].dterm
	}
	return ix.dterms[ix.sents[i].dterm:end]
}

// jaccard returns |a∩b| / |a∪b| of two sorted sets.
func jaccard(a, b []int32) float64 {
	inter, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// Names returns the words of question, in lower case, that name someone or
// something in the articles: words the articles mostly write with a
// capital ("bogdanov", "tartus"). A chat uses them to carry the subject of
// one question into a follow-up ("what did he say?").
func (ix *Index) Names(question string) []string {
	var names []string
	tokenize(question, func(tk token) {
		if id, ok := ix.words[string(tk.word)]; ok && id >= 0 && ix.properNoun(id) &&
			!slices.Contains(names, string(tk.word)) {
			names = append(names, string(tk.word))
		}
	})
	return names
}

// sentenceText returns the text of sentence i.
func (ix *Index) sentenceText(i int32) string {
	s := &ix.sents[i]
	return ix.texts[s.art][s.start:s.end]
}
