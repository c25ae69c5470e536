package lexicon

import (
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
)

//go:embed numbers.txt
var numbersTxt string

// numKind is how a number word combines with its neighbours (numbers.txt).
type numKind uint8

const (
	kStart   numKind = iota // nothing read yet
	kNumeral                // digits: 3, 1,000, 2.5, 21st
	kUnit
	kTeen
	kTen
	kHundred
	kDozen
	kScale
	kArticle
	kAnd
)

var kindNames = map[string]numKind{
	"unit": kUnit, "teen": kTeen, "ten": kTen, "hundred": kHundred,
	"dozen": kDozen, "scale": kScale, "article": kArticle, "and": kAnd,
}

type numWord struct {
	value float64
	kind  numKind
	ord   bool
}

var (
	numOnce  sync.Once
	numTable map[string]numWord
	numErr   error
)

func numbers() (map[string]numWord, error) {
	numOnce.Do(func() { numTable, numErr = parseNumbers(numbersTxt) })
	return numTable, numErr
}

// parseNumbers reads numbers.txt: "word value kind [ord]" a line, # comments.
func parseNumbers(text string) (map[string]numWord, error) {
	m := map[string]numWord{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		bad := func(why string) error {
			return fmt.Errorf("numbers.txt line %d: %s: %q", n+1, why, line)
		}
		if len(fs) < 3 || len(fs) > 4 || (len(fs) == 4 && fs[3] != "ord") {
			return nil, bad("want word, value, kind and perhaps ord")
		}
		v, err := strconv.ParseFloat(fs[1], 64)
		if err != nil {
			return nil, bad("bad value")
		}
		k, ok := kindNames[fs[2]]
		if !ok {
			return nil, bad("unknown kind")
		}
		if _, dup := m[fs[0]]; dup {
			return nil, bad("word listed twice")
		}
		if fs[0] != strings.ToLower(fs[0]) || strings.ContainsAny(fs[0], "- ") {
			return nil, bad("words are single, lower case, without hyphens")
		}
		m[fs[0]] = numWord{v, k, len(fs) == 4}
	}
	return m, nil
}

// Number returns the value of a number word or numeral: "three" 3,
// "twenty-five" 25, "hundred" 100, "dozen" 12, "million" 1e6, ordinals
// "first" 1 and "twenty-first" 21, numerals "3", "1,000", "2.5", "21st".
// It reports false for anything else, "a" and "and" included. Note that
// "second" is 2 here whatever it means in its sentence.
func Number(word string) (float64, bool) {
	v, n := Numbers([]string{word})
	return v, n == 1
}

// Numbers reads the longest number phrase at the start of words and
// returns its value and how many words it took (0 if words does not start
// with a number): "two hundred thousand" 200000, "a dozen" 12, "two
// hundred and five" 205, "2.5 million" 2.5e6, "twenty first" 21. A
// hyphenated word counts only whole ("twenty-five" does, "five-year" does
// not); an ordinal ends the phrase.
func Numbers(words []string) (value float64, n int) {
	table, err := numbers()
	if err != nil {
		return 0, 0
	}
	var p numParser
	p.scale = math.Inf(1)
	for i, w := range words {
		lw := lowerString(w)
		ok := lw != ""
		for part := range strings.SplitSeq(lw, "-") {
			if !ok {
				break
			}
			nw, found := table[part]
			if !found {
				nw, found = numeral(part)
			}
			ok = found && p.feed(nw)
		}
		if !ok {
			break
		}
		if p.complete() {
			value, n = p.total+p.group, i+1
		}
	}
	return value, n
}

// numParser adds up a number phrase word by word.
type numParser struct {
	total float64 // the groups already multiplied by their scale
	group float64 // the part since the last scale
	scale float64 // the last scale, which a later one must stay below
	last  numKind
	done  bool // an ordinal ended the phrase
}

func (p *numParser) complete() bool {
	return p.last != kStart && p.last != kArticle && p.last != kAnd
}

// feed takes the next word and reports whether it continues the phrase.
func (p *numParser) feed(w numWord) bool {
	if p.done {
		return false
	}
	after := func(kinds ...numKind) bool {
		for _, k := range kinds {
			if p.last == k {
				return true
			}
		}
		return false
	}
	base := p.group // what a multiplier multiplies
	if p.last == kStart || p.last == kArticle {
		base = 1
	}
	switch w.kind {
	case kNumeral:
		if p.last != kStart {
			return false
		}
		p.group = w.value
	case kUnit:
		if !after(kStart, kTen, kHundred, kScale, kAnd) {
			return false
		}
		p.group += w.value
	case kTeen, kTen:
		if !after(kStart, kHundred, kScale, kAnd) {
			return false
		}
		p.group += w.value
	case kHundred:
		if !after(kStart, kArticle, kNumeral, kUnit, kTeen, kTen) || base >= 100 {
			return false
		}
		p.group = base * w.value
	case kDozen:
		if !after(kStart, kArticle, kNumeral, kUnit, kTeen, kTen) {
			return false
		}
		p.group = base * w.value
	case kScale:
		if !after(kStart, kArticle, kNumeral, kUnit, kTeen, kTen, kHundred, kDozen) || w.value >= p.scale {
			return false
		}
		p.total += base * w.value
		p.group = 0
		p.scale = w.value
	case kArticle:
		if p.last != kStart {
			return false
		}
	case kAnd:
		if !after(kHundred, kScale) {
			return false
		}
	default:
		return false
	}
	p.last = w.kind
	p.done = w.ord
	return true
}

// numeral reads digits: "3", "1,000" (commas only between groups of
// three), "2.5", and ordinals "1st", "22nd", "13th".
func numeral(s string) (numWord, bool) {
	digits := strings.TrimRight(s, "stndrh")
	suffix := s[len(digits):]
	if digits == "" || digits[0] < '0' || digits[0] > '9' {
		return numWord{}, false
	}
	whole, frac, hasFrac := strings.Cut(digits, ".")
	if hasFrac && (frac == "" || suffix != "" || !allDigits(frac)) {
		return numWord{}, false
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		if len(groups[0]) > 3 {
			return numWord{}, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return numWord{}, false
			}
		}
		whole = strings.Join(groups, "")
	}
	if !allDigits(whole) {
		return numWord{}, false
	}
	if suffix != "" && suffix != ordinalSuffix(whole) {
		return numWord{}, false
	}
	num := whole
	if hasFrac {
		num += "." + frac
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return numWord{}, false
	}
	return numWord{v, kNumeral, suffix != ""}, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ordinalSuffix is the English ordinal ending of a whole number's digits.
func ordinalSuffix(digits string) string {
	n := len(digits)
	if n >= 2 && digits[n-2] == '1' {
		return "th"
	}
	switch digits[n-1] {
	case '1':
		return "st"
	case '2':
		return "nd"
	case '3':
		return "rd"
	}
	return "th"
}
