package tcp_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
)

// roundTrips are messages of every kind, at the edges of every field. want
// is what arrives: a Response's route stays home, only Raw is binary.
var roundTrips = []struct {
	name string
	m    codec.Message
	want codec.Message
	hex  string // the frame, when it is worth pinning
}{
	{"request", codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{"msg":"hi"}`)}, codec.Message{}, ""},
	{"request id 0 empty route and body", codec.Message{Kind: codec.Request}, codec.Message{}, "00 00 00 03 03 00 00"},
	{"request max id", codec.Message{Kind: codec.Request, ID: math.MaxUint64, Route: "r", Body: []byte("b")},
		codec.Message{}, "00 00 00 0e 03 ff ff ff ff ff ff ff ff ff 01 01 72 62"},
	{"request two-byte id", codec.Message{Kind: codec.Request, ID: 300, Route: "a.b"}, codec.Message{}, "00 00 00 07 03 ac 02 03 61 2e 62"},
	{"notify", codec.Message{Kind: codec.Notify, Route: "chat.typing", Body: []byte("{}")}, codec.Message{}, ""},
	{"notify drops id", codec.Message{Kind: codec.Notify, ID: 9, Route: "n"}, codec.Message{Kind: codec.Notify, Route: "n"}, "00 00 00 03 04 01 6e"},
	{"response", codec.Message{Kind: codec.Response, ID: 7, Body: []byte(`{"ok":true}`)}, codec.Message{}, ""},
	{"response drops route", codec.Message{Kind: codec.Response, ID: 7, Route: "chat.send", Body: []byte("x")},
		codec.Message{Kind: codec.Response, ID: 7, Body: []byte("x")}, "00 00 00 03 05 07 78"},
	{"push", codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"from":"a"}`)}, codec.Message{}, ""},
	{"push long route", codec.Message{Kind: codec.Push, Route: strings.Repeat("r", 300), Body: []byte("b")}, codec.Message{}, ""},
	{"push empty body", codec.Message{Kind: codec.Push, Route: "onLeave"}, codec.Message{}, ""},
	{"raw text", codec.Message{Kind: codec.Raw, Body: []byte("hello")}, codec.Message{}, "00 00 00 06 07 68 65 6c 6c 6f"},
	{"raw binary", codec.Message{Kind: codec.Raw, Body: []byte{0, 1, 2}, Binary: true}, codec.Message{}, "00 00 00 04 17 00 01 02"},
	{"raw empty", codec.Message{Kind: codec.Raw}, codec.Message{}, "00 00 00 01 07"},
	{"binary ignored off raw", codec.Message{Kind: codec.Push, Route: "p", Binary: true},
		codec.Message{Kind: codec.Push, Route: "p"}, "00 00 00 03 06 01 70"},
	{"big body", codec.Message{Kind: codec.Push, Route: "big", Body: bytes.Repeat([]byte("z"), 70000)}, codec.Message{}, ""},
}

func TestRoundTrip(t *testing.T) {
	c := tcp.New(nil)
	for _, tc := range roundTrips {
		want := tc.want
		if want.Kind == 0 && want.Route == "" && want.Body == nil {
			want = tc.m
		}
		t.Run(tc.name, func(t *testing.T) {
			// client -> server and server -> client: the layout is symmetric.
			for _, dir := range []struct {
				name     string
				from, to codec.Stream
			}{
				{"client to server", acked(t, c), handshaken(t, c)},
				{"server to client", handshaken(t, c), acked(t, c)},
			} {
				b := encode(t, dir.from, tc.m)
				if tc.hex != "" && spaced(b) != tc.hex {
					t.Errorf("%s: frame\n got %s\nwant %s", dir.name, spaced(b), tc.hex)
				}
				var rec codectest.Recorder
				n, need, err := dir.to.Decode(b, &rec)
				if err != nil || n != len(b) || need != 0 {
					t.Fatalf("%s: decode n=%d need=%d err=%v, len %d", dir.name, n, need, err, len(b))
				}
				if len(rec.Messages) != 1 || !sameMessage(rec.Messages[0], want) {
					t.Fatalf("%s: got %+v, want %+v", dir.name, rec.Messages, want)
				}
				if len(rec.Replies) != 0 {
					t.Errorf("%s: unexpected reply % x", dir.name, rec.Replies)
				}
			}
		})
	}
}

