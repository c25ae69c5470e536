package qa

// Ranking. A question becomes slots, one for each of its words that is not
// a stop word (an abbreviation the articles never write, "eu", becomes one
// for each word of the name it abbreviates, "european union"). A slot
// matches its own term and, with a lower weight w, the terms that stand for
// the same word: a typo in the question ("sanctoins"), a name spelled two
// ways across articles (Tartus/Tartous, Hmeimim/Khmeimim), or a synonym
// (weapons/arms). A word the articles spell the other side of the Atlantic
// (criticised/criticized, defence/defense) is their word.
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
//	score(s) = h(s) · (bm25'(s) + c·bm25(prev(s))) · (1 + p·phrase(s)) · (1 + a·answer(s))
//	           · coverage(s)^e · (1 + q·coverage(para(s))) · (1 + r·coverage(article(s)))
//
// where bm25'(s) counts each slot once, by its best-matching term; h(s) is
// headlineWeight for a headline or subhead (no final full stop), else 1;
// prev(s) is the sentence before s in the same paragraph (questions
// often name what that sentence set up), phrase(s) is the share of the
// question's neighbouring word pairs that stand within two words of each
// other, in order, in s; answer(s) is 1 when s holds the kind of thing the
// question asks for (a name for "who", a date for "when", a number for "how
// many") beyond the question's own words, or, for a question that only names
// someone ("who is Bogdanov", "peskov?"), a title beside the name ("Deputy
// Foreign Minister Mikhail Bogdanov"); and coverage(s) is the share of
// the question's idf weight that s matches (a slot matched through another
// term counts that term's weight w); para(s) and article(s) are the shares
// matched anywhere in the paragraph and the article holding s. Words of the
// question the articles never use weigh as much as the rarest word, and a
// name they never mention (capitalized inside the question: "What did
// Trump say") nameUnknown times that, as a sentence without it is unlikely
// to answer; the
// word that says the kind of answer ("many" in "how many", "year" in "what
// year") is matched by a number or a date, not by itself. A sentence
// opening with "He" or "She" matches, once, the names of the question that
// prev(s) holds: the pronoun stands for them.
//
// The question is declined when the best sentence's coverage is under
// minCoverage: only a common word or two matched.

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Parameters, chosen by measurement on the dev and SQuAD sets: see
// TestTune in tune_test.go.
var (
	k1             = 1.2
	bParam         = 0.5
	ctxWeight      = 0.2
	phraseBoost    = 0.3
	answerBoost    = 1.0
	covExp         = 1.0
	minCoverage    = 0.3
	typoWeight     = 0.9
	substWeight    = 0.6
	spellWeight    = 0.8
	headlineWeight = 0.7
	minVariant     = 6 // shorter names one edit apart are other names: Assad, Asaad
	synWeight      = 0.5
	nameUnknown    = 3.0 // 2 to 3 decline a third of off-topic questions, costing 0.2% of answerable ones
	inflectWeight  = 0.5
	paraBoost      = 1.0
	artBoost       = 0.5
	candidates     = 24   // rescored in stage 2; 16 to 64 score the same
	commonShare    = 64   // a term in more than 1/commonShare of sentences is common
	minCommon      = 1000 // … and in more than minCommon sentences
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
	id  int32
	w   float64 // weight: 1 for the word itself
	idf float64 // of the term
}

type slot struct {
	term string  // the question's word, stemmed
	idf  float64 // weight of the slot in coverage
	alts []alt
}

type query struct {
	slots []slot
	want  answerKind
	total float64 // Σ slot idf
	shape float64 // weight of the word that says the answer's kind: "many", "year"
	// define is set when the question only names someone ("who is
	// Bogdanov", "peskov?"): the answer gives their role, next to the name
	// ("Deputy Foreign Minister Mikhail Bogdanov").
	define bool
}

// maxTerms bounds the slots of one question, so a huge message costs no
// more than a long question.
const maxTerms = 32

// maxAlts bounds the terms one slot matches.
const maxAlts = 8

