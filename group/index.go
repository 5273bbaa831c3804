package group

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Index maps string keys to sets of members: users to connections (a user
// may hold several), groups to connections (a connection may be in many),
// tokens to connections, IP addresses to connections.
//
// The zero value is an empty Index ready to use. All methods are safe for
// concurrent use. An Index must not be copied after first use.
//
// Members of a key are kept in insertion order; removing one does not
// reorder the others. A key exists while it has at least one member.
type Index[C comparable] struct {
	shards [shardCount]indexShard[C]
	keys   atomic.Int64 // keys with at least one member
	pool   sync.Pool    // *[]C snapshot buffers for Range
}

type indexShard[C comparable] struct {
	mu   sync.RWMutex
	m    map[string]entry[C]
	peak int // largest len(m) since m was made, for shrinking
	_    [24]byte
}

// entry is a key's members: one inline (set == nil) or a set of two or more.
type entry[C comparable] struct {
	one C
	set *set[C]
}

func (e entry[C]) count() int {
	if e.set == nil {
		return 1
	}
	return e.set.live
}

func (x *Index[C]) shard(key string) *indexShard[C] {
	return &x.shards[shardOf(key)]
}

// Add makes c a member of key. added reports whether c was not a member
// before; first reports whether key had no member before, the moment a
// cluster node subscribes to the key.
func (x *Index[C]) Add(key string, c C) (added, first bool) {
	sh := x.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.m == nil {
		sh.m = make(map[string]entry[C])
	}
	e, ok := sh.m[key]
	if !ok {
		sh.m[key] = entry[C]{one: c}
		sh.peak = max(sh.peak, len(sh.m))
		x.keys.Add(1)
		return true, true
	}
	if e.set == nil {
		if e.one == c {
			return false, false
		}
		sh.m[key] = entry[C]{set: newSet(e.one, c)}
		return true, false
	}
	return e.set.add(c), false
}

// Remove makes c no longer a member of key. removed reports whether c was a
// member; last reports whether key is now empty and deleted, the moment a
// cluster node unsubscribes from the key.
func (x *Index[C]) Remove(key string, c C) (removed, last bool) {
	sh := x.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[key]
	if !ok {
		return false, false
	}
	if e.set == nil {
		if e.one != c {
			return false, false
		}
		delete(sh.m, key)
		x.keys.Add(-1)
		if shouldShrink(len(sh.m), sh.peak) {
			sh.m = shrunk(sh.m)
			sh.peak = len(sh.m)
		}
		return true, true
	}
	if !e.set.remove(c) {
		return false, false
	}
	if e.set.live == 1 {
		sh.m[key] = entry[C]{one: e.set.first()}
	}
	return true, false
}

// shrunk copies m into a map sized for its current length; Go maps
// never give back buckets after deletes.
func shrunk[K comparable, V any](m map[K]V) map[K]V {
	n := make(map[K]V, len(m))
	for k, v := range m {
		n[k] = v
	}
	return n
}

// Contains reports whether c is a member of key.
func (x *Index[C]) Contains(key string, c C) bool {
	sh := x.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	e, ok := sh.m[key]
	if !ok {
		return false
	}
	if e.set == nil {
		return e.one == c
	}
	return e.set.find(c) >= 0
}

// Count returns the number of members of key.
func (x *Index[C]) Count(key string) int {
	sh := x.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	e, ok := sh.m[key]
	if !ok {
		return 0
	}
	return e.count()
}

// Len returns the number of keys with at least one member.
func (x *Index[C]) Len() int {
	return int(x.keys.Load())
}

// Members appends the members of key to dst in insertion order and returns
// the extended slice. The result is a snapshot; pass dst[:0] of a previous
// result to reuse its memory.
func (x *Index[C]) Members(key string, dst []C) []C {
	sh := x.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	e, ok := sh.m[key]
	switch {
	case !ok:
		return dst
	case e.set == nil:
		return append(dst, e.one)
	default:
		return e.set.appendTo(dst)
	}
}

// Range calls fn for each member of key in insertion order until fn returns
// false. It iterates over a snapshot taken when Range starts and holds no
// lock while fn runs, so fn may call any method of x, including Add and
// Remove on key itself; such changes do not affect the current iteration.
func (x *Index[C]) Range(key string, fn func(C) bool) {
	sh := x.shard(key)
	sh.mu.RLock()
	e, ok := sh.m[key]
	if !ok {
		sh.mu.RUnlock()
		return
	}
	if e.set == nil {
		sh.mu.RUnlock()
		fn(e.one)
		return
	}
	bp, _ := x.pool.Get().(*[]C)
	if bp == nil {
		bp = new([]C)
	}
	buf := e.set.appendTo((*bp)[:0])
	sh.mu.RUnlock()

	defer func() {
		// Clear so the pooled buffer keeps no member alive, and let
		// very large buffers go rather than pin their memory.
		clear(buf)
		if cap(buf) <= maxPooled {
			*bp = buf[:0]
			x.pool.Put(bp)
		}
	}()
	for _, c := range buf {
		if !fn(c) {
			return
		}
	}
}

// maxPooled is the largest snapshot buffer Range keeps for reuse.
const maxPooled = 1 << 16

// Page appends to dst at most limit members of key, skipping the first
// offset, and returns the extended slice and the number of members of key.
// Members come in insertion order, so successive pages neither repeat nor
// skip a member while the membership of key does not change. offset < 0 is
// treated as 0; limit <= 0 means no limit.
func (x *Index[C]) Page(key string, offset, limit int, dst []C) (page []C, total int) {
	offset = max(offset, 0)
	if limit <= 0 {
		limit = -1
	}
	sh := x.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	e, ok := sh.m[key]
	switch {
	case !ok:
		return dst, 0
	case e.set == nil:
		if offset == 0 {
			dst = append(dst, e.one)
		}
		return dst, 1
	default:
		return e.set.appendPage(dst, offset, limit), e.set.live
	}
}

// Keys appends every key with at least one member to dst, sorted, and
// returns the extended slice. Keys added or removed while Keys runs may or
// may not be included.
func (x *Index[C]) Keys(dst []string) []string {
	start := len(dst)
	for i := range x.shards {
		sh := &x.shards[i]
		sh.mu.RLock()
		for k := range sh.m {
			dst = append(dst, k)
		}
		sh.mu.RUnlock()
	}
	slices.Sort(dst[start:])
	return dst
}

// KeysPage returns at most limit keys, in sorted order, skipping the first
// offset, and the total number of keys. offset < 0 is treated as 0; limit
// <= 0 means no limit.
func (x *Index[C]) KeysPage(offset, limit int) (page []string, total int) {
	keys := x.Keys(make([]string, 0, x.Len()))
	total = len(keys)
	offset = min(max(offset, 0), total)
	end := total
	if limit > 0 && offset+limit < end {
		end = offset + limit
	}
	// Copy, so a small page does not pin the array of every key.
	return slices.Clone(keys[offset:end]), total
}