func TestEncodeAppends(t *testing.T) {
	s := handshaken(t, tcp.New(nil))
	prefix := []byte("keep")
	b, err := s.Encode(prefix, &codec.Message{Kind: codec.Raw, Body: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if got := spaced(b); got != "6b 65 65 70 00 00 00 02 07 78" {
		t.Fatalf("got %s", got)
	}
}

func TestEncodeUnsupportedKind(t *testing.T) {
	s := handshaken(t, tcp.New(nil))
	b, err := s.Encode([]byte("x"), &codec.Message{Kind: codec.Kind(99)})
	if !errors.Is(err, codec.ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
	if string(b) != "x" {
		t.Fatalf("dst changed to %q", b)
	}
}

func TestServerEncodeBeforeHandshake(t *testing.T) {
	c := tcp.New(nil)
	s := newServer(c)
	if f := s.Format(); f != "" {
		t.Fatalf("Format before handshake = %q, want empty", f)
	}
	if _, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "p"}); !errors.Is(err, codec.ErrNotReady) {
		t.Fatalf("Encode before handshake: err = %v, want ErrNotReady", err)
	}
	if p := s.Protocol(); p != "tcp" {
		t.Fatalf("Protocol = %q", p)
	}
	s = handshaken(t, c)
	if f := s.Format(); f != "tcp/1" {
		t.Fatalf("Format = %q", f)
	}
	if f := newClient(c).Format(); f != "tcp/1" {
		t.Fatalf("client Format = %q", f)
	}
}

// TestFormatMeansSameBytes: two streams of two codecs with one Format give
// identical bytes, which is what lets a broadcast share them.
func TestFormatMeansSameBytes(t *testing.T) {
	a := handshaken(t, tcp.New(nil))
	b := handshaken(t, tcp.New(&tcp.Config{MaxFrameSize: 100, HeartbeatInterval: time.Second}))
	if a.Format() != b.Format() {
		t.Fatalf("formats differ: %q %q", a.Format(), b.Format())
	}
	m := codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte("hello")}
	if x, y := encode(t, a, m), encode(t, b, m); !bytes.Equal(x, y) {
		t.Fatalf("same format, different bytes: % x vs % x", x, y)
	}
}

// TestRoutesInterned: a route seen before comes back as the same string,
// which is how Decode avoids allocating it; a long one is still right.
func TestRoutesInterned(t *testing.T) {
	c := tcp.New(nil)
	s1, s2 := handshaken(t, c), handshaken(t, c)
	long := strings.Repeat("x", 200)
	frames := append(encode(t, newClient(c), codec.Message{Kind: codec.Notify, Route: "room.enter"}),
		encode(t, newClient(c), codec.Message{Kind: codec.Notify, Route: long})...)
	var r1, r2 codectest.Recorder
	if _, err := codectest.DecodeAll(s1, frames, &r1); err != nil {
		t.Fatal(err)
	}
	if _, err := codectest.DecodeAll(s2, frames, &r2); err != nil {
		t.Fatal(err)
	}
	a, b := r1.Messages[0].Route, r2.Messages[0].Route
	if a != "room.enter" || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Fatalf("route %q not shared between streams of one codec", a)
	}
	if r1.Messages[1].Route != long || r2.Messages[1].Route != long {
		t.Fatal("long route changed")
	}
}

// TestZeroCodec: a Codec not made by New still works, with the defaults.
func TestZeroCodec(t *testing.T) {
	var c tcp.Codec
	s := c.NewStream(codec.ConnInfo{})
	var rec codectest.Recorder
	in := append(tcp.AppendHandshake(nil), encode(t, newClient(tcp.New(nil)), codec.Message{Kind: codec.Notify, Route: "n"})...)
	if n, err := codectest.DecodeAll(s, in, &rec); err != nil || n != len(in) || len(rec.Messages) != 1 {
		t.Fatalf("n=%d err=%v messages=%d", n, err, len(rec.Messages))
	}
	if got := spaced(rec.Replies); got != "00 00 00 01 01" {
		t.Fatalf("ack = %s", got)
	}
}
