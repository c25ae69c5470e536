package qa

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// SentenceEnds returns the byte offsets in text at which its sentences end,
// closing quotes and brackets included, in order, with the rules of the
// index's splitter: "U.S. officials" and "Dec. 8" do not end a sentence. A
// line break always ends one. For cutting a long reply at a sentence.
func SentenceEnds(text string) []int {
	var out []int
	for start := 0; start < len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		for _, s := range splitSentences(text[start:end]) {
			out = append(out, start+s.end)
		}
		start = end + 1
	}
	return out
}

// splitSentences cuts one paragraph into sentences and returns their byte
// ranges, trimmed of surrounding space. A paragraph is never joined to the
// next, so a headline or subhead with no full stop is a sentence of its own.
//
// A sentence ends at ".", "!", "?" or an ellipsis, together with any closing
// quotes and brackets after it, when white space and then the start of a new
// sentence follow. It does not end:
//   - before a word in lower case or a digit ("success... in solving", "Dec. 8");
//   - at an ellipsis inside a quotation ("…Russian experts... We do not want");
//   - after a title such as "Mr." or "Gen.", whatever follows;
//   - after an initialism such as "U.S." or a single initial, unless what
//     follows is a word that usually starts a sentence ("He", "The").
func splitSentences(para string) []span {
	var out []span
	start := 0
	i := 0
	for i < len(para) {
		r, size := utf8.DecodeRuneInString(para[i:])
		if r != '.' && r != '!' && r != '?' && r != '…' {
			i += size
			continue
		}
		end := i + size
		// A run of terminators: "...", "?!".
		for end < len(para) {
			r2, s2 := utf8.DecodeRuneInString(para[end:])
			if r2 != '.' && r2 != '!' && r2 != '?' && r2 != '…' {
				break
			}
			end += s2
		}
		ellipsis := end-i > 1 || r == '…'
		// Closing quotes and brackets belong to the sentence they end.
		for end < len(para) {
			r2, s2 := utf8.DecodeRuneInString(para[end:])
			if !isCloser(r2) {
				break
			}
			end += s2
		}
		i = end
		next := skipSpace(para, end)
		if next == end || next >= len(para) {
			continue // no space after it, or the paragraph ends here anyway
		}
		if !startsSentence(para[next:]) {
			continue
		}
		if r == '.' && !ellipsis && !endsSentenceAfter(para[start:iBefore(para, end)], para[next:]) {
			continue
		}
		if ellipsis && insideQuote(para[start:end]) {
			continue // a pause within a quotation: "experts... We do not want"
		}
		out = appendSpan(out, para, start, end)
		start = next
	}
	return appendSpan(out, para, start, len(para))
}

// insideQuote reports whether s leaves a quotation open: more opening than
// closing curly quotes, or an odd number of straight ones.
func insideQuote(s string) bool {
	open := strings.Count(s, "“") - strings.Count(s, "”")
	return open > 0 || open == 0 && strings.Count(s, `"`)%2 == 1
}

// iBefore returns the offset of the last "." before any closers at end.
func iBefore(para string, end int) int {
	for end > 0 {
		r, size := utf8.DecodeLastRuneInString(para[:end])
		if !isCloser(r) {
			break
		}
		end -= size
	}
	return end
}

// endsSentenceAfter decides whether a "." that closes the word at the end of
// before really ends the sentence, given the text after it.
func endsSentenceAfter(before, after string) bool {
	w := lastWord(before)
	lw := strings.ToLower(strings.TrimSuffix(w, "."))
	if titles[lw] {
		return false
	}
	// Initialisms ("U.S.", "e.g.") and single initials ("George W.").
	if isInitialism(w) {
		return sentenceStarters[strings.ToLower(firstWord(after))]
	}
	return true
}

// isInitialism reports whether w (with its final ".") is a single letter or
// letters separated by dots: "W.", "U.S.", "e.g.".
func isInitialism(w string) bool {
	letters := 0
	for i, r := range w {
		if i%2 == 0 {
			if !unicode.IsLetter(r) {
				return false
			}
			letters++
		} else if r != '.' {
			return false
		}
	}
	return letters > 0 && len(w) == 2*letters
}

// startsSentence reports whether s, the text after a terminator and space,
// can begin a sentence: an opening quote or bracket, then anything but a
// lower-case letter or a digit.
func startsSentence(s string) bool {
	for _, r := range s {
		if isOpener(r) {
			continue
		}
		return !unicode.IsLower(r) && !unicode.IsDigit(r)
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', ')', ']', '»':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '(', '[', '«':
		return true
	}
	return false
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

func lastWord(s string) string {
	i := strings.LastIndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isOpener(r) })
	return s[i+1:]
}

func firstWord(s string) string {
	s = strings.TrimLeftFunc(s, isOpener)
	if i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		return s[:i]
	}
	return s
}

func appendSpan(out []span, para string, start, end int) []span {
	for start < end {
		r, size := utf8.DecodeRuneInString(para[start:])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(para[:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	if start < end {
		out = append(out, span{start, end})
	}
	return out
}

// titles are abbreviations after which a sentence never ends.
// Abbreviations that may end a sentence ("Inc.", "etc.", "Dec.") are not
// here: they split only before a capital, and "Dec. 8" stays whole because
// a digit never starts a sentence.
var titles = setOf(`mr mrs ms dr prof gen col lt maj capt sgt cpl adm cmdr gov sen rep rev hon pres
	st mt ft messrs mme mlle vol vols fig figs approx vs cf dept univ`)

// sentenceStarters are words that, after an initialism such as "U.S.",
// show that a new sentence has begun.
var sentenceStarters = setOf(`the a an he she it they we i you this that these those there his her
	its their our but and so yet however in on at for after before when while if as then
	meanwhile still also`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
