package cluster

import (
	"sync"

	"github.com/gotio/gotio/aio"
)

// keyLocks serializes work per key: InterestChanged for one (node, target)
// runs one at a time, so that its re-check of Node.Holds and the
// subscribe or unsubscribe that follows cannot interleave with another's.
// Entries exist only while someone holds or waits for them.
type keyLocks[K comparable] struct {
	mu sync.Mutex
	m  map[K]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int // holders and waiters; guarded by keyLocks.mu
}

func (l *keyLocks[K]) lock(k K) *keyLock {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[K]*keyLock)
	}
	kl := l.m[k]
	if kl == nil {
		kl = new(keyLock)
		l.m[k] = kl
	}
	kl.refs++
	l.mu.Unlock()
	kl.mu.Lock()
	return kl
}

func (l *keyLocks[K]) unlock(k K, kl *keyLock) {
	kl.mu.Unlock()
	l.mu.Lock()
	if kl.refs--; kl.refs == 0 {
		delete(l.m, k)
	}
	l.mu.Unlock()
}

// interestKey names one node's interest in one target.
type interestKey struct {
	node   string
	target aio.Target
}
