package aio

import (
	"context"
	"sync"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// outQueue is a connection's write side: bytes waiting for the socket,
// capped in bytes, written by one flusher at a time.
type outQueue struct {
	mu       sync.Mutex
	items    []outItem
	bytes    int
	flushing bool // a flusher owns the socket's write side
	reading  bool // the read goroutine will flush when its batch ends
	closed   bool
	// aborted drops what is queued: the connection closes without
	// writing it (a slow consumer).
	aborted bool
	// finishAfter closes the connection once the queue is written.
	finishAfter error
}

// outItem is one queued buffer and the number of messages it carries (the
// replies to a pipelined batch share one buffer; statistics count each).
type outItem struct {
	buf  *outBuf
	msgs int
	done chan error // SendSync waits on it; nil otherwise
}

// send encodes m for this connection and queues it.
func (c *conn) send(m *codec.Message) error {
	if ok, err := c.appendToTail(m); ok {
		return err
	}
	ob, err := c.encode(m)
	if err != nil {
		return err
	}
	err = c.enqueue(ob, nil, false, 1)
	ob.release()
	return err
}

// encode returns m in this connection's wire format, in a pooled buffer
// the caller releases.
func (c *conn) encode(m *codec.Message) (*outBuf, error) {
	ob := getBuf()
	b, err := c.stream.Encode(ob.b[:0], m)
	if err != nil {
		ob.release()
		return nil, err
	}
	ob.b = b
	return ob, nil
}

// appendToTail encodes m onto the end of the last queued buffer when only
// this queue holds it and the read goroutine will flush it: the replies to
// a batch of pipelined requests then leave as one contiguous buffer, with
// no buffer per message. It reports false when it did not apply.
func (c *conn) appendToTail(m *codec.Message) (bool, error) {
	q := &c.out
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.items)
	if n == 0 || !q.reading || q.closed || q.aborted || c.state.Load() != stateOpen {
		return false, nil
	}
	tail := &q.items[n-1]
	if tail.done != nil || tail.buf.refs.Load() != 1 || cap(tail.buf.b) > maxPooledBuf {
		return false, nil
	}
	before := len(tail.buf.b)
	b, err := c.stream.Encode(tail.buf.b, m)
	if err != nil {
		tail.buf.b = tail.buf.b[:before]
		return true, err
	}
	added := len(b) - before
	if q.bytes+added > c.ep.set.writeQueue {
		tail.buf.b = b[:before]
		return false, nil // let enqueue apply the slow-consumer rule
	}
	q.bytes += added
	tail.buf.b = b
	tail.msgs++
	return true, nil
}