// parseQuery turns a question into slots, in memory from sc.
func (ix *Index) parseQuery(q string, sc *scratch) query {
	qu := query{slots: sc.slots[:0]}
	maxIDF := ix.idf(0)
	// addSlot adds a slot for the question's word term: its term id, or -1
	// with the term it is likely a typo of (typo, weighing typoW), or none.
	addSlot := func(term string, id, typo int32, typoW float64, unknownW float64) {
		if len(qu.slots) >= maxTerms {
			return
		}
		for _, s := range qu.slots {
			if s.term == term {
				return // repeated word
			}
		}
		n := len(qu.slots)
		s := slot{term: term, alts: sc.alts[n*maxAlts : n*maxAlts : (n+1)*maxAlts]}
		add := func(v int32, w float64) {
			if len(s.alts) < maxAlts {
				s.alts = append(s.alts, alt{v, w, ix.idfs[v]})
			}
		}
		if id >= 0 {
			add(id, 1)
			s.idf = s.alts[0].idf
			for _, v := range ix.variants(id) {
				switch {
				case suffixOnly(term, ix.terms[v].text):
					add(v, inflectWeight)
				case utf8.RuneCountInString(term) >= minVariant && utf8.RuneCountInString(ix.terms[v].text) >= minVariant:
					add(v, spellWeight)
				}
			}
		} else {
			s.idf = maxIDF * unknownW
			if typo >= 0 {
				add(typo, typoW)
				s.idf = s.alts[0].idf
			}
		}
		for _, syn := range synonyms[term] {
			if v, ok := ix.vocab[syn]; ok && v != id {
				add(v, synWeight)
			}
		}
		if len(s.alts) == 0 {
			// A word the articles never use: it only counts against coverage.
			s.alts = nil
		} else if id < 0 && typo < 0 {
			s.idf = s.alts[0].idf // known only through a synonym
		}
		qu.slots = append(qu.slots, s)
		qu.total += s.idf
	}
	var before string // the word before, when it is a question word
	first := true
	// A capital tells a name only in a question not written all in capitals.
	cased := strings.IndexFunc(q, unicode.IsLower) >= 0
	tokenize(q, func(tk token) {
		if first {
			qu.define = string(tk.word) == "who"
			first = false
		}
		if len(qu.slots) >= maxTerms {
			return
		}
		if qu.want == kindAny {
			asked := before != ""
			qu.want, before = questionKind(before, tk.word)
			if asked && (qu.want == kindNumber || qu.want == kindDate) {
				// "many" in "how many", "year" in "what year": a number or a
				// date in the sentence matches it, not the word itself.
				qu.shape = maxIDF
				if id, ok := ix.words[string(tk.word)]; ok && id >= 0 {
					qu.shape = ix.idfs[id]
				}
				qu.total += qu.shape
				return
			}
			if qu.want == kindAny && before == "" && sayingWords[string(tk.word)] {
				qu.want = kindQuote
			}
		}
		if queryStop[string(tk.word)] {
			return
		}
		id, known := ix.words[string(tk.word)]
		if known && id < 0 {
			return // stop word
		}
		var (
			term    string
			typo    = int32(-1) // for a word the articles do not use: the term it is likely a typo of
			typoW   float64
			spelled []int32 // … or the name it abbreviates
		)
		if known {
			term = ix.terms[id].text
		} else {
			u := ix.unknownWord(tk.word)
			if u == nil {
				return // stop word
			}
			term, id, typo, typoW, spelled = u.term, u.id, u.typo, u.w, u.spelled
		}
		if len(spelled) > 0 {
			// An abbreviation stands for its words: "eu" asks "european union".
			for _, v := range spelled {
				addSlot(ix.terms[v].text, v, -1, 0, 1)
			}
			return
		}
		w := 1.0
		if tk.flags&flagCap != 0 && tk.flags&flagFirst == 0 && cased {
			w = nameUnknown
		}
		addSlot(term, id, typo, typoW, w)
	})
	if qu.define || qu.want == kindAny {
		// "who is Bogdanov" (or "peskov?") asks who that is; "who is the
		// leader" asks for a name.
		qu.define = len(qu.slots) > 0
		for _, s := range qu.slots {
			if len(s.alts) == 0 || !ix.properNoun(s.alts[0].id) || ix.terms[s.alts[0].id].role {
				qu.define = false // "who is the Foreign Minister" asks for a name
			}
		}
	}
	sc.slots = qu.slots
	return qu
}

// unknown is what a question's word that the articles do not use stands for.
type unknown struct {
	term    string  // its stem
	id      int32   // the stem's term, or -1
	typo    int32   // when id is -1: the term it is likely a typo of, or -1
	w       float64 // the weight of that reading
	spelled []int32 // when id and typo are -1: the name it abbreviates ("eu": European Union)
}

// maxUnknown bounds the words unknownWord remembers.
const maxUnknown = 1 << 14

