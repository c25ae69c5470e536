package qa

// Analysis: a question becomes a query. Its opening words say the kind of
// answer wanted (kinds.go); each other word that is not a stop word becomes
// a slot, which matches the word's own term and the terms that stand for
// the same word, each tagged with how it matches (matchKind): a name spelled
// another way or inflected (Tartus/Tartous, Russia/Russian), a spelling
// from the other side of the Atlantic, another form of the word's lemma
// (met/meet), a synonym or a derivationally related word from WordNet
// (weapons/arms, visit/visitor), or a typo's correction. The ranker weighs
// each kind of match with its own learned weight.

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/storybot/storybot/qa/internal/lexicon"
	"unicode"
	"unicode/utf8"
)

// matchKind says how a sentence's term matches a question's word.
type matchKind uint8

const (
	matchWord     matchKind = iota // the word's own term (its stem)
	matchVariant                   // the word inflected, or its last letter changed: "russian" for "russia"
	matchSpelling                  // a long name spelled another way: "tartous" for "tartus"
	matchLemma                     // another form of the word's lemma
	matchSynonym                   // a synonym
	matchRelated                   // a derivationally related word
	matchTypo                      // the term the word is likely a typo of
	nMatch
)

var matchNames = [nMatch]string{"word", "variant", "spelling", "lemma", "synonym", "related", "typo"}

func (m matchKind) String() string { return matchNames[m] }

type alt struct {
	id   int32
	kind matchKind
	w    float64 // stage-1 weight: Params.Recall of its kind, times a typo's likelihood
	idf  float64 // of the term
}

type slot struct {
	term string  // the question's word, stemmed
	idf  float64 // weight of the slot in coverage
	alts []alt
	// alone is set for a name the question gives on its own, with no name
	// of the articles before it: "sharaa", not "maher sharaa".
	alone bool
}

type query struct {
	slots []slot
	want  answerKind
	total float64 // Σ slot idf, plus shape
	shape float64 // weight of the word that says the answer's kind: "many", "year"
	// unknown is the idf weight of the question's words that the articles
	// never use, with no synonym or correction in them either; unknownName
	// that of those that look like names: capitalised inside the question
	// ("What did Trump say"), or not English words ("zelensky").
	unknown, unknownName float64
	// unknownWords is that of those WordNet knows: English words the
	// articles never use ("recipe", "mountain"), not typos or chat slang.
	unknownWords float64
	// focus is the sentence the conversation's last answer quoted, plus 1;
	// 0 outside a conversation (conversation.go).
	focus int32
	own   int // the slots of the question's own words, not inherited ones
}

// minVariant is the shortest name that another name one edit away may be
// a spelling of: shorter ones are other names (Assad, Asaad).
const minVariant = 6

// maxTerms bounds the slots of one question, so a huge message costs no
// more than a long question.
const maxTerms = 32

// maxAlts bounds the terms one slot matches.
const maxAlts = 8

// qword is one word of the question, copied out of the tokenizer.
type qword struct {
	word  string
	flags tokFlag
}

