package bot

import (
	"strings"
	"sync"
	"time"
	"unicode"
)

// Follow-ups. People ask "who is Bogdanov?" and then "what did he say about
// sanctions?". When a question names no one the articles name but refers
// back ("he", "it", "what about …"), the names of the same user's previous
// question, if recent, are added to what the core is asked. And when a
// question is only a name after "and" or "what about" ("what did Putin say
// about sanctions?", then "and Sharaa?"), it asks the previous question
// again about that name.

const (
	subjectTTL  = 15 * time.Minute // a subject older than this is forgotten
	maxSubjects = 10000            // users remembered at once
)

type subject struct {
	names    []string
	question string // the question asked about them, as the core was asked it
	at       time.Time
}

// subjects remembers the names each user last asked about. It is safe for
// concurrent use and holds at most maxSubjects users.
type subjects struct {
	mu     sync.Mutex
	byUser map[string]subject
	now    func() time.Time
}

func newSubjects() *subjects {
	return &subjects{byUser: make(map[string]subject), now: time.Now}
}

// withSubject returns the question to ask the core for user's question q.
func (s *Service) withSubject(user, q string) string {
	n, ok := s.qa.(namer)
	if !ok || user == "" {
		return q
	}
	if names := n.Names(q); len(names) > 0 {
		asked := q
		if prev := s.subjects.get(user); prev.question != "" && onlyNames(q, names) {
			asked = swapNames(prev.question, prev.names, names)
		}
		s.subjects.set(user, subject{names: names, question: asked})
		return asked
	}
	prev := s.subjects.get(user)
	switch {
	case prev.question != "" && elliptic(q):
		// "and when?", "why?", "for how long": the same topic, asked
		// another way. The chain goes on: a follow-up of this one is
		// about the same topic again.
		asked := q + " " + topic(prev.question)
		s.subjects.set(user, subject{names: prev.names, question: asked})
		return asked
	case prev.question != "" && refersToThing(q):
		// "how did syrians feel about that", "what did they do there":
		// the thing is the topic of the question before.
		asked := q + " " + topic(prev.question)
		s.subjects.set(user, subject{names: prev.names, question: asked})
		return asked
	case refersBack(q) && len(prev.names) > 0:
		return q + " " + strings.Join(prev.names, " ")
	}
	// A question of its own is the new topic; a "he" after it still means
	// the last person named.
	s.subjects.set(user, subject{names: prev.names, question: q})
	return q
}

// refersToThing reports whether q points back with a word for a thing or
// a place rather than a person: "it", "that", "there", "them".
func refersToThing(q string) bool {
	for _, w := range words(q) {
		switch w {
		case "it", "its", "it's", "that", "this", "there", "them", "their", "theirs", "they", "those", "these":
			return true
		}
	}
	return false
}

// questionWords are the words that ask, and the filler around them, that
// an elliptic follow-up may hold and still lean wholly on the question
// before: "and when?", "why is that", "since when", "how come".
var questionWords = map[string]bool{
	"what": true, "when": true, "where": true, "why": true, "who": true, "whom": true, "which": true,
	"how": true, "long": true, "many": true, "much": true, "come": true, "and": true, "so": true,
	"about": true, "since": true, "for": true, "is": true, "was": true, "that": true, "then": true,
	"did": true, "do": true, "does": true, "it": true, "this": true, "the": true, "exactly": true,
	"again": true, "more": true, "else": true, "really": true, "ok": true, "okay": true,
}

// elliptic reports whether q holds nothing but words that ask ("and
// when?", "why?", "how long for?"): it leans wholly on the question before.
func elliptic(q string) bool {
	ws := words(q)
	if len(ws) == 0 || len(ws) > 4 {
		return false
	}
	for _, w := range ws {
		if !questionWords[w] {
			return false
		}
	}
	return true
}

// topic returns the words of question that say what it is about: all but
// the words that ask.
func topic(question string) string {
	var out []string
	for _, w := range words(question) {
		if !questionWords[w] && !refersToThing(w) {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// words returns the lower-case words of q.
func words(q string) []string {
	return strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	})
}

// onlyNames reports whether q is "and" or "what/how about" followed by
// nothing but names: "and Sharaa?", "what about al-Sharaa and Peskov".
func onlyNames(q string, names []string) bool {
	ws := words(q)
	n := leadBack(ws)
	if n == 0 {
		return false
	}
	ws = ws[n:]
	for _, w := range ws {
		if w != "and" && w != "the" && w != "then" && !isName(w, names) {
			return false
		}
	}
	return len(ws) > 0
}

// isName reports whether word, or a part of it between hyphens or before a
// possessive ("al-sharaa", "putin's"), is one of names.
func isName(word string, names []string) bool {
	word = strings.TrimSuffix(strings.TrimSuffix(word, "'s"), "’s")
	for _, part := range strings.Split(word, "-") {
		for _, n := range names {
			if part == n {
				return true
			}
		}
	}
	return false
}

// swapNames returns question with the words naming old replaced by the
// names in names, where the first of them stood.
func swapNames(question string, old, names []string) string {
	var out []string
	swapped := false
	for _, f := range strings.Fields(question) {
		if !isName(strings.Trim(strings.ToLower(f), "?!.,;:\"“”"), old) {
			out = append(out, f)
			continue
		}
		if !swapped {
			out = append(out, strings.Join(names, " "))
			swapped = true
		}
	}
	if !swapped {
		out = append(out, names...)
	}
	return strings.Join(out, " ")
}

func (s *subjects) set(user string, sub subject) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if _, ok := s.byUser[user]; !ok && len(s.byUser) >= maxSubjects {
		for k, v := range s.byUser {
			if now.Sub(v.at) > subjectTTL {
				delete(s.byUser, k)
			}
		}
		for k := range s.byUser {
			if len(s.byUser) < maxSubjects {
				break
			}
			delete(s.byUser, k) // all recent: forget any one
		}
	}
	sub.at = now
	s.byUser[user] = sub
}

// get returns user's subject, or the zero subject when there is none recent.
func (s *subjects) get(user string) subject {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.byUser[user]
	if !ok || s.now().Sub(sub.at) > subjectTTL {
		return subject{}
	}
	return sub
}

// refersBack reports whether a question points back at an earlier one: it
// has a pronoun ("he", "its"), or opens with "and" or "what about".
func refersBack(q string) bool {
	ws := words(q)
	if leadBack(ws) > 0 {
		return true
	}
	for _, w := range ws {
		switch w {
		case "he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs",
			"it", "its", "he's", "she's", "it's", "they're":
			return true
		}
	}
	return false
}

// leadBack returns how many of the first words point back at an earlier
// question: 1 for "and", 2 for "what about" or "how about", else 0.
func leadBack(ws []string) int {
	switch {
	case len(ws) > 0 && ws[0] == "and":
		return 1
	case len(ws) > 1 && (ws[0] == "what" || ws[0] == "how") && ws[1] == "about":
		return 2
	}
	return 0
}
