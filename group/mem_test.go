package group

import (
	"runtime"
	"strconv"
	"testing"
)

// liveHeap returns the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestIndexMemoryPerKey bounds what an Index costs per single-member key
// (a user on one device, the common case at 10,000+ idle connections):
// the entry is stored inline in the shard map, with no set allocated.
func TestIndexMemoryPerKey(t *testing.T) {
	const n = 20000
	conns := benchConns(n)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "user" + strconv.Itoa(i)
	}
	before := liveHeap()
	x := new(Index[*benchConn])
	for i, k := range keys {
		x.Add(k, conns[i])
	}
	after := liveHeap()
	per := float64(after-before) / n
	t.Logf("Index: %.0f bytes per single-member key (key strings and members not counted)", per)
	// A map slot is 16 (string header) + 16 (entry) bytes plus control
	// bytes and load-factor slack; 128 leaves room for map growth steps
	// but fails if each key allocated a set.
	if per > 128 {
		t.Fatalf("%.0f bytes per single-member key, want <= 128", per)
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(keys)
}
