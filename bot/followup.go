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
// question, if recent, are added to what the core is asked.

const (
	subjectTTL  = 15 * time.Minute // a subject older than this is forgotten
	maxSubjects = 10000            // users remembered at once
)

type subject struct {
	names []string
	at    time.Time
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
		s.subjects.set(user, names)
		return q
	}
	if !refersBack(q) {
		return q
	}
	if names := s.subjects.get(user); len(names) > 0 {
		return q + " " + strings.Join(names, " ")
	}
	return q
}

func (s *subjects) set(user string, names []string) {
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
	s.byUser[user] = subject{names: names, at: now}
}

func (s *subjects) get(user string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.byUser[user]
	if !ok || s.now().Sub(sub.at) > subjectTTL {
		return nil
	}
	return sub.names
}

// refersBack reports whether a question points back at an earlier one: it
// has a pronoun ("he", "its"), or opens with "and" or "what about".
func refersBack(q string) bool {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’'
	})
	if len(words) > 0 && words[0] == "and" ||
		len(words) > 1 && (words[0] == "what" || words[0] == "how") && words[1] == "about" {
		return true
	}
	for _, w := range words {
		switch w {
		case "he", "she", "him", "her", "his", "hers", "they", "them", "their", "theirs",
			"it", "its", "he's", "she's", "it's", "they're":
			return true
		}
	}
	return false
}
