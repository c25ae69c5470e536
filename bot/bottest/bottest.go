// Package bottest holds helpers shared by the adapters' tests.
package bottest

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that a logger, a fake terminal and a test may
// use at once.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