// parseQuery turns a question into a query, in memory from sc.
//
// context, when not empty, holds the words a follow-up inherits from the
// turns before it (conversation.go): they become slots after the
// question's own, weighing Params.Context times their idf.
func (ix *Index) parseQuery(q, context string, prior bool, sc *scratch) query {
	p := &ix.params
	qu := query{slots: sc.slots[:0]}
	maxIDF := ix.idf(0)
	words := sc.words[:0]
	add := func(tk token, flags tokFlag) {
		if len(words) >= 4*maxTerms {
			return
		}
		if ws, ok := spelledOut[string(tk.word)]; ok && (flags&flagCap == 0 || flags&flagFirst != 0) {
			for _, w := range ws {
				words = append(words, qword{w, flags})
			}
			return
		}
		words = append(words, qword{string(tk.word), flags})
	}
	tokenize(q, func(tk token) { add(tk, tk.flags) })
	own := len(words)
	tokenize(context, func(tk token) { add(tk, tk.flags&^flagCap) })
	inherited := false
	sc.words = words
	var opening []string
	for i := 0; i < len(words) && i < 6; i++ {
		opening = append(opening, ix.questionWord(words[i].word))
	}
	want, n := askedKind(opening)
	qu.want = want
	if n == 2 && (want == kindNumber || want == kindMoney || want == kindDate || want == kindDuration || want == kindAge) {
		// "many" in "how many", "year" in "what year": a number or a date
		// in the sentence matches it, not the word itself.
		qu.shape = maxIDF
		if id, ok := ix.words[words[1].word]; ok && id >= 0 {
			qu.shape = ix.idfs[id]
		}
		qu.total += qu.shape
	}
	if want == kindAny && len(words) > 0 && sayingWords[words[0].word] ||
		want == kindAny && slicesContainsSaying(words) {
		qu.want = kindQuote
	}
	// A capital tells a name only in a question not written all in capitals.
	cased := strings.IndexFunc(q, unicode.IsLower) >= 0

	// addSlot adds the slot of word (stemmed: term, the articles' term id
	// or -1). u is what unknownWord made of a word the articles do not
	// use; nil for one they use.
	addSlot := func(word, next, term string, id int32, u *unknown, capital bool) {
		if len(qu.slots) >= maxTerms {
			return
		}
		for _, s := range qu.slots {
			if s.term == term {
				return // repeated word
			}
		}
		k := len(qu.slots)
		s := slot{term: term, alts: sc.alts[k*maxAlts : k*maxAlts : (k+1)*maxAlts]}
		add := func(v int32, kind matchKind, w float64) {
			if len(s.alts) >= maxAlts {
				return
			}
			for _, a := range s.alts {
				if a.id == v {
					return
				}
			}
			s.alts = append(s.alts, alt{v, kind, w * p.Recall[kind], ix.weight(v)})
		}
		if id >= 0 {
			add(id, matchWord, 1)
			s.idf = ix.weight(id)
			for _, v := range ix.variants(id) {
				switch {
				case suffixOnly(term, ix.terms[v].text):
					add(v, matchVariant, 1)
				case utf8.RuneCountInString(term) >= minVariant && utf8.RuneCountInString(ix.terms[v].text) >= minVariant:
					add(v, matchSpelling, 1)
				}
			}
		} else if u != nil && u.typo >= 0 {
			add(u.typo, matchTypo, u.w)
			s.idf = ix.weight(u.typo)
		}
		if word != "" {
			for _, a := range ix.lexical(word) {
				add(a.id, a.kind, 1)
			}
			if next != "" {
				for _, a := range ix.phrasal(word, next) {
					add(a.id, a.kind, 1)
				}
			}
		}
		switch {
		case len(s.alts) == 0:
			// A word the articles never use: it only counts against coverage,
			// by how rare it is in English ("get" little, "nba" fully).
			s.alts = nil
			rarity, known := 1.0, false
			if u != nil {
				rarity, known = u.rarity, u.known
			}
			w := maxIDF * rarity
			qu.unknown += w
			if known {
				qu.unknownWords += w
			}
			if capital || !known && utf8.RuneCountInString(word) >= 4 {
				// Capitalised, or no English word: a name, most likely,
				// as typos of the articles' words were corrected above.
				qu.unknownName += w
			}
			s.idf = w
		case s.idf == 0:
			s.idf = s.alts[0].idf // known only through a synonym
		}
		if inherited {
			s.idf *= p.Context
			if prior {
				s.idf *= p.Prior
			}
		} else {
			qu.own++
		}
		qu.slots = append(qu.slots, s)
		qu.total += s.idf
	}
	for i, tk := range words {
		if len(qu.slots) >= maxTerms {
			break
		}
		inherited = i >= own
		if i < n {
			continue // the words that say the kind of answer
		}
		if queryStop[tk.word] || tk.word == "" || ix.questionWord(tk.word) != tk.word {
			continue // "wat": a question word mistyped asks, as the word does, and is no topic
		}
		id, known := ix.words[tk.word]
		if known && id < 0 {
			continue // stop word
		}
		var (
			term string
			u    *unknown
		)
		if known {
			term = ix.terms[id].text
		} else {
			if u = ix.unknownWord([]byte(tk.word)); u == nil {
				continue // stop word
			}
			term, id = u.term, u.id
			if len(u.spelled) > 0 {
				// An abbreviation stands for its words: "eu" asks "european union".
				for _, v := range u.spelled {
					addSlot("", "", ix.terms[v].text, v, nil, false)
				}
				continue
			}
		}
		next := "" // the word after, when it is as much the question's own
		if i+1 < len(words) && (i+1 < own) == (i < own) {
			next = words[i+1].word
		}
		addSlot(tk.word, next, term, id, u, tk.flags&flagCap != 0 && tk.flags&flagFirst == 0 && cased)
	}
	if prior && !slices.ContainsFunc(qu.slots[:qu.own], func(s slot) bool { return len(s.alts) > 0 }) {
		// A prior only weighs among what the question's own words find:
		// none here. (Its own slots come first.)
		qu.slots = qu.slots[:qu.own]
		qu.total = qu.shape
		for _, s := range qu.slots {
			qu.total += s.idf
		}
	}
	name := func(k int) bool {
		a := qu.slots[k].alts
		return len(a) > 0 && a[0].kind == matchWord && ix.properNoun(a[0].id)
	}
	for k := range qu.slots {
		qu.slots[k].alone = name(k) && (k == 0 || !name(k-1)) && (k+1 == len(qu.slots) || !name(k+1))
	}
	if qu.want == kindPerson && len(words) > 0 && words[0].word == "who" || qu.want == kindAny {
		// "who is Bogdanov" (or "peskov?") asks who that is; "who is the
		// leader" asks for a name.
		define := len(qu.slots) > 0
		for _, s := range qu.slots {
			if len(s.alts) == 0 || !ix.properNoun(s.alts[0].id) || ix.terms[s.alts[0].id].role {
				define = false // "who is the Foreign Minister" asks for a name
			}
		}
		if define {
			qu.want = kindDefine
		}
	}
	sc.slots = qu.slots
	return qu
}

