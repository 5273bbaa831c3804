package testenv

import (
	"bytes"
	"runtime"
	"strconv"
)

// GoroutineID returns the id of the calling goroutine, from its stack
// header, for tests that check which goroutine ran a hook.
func GoroutineID() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseInt(string(b), 10, 64)
	return id
}
