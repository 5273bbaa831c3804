// Package goid reads the id of the calling goroutine, for the few places
// that must tell a goroutine from another: aio/client's check that a
// Request does not wait on its own read goroutine, and tests that check
// which goroutine ran a hook.
package goid

import (
	"bytes"
	"runtime"
	"strconv"
)

// ID returns the id of the calling goroutine, read from its stack header
// ("goroutine 42 [running]:"). It costs a stack read: use it off hot
// paths.
func ID() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseInt(string(b), 10, 64)
	return id
}