// questionWord returns w, or the question word it is a typo of ("wat",
// "wen", "hwo"): a word the articles do not use and that WordNet's tagged
// corpus never does either (it has "wen", a cyst, but never saw it used),
// one edit from a question word.
func (ix *Index) questionWord(w string) string {
	if _, ok := ix.words[w]; ok || len(w) < 3 {
		return w
	}
	if u := ix.unknownWord([]byte(w)); u == nil || u.inUse {
		return w // a stop word, or a word in use
	}
	for _, q := range [...]string{"what", "when", "where", "which", "who", "why", "how"} {
		if editDistance1(w, q) {
			return q
		}
	}
	return w
}

// taggedSentences is about how many sentences WordNet's tagged corpus
// (SemCor, the Brown corpus texts) holds: the N of englishRarity's idf.
const taggedSentences = 37176

// englishRarity is w's idf in general English over that of a word never
// seen, in (0, 1]: the BM25 idf ln(1 + (N−n+½)/(n+½)) of the times n that
// WordNet's tagged corpus uses w's commonest lemma, N taggedSentences. A
// word the articles never use weighs the articles' idf of an unseen word
// times this: "get" (n = 732) 0.35, "win" (117) 0.51, "nba" (0) 1.
func englishRarity(w string) float64 {
	n := 0
	for _, l := range lexicon.Lemmas(w) {
		n = max(n, lexicon.Frequency(l.Word, 0))
	}
	idf := func(n int) float64 {
		return math.Log(1 + (taggedSentences-float64(n)+0.5)/(float64(n)+0.5))
	}
	return max(idf(n), 0) / idf(0)
}

// inUse reports whether w is an English word WordNet's tagged corpus uses
// (it lists "wen", a cyst, and "eu", but never saw them used).
func inUse(w string) bool {
	for _, l := range lexicon.Lemmas(w) {
		if lexicon.Frequency(l.Word, l.POS) > 0 {
			return true
		}
	}
	return false
}

// slicesContainsSaying reports whether a question asks what someone said:
// "what did putin say about sanctions".
func slicesContainsSaying(words []qword) bool {
	if len(words) < 3 || words[0].word != "what" && words[0].word != "how" {
		return false
	}
	for _, w := range words[1:] {
		if sayingWords[w.word] {
			return true
		}
	}
	return false
}

