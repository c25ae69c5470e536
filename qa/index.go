package qa

import (
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/storybot/storybot/qa/internal/lexicon"
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
	dterms   []int32   // each sentence's distinct terms, sorted
	avgLen   float64
	nparas   int

	acronymOnce sync.Once
	acronyms    map[string][]int32 // initials of a name of several words → its terms
	fuzzyOnce   sync.Once
	fuzzy       map[string][]int32 // 1-deletion neighbourhood → term IDs
	// fuzzyWords is the same over the articles' words as written, whose
	// typos stemming can hide ("famliy" is one swap from "family", but its
	// stem "famliy" three edits from "famili"): neighbourhood → index in
	// surface.
	fuzzyWords  map[string][]int32
	surface     []string
	variantsOf  []atomic.Pointer[[]int32]
	idfs        []float64 // per term
	weights     []float64 // per term: what it weighs in a question (weight)
	maxIDF      float64   // idf of a term no sentence holds
	sentPara    []int32   // per sentence: its paragraph (sents[i].para, packed for the hot loop)
	paraArt     []int32   // per paragraph: its article
	unknown     sync.Map  // question word not in the articles → *unknown
	unknowns    atomic.Int64
	partnerOnce sync.Once
	partner     []int32  // per term: the name most often right before it (names.go)
	lexCache    sync.Map // question word → []lexAlt
	lexCount    atomic.Int64

	params  Params
	scratch sync.Pool
	story   storyCache // summary, timeline, who's who: story.go
}

type sentence struct {
	art        int32
	start, end int32 // byte range in texts[art]
	para       int32 // paragraph number in the whole index
	tok        int32
	ntok       int32
	length     int32 // words that are not stop words
	quote      bool  // holds a quotation
	headline   bool  // ends with no full stop: a headline or subhead
	pronoun    bool  // opens with "He" or "She": it goes on about someone just named
	standIn    bool  // opens with a stand-in for someone just named: "The Russian leader"
	lead       bool  // the first sentence of its article that is not a headline
	appeal     bool  // in the publisher's appeal to the reader at the end of the page (paragraphs)
	kinds      kindSet
	sig        uint64 // bit (term mod 64) set for each of its terms
	dterm      int32  // its distinct terms, sorted, start at dterms[dterm]
	nterm      int32  // how many distinct terms it has
}

type termInfo struct {
	text   string
	df     int32 // sentences holding the term
	post   int32 // first posting
	caps   int32 // occurrences written with a capital inside a sentence
	mid    int32 // occurrences not first in their sentence
	date   bool  // a month, weekday or year
	role   bool  // a title or office: minister, president, spokesman
	number bool  // a number, in digits or words
}

// posting is one sentence holding a term, with the term's BM25 term
// frequency factor there: tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)).
type posting struct {
	sent int32
	norm float32
}

// NewIndex splits articles into sentences and indexes their terms. It fails
// with ErrNoArticles when there is no article, and when no article has any
// sentence to answer from.
//
// Articles are split and tokenized in parallel, one worker per CPU, each
// keeping its own table of distinct words; then every distinct word is
// stemmed once, again on every CPU, and the index is assembled in article
// order.
func NewIndex(articles []Article) (*Index, error) {
	if len(articles) == 0 {
		return nil, ErrNoArticles
	}
	workers := min(runtime.GOMAXPROCS(0), len(articles))
	parsers := make([]*parser, workers)
	out := make([]parsed, len(articles))
	var wg sync.WaitGroup
	for w := range parsers {
		p := &parser{local: make(map[string]int32, 1024)}
		parsers[w] = p
		wg.Go(func() {
			// Worker w takes articles w, w+workers, …: a fixed share, so
			// that terms are numbered the same on every run and ties
			// between them break the same way.
			for i := w; i < len(articles); i += workers {
				out[i] = p.parse(articles[i])
				out[i].parser = p
			}
		})
	}
	wg.Wait()

	ntok, nsent := 0, 0
	for i := range out {
		ntok += len(out[i].toks)
		nsent += len(out[i].sents)
	}
	b := builder{
		ix: &Index{
			params: defaultParams,
			toks:   make([]int32, 0, ntok),
			flags:  make([]tokFlag, 0, ntok),
			sents:  make([]sentence, 0, nsent),
		},
		pairs: make([]termSent, 0, ntok/2),
	}
	b.vocabulary(parsers, workers)
	for i := range out {
		b.add(int32(i), articles[i], &out[i])
	}
	ix := b.finish()
	if len(ix.sents) == 0 {
		return nil, ErrNoSentences
	}
	return ix, nil
}