// unknownWord stems a word the articles do not use and looks for the term
// it may be a typo of; nil for a stop word. Up to maxUnknown words are
// remembered, as people ask with the same words again.
func (ix *Index) unknownWord(word []byte) *unknown {
	if v, ok := ix.unknown.Load(string(word)); ok {
		return v.(*unknown)
	}
	w := string(word)
	if isStop(w) {
		return nil
	}
	u := &unknown{term: stem(w), id: -1, typo: -1}
	if id, ok := ix.vocab[u.term]; ok {
		u.id = id
	} else if id := ix.otherSpelling(w); id >= 0 {
		u.term, u.id = ix.terms[id].text, id
	} else {
		ix.similar(u.term, func(v int32) {
			p := typoLikelihood(len(w), u.term, ix.terms[v].text)
			if p > u.w || p == u.w && p > 0 && ix.terms[v].df > ix.terms[u.typo].df {
				u.typo, u.w = v, p
			}
		})
		if u.typo < 0 {
			u.spelled = ix.acronym(w)
		}
	}
	if ix.unknowns.Add(1) <= maxUnknown {
		ix.unknown.Store(w, u)
	}
	return u
}

// spellingPairs are the endings that British and American English spell
// differently: criticised/criticized, defence/defense, centre/center,
// favour/favor, travelled/traveled.
var spellingPairs = [][2]string{
	{"ise", "ize"}, {"ised", "ized"}, {"ises", "izes"}, {"ising", "izing"},
	{"isation", "ization"}, {"isations", "izations"}, {"iser", "izer"},
	{"our", "or"}, {"ours", "ors"}, {"oured", "ored"}, {"ouring", "oring"}, {"ourite", "orite"},
	{"ence", "ense"}, {"ences", "enses"},
	{"tre", "ter"}, {"tres", "ters"},
	{"lled", "led"}, {"lling", "ling"}, {"ller", "ler"},
	{"ogue", "og"}, {"ogues", "ogs"},
}

// otherSpelling returns the term of word spelled the other side of the
// Atlantic, when the articles use that spelling, or -1.
func (ix *Index) otherSpelling(word string) int32 {
	for _, p := range spellingPairs {
		for _, d := range [2][2]string{{p[0], p[1]}, {p[1], p[0]}} {
			if base, ok := strings.CutSuffix(word, d[0]); ok && len(base) >= 2 {
				if id, ok := ix.vocab[stem(base+d[1])]; ok {
					return id
				}
			}
		}
	}
	return -1
}

// variants returns the proper nouns one edit away from proper noun t: the
// same name spelled another way, or inflected. They are found on first use
// and remembered.
func (ix *Index) variants(t int32) []int32 {
	if !ix.properNoun(t) {
		return nil
	}
	if v := ix.variantsOf[t].Load(); v != nil {
		return *v
	}
	var out []int32
	ix.similar(ix.terms[t].text, func(v int32) {
		if ix.properNoun(v) {
			out = append(out, v)
		}
	})
	ix.variantsOf[t].Store(&out)
	return out
}

// typoLikelihood weighs the reading of the question's word q as a typo of
// the articles' term t, one edit away; the word had size bytes. Swapped or
// doubled letters are typing slips (typoWeight); a different letter is as
// often another word ("price", "prize"), so it counts only in longer words
// and for less. Words under five letters are not corrected.
func typoLikelihood(size int, q, t string) float64 {
	rq, rt := []rune(q), []rune(t)
	switch {
	case size < 5:
		return 0
	case len(rq) != len(rt):
		return typoWeight // a letter left out or typed twice
	}
	diff := 0
	for i := range rq {
		if rq[i] != rt[i] {
			diff++
		}
	}
	if diff == 2 {
		return typoWeight // neighbours swapped
	}
	if size >= 7 {
		return substWeight
	}
	return 0
}

// suffixOnly reports whether a and b differ only in their last rune or by
// one rune added at the end, as inflections do ("Russia", "Russian").
func suffixOnly(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	n := min(len(ra), len(rb))
	return string(ra[:n-1]) == string(rb[:n-1])
}

