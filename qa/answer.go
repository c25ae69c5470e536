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
	ID     string `json:"id"`     // file name without .txt
	Title  string `json:"title"`  // headline, or the opening words when there is none
	Outlet string `json:"outlet"` // publisher, when the article names it; may be empty
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
	Text   string   `json:"text"`
	Score  float64  `json:"score"`
	Source Source   `json:"source"`
	AlsoIn []Source `json:"also_in"`
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
	Sentences int `json:"sentences"`
}

// Answer assembly.
const (
	maxAnswers  = 5   // quotes in one result
	answerRatio = 0.6 // a further quote must score this share of the best
	sameThing   = 0.6 // Jaccard similarity of two sentences' terms that say the same thing
	dupFloor    = 0.3 // a sentence scoring under this share of the best is no one's duplicate
)

// Ask answers a question with the sentences that match it best, best first.
// It returns ErrEmptyQuestion when the question has no word in it, and a
// Result with no answers when the articles do not say.
func (ix *Index) Ask(question string) (Result, error) {
	question = strings.TrimSpace(strings.ToValidUTF8(question, "\uFFFD"))
	if strings.IndexFunc(question, isWordRune) < 0 {
		return Result{Question: question}, ErrEmptyQuestion
	}
	res := Result{Question: question}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	qu := ix.parseQuery(question, sc)
	if len(qu.slots) == 0 {
		return res, nil
	}
	top := ix.rank(qu, sc)
	if len(top) == 0 || top[0].coverage < minCoverage {
		return res, nil
	}
	var answerSents []int32 // the sentence of each answer
	for _, c := range top {
		if c.coverage < minCoverage || c.score < dupFloor*top[0].score {
			continue
		}
		s := &ix.sents[c.sent]
		dup := -1
		var terms []int32
		for i, other := range answerSents {
			// A cheap filter first: the signatures (a bit a term, modulo 64)
			// of near-duplicates overlap about as much as their terms.
			o := &ix.sents[other]
			if bits.OnesCount64(s.sig&o.sig) < int(sameThing*float64(bits.OnesCount64(s.sig|o.sig)))-2 {
				continue
			}
			if terms == nil {
				terms = ix.sentenceTerms(c.sent)
			}
			if jaccard(terms, ix.sentenceTerms(other)) >= sameThing {
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
		if len(res.Answers) == maxAnswers || c.score < answerRatio*top[0].score {
			continue
		}
		res.Answers = append(res.Answers, Answer{
			Text:   ix.texts[s.art][s.start:s.end],
			Score:  math.Round(c.score*1000) / 1000,
			Source: src,
			AlsoIn: []Source{},
		})
		answerSents = append(answerSents, c.sent)
	}
	return res, nil
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
