package aio

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/testcodec"
)

// nullConn is a rawConn that takes every write.
type nullConn struct{}

var nullAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}

func (nullConn) LocalAddr() net.Addr               { return nullAddr }
func (nullConn) RemoteAddr() net.Addr              { return nullAddr }
func (nullConn) writev(bufs [][]byte) (int, error) { return 0, nil }
func (nullConn) close() error                      { return nil }

func hookOf(c *conn) (func(error), bool) {
	h := hookShard(c)
	h.mu.Lock()
	defer h.mu.Unlock()
	fn, ok := h.m[c]
	return fn, ok
}

// TestCarrierHooks: an OnClose function runs once on the close path and
// leaves the table; one set on a closed connection is not kept (the table
// would hold the connection for good); BecomeSession counts a session
// until the close and refuses a closed connection.
func TestCarrierHooks(t *testing.T) {
	s := NewServer(&Config{Codec: testcodec.Length{}, Handler: HandlerFunc(func(*ChannelContext, *codec.Message) {})})
	s.startEndpoint()
	defer s.Close()

	c := s.open(nullConn{})
	k := (*carrier)(ownerOf(c))
	ran := 0
	k.OnClose(func(error) { ran++ })
	if _, ok := hookOf(c); !ok {
		t.Fatal("OnClose kept nothing")
	}
	k.OnClose(nil)
	if _, ok := hookOf(c); ok {
		t.Fatal("OnClose(nil) left the function")
	}
	if err := k.BecomeSession("sid", time.Second); err != nil {
		t.Fatal(err)
	}
	if n := int(s.Stats().Sessions); n != 1 {
		t.Fatalf("%d sessions after BecomeSession, want 1", n)
	}
	if d := c.heartbeatTimeout(); d != time.Second {
		t.Errorf("heartbeat timeout %v, want the session's 1s", d)
	}
	c.finish(ErrClosed)
	if n := int(s.Stats().Sessions); n != 0 {
		t.Fatalf("%d sessions after the close, want 0", n)
	}
	if _, ok := hookOf(c); ok {
		t.Fatal("the close path left its function in the table")
	}
	k.OnClose(func(error) { ran++ })
	if _, ok := hookOf(c); ok {
		t.Fatal("OnClose on a closed connection kept its function")
	}
	if err := k.BecomeSession("sid2", time.Second); !errors.Is(err, ErrClosed) || int(s.Stats().Sessions) != 0 {
		t.Fatalf("BecomeSession on a closed connection: %v, %d sessions", err, int(s.Stats().Sessions))
	}
	if ran != 0 {
		t.Errorf("removed or refused functions ran %d times", ran)
	}
}
