package aio

import (
	"context"
	"sync"

	"github.com/gotio/gotio/codec"
)

// workerPool runs queued handlers: a fixed set of goroutines that take
// connections with waiting messages and handle them in order.
type workerPool struct {
	n      int
	jobs   chan *conn
	wg     sync.WaitGroup
	mu     sync.RWMutex // held for reading while submitting, so stop never closes jobs under a sender
	closed bool
}

func newWorkerPool(n int) *workerPool {
	return &workerPool{n: n, jobs: make(chan *conn, n*4)}
}

func (p *workerPool) start() {
	p.wg.Add(p.n)
	for range p.n {
		go func() {
			defer p.wg.Done()
			for c := range p.jobs {
				c.drainMailbox()
			}
		}()
	}
}

// stop ends the workers once they finished what they hold, or when ctx
// ends first; it reports whether they all ended.
func (p *workerPool) stop(ctx context.Context) bool {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

func (p *workerPool) submit(c *conn) {
	p.mu.RLock()
	if !p.closed {
		p.jobs <- c
	}
	p.mu.RUnlock()
}

// queue copies m onto the connection's mailbox and schedules the
// connection on the pool when it is not already.
func (c *conn) queue(m *codec.Message) {
	cp := *m
	cp.Body = append([]byte(nil), m.Body...)
	c.mu.Lock()
	r := c.rareLocked()
	if len(r.mailbox) >= c.ep.set.queueLen {
		c.mu.Unlock()
		c.close(ErrHandlerOverload)
		return
	}
	r.mailbox = append(r.mailbox, cp)
	schedule := !r.draining
	r.draining = true
	c.mu.Unlock()
	if schedule {
		c.ep.workers.submit(c)
	}
}

// drainMailbox handles the connection's waiting messages in order, on a
// worker.
func (c *conn) drainMailbox() {
	for {
		c.mu.Lock()
		r := c.rare // queue allocated it
		batch := r.mailbox
		r.mailbox = nil
		if len(batch) == 0 {
			r.draining = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		for i := range batch {
			if c.state.Load() == stateOpen {
				c.handle(&batch[i])
			}
		}
	}
}
