package discord

import "sync"

// seen remembers the last IDs it was given, so an event Discord delivers
// twice (replayed after a resume, say) is answered once. Memory is bounded:
// it keeps at most size IDs, forgetting the oldest first.
type seen struct {
	mu   sync.Mutex
	ids  map[string]struct{}
	ring []string
	next int
}

func newSeen(size int) *seen {
	return &seen{ids: make(map[string]struct{}, size), ring: make([]string, size)}
}

// add records id and reports whether it is new.
func (s *seen) add(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.ids[id] = struct{}{}
	return true
}