// inflected returns the term of word, or of a regular inflection of it,
// when the articles write that form: a lexicon's word whose stem is only
// shared by another word of the articles ("improver", "improvement") is
// no match.
func (ix *Index) inflected(word string) (int32, bool) {
	if id, ok := ix.words[word]; ok && id >= 0 {
		return id, true
	}
	for _, suffix := range [...]string{"s", "es", "d", "ed", "ing"} {
		if id, ok := ix.words[word+suffix]; ok && id >= 0 {
			return id, true
		}
	}
	if base, ok := strings.CutSuffix(word, "y"); ok {
		if id, ok := ix.words[base+"ies"]; ok && id >= 0 {
			return id, true
		}
	}
	if n := len(word); n >= 3 && !isVowel(word[n-1]) && isVowel(word[n-2]) && !isVowel(word[n-3]) {
		// A final consonant doubles: expel, expelled; ban, banning.
		for _, suffix := range [...]string{"ed", "ing"} {
			if id, ok := ix.words[word+word[n-1:]+suffix]; ok && id >= 0 {
				return id, true
			}
		}
	}
	return -1, false
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// lexAlt is a term of the articles that stands for a question's word
// through the lexicon.
type lexAlt struct {
	id   int32
	kind matchKind
}

// maxLexical bounds the question words whose lexicon matches are
// remembered.
const maxLexical = 1 << 14

// synSenses is how many of a lemma's senses, most frequent first, give
// synonyms: rarer senses are mostly other words ("call" as "name").
const synSenses = 1

// lexical returns the terms of the articles that stand for the question's
// word (in lower case) through WordNet: the stems of its lemmas ("met":
// meet), of their derivationally related words ("visit": visitor) and of
// their synonyms in their commonest senses ("weapons": arms). Found on
// first use and remembered.
func (ix *Index) lexical(word string) []lexAlt {
	return ix.cachedLexical(word, func() []lexAlt {
		own, ok := ix.vocab[stem(word)]
		if !ok {
			own = -1 // not term 0
		}
		var out []lexAlt
		lemmas := lexicon.Lemmas(word)
		for _, l := range lemmas {
			out = ix.appendLexical(out, l.Word, matchLemma, own)
		}
		for _, l := range lemmas {
			for _, r := range lexicon.Related(l.Word) {
				out = ix.appendLexical(out, r, matchRelated, own)
			}
		}
		for _, l := range lemmas {
			for _, syn := range lexicon.Synonyms(l.Word, l.POS, synSenses) {
				out = ix.appendLexical(out, syn, matchSynonym, own)
			}
		}
		for _, syn := range synonyms[stem(word)] {
			if v, ok := ix.vocab[syn]; ok && v != own && !slices.ContainsFunc(out, func(a lexAlt) bool { return a.id == v }) {
				out = append(out, lexAlt{v, matchSynonym})
			}
		}
		return out
	})
}

// phrasal returns the terms that WordNet's two-word verb of word and next
// ("kicked out": kick_out) stands for, as synonyms of word: expel for
// "kicked out", intervene for "step in". nil when the two make no verb.
func (ix *Index) phrasal(word, next string) []lexAlt {
	if !isStop(next) {
		return nil // the second word of such a verb is a particle: out, up, in, about
	}
	return ix.cachedLexical(word+"_"+next, func() []lexAlt { // no word holds "_"
		var out []lexAlt
		for _, l := range lexicon.Lemmas(word) {
			if l.POS != 'v' {
				continue
			}
			for _, syn := range lexicon.Synonyms(l.Word+"_"+next, 'v', synSenses) {
				out = ix.appendLexical(out, syn, matchSynonym, -1)
			}
		}
		return out
	})
}

// cachedLexical returns what find finds for key, remembering up to
// maxLexical keys.
func (ix *Index) cachedLexical(key string, find func() []lexAlt) []lexAlt {
	if v, ok := ix.lexCache.Load(key); ok {
		return v.([]lexAlt)
	}
	out := find()
	if ix.lexCount.Add(1) <= maxLexical {
		ix.lexCache.Store(key, out)
	}
	return out
}

// appendLexical appends to out the term that w, a lemma of the lexicon,
// is written as in the articles, matched as kind: unless w is a stop word,
// the term is own or out holds it already.
func (ix *Index) appendLexical(out []lexAlt, w string, kind matchKind, own int32) []lexAlt {
	if isStop(w) {
		return out
	}
	v, ok := ix.inflected(w)
	if !ok || v == own || slices.ContainsFunc(out, func(a lexAlt) bool { return a.id == v }) {
		return out
	}
	return append(out, lexAlt{v, kind})
}

// unknown is what a question's word that the articles do not use stands for.
type unknown struct {
	term    string  // its stem
	id      int32   // the stem's term, or -1
	typo    int32   // when id is -1: the term it is likely a typo of, or -1
	w       float64 // the weight of that reading
	spelled []int32 // when id and typo are -1: the name it abbreviates ("eu": European Union), or the words it runs together ("phonecall")
	inUse   bool    // an English word in use (inUse): no abbreviation, no typo of a question word
	known   bool    // WordNet knows it (lexicon.Known)
	rarity  float64 // englishRarity
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
	u := &unknown{term: stem(w), id: -1, typo: -1, known: lexicon.Known(w), inUse: inUse(w), rarity: englishRarity(w)}
	if id, ok := ix.vocab[u.term]; ok {
		u.id = id
	} else if id := ix.otherSpelling(w); id >= 0 {
		u.term, u.id = ix.terms[id].text, id
	} else if !u.known {
		// A word WordNet knows is no typo: "bread" is not "read".
		better := func(v int32, p float64) {
			if p > u.w || p == u.w && p > 0 && v != u.typo && ix.terms[v].df > ix.terms[u.typo].df {
				u.typo, u.w = v, p
			}
		}
		ix.similar(u.term, func(v int32) {
			better(v, typoLikelihood(len(w), u.term, ix.terms[v].text, ix.properNoun(v)))
		})
		ix.similarWord(w, func(v int32, written string) {
			better(v, typoLikelihood(len(w), w, written, ix.properNoun(v)))
		})
	}
	if u.id < 0 && u.typo < 0 && !u.inUse {
		// An abbreviation, unless it is an English word in use: "bad" is
		// not Bashar al-Assad in December.
		u.spelled = ix.acronym(w)
	}
	if u.id < 0 && u.typo < 0 && len(u.spelled) == 0 {
		u.spelled = ix.compound(w)
	}
	if ix.unknowns.Add(1) <= maxUnknown {
		ix.unknown.Store(w, u)
	}
	return u
}

// compound returns the terms of two words of the articles that word runs
// together ("phonecall": phone, call), or nil.
func (ix *Index) compound(word string) []int32 {
	if len(word) < 7 {
		return nil
	}
	for i := 3; i <= len(word)-3; i++ {
		a, aok := ix.words[word[:i]]
		b, bok := ix.words[word[i:]]
		if aok && bok && a >= 0 && b >= 0 {
			return []int32{a, b}
		}
	}
	return nil
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
// doubled letters are typing slips (1); a different letter is as often
// another word ("price", "prize"), so it counts only in longer words and
// for half, or in a name, which people spell as they hear it ("peskof").
// Words under five letters are not corrected.
func typoLikelihood(size int, q, t string, name bool) float64 {
	rq, rt := []rune(q), []rune(t)
	switch {
	case size == 4 && doubled(rq, rt):
		return 1 // a letter typed once that the word doubles: asad, assad
	case size < 5:
		return 0
	case len(rq) != len(rt):
		return 1 // a letter left out or typed twice
	}
	diff := 0
	for i := range rq {
		if rq[i] != rt[i] {
			diff++
		}
	}
	if diff == 2 {
		return 1 // neighbours swapped
	}
	if size >= 7 || name {
		return 0.5
	}
	return 0
}

// doubled reports whether a and b differ by one letter that one of them
// doubles and the other writes once.
func doubled(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b) != len(a)+1 {
		return false
	}
	for i := 1; i < len(b); i++ {
		if b[i] == b[i-1] && string(b[:i]) == string(a[:i]) && string(b[i+1:]) == string(a[i:]) {
			return true
		}
	}
	return false
}

// suffixOnly reports whether a and b differ only in their last rune or by
// one rune added at the end, as inflections do ("Russia", "Russian").
func suffixOnly(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	n := min(len(ra), len(rb))
	return string(ra[:n-1]) == string(rb[:n-1])
}

// sayingWords are verbs of saying: a question that uses one asks for what
// someone said.
var sayingWords = wordList("saying.txt")

// queryStop are words that shape a question but say nothing about the
// answer, so a sentence need not hold them.
var queryStop = wordList("querystop.txt")

// spelledOut maps a contraction typed without its apostrophe ("whats")
// or chat shorthand ("abt") to the words it stands for ("what", "is"):
// lists/contractions.txt and lists/shorthand.txt.
var spelledOut = func() map[string][]string {
	m := map[string][]string{}
	for _, name := range []string{"contractions.txt", "shorthand.txt"} {
		for _, kv := range readList(name) {
			if _, dup := m[kv[0]]; dup {
				panic(fmt.Sprintf("qa: lists/%s: %q twice", name, kv[0])) // a test reads the lists
			}
			m[kv[0]] = strings.Fields(kv[1])
		}
	}
	return m
}()
