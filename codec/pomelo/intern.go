package pomelo

import (
	"hash/maphash"
	"sync/atomic"
)

// internSlots is the size of a Codec's route table: applications have tens
// or hundreds of routes, 1024 slots keep collisions rare at 8 KiB a codec.
const internSlots = 1024

// maxInternLen bounds the routes worth keeping; longer ones are allocated.
const maxInternLen = 128

// interner turns route bytes into strings without allocating for routes it
// has seen. A decoded route must be a real string (a handler may keep it),
// so aliasing the read buffer is not an option; but routes repeat. It is a
// direct-mapped cache of immutable strings: lock-free, bounded (a peer
// sending random routes only evicts entries), safe for concurrent use.
// Routes sent as dictionary codes need none of this.
type interner struct {
	seed  maphash.Seed
	slots [internSlots]atomic.Pointer[string]
}

func newInterner() *interner { return &interner{seed: maphash.MakeSeed()} }

// str returns b as a string, from the table when it is there.
func (t *interner) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxInternLen {
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