// questionKind returns the kind of answer a question asks for, given its
// word w and the question word before it (if any), and the question word
// to remember for the next call.
func questionKind(before string, w []byte) (answerKind, string) {
	switch string(w) {
	case "who", "whom", "whose", "where", "which":
		return kindName, ""
	case "when":
		return kindDate, ""
	case "how":
		return kindAny, "how"
	case "what":
		return kindAny, "what"
	}
	switch before {
	case "how":
		switch string(w) {
		case "many", "much", "long", "old":
			return kindNumber, ""
		}
	case "what":
		if dateWords[string(w)] || string(w) == "day" || string(w) == "date" {
			return kindDate, ""
		}
	}
	return kindAny, ""
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
	order    [][2]int  // slot and alt, rarest term first
	slots    []slot
	alts     [maxTerms * maxAlts]alt
	terms    []int32  // a sentence's distinct terms
	slotOf   []uint16 // per term: slot<<8 | alt, plus 1; 0 when not in the question
	paraMask []uint64 // slots matched anywhere in each paragraph
	artMask  []uint64 // slots matched anywhere in each article
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
	slices.SortFunc(order, func(x, y [2]int) int {
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
			if sc.acc[p.sent] == 0 {
				sc.touched = append(sc.touched, p.sent)
			}
			sc.acc[p.sent] += w * p.norm
			para := ix.sentPara[p.sent]
			sc.paraMask[para] |= bit
			sc.artMask[ix.paraArt[para]] |= bit
		}
		switch {
		case len(posts) <= common || len(sc.touched) < 4*candidates:
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
			for _, p := range posts {
				if sc.acc[p.sent] != 0 {
					add(p)
				}
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
		var prev *sentence
		if c.sent > 0 && ix.sents[c.sent-1].para == s.para {
			prev = &ix.sents[c.sent-1]
		}
		var antecedent *sentence
		if s.pronoun {
			antecedent = prev
		}
		base, cov, phrase, answer := ix.features(&qu, s, sc.slotOf, antecedent)
		if prev != nil {
			base += ctxWeight * float64(sc.acc[c.sent-1])
		}
		paraCov := qu.coverage(sc.paraMask[s.para])
		artCov := qu.coverage(sc.artMask[s.art])
		if qu.want == kindQuote && s.quote {
			answer = 1
		}
		c.coverage = cov
		if s.headline {
			base *= headlineWeight
		}
		c.score = base * (1 + phraseBoost*phrase) * (1 + answerBoost*answer) * math.Pow(cov, covExp) * (1 + paraBoost*paraCov) * (1 + artBoost*artCov)
	}
	slices.SortFunc(top, byScore)
	for _, sid := range sc.touched {
		sc.acc[sid] = 0
		para := ix.sentPara[sid]
		sc.paraMask[para] = 0
		sc.artMask[ix.paraArt[para]] = 0
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
// phrase share and whether s holds the kind of answer wanted. antecedent,
// when not nil, is the sentence before s, whose names s's opening pronoun
// stands for.
func (ix *Index) features(qu *query, s *sentence, slotOf []uint16, antecedent *sentence) (bm25, coverage, phrase, answer float64) {
	toks := ix.toks[s.tok : s.tok+s.ntok]
	flags := ix.flags[s.tok : s.tok+s.ntok]
	var tf [maxTerms][maxAlts]uint8
	var matched uint64
	// pos[i] is the last position (in non-stop words) where slot i matched.
	var pos [maxTerms]int32
	pairs := 0
	var n int32
	prev := int32(-1)
	lastRole, lastMatch := int32(-100), int32(-100)
	for i, t := range toks {
		if t < 0 {
			continue
		}
		n++
		before := prev
		prev = t
		v := int(slotOf[t])
		if v == 0 {
			if qu.define {
				switch {
				case ix.terms[t].role:
					lastRole = n
					if n-lastMatch <= 2 { // "Bogdanov, the deputy foreign minister"
						answer = 1
					}
				case flags[i]&flagCap == 0:
					lastRole = -100 // a title stands right before the name
				}
				continue
			}
			if answer == 0 && ix.isAnswer(qu.want, t, flags[i]) &&
				!(qu.want == kindNumber && before >= 0 && ix.terms[before].date) { // "February 3" is a date
				answer = 1
			}
			continue
		}
		if qu.define && n-lastRole <= 2 { // "Minister Mikhail Bogdanov"
			answer = 1
		}
		lastMatch = n
		si, ai := (v-1)>>8, (v-1)&0xff
		if tf[si][ai] < 255 {
			tf[si][ai]++
		}
		if si > 0 && matched&(1<<(si-1)) != 0 && n-pos[si-1] <= 2 {
			pairs++
		}
		matched |= 1 << si
		pos[si] = n
	}
	if antecedent != nil {
		// s opens with "He" or "She": the pronoun stands, once, for a name
		// of the question that the sentence before holds.
		for i, t := range ix.toks[antecedent.tok : antecedent.tok+antecedent.ntok] {
			if t < 0 || slotOf[t] == 0 || ix.flags[antecedent.tok+int32(i)]&flagCap == 0 || !ix.properNoun(t) {
				continue
			}
			v := int(slotOf[t])
			si, ai := (v-1)>>8, (v-1)&0xff
			if matched&(1<<si) == 0 {
				tf[si][ai] = 1
				matched |= 1 << si
			}
		}
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
			v := a.w * a.idf * f * (k1 + 1) / (f + norm)
			best = max(best, v)
			bestW = max(bestW, a.w)
		}
		bm25 += best
		got += bestW * sl.idf
	}
	if answer > 0 {
		got += qu.shape
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
