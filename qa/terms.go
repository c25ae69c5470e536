package qa

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// A token is one word of a text as the index sees it.
type token struct {
	start, end int    // byte offsets of the word in the text
	word       []byte // lower case, apostrophes and possessive removed; valid during the callback
	flags      tokFlag
}

type tokFlag uint8

const (
	flagCap    tokFlag = 1 << iota // written with a capital letter
	flagNumber                     // made of digits
	flagStop                       // a stop word: not indexed
	flagFirst                      // first word of its sentence
)

// tokenize splits text into words. A word is a run of letters, digits and
// combining marks; apostrophes inside a word are dropped, with a trailing
// possessive ('s or a lone ') removed; hyphens, slashes and other
// punctuation separate words, so "al-Sharaa" is "al" and "sharaa"; digits
// joined by "," or "." stay one number ("1,000", "3.5").
func tokenize(text string, emit func(token)) {
	var buf []byte
	i := 0
	first := true
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			if r == '.' || r == '!' || r == '?' {
				first = true
			}
			i += size
			continue
		}
		start := i
		buf = buf[:0]
		capital := unicode.IsUpper(r)
		digits := true
		for i < len(text) {
			if c := text[i]; c < utf8.RuneSelf && asciiWord[c] != 0 {
				// The common case: an ASCII letter or digit.
				if c > '9' {
					digits = false
				}
				buf = append(buf, asciiWord[c])
				i++
				continue
			}
			r, size = utf8.DecodeRuneInString(text[i:])
			switch {
			case isWordRune(r):
				if !unicode.IsDigit(r) {
					digits = false
				}
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
				i += size
				continue
			case isApostrophe(r):
				// Inside a word ("don't", "Syria's") it joins; at the end
				// ("leaders'") it ends the word.
				if n, nsize := utf8.DecodeRuneInString(text[i+size:]); isWordRune(n) && !digits {
					if n == 's' || n == 'S' {
						if after, _ := utf8.DecodeRuneInString(text[i+size+nsize:]); !isWordRune(after) {
							i += size + nsize // possessive 's
							break
						}
					}
					i += size
					continue
				}
				i += size
			case (r == ',' || r == '.') && digits && len(buf) > 0:
				if n, _ := utf8.DecodeRuneInString(text[i+size:]); unicode.IsDigit(n) {
					if r == '.' {
						buf = append(buf, '.')
					}
					i += size
					continue
				}
			}
			break
		}
		var f tokFlag
		if capital {
			f |= flagCap
		}
		if digits {
			f |= flagNumber
		}
		if first {
			f |= flagFirst
			first = false
		}
		emit(token{start: start, end: i, word: buf, flags: f})
	}
}

// asciiWord maps an ASCII letter or digit to its lower case, anything else
// to 0.
var asciiWord = func() (t [utf8.RuneSelf]byte) {
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	for c := byte('a'); c <= 'z'; c++ {
		t[c] = c
		t[c-'a'+'A'] = c
	}
	return t
}()

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘'
}

// stem maps a lower-case word to its index term: irregular forms to their
// base ("said" to "say"), then the Snowball English stemmer.
func stem(word string) string {
	if base, ok := irregular[word]; ok {
		word = base
	}
	if len(word) <= 2 || word[0] >= '0' && word[0] <= '9' {
		return word // short, or a number: nothing to stem
	}
	if keepsItsForm(word) {
		return word
	}
	return english.Stem(word, true)
}

// keepsItsForm reports whether the Snowball English (Porter2) stemmer would
// return word unchanged because no suffix it removes or rewrites ends word.
// Its suffixes end in s, d, g, y, i or e, or are -ion, -er, -ator, -ic, -ism,
// -ant, -ent, -al, -ful or -ll; TestStemShortcut checks the shortcut against
// the stemmer on real vocabularies.
func keepsItsForm(word string) bool {
	switch word[len(word)-1] {
	case 's', 'd', 'g', 'y', 'i', 'e':
		return false
	case 'n':
		return !strings.HasSuffix(word, "ion")
	case 'r':
		return !strings.HasSuffix(word, "er") && !strings.HasSuffix(word, "ator")
	case 'c':
		return !strings.HasSuffix(word, "ic")
	case 'm':
		return !strings.HasSuffix(word, "ism")
	case 't':
		return !strings.HasSuffix(word, "nt")
	case 'l':
		return !strings.HasSuffix(word, "al") && !strings.HasSuffix(word, "ful") && !strings.HasSuffix(word, "ll")
	}
	return word[len(word)-1] < utf8.RuneSelf // a, b, f, h, … z; not a non-ASCII letter
}

// isStop reports whether a lower-case word carries too little meaning to
// index: the Snowball English stop words, a few more function words, and the
// Arabic article "al"/"el" so that "al-Sharaa", "al Sharaa" and "Sharaa" meet.
func isStop(word string) bool {
	return english.IsStopWord(word) || extraStop[word]
}

var extraStop = wordList("stop.txt")

// irregular maps irregular English verb forms to their base, which the
// Snowball stemmer, a suffix stripper, cannot do.
var irregular = func() map[string]string {
	m := map[string]string{}
	for _, line := range listLines("irregular.txt") {
		f := strings.Fields(line)
		for _, form := range f[1:] {
			m[form] = f[0]
		}
	}
	return m
}()