// sendSync queues m and returns once it was written. When no flusher is
// writing, the caller becomes the flusher and writes at once, on its own
// goroutine: a handler on the connection's read goroutine therefore never
// waits for a flush that could only start after it returned. Otherwise it
// waits for the running flusher (bounded by WriteTimeout per write) or ctx.
func (c *conn) sendSync(ctx context.Context, m *codec.Message) error {
	ob, err := c.encode(m)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	if err := c.queueSync(ob, done); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// queueSync queues ob (taken over) with done, and writes it on the
// caller's goroutine when no flusher runs. A session's flusher waits for
// a carrier, so a session starts one instead: the caller's wait stays
// bounded by its ctx.
func (c *conn) queueSync(ob *outBuf, done chan error) error {
	q := &c.out
	q.mu.Lock()
	if err := c.admitLocked(len(ob.b), false); err != nil {
		q.mu.Unlock()
		ob.release()
		return err
	}
	q.items = append(q.items, outItem{buf: ob, msgs: 1, done: done})
	q.bytes += len(ob.b)
	start := !q.flushing
	if start {
		q.flushing = true
	}
	q.mu.Unlock()
	if start {
		if _, waits := c.rc.(*sessionConn); waits {
			go c.flush()
		} else {
			c.flush()
		}
	}
	return nil
}

// admitLocked applies the queue's rules to a new buffer of n bytes, with
// q.mu held: closed queues refuse, and a buffer that would pass the byte
// cap marks the connection a slow consumer. internal marks protocol bytes
// (replies, goodbyes) that may still go out while a graceful close drains.
func (c *conn) admitLocked(n int, internal bool) error {
	q := &c.out
	if q.closed || q.aborted || (!internal && c.state.Load() != stateOpen) {
		return ErrClosed
	}
	if queued := q.bytes; queued > 0 && queued+n > c.ep.set.writeQueue {
		c.abortLocked(ErrSlowConsumer)
		return ErrSlowConsumer
	}
	return nil
}

// enqueue adds ob (retained for the queue) and starts a flusher when none
// runs and the read goroutine will not flush.
func (c *conn) enqueue(ob *outBuf, done chan error, internal bool, msgs int) error {
	q := &c.out
	q.mu.Lock()
	if err := c.admitLocked(len(ob.b), internal); err != nil {
		q.mu.Unlock()
		return err
	}
	ob.retain()
	q.items = append(q.items, outItem{buf: ob, msgs: msgs, done: done})
	q.bytes += len(ob.b)
	start := !q.flushing && !q.reading
	if start {
		q.flushing = true
	}
	q.mu.Unlock()
	if start {
		go c.flush()
	}
	return nil
}

// abortLocked marks the connection for a close that drops its queue, with
// q.mu held. The close itself runs on the connection's own goroutines: the
// flusher that is writing (once its write returns), the read goroutine at
// the end of its batch, or a flusher started for it, never the caller's
// (a broadcaster must not run another connection's close path).
func (c *conn) abortLocked(reason error) {
	q := &c.out
	if q.aborted || q.closed {
		return
	}
	c.setReason(reason)
	c.state.CompareAndSwap(stateOpen, stateClosing)
	q.aborted = true
	q.finishAfter = reason
	c.ep.logger.Info().Uint64("conn", c.id).Str("remote", c.ip).Int("queued", q.bytes).Str("reason", reasonCode(reason)).Msg("aio: closing a connection that does not keep up")
	if !q.flushing && !q.reading {
		q.flushing = true
		go c.flush()
	}
}

// beginRead marks the read goroutine busy: sends made meanwhile are
// written together when endRead runs, in one vectored write.
func (c *conn) beginRead() {
	c.out.mu.Lock()
	c.out.reading = true
	c.out.mu.Unlock()
}

// endRead flushes what the batch queued, on the read goroutine.
func (c *conn) endRead() {
	q := &c.out
	q.mu.Lock()
	q.reading = false
	if q.flushing || (len(q.items) == 0 && q.finishAfter == nil) {
		q.mu.Unlock()
		return
	}
	q.flushing = true
	q.mu.Unlock()
	c.flush()
}

// flushScratch is a flusher's working memory, pooled so that an idle
// connection holds none.
type flushScratch struct {
	vec   [][]byte
	batch []outItem
}

var scratchPool = sync.Pool{New: func() any { return new(flushScratch) }}

// flush writes the queue until it is empty, then carries out a pending
// close. Exactly one flush runs per connection at a time (the caller set
// q.flushing).
func (c *conn) flush() {
	q := &c.out
	sc := scratchPool.Get().(*flushScratch)
	defer scratchPool.Put(sc)
	for {
		q.mu.Lock()
		if len(q.items) == 0 || q.closed || q.aborted {
			q.flushing = false
			after := q.finishAfter
			if cap(q.items) > 64 {
				q.items = nil
			}
			q.mu.Unlock()
			if after != nil {
				c.finish(after)
			}
			return
		}
		batch := q.items
		q.items = sc.batch[:0]
		q.mu.Unlock()

		vec := sc.vec[:0]
		n, msgs := 0, 0
		for _, it := range batch {
			vec = append(vec, it.buf.b)
			n += len(it.buf.b)
			msgs += it.msgs
		}
		_, err := c.rc.writev(vec)
		clear(vec)
		sc.vec = vec[:0]
		q.mu.Lock()
		q.bytes -= n
		q.mu.Unlock()
		if err == nil {
			c.countSent(n, msgs)
		}
		for i, it := range batch {
			if it.done != nil {
				it.done <- err
			}
			it.buf.release()
			batch[i] = outItem{}
		}
		sc.batch = batch[:0]
		if err != nil {
			q.mu.Lock()
			q.flushing = false
			q.mu.Unlock()
			c.finish(wrapReason(errWriteFailed, err))
			return
		}
	}
}

// countSent counts a write of bytes carrying msgs messages.
func (c *conn) countSent(bytes, msgs int) {
	c.stats.SentBytes.Add(uint64(bytes))
	c.stats.SentPackets.Add(uint64(msgs))
	c.stats.LastSent.Store(c.ep.now())
	s := &c.ep.stats
	s.SentBytes.Add(uint64(bytes))
	s.SentPackets.Add(uint64(msgs))
	s.Writes.Add(1)
	if p := c.proto.Load(); p != nil {
		p.MessagesOut.Add(uint64(msgs))
		p.BytesOut.Add(uint64(bytes))
	}
	if ips := c.ep.set.ipStats; ips != nil {
		ips.Record(c.ip, stat.Delta{SentBytes: uint64(bytes), SentPackets: uint64(msgs)})
	}
	c.self.sent(bytes)
}

// dropQueue releases everything queued; the connection is closed.
func (c *conn) dropQueue() {
	q := &c.out
	q.mu.Lock()
	q.closed = true
	items := q.items
	q.items = nil
	q.bytes = 0
	q.mu.Unlock()
	for _, it := range items {
		if it.done != nil {
			it.done <- ErrClosed
		}
		it.buf.release()
	}
}