// Sources lists the indexed articles with their sentence counts.
func (ix *Index) Sources() []SourceInfo { return slices.Clone(ix.sources) }

// Len returns the number of indexed sentences.
func (ix *Index) Len() int { return len(ix.sents) }

// parser splits and tokenizes articles on one worker. Words are numbered in
// its own table; the builder's vocabulary maps them to terms once all are
// parsed.
type parser struct {
	local map[string]int32 // lower-case word → local number
	words []string
	cues  []wordCue // per local number
	trans []int32   // local number → term ID (-1: stop word), filled by the builder
}

// parsed is one article split into sentences of locally numbered words.
type parsed struct {
	parser *parser
	sents  []sentence // tok and ntok index toks; para counts from 0
	toks   []int32
	flags  []tokFlag
	nparas int
}

func (p *parser) parse(a Article) parsed {
	words := len(a.Text)/5 + 1 // news English runs about six bytes a word
	out := parsed{
		toks:  make([]int32, 0, words),
		flags: make([]tokFlag, 0, words),
		sents: make([]sentence, 0, words/16+1),
	}
	paras, appeal := paragraphs(a.Text)
	out.nparas = len(paras)
	lead := true
	for pn, ps := range paras {
		para := a.Text[ps.start:ps.end]
		for _, ss := range splitSentences(para) {
			start, end := ps.start+ss.start, ps.start+ss.end
			s := sentence{para: int32(pn), start: int32(start), end: int32(end), tok: int32(len(out.toks)),
				quote: hasQuote(a.Text[start:end]), headline: isHeadline(a.Text[start:end]),
				pronoun: opensWithPronoun(a.Text[start:end]), standIn: opensWithStandIn(a.Text[start:end]), appeal: pn >= appeal}
			if lead && !s.headline {
				s.lead, lead = true, false
			}
			kinds := newKindScan()
			tokenize(a.Text[start:end], func(t token) {
				n := p.number(t.word)
				out.toks = append(out.toks, n)
				out.flags = append(out.flags, t.flags)
				kinds.word(t.word, t.flags, p.cues[n])
			})
			s.kinds = kinds.finish(a.Text[start:end])
			s.ntok = int32(len(out.toks)) - s.tok
			out.sents = append(out.sents, s)
		}
	}
	return out
}

// isHeadline reports whether sentence s ends without a full stop, a
// question or an exclamation mark.
func isHeadline(s string) bool {
	s = strings.TrimRightFunc(s, isCloser)
	r, _ := utf8.DecodeLastRuneInString(s)
	return r != '.' && r != '?' && r != '!' && r != '…'
}

