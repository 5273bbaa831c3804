package aio

import "sync"

const connShards = 64

// connTable holds every open connection of a server, sharded by id.
type connTable struct {
	shards [connShards]struct {
		mu sync.RWMutex
		m  map[uint64]*ChannelContext
	}
}

func (t *connTable) add(c *ChannelContext) {
	sh := &t.shards[c.id%connShards]
	sh.mu.Lock()
	if sh.m == nil {
		sh.m = make(map[uint64]*ChannelContext)
	}
	sh.m[c.id] = c
	sh.mu.Unlock()
}

func (t *connTable) remove(c *ChannelContext) {
	sh := &t.shards[c.id%connShards]
	sh.mu.Lock()
	delete(sh.m, c.id)
	sh.mu.Unlock()
}

func (t *connTable) get(id uint64) *ChannelContext {
	sh := &t.shards[id%connShards]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.m[id]
}

func (t *connTable) len() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

// snapshot appends every connection to dst.
func (t *connTable) snapshot(dst []*ChannelContext) []*ChannelContext {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		for _, c := range sh.m {
			dst = append(dst, c)
		}
		sh.mu.RUnlock()
	}
	return dst
}

// each calls fn for every connection, holding no lock while fn runs.
func (t *connTable) each(fn func(*ChannelContext)) {
	for _, c := range t.snapshot(nil) {
		fn(c)
	}
}
