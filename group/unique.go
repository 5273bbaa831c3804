package group

import (
	"sync"
	"sync/atomic"
)

// Unique maps each key to at most one member: business ids to the
// connection that owns each.
//
// The zero value is an empty Unique ready to use. All methods are safe for
// concurrent use. A Unique must not be copied after first use.
type Unique[C comparable] struct {
	shards [shardCount]uniqueShard[C]
	keys   atomic.Int64
}

type uniqueShard[C comparable] struct {
	mu   sync.RWMutex
	m    map[string]C
	peak int
	_    [24]byte
}

func (u *Unique[C]) shard(key string) *uniqueShard[C] {
	return &u.shards[shardOf(key)]
}

// Set maps key to c. replaced reports whether key was mapped before, and
// prev is the member it was mapped to (possibly c itself); the caller
// usually unbinds prev when it differs from c.
func (u *Unique[C]) Set(key string, c C) (prev C, replaced bool) {
	sh := u.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.m == nil {
		sh.m = make(map[string]C)
	}
	prev, replaced = sh.m[key]
	sh.m[key] = c
	if !replaced {
		sh.peak = max(sh.peak, len(sh.m))
		u.keys.Add(1)
	}
	return prev, replaced
}

// Get returns the member key maps to.
func (u *Unique[C]) Get(key string) (C, bool) {
	sh := u.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	c, ok := sh.m[key]
	return c, ok
}

// Delete removes key if it still maps to c, and reports whether it did. A
// connection that closes after its id was taken over by a newer connection
// therefore cannot unbind the newer one.
func (u *Unique[C]) Delete(key string, c C) bool {
	sh := u.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if cur, ok := sh.m[key]; !ok || cur != c {
		return false
	}
	delete(sh.m, key)
	u.keys.Add(-1)
	if shouldShrink(len(sh.m), sh.peak) {
		sh.m = shrunk(sh.m)
		sh.peak = len(sh.m)
	}
	return true
}

// Len returns the number of mapped keys.
func (u *Unique[C]) Len() int {
	return int(u.keys.Load())
}

// Range calls fn for each key and its member until fn returns false, in no
// particular order. It snapshots one shard at a time and holds no lock
// while fn runs, so fn may call any method of u; a key set or deleted while
// Range runs may or may not be visited.
func (u *Unique[C]) Range(fn func(key string, c C) bool) {
	type pair struct {
		key string
		c   C
	}
	var buf []pair
	for i := range u.shards {
		sh := &u.shards[i]
		sh.mu.RLock()
		buf = buf[:0]
		for k, c := range sh.m {
			buf = append(buf, pair{k, c})
		}
		sh.mu.RUnlock()
		for _, p := range buf {
			if !fn(p.key, p.c) {
				return
			}
		}
	}
}
