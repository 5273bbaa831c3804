package websocket

import (
	"errors"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// TestClientStreamRefused: a client stream of this server-only codec fails
// every call that would speak WebSocket, with an error that wraps
// codec.ErrUnsupported and names the client to use instead, and writes
// nothing; the same Codec still makes working server streams.
func TestClientStreamRefused(t *testing.T) {
	c := New(&Config{Routes: []Route{{Inner: JSON}}})
	s := c.NewStream(codec.ConnInfo{Client: true, RemoteAddr: testAddr})
	if _, ok := s.(*Stream); ok {
		t.Fatal("client connection got a server stream")
	}
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, codec.ErrUnsupported) || !strings.Contains(err.Error(), "client.Config.WebSocket") {
			t.Fatalf("%s: err %v, want codec.ErrUnsupported naming client.Config.WebSocket", what, err)
		}
	}
	o, ok := s.(codec.Opener)
	if !ok {
		t.Fatal("client stream is not a codec.Opener: aio would not fail the Dial at once")
	}
	b, err := o.Open([]byte("x"))
	check("Open", err)
	if string(b) != "x" {
		t.Fatalf("Open appended %q", b[1:])
	}
	reply := []byte("HTTP/1.1 101 Switching Protocols\r\n\r\n")
	rec := &codectest.Recorder{}
	n, need, err := s.Decode(reply, rec)
	check("Decode", err)
	if n != 0 || need != 0 || len(rec.Replies) != 0 || len(rec.Messages) != 0 || len(rec.Handshakes) != 0 {
		t.Fatalf("Decode: n=%d need=%d recorder %+v", n, need, rec)
	}
	b, err = s.Encode([]byte("x"), &codec.Message{Kind: codec.Request, ID: 1, Route: "a", Body: []byte(`{}`)})
	check("Encode", err)
	if string(b) != "x" {
		t.Fatalf("Encode appended %q", b[1:])
	}
	if s.Format() != "" {
		t.Fatalf("Format %q: a failing stream must share no broadcast bytes", s.Format())
	}
	if _, ok := c.NewStream(codec.ConnInfo{RemoteAddr: testAddr}).(*Stream); !ok {
		t.Fatal("server connection did not get a *Stream")
	}
	srv, _ := openOn(t, c)
	if srv.Protocol() != "ws" {
		t.Fatalf("server stream after the client one: protocol %q", srv.Protocol())
	}
}
