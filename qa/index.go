package qa

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// Index holds the sentences of a set of articles and an inverted index of
// their terms. It is read-only once built and safe for concurrent use.
type Index struct {
	sources []SourceInfo
	texts   []string // article bodies; sentences are ranges of them

	sents []sentence
	// toks holds every sentence's words in order as term IDs (-1 for stop
	// words); a sentence's words are toks[s.tok:s.tok+s.ntok].
	toks  []int32
	flags []tokFlag

	vocab    map[string]int32 // term → ID
	words    map[string]int32 // lower-case word → term ID, or -1 for a stop word
	terms    []termInfo
	postings []posting // grouped by term: terms[t].post … terms[t+1].post
	avgLen   float64
	nparas   int

	fuzzyOnce sync.Once
	fuzzy     map[string][]int32 // 1-deletion neighbourhood → term IDs

	scratch sync.Pool
}

type sentence struct {
	art        int32
	start, end int32 // byte range in texts[art]
	para       int32 // paragraph number in the whole index
	tok        int32
	ntok       int32
	length     int32 // words that are not stop words
	quote      bool  // holds a quotation
}

type termInfo struct {
	text string
	df   int32 // sentences holding the term
	post int32 // first posting
	caps int32 // occurrences written with a capital inside a sentence
	mid  int32 // occurrences not first in their sentence
	date bool  // a month, weekday or year
}

type posting struct {
	sent int32
	tf   int32
}

// NewIndex splits articles into sentences and indexes their terms. It fails
// with ErrNoArticles when there is no article, and when no article has any
// sentence to answer from.
func NewIndex(articles []Article) (*Index, error) {
	if len(articles) == 0 {
		return nil, ErrNoArticles
	}
	b := builder{
		ix: &Index{
			vocab: make(map[string]int32),
			words: make(map[string]int32),
		},
	}
	for i, a := range articles {
		b.addArticle(int32(i), a)
	}
	ix := b.finish()
	if len(ix.sents) == 0 {
		return nil, fmt.Errorf("%w: no article has any sentence", ErrNoArticles)
	}
	return ix, nil
}

// Sources lists the indexed articles with their sentence counts.
func (ix *Index) Sources() []SourceInfo { return slices.Clone(ix.sources) }

// Len returns the number of indexed sentences.
func (ix *Index) Len() int { return len(ix.sents) }

type builder struct {
	ix    *Index
	pairs []termSent // one per distinct term of each sentence
	seen  []int32    // scratch: distinct terms of the current sentence
}

type termSent struct {
	term, sent, tf int32
}

func (b *builder) addArticle(art int32, a Article) {
	ix := b.ix
	ix.texts = append(ix.texts, a.Text)
	info := SourceInfo{Source: a.Source}
	paras := paragraphs(a.Text)
	defer func() { ix.nparas += len(paras) }()
	for pn, p := range paras {
		para := a.Text[p.start:p.end]
		for _, s := range splitSentences(para) {
			b.addSentence(art, int32(ix.nparas+pn), a.Text, p.start+s.start, p.start+s.end)
			info.Sentences++
		}
	}
	ix.sources = append(ix.sources, info)
}

func (b *builder) addSentence(art, para int32, text string, start, end int) {
	ix := b.ix
	sid := int32(len(ix.sents))
	s := sentence{art: art, para: para, start: int32(start), end: int32(end), tok: int32(len(ix.toks)),
		quote: strings.ContainsAny(text[start:end], "\"“”")}
	b.seen = b.seen[:0]
	tokenize(text[start:end], func(t token) {
		id := ix.termOf(t.word)
		ix.toks = append(ix.toks, id)
		ix.flags = append(ix.flags, t.flags)
		if id < 0 {
			return
		}
		s.length++
		ti := &ix.terms[id]
		if t.flags&flagFirst == 0 {
			ti.mid++
			if t.flags&flagCap != 0 {
				ti.caps++
			}
		}
		b.seen = append(b.seen, id)
	})
	s.ntok = int32(len(ix.toks)) - s.tok
	ix.sents = append(ix.sents, s)
	slices.Sort(b.seen)
	for i := 0; i < len(b.seen); {
		j := i
		for j < len(b.seen) && b.seen[j] == b.seen[i] {
			j++
		}
		b.pairs = append(b.pairs, termSent{term: b.seen[i], sent: sid, tf: int32(j - i)})
		i = j
	}
}

// termOf returns the term ID of a lower-case word, adding it to the
// vocabulary; -1 for a stop word. Each distinct word is stemmed once.
func (ix *Index) termOf(word string) int32 {
	if id, ok := ix.words[word]; ok {
		return id
	}
	id := int32(-1)
	if !isStop(word) {
		term := stem(word)
		var ok bool
		if id, ok = ix.vocab[term]; !ok {
			id = int32(len(ix.terms))
			ix.vocab[term] = id
			ix.terms = append(ix.terms, termInfo{text: term, date: isDateWord(word)})
		}
	}
	ix.words[word] = id
	return id
}

