package qa

// Kinds of answer. A question asks for a kind of answer (lists/questions.txt
// maps its first words to one: "how long" asks for a duration); a sentence
// holds kinds (a number beside a unit of time is a duration, a word of
// lists/cues.txt beside a number a sum of money). The ranker weighs both as
// features, so "how long was the call" finds no good answer in articles
// that never say how long.

import (
	"embed"
	"fmt"
	"strings"

	"github.com/storybot/storybot/qa/internal/lexicon"
)

type answerKind uint8

const (
	kindAny answerKind = iota
	kindPerson
	kindPlace
	kindName // "which …": a name of any sort
	kindDate
	kindDuration
	kindNumber
	kindMoney
	kindAge
	kindReason
	kindManner
	kindYesNo
	kindDefine // "who is Bogdanov", "peskov?": the role beside the name
	kindQuote  // what someone said: a sentence with a quotation
	nKinds
)

var kindNames = [nKinds]string{"any", "person", "place", "name", "date", "duration", "number",
	"money", "age", "reason", "manner", "yesno", "define", "quote"}

func (k answerKind) String() string { return kindNames[k] }

// kindSet is a set of kinds, a bit each.
type kindSet uint16

func (s kindSet) has(k answerKind) bool { return s&(1<<k) != 0 }

//go:embed lists/*.txt
var lists embed.FS

// readList returns the "key: words" lines of lists/name, comments and
// blank lines skipped.
func readList(name string) [][2]string {
	var out [][2]string
	for _, line := range listLines(name) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			panic(fmt.Sprintf("qa: lists/%s: no colon in %q", name, line))
		}
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out
}

// listLines returns the lines of lists/name that are not blank or comments.
func listLines(name string) []string {
	data, err := lists.ReadFile("lists/" + name)
	if err != nil {
		panic(fmt.Sprintf("qa: embedded list %s: %v", name, err)) // the build embeds it
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && line[0] != '#' {
			out = append(out, line)
		}
	}
	return out
}

// wordList returns the words of lists/name as a set.
func wordList(name string) map[string]bool {
	m := map[string]bool{}
	for _, line := range listLines(name) {
		for _, w := range strings.Fields(line) {
			m[w] = true
		}
	}
	return m
}

func kindNamed(name string) answerKind {
	for k, n := range kindNames {
		if n == name {
			return answerKind(k)
		}
	}
	panic(fmt.Sprintf("qa: no answer kind %q", name))
}

// questionWords maps the opening words of a question ("how long") to the
// kind they ask for.
var questionWords = func() map[string]answerKind {
	m := map[string]answerKind{}
	for _, kv := range readList("questions.txt") {
		m[kv[0]] = kindNamed(kv[1])
	}
	return m
}()

// cueWords maps a word to the kinds it is a cue of in a sentence.
var cueWords = func() map[string]kindSet {
	m := map[string]kindSet{}
	for _, kv := range readList("cues.txt") {
		k := kindNamed(kv[0])
		for _, w := range strings.Fields(kv[1]) {
			m[w] |= 1 << k
		}
	}
	return m
}()

// yesNoOpeners are the words that open a yes/no question.
var yesNoOpeners = setOf(`is are was were am do does did can could will would has have had should shall`)

// askedKind returns the kind of answer asked for by a question whose first
// words (lower case) are w, and how many of them say it.
func askedKind(w []string) (answerKind, int) {
	for n := min(2, len(w)); n >= 1; n-- {
		if k, ok := questionWords[strings.Join(w[:n], " ")]; ok {
			return k, n
		}
	}
	// A question word after a few words of chat: "so when did ...".
	for i := 1; i < min(len(w), 4); i++ {
		for n := min(2, len(w)-i); n >= 1; n-- {
			if k, ok := questionWords[strings.Join(w[i:i+n], " ")]; ok && k != kindManner {
				return k, 0
			}
		}
	}
	if len(w) > 1 && yesNoOpeners[w[0]] {
		return kindYesNo, 0
	}
	return kindAny, 0
}

// kindScan finds the kinds a sentence holds, from its words in order
// (lower case, stop words included).
type kindScan struct {
	set       kindSet
	numberN   int  // words since the last number
	afterYear bool // the word before was "year" or "years"
	afterAged bool // the word before was "aged"
}

func newKindScan() kindScan { return kindScan{numberN: 100} }

// wordCue is what kindScan needs to know of a word, worked out once per
// distinct word.
type wordCue struct {
	cue    kindSet
	number bool // spells a number: "three", "twenty-five"
	date   bool
}

func cueOf(word string) wordCue {
	_, spelled := lexicon.Number(word)
	return wordCue{cue: cueWords[word], number: spelled, date: isDateWord(word)}
}

func (k *kindScan) word(word []byte, f tokFlag, wc wordCue) {
	isNum := f&flagNumber != 0 || wc.number
	cue := wc.cue
	near := k.numberN <= 2
	if isNum {
		k.set |= 1 << kindNumber
		k.numberN = 0
	} else {
		k.numberN++
	}
	switch {
	case cue.has(kindDuration) && near && !isNum:
		k.set |= 1 << kindDuration
	case cue.has(kindMoney) && near:
		k.set |= 1 << kindMoney
	}
	// "58-year-old", "aged 58": an age.
	if string(word) == "old" && k.afterYear || k.afterAged && isNum {
		k.set |= 1 << kindAge
	}
	k.afterYear = string(word) == "year" || string(word) == "years"
	k.afterAged = string(word) == "aged"
	if cue.has(kindReason) {
		k.set |= 1 << kindReason
	}
	if cue.has(kindManner) {
		k.set |= 1 << kindManner
	}
	if wc.date {
		k.set |= 1 << kindDate
	}
}

// finish returns the kinds found; text is the sentence.
func (k *kindScan) finish(text string) kindSet {
	if strings.IndexByte(text, '$') >= 0 || strings.Contains(text, "€") || strings.Contains(text, "£") {
		k.set |= 1 << kindMoney
	}
	return k.set
}
