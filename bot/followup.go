package bot

import (
	"sync"
	"time"

	"github.com/storybot/storybot/qa"
)

// Follow-ups. People ask "who is Bogdanov?", then "what did he say about
// sanctions?", then "and when?". The Service keeps each user's recent
// turns as a qa.Conversation and asks through an answerer that can resolve
// a question against them (conversant, as *qa.Index is); qa says what a
// follow-up leans on (conversation.go there).

const (
	conversationTTL  = 15 * time.Minute // a conversation idle this long is forgotten
	maxConversations = 10000            // users remembered at once
)

// conversant is implemented by answerers that answer a question as the
// next turn of a conversation, as *qa.Index does.
type conversant interface {
	AskIn(c *qa.Conversation, question string) (qa.Result, qa.Turn, error)
}

type conversation struct {
	conv qa.Conversation
	at   time.Time
}

// conversations holds each user's conversation. It is safe for concurrent
// use and holds at most maxConversations users of at most qa.MaxTurns
// turns each.
type conversations struct {
	mu     sync.Mutex
	byUser map[string]*conversation
	now    func() time.Time
}

func newConversations() *conversations {
	return &conversations{byUser: make(map[string]*conversation), now: time.Now}
}

// ask answers q for user: through the user's conversation when the
// answerer keeps them and user is not "" (a lookup), else on its own. It
// returns the result and the question as resolved.
func (s *Service) askIn(user, q string) (qa.Result, string, error) {
	c, ok := s.qa.(conversant)
	if !ok || user == "" {
		res, err := s.qa.Ask(q)
		return res, q, err
	}
	// The user's conversation is copied out and back, so the (short) lock
	// is not held while the core answers; a user's questions come one at a
	// time (the adapters answer one chat in order).
	conv := s.conversations.get(user)
	res, turn, err := c.AskIn(&conv, q)
	if err == nil {
		s.conversations.set(user, conv)
	}
	return res, turn.Asked, err
}

// get returns a copy of user's conversation, empty when there is none
// recent.
func (cs *conversations) get(user string) qa.Conversation {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.byUser[user]
	if !ok || cs.now().Sub(c.at) > conversationTTL {
		return qa.Conversation{}
	}
	return qa.Conversation{Turns: append([]qa.Turn(nil), c.conv.Turns...)}
}

func (cs *conversations) set(user string, conv qa.Conversation) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	now := cs.now()
	if _, ok := cs.byUser[user]; !ok && len(cs.byUser) >= maxConversations {
		for k, v := range cs.byUser {
			if now.Sub(v.at) > conversationTTL {
				delete(cs.byUser, k)
			}
		}
		for k := range cs.byUser {
			if len(cs.byUser) < maxConversations {
				break
			}
			delete(cs.byUser, k) // all recent: forget any one
		}
	}
	cs.byUser[user] = &conversation{conv: conv, at: now}
}
