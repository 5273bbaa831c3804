package tcp_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
)

func TestServerHandshake(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     *tcp.Config
		ack     string
		timeout time.Duration
	}{
		{"no interval", nil, "00 00 00 01 01", 0},
		{"30s", &tcp.Config{HeartbeatInterval: 30 * time.Second}, "00 00 00 04 01 b0 ea 01", time.Minute},
		{"sub-millisecond rounds up", &tcp.Config{HeartbeatInterval: time.Microsecond}, "00 00 00 02 01 01", 2 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(tcp.New(tc.cfg))
			var rec codectest.Recorder
			if n, need, err := s.Decode([]byte{tcp.Magic}, &rec); n != 0 || need != 2 || err != nil {
				t.Fatalf("magic alone: n=%d need=%d err=%v", n, need, err)
			}
			n, need, err := s.Decode([]byte{0xC7, 0x01}, &rec)
			if n != 2 || need != 0 || err != nil {
				t.Fatalf("handshake: n=%d need=%d err=%v", n, need, err)
			}
			if got := spaced(rec.Replies); got != tc.ack {
				t.Fatalf("ack = %s, want %s", got, tc.ack)
			}
			want := codec.Handshake{Protocol: "tcp", HeartbeatTimeout: tc.timeout}
			if len(rec.Handshakes) != 1 || rec.Handshakes[0] != want {
				t.Fatalf("handshakes = %+v, want %+v", rec.Handshakes, want)
			}
			// The client learns the interval from the ack.
			cl := newClient(tcp.New(nil))
			var crec codectest.Recorder
			if _, err := codectest.DecodeAll(cl, rec.Replies, &crec); err != nil {
				t.Fatal(err)
			}
			if len(crec.Handshakes) != 1 || crec.Handshakes[0] != want {
				t.Fatalf("client handshakes = %+v, want %+v", crec.Handshakes, want)
			}
			if got := cl.(*tcp.ClientStream).HeartbeatInterval(); got != tc.timeout/2 {
				t.Fatalf("HeartbeatInterval = %v", got)
			}
		})
	}
}

