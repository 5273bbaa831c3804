//go:build gotio_gnet && (linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package aio

import (
	"net"
	"testing"
	"time"
	"unsafe"
)

// TestGnetConnSize holds the engine's per-connection adapter in the
// 64-byte size class: every idle connection pays it.
func TestGnetConnSize(t *testing.T) {
	if s := unsafe.Sizeof(gnetConn{}); s > 64 {
		t.Fatalf("gnetConn is %d bytes, more than the 64 of its size class", s)
	}
}

// TestGnetListenAcceptsItself: a server on TransportGnet that listens by
// address has gnet bind and accept itself (no client loops, no Enroll),
// and its connections report the bound address, not the ":0" gnet.Run was
// given; a listener given to Serve is enrolled through gnet's client.
func TestGnetListenAcceptsItself(t *testing.T) {
	s := NewServer(&Config{Transport: TransportGnet})
	defer s.Close()
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	bound, _ := s.Addr().(*net.TCPAddr)
	if bound == nil || bound.Port == 0 {
		t.Fatalf("Addr() = %v, want the bound port", s.Addr())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	check := func(addr string, wantOwn bool) {
		t.Helper()
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		var got *ChannelContext
		for i := 0; i < 500 && got == nil; i++ {
			s.conns.each(func(c *ChannelContext) {
				if c.RemoteAddr().String() == nc.LocalAddr().String() {
					got = c
				}
			})
			time.Sleep(10 * time.Millisecond)
		}
		if got == nil {
			t.Fatalf("no server connection for %v", nc.LocalAddr())
		}
		if got.LocalAddr().String() != addr {
			t.Fatalf("LocalAddr() = %v, want %v", got.LocalAddr(), addr)
		}
		s.mu.Lock()
		engines := append([]engine(nil), s.engines...)
		s.mu.Unlock()
		owns := 0
		for _, e := range engines {
			g := e.(*gnetEngine)
			g.mu.Lock()
			if g.own.ok && g.cli == nil {
				owns++
			}
			g.mu.Unlock()
		}
		if owns != 1 {
			t.Fatalf("%d engines accept themselves, want 1 (Listen's)", owns)
		}
		if !wantOwn && len(engines) != 2 {
			t.Fatalf("%d engines, want Listen's and Serve's", len(engines))
		}
	}
	check(bound.String(), true)
	check(ln.Addr().String(), false)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != ErrServerClosed {
		t.Fatalf("Serve = %v, want ErrServerClosed", err)
	}
}
