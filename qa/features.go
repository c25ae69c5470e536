package qa

// Features: what the ranker knows of one candidate sentence s for a query.
// Every feature is a number in about [0, 1] (the logs included), so the
// learned weights compare. The shares are of the query's total idf weight
// W = Σ slot idf (+ the weight of "many" in "how many").

import (
	"math"
)

// Features describes one candidate. The ranker's score is the dot product
// of Vector() with the learned weights (rank.go).
type Features struct {
	BM25    float64 // stage-1 BM25 with each slot counted once, by its best term, over W
	BM25Rel float64 // BM25 over the best candidate's BM25
	// Match[k] is the share of W matched by terms that match a slot in
	// way k (each slot counted once, by its best way).
	Match   [nMatch]float64
	Missing float64 // share of W not matched at all
	// MissingMax is the idf of the rarest word of the question that s does
	// not match, over the idf of a word no sentence holds: a rare word
	// left out ("bitcoin", "recipe") is what makes a near miss.
	MissingMax float64
	// Names is the share of the question's names (words the articles
	// mostly capitalise) that s matches, 1 when it names none; Rarest is 1
	// when s matches the question's rarest word that the articles use.
	Names, Rarest float64
	// Slots is the share of the question's words that s matches, each word
	// counting the same whatever its idf.
	Slots float64
	// OtherName is 1 when a name of the question, asked on its own, stands
	// in s after another name than the one it mostly follows: "Maher
	// al-Sharaa" for "who is sharaa" (names.go).
	OtherName float64
	Phrase    float64 // share of the question's neighbouring word pairs within two words of each other, in order
	Density   float64 // slots matched over the span of words from the first match to the last
	Prev      float64 // stage-1 BM25 of the sentence before, in the paragraph, over W
	Pronoun   float64 // share of W matched by the names of the sentence before that s's opening "He"/"She" stands for
	// Headline is 1 for a headline or subhead (no final full stop).
	Headline float64
	Para     float64 // share of W matched anywhere in s's paragraph
	Article  float64 // share of W matched anywhere in s's article
	Carried  float64 // log(1 + other articles carrying the same sentence among the candidates)
	Length   float64 // log(1 + words) / 4
	First    float64 // 1 for the first sentence of its article after the headline
	Appeal   float64 // 1 for a sentence of the publisher's appeal to the reader
	// In a conversation, of the sentence f that the last answer quoted:
	// FocusArticle is 1 when s is in its article, FocusNear 1/(1+d) for s
	// d sentences from it there, FocusSame 1 when s is f itself.
	FocusArticle, FocusNear, FocusSame float64
	// BareNear and BareSame are FocusNear and FocusSame for a follow-up
	// with no word of its own to match ("by who?", "when?"): it most
	// often asks about the very sentence just quoted.
	BareNear, BareSame float64
	// Unknown is the share of W of words the articles never use (with no
	// synonym or correction either); UnknownName that of those written
	// with a capital ("Trump"). Both are the same for every candidate of
	// a question: they move the probability that it is answered at all.
	Unknown, UnknownName float64
	// UnknownWords is the share of those WordNet knows: English words, not
	// typos or chat slang.
	UnknownWords float64
	// Few is 1/n for a question of n words to match, the same for every
	// candidate: one word matched says less than four ("how to tie a tie").
	Few float64
	// Want[k] is 1 when the question asks for kind k; Has[k] is 1 when it
	// does and s holds that kind beyond the question's own words.
	Want, Has [nKinds]float64
}

// featureNames names the elements of Vector, in order: the keys of the
// weights file.
var featureNames = func() []string {
	names := []string{"bias", "bm25", "bm25_rel"}
	for _, m := range matchNames {
		names = append(names, "match_"+m)
	}
	names = append(names, "missing", "missing_max", "names", "rarest", "slots", "other_name", "phrase", "density", "prev", "pronoun", "headline", "para",
		"article", "carried", "length", "first", "appeal", "unknown", "unknown_name",
		"focus_article", "focus_near", "focus_same", "bare_near", "bare_same")
	for _, k := range kindNames[1:] {
		names = append(names, "want_"+k)
	}
	for _, k := range kindNames[1:] {
		names = append(names, "has_"+k)
	}
	return names
}()

// NumFeatures is the length of a feature vector.
var NumFeatures = len(featureNames)

// FeatureNames returns the names of the elements of a feature vector.
func FeatureNames() []string { return append([]string(nil), featureNames...) }

// Vector appends f's elements to dst in the order of FeatureNames; the
// first is the constant 1 that the bias weighs.
func (f *Features) Vector(dst []float64) []float64 {
	dst = append(dst, 1, f.BM25, f.BM25Rel)
	dst = append(dst, f.Match[:]...)
	dst = append(dst, f.Missing, f.MissingMax, f.Names, f.Rarest, f.Slots, f.OtherName, f.Phrase, f.Density, f.Prev, f.Pronoun, f.Headline, f.Para,
		f.Article, f.Carried, f.Length, f.First, f.Appeal, f.Unknown, f.UnknownName, f.FocusArticle, f.FocusNear, f.FocusSame, f.BareNear, f.BareSame)
	dst = append(dst, f.Want[1:]...)
	return append(dst, f.Has[1:]...)
}

// lengthFeature is log(1 + words) / 4, from a table for the usual lengths:
// the logarithm was a twentieth of answering.
func lengthFeature(words int32) float64 {
	if words >= 0 && int(words) < len(lengthTable) {
		return lengthTable[words]
	}
	return math.Log1p(float64(words)) / 4
}

var lengthTable = func() (t [128]float64) {
	for i := range t {
		t[i] = math.Log1p(float64(i)) / 4
	}
	return t
}()

