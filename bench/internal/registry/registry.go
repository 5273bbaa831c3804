// Package registry keeps the set of open connections a benchmark server
// broadcasts to, for the libraries that keep no such set themselves.
package registry

import "sync"

// Set is a concurrency-safe set of connections of type C.
type Set[C comparable] struct {
	mu    sync.Mutex
	conns map[C]struct{}
}

// Add inserts c.
func (s *Set[C]) Add(c C) {
	s.mu.Lock()
	if s.conns == nil {
		s.conns = make(map[C]struct{})
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
}

// Remove deletes c.
func (s *Set[C]) Remove(c C) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Snapshot returns the connections open now.
func (s *Set[C]) Snapshot() []C {
	s.mu.Lock()
	out := make([]C, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	s.mu.Unlock()
	return out
}
