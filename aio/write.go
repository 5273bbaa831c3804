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
	// finishAfter closes the connection once the queue is written.
	finishAfter error
}

type outItem struct {
	buf  *outBuf
	done chan error // SendSync waits on it; nil otherwise
}

// Send encodes m for this connection and queues it. It returns once the
// bytes are queued, not written; see SendSync. It fails with ErrClosed on a
// closed connection and with ErrSlowConsumer when the queue is full (the
// connection is then closed). Safe from any goroutine.
func (c *ChannelContext) Send(m *codec.Message) error {
	if ok, err := c.appendToTail(m); ok {
		return err
	}
	ob, err := c.encode(m)
	if err != nil {
		return err
	}
	err = c.enqueue(ob, nil, false)
	ob.release()
	return err
}

// encode returns m in this connection's wire format, in a pooled buffer
// the caller releases.
func (c *ChannelContext) encode(m *codec.Message) (*outBuf, error) {
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
func (c *ChannelContext) appendToTail(m *codec.Message) (bool, error) {
	q := &c.out
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.items)
	if n == 0 || !q.reading || q.closed || c.state.Load() != stateOpen {
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
	if q.bytes+added > c.srv.cfg.WriteQueueBytes {
		tail.buf.b = b[:before]
		return false, nil // let enqueue apply the slow-consumer rule
	}
	q.bytes += added
	tail.buf.b = b
	return true, nil
}

// SendSync is Send that returns once the bytes were written to the socket,
// or with ctx's error when ctx ends first (the bytes may still be written
// later). Safe from any goroutine.
func (c *ChannelContext) SendSync(ctx context.Context, m *codec.Message) error {
	ob, err := c.encode(m)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	err = c.enqueue(ob, done, false)
	ob.release()
	if err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SendBytes queues bytes already in this connection's wire format. b must
// not change until the connection closed or the bytes were written.
func (c *ChannelContext) SendBytes(b []byte) error {
	ob := getBuf()
	ob.b = append(ob.b[:0], b...)
	err := c.enqueue(ob, nil, false)
	ob.release()
	return err
}

// enqueue adds ob (retained for the queue) and starts a flusher when none
// runs and the read goroutine will not flush. internal marks protocol bytes
// (replies, goodbyes) that may still go out while a graceful close drains.
func (c *ChannelContext) enqueue(ob *outBuf, done chan error, internal bool) error {
	q := &c.out
	q.mu.Lock()
	if q.closed || (!internal && c.state.Load() != stateOpen) {
		q.mu.Unlock()
		return ErrClosed
	}
	if queued := q.bytes; queued > 0 && queued+len(ob.b) > c.srv.cfg.WriteQueueBytes {
		q.mu.Unlock()
		c.srv.logger.Info().Uint64("conn", c.id).Str("remote", c.ip).Int("queued", queued).Msg("aio: closing slow consumer")
		c.finish(ErrSlowConsumer)
		return ErrSlowConsumer
	}
	ob.retain()
	q.items = append(q.items, outItem{buf: ob, done: done})
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

// beginRead marks the read goroutine busy: sends made meanwhile are
// written together when endRead runs, in one vectored write.
func (c *ChannelContext) beginRead() {
	c.out.mu.Lock()
	c.out.reading = true
	c.out.mu.Unlock()
}

// endRead flushes what the batch queued, on the read goroutine.
func (c *ChannelContext) endRead() {
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

// flush writes the queue until it is empty. Exactly one flush runs per
// connection at a time (the caller set q.flushing).
func (c *ChannelContext) flush() {
	q := &c.out
	sc := scratchPool.Get().(*flushScratch)
	defer scratchPool.Put(sc)
	for {
		q.mu.Lock()
		if len(q.items) == 0 || q.closed {
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
		n := 0
		for _, it := range batch {
			vec = append(vec, it.buf.b)
			n += len(it.buf.b)
		}
		_, err := c.rc.writev(vec)
		clear(vec)
		sc.vec = vec[:0]
		q.mu.Lock()
		q.bytes -= n
		q.mu.Unlock()
		if err == nil {
			c.countSent(n, len(batch))
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
			c.finish(wrapReason(ErrWriteFailed, err))
			return
		}
	}
}

func (c *ChannelContext) countSent(bytes, packets int) {
	c.stats.SentBytes.Add(uint64(bytes))
	c.stats.SentPackets.Add(uint64(packets))
	c.stats.LastSent.Store(c.srv.clock.Load())
	s := &c.srv.stats
	s.SentBytes.Add(uint64(bytes))
	s.SentPackets.Add(uint64(packets))
	s.Writes.Add(1)
	if p := c.proto.Load(); p != nil {
		p.MessagesOut.Add(uint64(packets))
		p.BytesOut.Add(uint64(bytes))
	}
	if ips := c.srv.cfg.IPStats; ips != nil {
		ips.Record(c.ip, stat.Delta{SentBytes: uint64(bytes), SentPackets: uint64(packets)})
	}
	c.srv.cfg.Listener.OnSent(c, bytes)
}

// dropQueue releases everything queued; the connection is closed.
func (c *ChannelContext) dropQueue() {
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