// opensWithPronoun reports whether s opens with "He" or "She".
func opensWithPronoun(s string) bool {
	for _, p := range [...]string{"He ", "She "} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// opensWithStandIn reports whether s opens with "The" and a title within
// its first four words: "The Russian leader also stressed…".
func opensWithStandIn(s string) bool {
	if !strings.HasPrefix(s, "The ") {
		return false
	}
	n, found := 0, false
	tokenize(s, func(t token) {
		n++
		if n > 1 && n <= 4 && roleWords[string(t.word)] {
			found = true
		}
	})
	return found
}

// hasQuote reports whether s holds a quotation mark.
func hasQuote(s string) bool {
	return strings.IndexByte(s, '"') >= 0 || strings.Contains(s, "“") || strings.Contains(s, "”")
}

// number returns the local number of a lower-case word, stemming it when
// first seen.
func (p *parser) number(word []byte) int32 {
	if n, ok := p.local[string(word)]; ok {
		return n
	}
	w := string(word)
	n := int32(len(p.words))
	p.local[w] = n
	p.words = append(p.words, w)
	p.cues = append(p.cues, cueOf(w))
	return n
}

type builder struct {
	ix    *Index
	pairs []termSent // one per distinct term of each sentence
	seen  []int32    // scratch: distinct terms of the current sentence
}

type termSent struct {
	term, sent, tf int32
}

// add appends one parsed article to the index.
func (b *builder) add(art int32, a Article, pa *parsed) {
	ix := b.ix
	ix.texts = append(ix.texts, a.Text)
	ix.sources = append(ix.sources, SourceInfo{Source: a.Source, Date: a.Date, Sentences: len(pa.sents)})
	p := pa.parser
	for _, s := range pa.sents {
		sid := int32(len(ix.sents))
		toks := pa.toks[s.tok : s.tok+s.ntok]
		flags := pa.flags[s.tok : s.tok+s.ntok]
		s.art = art
		s.para += int32(ix.nparas)
		s.tok = int32(len(ix.toks))
		b.seen = b.seen[:0]
		for i, local := range toks {
			id := p.trans[local]
			ix.toks = append(ix.toks, id)
			ix.flags = append(ix.flags, flags[i])
			if id < 0 {
				continue
			}
			s.length++
			s.sig |= 1 << (uint32(id) % 64)
			if flags[i]&flagFirst == 0 {
				ti := &ix.terms[id]
				ti.mid++
				if flags[i]&flagCap != 0 {
					ti.caps++
				}
			}
			b.seen = append(b.seen, id)
		}
		s.dterm = int32(len(b.pairs))
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
		ix.sents[sid].nterm = int32(len(b.pairs)) - s.dterm
	}
	ix.nparas += pa.nparas
}

// vocabulary numbers the distinct words of every parser, stems each once
// (split evenly over the workers), and fills in each parser's trans table
// from its local word numbers to term IDs.
func (b *builder) vocabulary(parsers []*parser, workers int) {
	ix := b.ix
	// The first parser's table becomes the index's: the others' words are
	// added to it, and its numbers are rewritten to term IDs at the end.
	first := parsers[0]
	ix.words = first.local
	distinct := first.words
	first.trans = make([]int32, len(first.words))
	for i := range first.trans {
		first.trans[i] = int32(i)
	}
	for _, p := range parsers[1:] {
		p.trans = make([]int32, len(p.words))
		for i, w := range p.words {
			n, ok := ix.words[w]
			if !ok {
				n = int32(len(distinct))
				ix.words[w] = n
				distinct = append(distinct, w)
			}
			p.trans[i] = n
		}
	}
	// Stems are worked out on every CPU; a stop word's stays "".
	stems := make([]string, len(distinct))
	var wg sync.WaitGroup
	var nstems atomic.Int64
	chunk := max(1, (len(distinct)+workers-1)/workers)
	for lo := 0; lo < len(distinct); lo += chunk {
		hi := min(lo+chunk, len(distinct))
		wg.Go(func() {
			n := 0
			for i := lo; i < hi; i++ {
				if w := distinct[i]; !isStop(w) {
					stems[i] = stem(w)
					n++
				}
			}
			nstems.Add(int64(n))
		})
	}
	wg.Wait()
	ix.vocab = make(map[string]int32, nstems.Load())
	ix.terms = make([]termInfo, 0, nstems.Load()+1) // +1: finish's sentinel
	ids := make([]int32, len(distinct))
	for i, w := range distinct {
		id := int32(-1)
		if st := stems[i]; st != "" {
			var ok bool
			if id, ok = ix.vocab[st]; !ok {
				id = int32(len(ix.terms))
				ix.vocab[st] = id
				ix.terms = append(ix.terms, termInfo{text: st})
			}
			if isDateWord(w) {
				ix.terms[id].date = true
			}
			if roleWords[w] {
				ix.terms[id].role = true
			}
			if _, ok := lexicon.Number(w); ok && !isDateWord(w) {
				ix.terms[id].number = true // "three", "twenty-five", "1,000"
			}
		}
		ids[i] = id
		ix.words[w] = id
	}
	for _, p := range parsers {
		for i, n := range p.trans {
			p.trans[i] = ids[n]
		}
	}
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
	ix.dterms = make([]int32, len(b.pairs))
	for i, p := range b.pairs {
		ix.dterms[i] = p.term
	}
	var total int64
	for _, s := range ix.sents {
		total += int64(s.length)
	}
	ix.avgLen = float64(total) / float64(max(1, len(ix.sents)))
	p := &ix.params
	for _, pr := range b.pairs {
		tf := float64(pr.tf)
		l := float64(ix.sents[pr.sent].length)
		norm := tf * (p.K1 + 1) / (tf + p.K1*(1-p.B+p.B*l/ix.avgLen))
		ix.postings[next[pr.term]] = posting{sent: pr.sent, norm: float32(norm)}
		next[pr.term]++
	}
	ix.terms = ix.terms[:len(ix.terms)-1]
	ix.terms = slices.Clip(ix.terms)
	ix.variantsOf = make([]atomic.Pointer[[]int32], len(ix.terms))
	ix.sentPara = make([]int32, len(ix.sents))
	ix.paraArt = make([]int32, ix.nparas)
	for i, s := range ix.sents {
		ix.sentPara[i] = s.para
		ix.paraArt[s.para] = s.art
	}
	ix.maxIDF = ix.idf(0)
	ix.idfs = make([]float64, len(ix.terms))
	for i, t := range ix.terms {
		ix.idfs[i] = ix.idf(t.df)
	}
	ix.weights = ix.questionWeights()
	ix.scratch.New = func() any {
		return &scratch{acc: make([]float32, len(ix.sents)), seen: make([]uint64, (len(ix.sents)+63)/64), paraMask: make([]uint64, ix.nparas),
			slotOf:  make([]uint16, len(ix.terms)),
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

// weight is what term t weighs in a question: its idf, but no more than
// English's use of it allows, the weight of a word no sentence holds times
// its rarity (the bound the words the articles never use have): one
// sentence of five articles opening "Still, …" does not make "still" a
// question's rarest word, nor "state" the weight of a rare synonym. A
// name keeps its idf.
func (ix *Index) weight(t int32) float64 { return ix.weights[t] }

// questionWeights works out weight for every term, once: a term's rarity
// is the least englishRarity of the words the articles write for it.
func (ix *Index) questionWeights() []float64 {
	rarity := make([]float32, len(ix.terms))
	for i := range rarity {
		rarity[i] = 1
	}
	for w, id := range ix.words {
		if id >= 0 {
			rarity[id] = min(rarity[id], float32(englishRarity(w)))
		}
	}
	weights := make([]float64, len(ix.terms))
	for t := range weights {
		weights[t] = ix.idfs[t]
		if !ix.properNoun(int32(t)) {
			weights[t] = min(ix.idfs[t], ix.maxIDF*float64(rarity[t]))
		}
	}
	return weights
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
	ix.fuzzyOnce.Do(ix.buildFuzzy)
	oneEdit(term, ix.fuzzy, func(id int32) string { return ix.terms[id].text }, fn)
}

// similarWord calls fn with each term one edit from w as the articles
// write it, and that written form.
func (ix *Index) similarWord(w string, fn func(id int32, written string)) {
	ix.fuzzyOnce.Do(ix.buildFuzzy)
	oneEdit(w, ix.fuzzyWords, func(k int32) string { return ix.surface[k] }, func(k int32) {
		fn(ix.words[ix.surface[k]], ix.surface[k])
	})
}

// oneEdit calls fn with the entries (up to 16) of table, which maps each
// text and its 1-deletion neighbourhood to the entries written so, whose
// text is one edit from w. Texts shorter than 4 letters have none.
func oneEdit(w string, table map[string][]int32, text func(int32) string, fn func(int32)) {
	if len([]rune(w)) < 4 {
		return
	}
	var seen [16]int32
	n := 0
	visit := func(key []byte) {
		for _, k := range table[string(key)] {
			if n == len(seen) || slices.Contains(seen[:n], k) {
				continue
			}
			if t := text(k); t != w && editDistance1(w, t) {
				seen[n] = k
				n++
				fn(k)
			}
		}
	}
	var buf [64]byte
	visit(append(buf[:0], w...))
	deletes(w, buf[:0], visit)
}

func (ix *Index) buildFuzzy() {
	for w, id := range ix.words {
		if id >= 0 {
			ix.surface = append(ix.surface, w)
		}
	}
	slices.Sort(ix.surface)
	ix.fuzzyWords = neighbourhoods(len(ix.surface), func(k int) string { return ix.surface[k] })
	ix.fuzzy = neighbourhoods(len(ix.terms), func(id int) string { return ix.terms[id].text })
}

// neighbourhoods maps each of n texts of 4 letters or more, and each
// string one deletion from it, to the texts' numbers.
func neighbourhoods(n int, text func(int) string) map[string][]int32 {
	m := make(map[string][]int32, 4*n)
	for k := range n {
		t := text(k)
		if len([]rune(t)) < 4 {
			continue
		}
		m[t] = append(m[t], int32(k))
		deletes(t, nil, func(d []byte) {
			m[string(d)] = append(m[string(d)], int32(k))
		})
	}
	return m
}

// deletes calls fn with each distinct string made by deleting one rune of
// s, built in buf, which fn must not keep.
func deletes(s string, buf []byte, fn func([]byte)) {
	var prev rune = -1
	for i, r := range s {
		if r == prev {
			continue // deleting either of two equal neighbours gives the same
		}
		prev = r
		buf = append(append(buf[:0], s[:i]...), s[i+utf8.RuneLen(r):]...)
		fn(buf)
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

// roleWords are titles and offices: who someone is.
var roleWords = wordList("role.txt")

var dateWords = wordList("date.txt")

// acronym returns the terms of the name of several words whose initials
// are word ("eu": European Union, "hts": Hayat Tahrir al-Sham), or nil.
func (ix *Index) acronym(word string) []int32 {
	if n := utf8.RuneCountInString(word); n < 2 || n > 5 {
		return nil
	}
	ix.acronymOnce.Do(ix.buildAcronyms)
	return ix.acronyms[word]
}

// buildAcronyms maps the initials of every run of two to five capitalized
// proper nouns, lower-case stop words ("al", "of") within it skipped, to the
// run's terms: the first run found for each.
func (ix *Index) buildAcronyms() {
	ix.acronyms = map[string][]int32{}
	var run []int32
	var key []byte
	flush := func() {
		// Every stretch of the run: "United States and European Union"
		// holds "us" and "eu".
		for i := range run {
			key = key[:0]
			for j := i; j < min(len(run), i+5); j++ {
				r, _ := utf8.DecodeRuneInString(ix.terms[run[j]].text)
				key = utf8.AppendRune(key, r)
				if _, ok := ix.acronyms[string(key)]; j > i && !ok {
					ix.acronyms[string(key)] = slices.Clone(run[i : j+1])
				}
			}
		}
		run = run[:0]
	}
	for _, s := range ix.sents {
		for i := s.tok; i < s.tok+s.ntok; i++ {
			t, f := ix.toks[i], ix.flags[i]
			switch {
			case t < 0 && f&flagCap == 0 && len(run) > 0:
				// a particle inside a name
			case t >= 0 && f&flagCap != 0 && ix.properNoun(t):
				run = append(run, t)
			default:
				flush()
			}
		}
		flush()
	}
}
