//go:build gotio_gnet && (linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package aio

import (
	"testing"
	"unsafe"
)

// TestGnetConnSize holds the engine's per-connection adapter in the
// 64-byte size class: every idle connection pays it.
func TestGnetConnSize(t *testing.T) {
	if s := unsafe.Sizeof(gnetConn{}); s > 64 {
		t.Fatalf("gnetConn is %d bytes, more than the 64 of its size class", s)
	}
}
