package aio

import (
	"bytes"
	"runtime"
	"strconv"
	"time"

	"github.com/gotio/gotio/codec"
)

// clientConn is one connection of a Client: the connection core, with the
// client as its owner.
type clientConn struct {
	conn
	cl       *Client
	reported bool // installed and reported to OnConnected; guarded by Client.mu
	// readyCh is closed once the connection is ready (conn.markReady),
	// doneCh once its close path finished.
	readyCh chan struct{}
	doneCh  chan struct{}
}

// clientHost admits a client's connections into its endpoint.
type clientHost struct{ c *Client }

func (h clientHost) open(rc rawConn) *conn {
	c := h.c
	cc := &clientConn{cl: c}
	cc.init(c.ep, cc, rc, c.cfg.Codec.NewStream)
	cc.readyCh = make(chan struct{})
	cc.doneCh = make(chan struct{})
	c.mu.Lock()
	closed := c.closed
	if !closed {
		c.ep.active.Add(1)
	}
	c.mu.Unlock()
	if closed {
		return nil
	}
	cc.registered()
	return &cc.conn
}

// The connOwner hooks.

func (cc *clientConn) deliver(m *codec.Message) { cc.cl.dispatch(m) }
func (cc *clientConn) connected()               {}
func (cc *clientConn) received(int)             {}
func (cc *clientConn) decoded(*codec.Message)   {}
func (cc *clientConn) handled(*codec.Message, time.Duration) {
}
func (cc *clientConn) sent(int)                         {}
func (cc *clientConn) silentTooLong(time.Duration) bool { return true }
func (cc *clientConn) closed(error)                     { close(cc.doneCh) }
func (cc *clientConn) closing(reason error) (user string) {
	c := cc.cl
	c.mu.Lock()
	current := c.cc == cc
	report := current && cc.reported
	if current {
		c.cc = nil
		c.setStateLocked(StateClosing)
		for id, ch := range c.pending {
			select {
			case ch <- nil:
			default:
			}
			delete(c.pending, id)
		}
	}
	c.mu.Unlock()
	if report && c.cfg.OnBeforeClose != nil {
		c.cfg.OnBeforeClose(c, reason)
	}
	return ""
}

// dispatch routes what the connection decoded, on its read goroutine:
// responses to their waiting Request, pushes to OnPush functions, the rest
// to the Handler.
func (c *Client) dispatch(m *codec.Message) {
	if m.Kind == codec.Response {
		c.mu.Lock()
		ch := c.pending[m.ID]
		c.mu.Unlock()
		if ch != nil {
			cp := *m
			cp.Body = append([]byte(nil), m.Body...)
			select {
			case ch <- &cp:
			default:
			}
			return
		}
	}
	var fn func(*codec.Message)
	if m.Kind == codec.Push {
		c.mu.Lock()
		fn = c.pushes[m.Route]
		c.mu.Unlock()
	}
	if fn == nil && c.cfg.Handler == nil {
		return
	}
	// Mark the goroutine, so a Request from the callback fails fast
	// instead of waiting for a response only this goroutine could read.
	c.callbackG.Store(goroutineID())
	defer c.callbackG.Store(0)
	if fn != nil {
		fn(m)
		return
	}
	c.cfg.Handler(c, m)
}

// goroutineID returns the id of the calling goroutine, read from its stack
// header ("goroutine 42 [running]:"). Only the client's callback check
// uses it, on a path that already waits for a network round trip.
func goroutineID() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseInt(string(b), 10, 64)
	return id
}
