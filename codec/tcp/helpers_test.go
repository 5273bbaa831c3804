package tcp_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
)

// unhex turns "c7 01 00..." into bytes; spaces are ignored.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// spaced renders b as lower-case hex bytes separated by spaces.
func spaced(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(hex.EncodeToString([]byte{c}))
	}
	return sb.String()
}

// newServer returns a server stream of c.
func newServer(c *tcp.Codec) codec.Stream { return c.NewStream(codec.ConnInfo{}) }

// newClient returns a client stream of c.
func newClient(c *tcp.Codec) codec.Stream { return c.NewStream(codec.ConnInfo{Client: true}) }

// handshaken returns a server stream of c that has read the handshake.
func handshaken(t testing.TB, c *tcp.Codec) codec.Stream {
	t.Helper()
	s := newServer(c)
	var rec codectest.Recorder
	if n, err := codectest.DecodeAll(s, tcp.AppendHandshake(nil), &rec); n != 2 || err != nil {
		t.Fatalf("handshake: n=%d err=%v", n, err)
	}
	return s
}

// acked returns a client stream of c that has read a handshake-ack.
func acked(t testing.TB, c *tcp.Codec) codec.Stream {
	t.Helper()
	s := newClient(c)
	var rec codectest.Recorder
	if _, err := codectest.DecodeAll(s, tcp.AppendHandshakeAck(nil, 0), &rec); err != nil || len(rec.Handshakes) != 1 {
		t.Fatalf("ack: err=%v handshakes=%d", err, len(rec.Handshakes))
	}
	return s
}

// encode encodes m with s or fails the test.
func encode(t testing.TB, s codec.Stream, m codec.Message) []byte {
	t.Helper()
	b, err := s.Encode(nil, &m)
	if err != nil {
		t.Fatalf("encode %+v: %v", m, err)
	}
	return b
}

// sameMessage reports whether a and b carry the same thing (nil and empty
// bodies are the same).
func sameMessage(a, b codec.Message) bool {
	return a.Kind == b.Kind && a.ID == b.ID && a.Route == b.Route &&
		bytes.Equal(a.Body, b.Body) && a.Binary == b.Binary
}

// countingOutput is an Output that keeps nothing, so it allocates nothing.
type countingOutput struct {
	messages, replies, handshakes int
	bodyBytes                     int
}

func (o *countingOutput) Message(m *codec.Message)   { o.messages++; o.bodyBytes += len(m.Body) }
func (o *countingOutput) Reply([]byte)               { o.replies++ }
func (o *countingOutput) Handshaken(codec.Handshake) { o.handshakes++ }
