package aio

import (
	"sync"
	"sync/atomic"
)

// outBuf holds encoded bytes on their way to one or more sockets. A
// broadcast shares one outBuf between every member of a wire format; the
// last release returns it to the pool.
type outBuf struct {
	b    []byte
	refs atomic.Int32
}

const maxPooledBuf = 64 << 10

var bufPool = sync.Pool{New: func() any { return &outBuf{b: make([]byte, 0, 512)} }}

func getBuf() *outBuf {
	ob := bufPool.Get().(*outBuf)
	ob.refs.Store(1)
	return ob
}

func (ob *outBuf) retain() { ob.refs.Add(1) }

func (ob *outBuf) release() {
	if ob.refs.Add(-1) != 0 {
		return
	}
	if cap(ob.b) > maxPooledBuf {
		return
	}
	ob.b = ob.b[:0]
	bufPool.Put(ob)
}