// features computes the features of sentence s for query qu that depend
// on s alone; rank fills in the ones that compare candidates. antecedent,
// when not nil, is the sentence before s, whose names s's opening pronoun
// stands for.
func (ix *Index) features(qu *query, s *sentence, slotOf []uint16, antecedent *sentence, f *Features) {
	p := &ix.params
	toks := ix.toks[s.tok : s.tok+s.ntok]
	flags := ix.flags[s.tok : s.tok+s.ntok]
	var tf [maxTerms][maxAlts]uint8
	var matched uint64
	// pos[i] is the last position (in non-stop words) where slot i matched.
	var pos [maxTerms]int32
	pairs := 0
	var n, firstMatch, lastMatchPos int32
	prev := int32(-1)
	lastRole, lastMatch := int32(-100), int32(-100)
	has := kindSet(0)
	want := qu.want
	for i, t := range toks {
		if t < 0 {
			continue
		}
		n++
		before := prev
		prev = t
		v := int(slotOf[t])
		if v == 0 {
			switch {
			case want == kindDefine:
				switch {
				case ix.terms[t].role:
					lastRole = n
					if n-lastMatch <= 2 { // "Bogdanov, the deputy foreign minister"
						has |= 1 << kindDefine
					}
				case flags[i]&flagCap == 0:
					lastRole = -100 // a title stands right before the name
				}
			case want == kindPerson || want == kindPlace || want == kindName:
				if flags[i]&flagCap != 0 && flags[i]&flagFirst == 0 && ix.properNoun(t) {
					has |= 1 << want
				}
			case want == kindDate:
				if ix.terms[t].date {
					has |= 1 << kindDate
				}
			case want == kindNumber:
				if (flags[i]&flagNumber != 0 || ix.terms[t].number) &&
					!(before >= 0 && ix.terms[before].date) { // "February 3" is a date
					has |= 1 << kindNumber
				}
			}
			continue
		}
		other := flags[i]&flagCap != 0 && qu.slots[(v-1)>>8].alone && ix.otherName(toks, flags, i)
		if other {
			f.OtherName = 1
		}
		if want == kindDefine && n-lastRole <= 2 && !other { // "Minister Mikhail Bogdanov", not "Minister Maher al-Sharaa" for "sharaa"
			has |= 1 << kindDefine
		}
		lastMatch = n
		if firstMatch == 0 {
			firstMatch = n
		}
		lastMatchPos = n
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
	switch want {
	case kindDuration, kindMoney, kindAge, kindReason, kindManner:
		if s.kinds.has(want) {
			has |= 1 << want
		}
	case kindQuote:
		if s.quote {
			has |= 1 << kindQuote
		}
	}
	direct := matched
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
	norm := p.K1 * (1 - p.B + p.B*float64(s.length)/ix.avgLen)
	var bm25, got float64
	nmatched := 0
	maxIDF := ix.maxIDF
	var names, namesHit int
	rarest, rarestIDF := -1, 0.0
	for si := range qu.slots {
		sl := &qu.slots[si]
		if len(sl.alts) > 0 && sl.alts[0].kind == matchWord {
			if ix.properNoun(sl.alts[0].id) {
				names++
				if matched&(1<<si) != 0 {
					namesHit++
				}
			}
			if sl.idf > rarestIDF {
				rarest, rarestIDF = si, sl.idf
			}
		}
	}
	f.Names = 1
	if names > 0 {
		f.Names = float64(namesHit) / float64(names)
	}
	if rarest >= 0 && matched&(1<<rarest) != 0 {
		f.Rarest = 1
	}
	for si := range qu.slots {
		if matched&(1<<si) == 0 {
			f.MissingMax = max(f.MissingMax, min(qu.slots[si].idf, maxIDF)/maxIDF)
			continue
		}
		nmatched++
		sl := &qu.slots[si]
		var best float64
		bestKind := nMatch
		for ai, a := range sl.alts {
			if tf[si][ai] == 0 {
				continue
			}
			x := float64(tf[si][ai])
			best = max(best, a.w*a.idf*x*(p.K1+1)/(x+norm))
			bestKind = min(bestKind, a.kind)
		}
		bm25 += best
		got += sl.idf
		if direct&(1<<si) == 0 {
			f.Pronoun += sl.idf
		} else {
			f.Match[bestKind] += sl.idf
		}
	}
	if has.has(want) && qu.shape > 0 {
		got += qu.shape
		f.Match[matchWord] += qu.shape
	}
	if qu.total > 0 {
		inv := 1 / qu.total
		f.BM25 = bm25 * inv
		for k := range f.Match {
			f.Match[k] *= inv
		}
		f.Pronoun *= inv
		f.Missing = 1 - got*inv
		f.Unknown = qu.unknown * inv
		f.UnknownWords = qu.unknownWords * inv
		f.UnknownName = qu.unknownName * inv
	}
	f.BM25Rel = bm25 // normalised in rank
	if len(qu.slots) > 0 {
		f.Slots = float64(nmatched) / float64(len(qu.slots))
		f.Few = 1 / float64(len(qu.slots))
	}
	if len(qu.slots) > 1 {
		f.Phrase = math.Min(1, float64(pairs)/float64(len(qu.slots)-1))
	}
	if lastMatchPos > firstMatch {
		f.Density = float64(nmatched) / float64(lastMatchPos-firstMatch+1)
	} else if nmatched > 0 {
		f.Density = 1
	}
	if s.headline {
		f.Headline = 1
	}
	f.Length = lengthFeature(s.length)
	if want != kindAny {
		f.Want[want] = 1
		if has.has(want) {
			f.Has[want] = 1
		}
	}
}
