package bot

import "sync"

// Seen remembers the last IDs it was given, so an event a platform
// delivers twice (a webhook retry, a gateway replay after a resume) is
// answered once. Memory is bounded: it keeps at most size IDs, forgetting
// the oldest first. It is safe for concurrent use.
type Seen[K comparable] struct {
	mu   sync.Mutex
	ids  map[K]struct{}
	ring []K
	next int
}

// NewSeen returns a Seen that remembers size IDs.
func NewSeen[K comparable](size int) *Seen[K] {
	size = max(size, 1)
	return &Seen[K]{ids: make(map[K]struct{}, size), ring: make([]K, 0, size)}
}

// Add records id and reports whether it is new.
func (s *Seen[K]) Add(id K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, id)
	} else {
		delete(s.ids, s.ring[s.next])
		s.ring[s.next] = id
		s.next = (s.next + 1) % len(s.ring)
	}
	s.ids[id] = struct{}{}
	return true
}
