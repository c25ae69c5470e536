package qa

// StoryKind(question) tells a question about the story as a whole ("what
// happened?", "timeline", "who's who") from a question about one thing in
// it ("what happened to assad"). The phrases are lists/story.txt: a question
// is read in lower case without punctuation, its words respelt (spell:
// lines: "whats" is "what is"), and is a story question when, once any
// words that only ask politely are dropped from its ends (@before, @after:
// "can you", "please", "so far"), what is left is one of the phrases, whole.
// Nothing is matched inside a longer question, so a question that names
// anything more stays a question.

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
)

// storyCache holds the views of the story as a whole, each worked out on
// first use and kept: the index never changes.
type storyCache struct {
	summaryOnce  sync.Once
	summary      []Answer
	timelineOnce sync.Once
	timeline     []Event
	peopleOnce   sync.Once
	people       []Person
	personOnce   sync.Once
	personWords  map[string]bool // the words of the people's names
}

// The kinds of story question StoryKind returns.
const (
	StorySummary  = "summary"
	StoryTimeline = "timeline"
	StoryPeople   = "people"
)

// StoryKind returns "summary", "timeline" or "people" when question asks for
// the story as a whole (its summary, its timeline, or who's who), and ""
// when it is a question about one thing, which Ask answers.
func StoryKind(question string) string {
	words := storyWords(question)
	if len(words) == 0 || len(words) > 16 {
		return ""
	}
	g := storyGrammar()
	// Every way of dropping polite words from the front, then from the back.
	for _, start := range g.strip(words, g.before, true) {
		for _, end := range g.strip(words[start:], g.after, false) {
			if k, ok := g.phrases[strings.Join(words[start:start+end], " ")]; ok {
				return k
			}
		}
	}
	return ""
}

// storyWords returns the words of question in lower case, apostrophes
// kept inside a word, everything else dropped, each respelt by the spell:
// lines.
func storyWords(question string) []string {
	g := storyGrammar()
	var out []string
	f := strings.FieldsFunc(strings.ToLower(question), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !isApostrophe(r)
	})
	for _, w := range f {
		w = strings.Map(func(r rune) rune {
			if isApostrophe(r) {
				return '\''
			}
			return r
		}, strings.Trim(w, "'’‘ʼ"))
		if w == "" {
			continue
		}
		if sp, ok := g.spell[w]; ok {
			out = append(out, sp...)
			continue
		}
		out = append(out, w)
	}
	return out
}

// grammar is lists/story.txt, expanded.
type grammar struct {
	phrases       map[string]string // phrase → kind
	before, after map[string]bool   // polite phrases
	spell         map[string][]string
	maxPolite     int // words in the longest polite phrase
}

// strip returns how many words can be dropped from the front of words
// (front) or, as lengths of what is left, from its back, by removing any
// run of phrases of set: 0 dropped first.
func (g *grammar) strip(words []string, set map[string]bool, front bool) []int {
	var out []int
	seen := map[int]bool{}
	var walk func(n int) // n: words dropped so far
	walk = func(n int) {
		if seen[n] {
			return
		}
		seen[n] = true
		if front {
			out = append(out, n)
		} else {
			out = append(out, len(words)-n)
		}
		for k := 1; k <= g.maxPolite && n+k < len(words); k++ {
			var p string
			if front {
				p = strings.Join(words[n:n+k], " ")
			} else {
				p = strings.Join(words[len(words)-n-k:len(words)-n], " ")
			}
			if set[p] {
				walk(n + k)
			}
		}
	}
	walk(0)
	return out
}

var storyGrammar = sync.OnceValue(func() *grammar {
	g, err := parseGrammar(listLines("story.txt"))
	if err != nil {
		panic(fmt.Sprintf("qa: lists/story.txt: %v", err)) // embedded: TestStoryGrammar catches it first
	}
	return g
})

// parseGrammar reads the lines of lists/story.txt.
func parseGrammar(lines []string) (*grammar, error) {
	g := &grammar{phrases: map[string]string{}, spell: map[string][]string{}}
	sets := map[string][]string{}
	for _, line := range lines {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("no colon in %q", line)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch {
		case key == "spell":
			w, to, ok := strings.Cut(value, "=")
			if !ok || len(strings.Fields(w)) != 1 || len(strings.Fields(to)) == 0 {
				return nil, fmt.Errorf("spell line %q is not word = words", line)
			}
			g.spell[strings.TrimSpace(w)] = strings.Fields(to)
		case strings.HasPrefix(key, "@"):
			var all []string
			for alt := range strings.SplitSeq(value, "|") {
				exp, err := expand(alt, sets)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", key, err)
				}
				all = append(all, exp...)
			}
			sets[key[1:]] = all
		case key == StorySummary || key == StoryTimeline || key == StoryPeople:
			exp, err := expand(value, sets)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", line, err)
			}
			for _, p := range exp {
				if k, ok := g.phrases[p]; ok && k != key {
					return nil, fmt.Errorf("%q is both %s and %s", p, k, key)
				}
				g.phrases[p] = key
			}
		default:
			return nil, fmt.Errorf("unknown kind %q", key)
		}
	}
	g.before, g.after = map[string]bool{}, map[string]bool{}
	for name, set := range map[string]map[string]bool{"before": g.before, "after": g.after} {
		for _, p := range sets[name] {
			set[p] = true
			g.maxPolite = max(g.maxPolite, len(strings.Fields(p)))
		}
	}
	return g, nil
}

// expand returns every phrase the pattern p stands for: [x] is x or
// nothing, (x|y) is x or y, @name each phrase of the set name.
func expand(p string, sets map[string][]string) ([]string, error) {
	for _, c := range "[]()|" {
		p = strings.ReplaceAll(p, string(c), " "+string(c)+" ")
	}
	toks := strings.Fields(p)
	out, rest, err := expandSeq(toks, sets)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected %q", rest[0])
	}
	for i, s := range out {
		out[i] = strings.Join(strings.Fields(s), " ")
	}
	return out, nil
}

// expandSeq expands a sequence of items up to a closing bracket or "|",
// and returns the tokens after it.
func expandSeq(toks []string, sets map[string][]string) ([]string, []string, error) {
	out := []string{""}
	cross := func(alts []string) {
		var next []string
		for _, a := range out {
			for _, b := range alts {
				next = append(next, a+" "+b)
			}
		}
		out = next
	}
	for len(toks) > 0 {
		t := toks[0]
		switch t {
		case "]", ")", "|":
			return out, toks, nil
		case "[", "(":
			closer := map[string]string{"[": "]", "(": ")"}[t]
			var alts []string
			toks = toks[1:]
			for {
				seq, rest, err := expandSeq(toks, sets)
				if err != nil {
					return nil, nil, err
				}
				alts = append(alts, seq...)
				if len(rest) == 0 {
					return nil, nil, fmt.Errorf("%s never closed", t)
				}
				if rest[0] == "|" {
					toks = rest[1:]
					continue
				}
				if rest[0] != closer {
					return nil, nil, fmt.Errorf("%s closed by %s", t, rest[0])
				}
				toks = rest[1:]
				break
			}
			if t == "[" {
				alts = append(alts, "")
			}
			cross(alts)
		default:
			if name, ok := strings.CutPrefix(t, "@"); ok {
				set, ok := sets[name]
				if !ok {
					return nil, nil, fmt.Errorf("no set @%s above", name)
				}
				cross(set)
			} else {
				cross([]string{t})
			}
			toks = toks[1:]
		}
	}
	return out, nil, nil
}
