// Package intern turns decoded routes into strings without allocating for
// routes already seen; codec/tcp and codec/pomelo share it.
package intern

import (
	"hash/maphash"
	"sync/atomic"
)

// internSlots is the size of a Table. Applications have tens
// or hundreds of routes; 1024 slots keep collisions rare at 8 KiB a codec.
const internSlots = 1024

// maxInternLen bounds the routes worth keeping; longer ones are allocated.
const maxInternLen = 128

// Table turns route bytes into strings without allocating for routes it
// has seen. A decoded route must be a real string (a handler may keep it in
// a map), so aliasing the read buffer is not an option; but routes repeat,
// so a small table shared by every stream of a codec answers almost every
// lookup. It is a direct-mapped cache of immutable strings: lock-free,
// bounded (a peer sending random routes only evicts entries), and safe for
// concurrent use.
type Table struct {
	seed  maphash.Seed
	slots [internSlots]atomic.Pointer[string]
}

// New returns an empty table.
func New() *Table { return &Table{seed: maphash.MakeSeed()} }

// String returns b as a string, from the table when it is there. A nil
// Table allocates every time.
func (t *Table) String(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if t == nil || len(b) > maxInternLen {
		return string(b)
	}
	slot := &t.slots[maphash.Bytes(t.seed, b)%internSlots]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}