// finish builds the postings from the collected (term, sentence) pairs with
// a counting sort, so each term's postings are in sentence order.
func (b *builder) finish() *Index {
	ix := b.ix
	for _, p := range b.pairs {
		ix.terms[p.term].df++
	}
	var off int32
	for i := range ix.terms {
		ix.terms[i].post = off
		off += ix.terms[i].df
	}
	ix.terms = append(ix.terms, termInfo{post: off}) // sentinel
	ix.postings = make([]posting, off)
	next := make([]int32, len(ix.terms))
	for i := range next {
		next[i] = ix.terms[i].post
	}
	for _, p := range b.pairs {
		ix.postings[next[p.term]] = posting{sent: p.sent, tf: p.tf}
		next[p.term]++
	}
	ix.terms = ix.terms[:len(ix.terms)-1]
	ix.terms = slices.Clip(ix.terms)
	var total int64
	for _, s := range ix.sents {
		total += int64(s.length)
	}
	if len(ix.sents) > 0 {
		ix.avgLen = float64(total) / float64(len(ix.sents))
	}
	ix.scratch.New = func() any {
		return &scratch{acc: make([]float32, len(ix.sents)), paraMask: make([]uint64, ix.nparas),
			artMask: make([]uint64, len(ix.texts))}
	}
	b.pairs = nil
	return ix
}

// postingsOf returns the postings of term t.
func (ix *Index) postingsOf(t int32) []posting {
	start := ix.terms[t].post
	end := int32(len(ix.postings))
	if int(t)+1 < len(ix.terms) {
		end = ix.terms[t+1].post
	}
	return ix.postings[start:end]
}

// properNoun reports whether term t is mostly written with a capital where
// it is not the first word of a sentence.
func (ix *Index) properNoun(t int32) bool {
	ti := &ix.terms[t]
	return ti.mid > 0 && 2*ti.caps > ti.mid
}

// idf is the BM25 inverse document frequency of a term in df sentences.
func (ix *Index) idf(df int32) float64 {
	n := float64(len(ix.sents))
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// similar returns the terms of the vocabulary at most one edit (insertion,
// deletion, substitution or swap of neighbours) away from term, which may
// itself be missing from the vocabulary. Terms shorter than 4 letters have
// no neighbours.
func (ix *Index) similar(term string, fn func(id int32)) {
	if len([]rune(term)) < 4 {
		return
	}
	ix.fuzzyOnce.Do(ix.buildFuzzy)
	seen := map[int32]bool{}
	visit := func(key string) {
		for _, id := range ix.fuzzy[key] {
			if !seen[id] && ix.terms[id].text != term && editDistance1(term, ix.terms[id].text) {
				seen[id] = true
				fn(id)
			}
		}
	}
	visit(term)
	deletes(term, visit)
}

func (ix *Index) buildFuzzy() {
	ix.fuzzy = make(map[string][]int32, 4*len(ix.terms))
	for id, t := range ix.terms {
		if len([]rune(t.text)) < 4 {
			continue
		}
		ix.fuzzy[t.text] = append(ix.fuzzy[t.text], int32(id))
		deletes(t.text, func(d string) {
			ix.fuzzy[d] = append(ix.fuzzy[d], int32(id))
		})
	}
}

// deletes calls fn with each string made by deleting one rune of s.
func deletes(s string, fn func(string)) {
	prev := ""
	for i, r := range s {
		d := s[:i] + s[i+len(string(r)):]
		if d != prev {
			fn(d)
		}
		prev = d
	}
}

// editDistance1 reports whether a and b differ by exactly one insertion,
// deletion, substitution, or transposition of neighbouring runes.
func editDistance1(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 {
		return false
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		if i == len(ra) {
			return false
		}
		if string(ra[i+1:]) == string(rb[i+1:]) {
			return true // substitution
		}
		return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
	}
	return string(ra[i+1:]) == string(rb[i:]) // deletion from the longer
}

// isDateWord reports whether a lower-case word names a month or weekday,
// or is a year.
func isDateWord(w string) bool {
	if dateWords[w] {
		return true
	}
	if len(w) == 4 && w[0] >= '1' && w[0] <= '2' {
		for i := 1; i < 4; i++ {
			if w[i] < '0' || w[i] > '9' {
				return false
			}
		}
		return true
	}
	return false
}

var dateWords = setOf(`january february march april may june july august september october november
	december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
	friday saturday sunday today yesterday tomorrow tonight ago century centuries decade decades
	year years month months week weeks morning evening night spring summer autumn winter`)
