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
	data, err := lists.ReadFile("lists/" + name)
	if err != nil {
		panic(fmt.Sprintf("qa: embedded list %s: %v", name, err)) // the build embeds it
	}
	var out [][2]string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			panic(fmt.Sprintf("qa: lists/%s: no colon in %q", name, line))
		}
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return out
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
	set     kindSet
	numberN int // words since the last number
}

func (k *kindScan) word(w string, f tokFlag) {
	isNum := f&flagNumber != 0 || numberWords[w]
	cue := cueWords[w]
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
	if cue.has(kindReason) {
		k.set |= 1 << kindReason
	}
	if cue.has(kindManner) {
		k.set |= 1 << kindManner
	}
	if isDateWord(w) {
		k.set |= 1 << kindDate
	}
}

// sentenceKinds returns the kinds that sentence text holds.
func sentenceKinds(text string) kindSet {
	var k kindScan
	k.numberN = 100
	age := false
	var last [2]string
	tokenize(text, func(t token) {
		w := string(t.word)
		k.word(w, t.flags)
		// "58-year-old", "aged 58": an age.
		if w == "old" && last[0] == "year" || w == "old" && last[0] == "years" || last[0] == "aged" && t.flags&flagNumber != 0 {
			age = true
		}
		last[1], last[0] = last[0], w
	})
	if age {
		k.set |= 1 << kindAge
	}
	if strings.ContainsAny(text, "$€£") {
		k.set |= 1 << kindMoney
	}
	return k.set
}

// numberWords are the words that spell a number.
var numberWords = setOf(`one two three four five six seven eight nine ten eleven twelve thirteen
	fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
	eighty ninety hundred thousand million billion trillion dozen dozens hundreds thousands millions
	first second third fourth fifth tenth half`)