func TestHeartbeatAnswered(t *testing.T) {
	c := tcp.New(nil)
	s := handshaken(t, c)
	hb := newClient(c).(codec.Heartbeater).Heartbeat(nil)
	if got := spaced(hb); got != "00 00 00 01 02" {
		t.Fatalf("heartbeat = %s", got)
	}
	var rec codectest.Recorder
	in := append(append([]byte(nil), hb...), hb...)
	if n, _, err := s.Decode(in, &rec); err != nil || n != len(in) {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if !bytes.Equal(rec.Replies, in) || len(rec.Messages) != 0 {
		t.Fatalf("replies % x, messages %d", rec.Replies, len(rec.Messages))
	}
	// The client swallows the answer.
	cl := acked(t, c)
	rec.Reset()
	if n, _, err := cl.Decode(hb, &rec); err != nil || n != len(hb) || len(rec.Replies) != 0 || len(rec.Messages) != 0 {
		t.Fatalf("client: n=%d err=%v rec=%+v", n, err, rec)
	}
}

func TestClientOpenAndGoodbye(t *testing.T) {
	c := tcp.New(nil)
	cl := newClient(c)
	b, err := cl.(codec.Opener).Open([]byte{9})
	if err != nil || spaced(b) != "09 c7 01" {
		t.Fatalf("Open = % x, %v", b, err)
	}
	if _, ok := newServer(c).(codec.Opener); ok {
		t.Fatal("server stream speaks first")
	}
	for _, tc := range []struct {
		s        codec.Stream
		shutdown bool
		code     tcp.CloseCode
	}{
		{cl, false, tcp.CloseNormal},
		{cl, true, tcp.CloseShutdown},
		{newServer(c), false, tcp.CloseKicked},
		{newServer(c), true, tcp.CloseShutdown},
	} {
		b := tc.s.(codec.Goodbyer).Goodbye(nil, codec.Farewell{Reason: "bye", Shutdown: tc.shutdown})
		var ce *tcp.CloseError
		_, _, err := handshaken(t, c).Decode(b, &codectest.Recorder{})
		if !errors.As(err, &ce) || ce.Code != tc.code || ce.Reason != "bye" || !errors.Is(err, codec.ErrPeerClosed) {
			t.Fatalf("goodbye % x decodes to %v, want code %v", b, err, tc.code)
		}
	}
}

func TestHandshakeOptional(t *testing.T) {
	c := tcp.New(&tcp.Config{HandshakeOptional: true})
	frame := encode(t, newClient(c), codec.Message{Kind: codec.Notify, Route: "n", Body: []byte("b")})

	s := newServer(c)
	var rec codectest.Recorder
	if n, need, err := s.Decode(frame[:3], &rec); n != 0 || need != 4 || err != nil || len(rec.Handshakes) != 0 {
		t.Fatalf("partial first frame: n=%d need=%d err=%v handshakes=%d", n, need, err, len(rec.Handshakes))
	}
	if _, err := s.Encode(nil, &codec.Message{Kind: codec.Push}); !errors.Is(err, codec.ErrNotReady) {
		t.Fatalf("encode before the first frame: %v", err)
	}
	if n, _, err := s.Decode(frame, &rec); err != nil || n != len(frame) {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if len(rec.Handshakes) != 1 || len(rec.Messages) != 1 || len(rec.Replies) != 0 {
		t.Fatalf("no-handshake client: %+v", rec)
	}
	if s.Format() != "tcp/1" {
		t.Fatal("not ready after the first frame")
	}
	// A client that does handshake is answered as usual.
	s = newServer(c)
	rec.Reset()
	in := append(tcp.AppendHandshake(nil), frame...)
	if n, err := codectest.DecodeAll(s, in, &rec); err != nil || n != len(in) || len(rec.Handshakes) != 1 || len(rec.Replies) == 0 {
		t.Fatalf("handshaking client: n=%d err=%v rec=%+v", n, err, rec)
	}
	// Garbage is still garbage.
	if _, _, err := newServer(c).Decode([]byte("GET / HTTP/1.1\r\n"), &rec); !errors.Is(err, codec.ErrProtocol) {
		t.Fatalf("garbage: %v", err)
	}
}

// conversation is a client's side of a session: handshake, then frames of
// every kind, as one byte string, with the messages it carries.
func conversation(t testing.TB) ([]byte, []codec.Message) {
	c := tcp.New(nil)
	cl := newClient(c)
	in := tcp.AppendHandshake(nil)
	msgs := []codec.Message{
		{Kind: codec.Request, ID: 1, Route: "gate.entry", Body: []byte(`{"uid":"a"}`)},
		{Kind: codec.Notify, Route: "chat.typing"},
		{Kind: codec.Request, ID: 200, Route: "chat.send", Body: bytes.Repeat([]byte("m"), 300)},
		{Kind: codec.Raw, Body: []byte{1, 2, 3}, Binary: true},
	}
	for i, m := range msgs {
		if i == 2 {
			in = tcp.AppendHeartbeat(in)
		}
		in = append(in, encode(t, cl, m)...)
	}
	return in, msgs
}

// TestPartialByteByByte: fed one byte at a time, the server asks for
// exactly the bytes the next unit needs, never decides early, and ends
// with the same messages as when fed at once.
func TestPartialByteByByte(t *testing.T) {
	in, msgs := conversation(t)
	// Unit boundaries: the handshake, then each frame.
	ends := []int{2}
	for p := 2; p < len(in); {
		size := int(in[p])<<24 | int(in[p+1])<<16 | int(in[p+2])<<8 | int(in[p+3])
		p += 4 + size
		ends = append(ends, p)
	}
	s := newServer(tcp.New(nil))
	var rec codectest.Recorder
	start, unit := 0, 0 // start of the unconsumed bytes; index of the unit there
	for end := 1; end <= len(in); end++ {
		buf := in[start:end]
		n, need, err := s.Decode(buf, &rec)
		if err != nil {
			t.Fatalf("at %d: %v", end, err)
		}
		if n == 0 {
			want := ends[unit] - start // a whole unit...
			if unit > 0 && len(buf) < 4 {
				want = 4 // ...or, first, a frame's length prefix
			}
			if unit == 0 && len(buf) < 2 {
				want = 2
			}
			if need != want {
				t.Fatalf("at %d (unit %d, %d buffered): need %d, want %d", end, unit, len(buf), need, want)
			}
			continue
		}
		if start+n != ends[unit] {
			t.Fatalf("at %d: consumed to %d, unit ends at %d", end, start+n, ends[unit])
		}
		start += n
		unit++
	}
	if start != len(in) {
		t.Fatalf("consumed %d of %d", start, len(in))
	}
	checkConversation(t, rec, msgs)
}

// TestEverySplit: the conversation cut in two at every point decodes to
// the same messages.
func TestEverySplit(t *testing.T) {
	in, msgs := conversation(t)
	for cut := 0; cut <= len(in); cut++ {
		s := newServer(tcp.New(nil))
		var rec codectest.Recorder
		n, err := codectest.DecodeAll(s, in[:cut], &rec)
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		rest := in[n:]
		if m, err := codectest.DecodeAll(s, rest, &rec); err != nil || m != len(rest) {
			t.Fatalf("cut %d: rest n=%d of %d, err=%v", cut, m, len(rest), err)
		}
		checkConversation(t, rec, msgs)
	}
}

// TestSeveralFramesOneCall: one Decode call takes every whole frame.
func TestSeveralFramesOneCall(t *testing.T) {
	in, msgs := conversation(t)
	s := newServer(tcp.New(nil))
	var rec codectest.Recorder
	n, need, err := s.Decode(in, &rec)
	if err != nil || n != len(in) || need != 0 {
		t.Fatalf("n=%d need=%d err=%v, len %d", n, need, err, len(in))
	}
	checkConversation(t, rec, msgs)
	// With a partial frame behind them, the whole ones are consumed and
	// the partial one left.
	s = newServer(tcp.New(nil))
	rec.Reset()
	n, need, err = s.Decode(in[:len(in)-1], &rec)
	if err != nil || n != len(in)-len(encode(t, newClient(tcp.New(nil)), msgs[3])) || need != 0 {
		t.Fatalf("n=%d need=%d err=%v", n, need, err)
	}
	if len(rec.Messages) != 3 {
		t.Fatalf("%d messages", len(rec.Messages))
	}
}

func checkConversation(t *testing.T, rec codectest.Recorder, msgs []codec.Message) {
	t.Helper()
	if len(rec.Messages) != len(msgs) {
		t.Fatalf("%d messages, want %d", len(rec.Messages), len(msgs))
	}
	for i := range msgs {
		if !sameMessage(rec.Messages[i], msgs[i]) {
			t.Fatalf("message %d = %+v, want %+v", i, rec.Messages[i], msgs[i])
		}
	}
	want := append(tcp.AppendHandshakeAck(nil, 0), tcp.AppendHeartbeat(nil)...)
	if !bytes.Equal(rec.Replies, want) || len(rec.Handshakes) != 1 {
		t.Fatalf("replies % x (want % x), handshakes %d", rec.Replies, want, len(rec.Handshakes))
	}
}

// TestClientPartial: the client side, byte by byte, after the ack.
func TestClientPartial(t *testing.T) {
	c := tcp.New(&tcp.Config{HeartbeatInterval: time.Second})
	srv := handshaken(t, c)
	in := tcp.AppendHandshakeAck(nil, 1000)
	msgs := []codec.Message{
		{Kind: codec.Response, ID: 1, Body: []byte(`{"code":200}`)},
		{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hi"}`)},
		{Kind: codec.Raw, Body: []byte("text")},
	}
	for _, m := range msgs {
		in = append(in, encode(t, srv, m)...)
	}
	in = tcp.AppendHeartbeat(in)
	cl := newClient(c)
	var rec codectest.Recorder
	var buf []byte
	for i := range in {
		buf = append(buf, in[i])
		n, need, err := cl.Decode(buf, &rec)
		if err != nil {
			t.Fatalf("at %d: %v", i, err)
		}
		if n == 0 && need <= len(buf) {
			t.Fatalf("at %d: need %d with %d buffered", i, need, len(buf))
		}
		buf = buf[n:]
	}
	if len(buf) != 0 || len(rec.Messages) != len(msgs) || len(rec.Handshakes) != 1 {
		t.Fatalf("left %d bytes, %d messages, %d handshakes", len(buf), len(rec.Messages), len(rec.Handshakes))
	}
	for i := range msgs {
		if !sameMessage(rec.Messages[i], msgs[i]) {
			t.Fatalf("message %d = %+v", i, rec.Messages[i])
		}
	}
}

// TestDecodeAllocatesNothing: the steady-state path, both sides.
func TestDecodeAllocatesNothing(t *testing.T) {
	c := tcp.New(nil)
	srv, cl := handshaken(t, c), acked(t, c)
	var up, down []byte
	for _, m := range []codec.Message{
		{Kind: codec.Request, ID: 12345, Route: "chat.send", Body: []byte(`{"msg":"hello"}`)},
		{Kind: codec.Notify, Route: "chat.typing"},
	} {
		up = append(up, encode(t, cl, m)...)
	}
	up = tcp.AppendHeartbeat(up)
	for _, m := range []codec.Message{
		{Kind: codec.Response, ID: 12345, Body: []byte(`{"ok":true}`)},
		{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hello"}`)},
	} {
		down = append(down, encode(t, srv, m)...)
	}
	var out countingOutput
	if a := testing.AllocsPerRun(100, func() {
		if n, _, err := srv.Decode(up, &out); err != nil || n != len(up) {
			t.Fatalf("n=%d err=%v", n, err)
		}
		if n, _, err := cl.Decode(down, &out); err != nil || n != len(down) {
			t.Fatalf("n=%d err=%v", n, err)
		}
	}); a != 0 {
		t.Fatalf("%v allocations per run", a)
	}
	if out.messages == 0 || out.replies == 0 {
		t.Fatal("nothing decoded")
	}
}

func TestEncodeAllocatesNothing(t *testing.T) {
	s := handshaken(t, tcp.New(nil))
	m := &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hello"}`)}
	buf := make([]byte, 0, 256)
	if a := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = s.Encode(buf[:0], m); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Fatalf("%v allocations per run", a)
	}
}
