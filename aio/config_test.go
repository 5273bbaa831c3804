package aio_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
)

// TestZeroConfig: NewServer(nil) and client.Dial with a nil Config speak
// gotio's TCP protocol (codec/tcp), and a request gets its echo.
func TestZeroConfig(t *testing.T) {
	s := aio.NewServer(nil)
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, s.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if got := cl.Protocol(); got != "tcp" {
		t.Fatalf("client protocol %q, want tcp", got)
	}
	waitFor(t, "the server to see the client", func() bool { return s.Count(aio.All()) == 1 })
	if c := s.Conns(aio.All())[0]; c.Protocol() != "tcp" {
		t.Fatalf("server protocol %q, want tcp", c.Protocol())
	}
}

// TestBadCodecConfig: a codec whose configuration cannot work is refused
// by Listen, Serve, ServeConn and Dial with the codec's error, before any
// connection is accepted or dialed.
func TestBadCodecConfig(t *testing.T) {
	bad := pomelo.New(&pomelo.Config{MinClientVersion: map[string]string{"js-websocket": "latest"}})
	if bad.Check() == nil {
		t.Fatal("pomelo accepted a malformed MinClientVersion")
	}
	want := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "latest") {
			t.Fatalf("%s: %v, want the codec's configuration error", what, err)
		}
	}
	s := aio.NewServer(&aio.Config{Codec: bad})
	want("Listen", s.Listen("127.0.0.1:0"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	want("Serve", s.Serve(ln))
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("Serve left its listener open")
	}
	a, b := net.Pipe()
	defer b.Close()
	want("ServeConn", s.ServeConn(a))
	if s.Count(aio.All()) != 0 {
		t.Fatal("a connection was accepted")
	}
	_ = s.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = client.Dial(ctx, "127.0.0.1:1", &client.Config{Codec: bad})
	want("Dial", err)

	// The codecs that carry others check them.
	badWS := pomelo.NewWS(&pomelo.Config{MinClientVersion: map[string]string{"js-websocket": "latest"}})
	for name, c := range map[string]codec.Codec{
		"hybrid":    hybrid.New(&hybrid.Config{TCP: tcp.New(nil), PomeloTCP: bad}),
		"websocket": websocket.New(&websocket.Config{Routes: []websocket.Route{{Inner: badWS, Binary: true}}}),
	} {
		want(name, aio.NewServer(&aio.Config{Codec: c}).Listen("127.0.0.1:0"))
	}
}
