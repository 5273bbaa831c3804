package websocket

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

func cat(frames ...[]byte) []byte { return bytes.Join(frames, nil) }

// TestProtocolViolations: each broken rule closes with its RFC code, the
// close frame goes out as a reply, and the error wraps the right sentinel.
func TestProtocolViolations(t *testing.T) {
	big := bytes.Repeat([]byte{'a'}, 200)
	small := &Config{MaxMessageSize: 100, MaxFragments: 3}
	cases := []struct {
		name string
		cfg  *Config
		in   []byte
		code int
		err  error
		msgs int // messages delivered before the failure
	}{
		{"unmasked client frame", nil, hframe(finBit|opText, false, []byte("hi")), CloseProtocolError, codec.ErrProtocol, 0},
		{"reserved data opcode", nil, cframe(finBit|0x3, nil), CloseProtocolError, codec.ErrProtocol, 0},
		{"reserved control opcode", nil, cframe(finBit|0xB, nil), CloseProtocolError, codec.ErrProtocol, 0},
		{"RSV1 without deflate", nil, cframe(finBit|rsv1Bit|opText, []byte("x")), CloseProtocolError, codec.ErrProtocol, 0},
		{"RSV2", nil, cframe(finBit|0x20|opBinary, []byte("x")), CloseProtocolError, codec.ErrProtocol, 0},
		{"RSV3", nil, cframe(finBit|0x10|opBinary, []byte("x")), CloseProtocolError, codec.ErrProtocol, 0},
		{"control frame over 125", nil, cframe(finBit|opPing, big[:126]), CloseProtocolError, codec.ErrProtocol, 0},
		{"fragmented ping", nil, cframe(opPing, nil), CloseProtocolError, codec.ErrProtocol, 0},
		{"continuation without message", nil, cframe(finBit|opContinuation, []byte("x")), CloseProtocolError, codec.ErrProtocol, 0},
		{"text inside fragmented message", nil, cat(cframe(opText, []byte("a")), cframe(finBit|opText, []byte("b"))), CloseProtocolError, codec.ErrProtocol, 0},
		{"bad UTF-8", nil, cat(cframe(finBit|opText, []byte("ok")), cframe(finBit|opText, []byte("a\xffb"))), CloseInvalidPayload, codec.ErrProtocol, 1},
		{"bad UTF-8 in a fragment", nil, cat(cframe(opText, []byte("ok")), cframe(opContinuation, []byte("\xc0\x80"))), CloseInvalidPayload, codec.ErrProtocol, 0},
		{"UTF-8 broken across fragments", nil, cat(cframe(opText, []byte("\xe2\x82")), cframe(finBit|opContinuation, []byte("x"))), CloseInvalidPayload, codec.ErrProtocol, 0},
		{"UTF-8 cut at the end", nil, cat(cframe(opText, []byte("a")), cframe(finBit|opContinuation, []byte("\xe2\x82"))), CloseInvalidPayload, codec.ErrProtocol, 0},
		{"close with 1-byte body", nil, cframe(finBit|opClose, []byte{3}), CloseProtocolError, codec.ErrProtocol, 0},
		{"close code 0", nil, cframe(finBit|opClose, closePayload(0, "")), CloseProtocolError, codec.ErrProtocol, 0},
		{"close code 999", nil, cframe(finBit|opClose, closePayload(999, "")), CloseProtocolError, codec.ErrProtocol, 0},
		{"close code 1004", nil, cframe(finBit|opClose, closePayload(1004, "")), CloseProtocolError, codec.ErrProtocol, 0},
		{"close code 1005", nil, cframe(finBit|opClose, closePayload(1005, "")), CloseProtocolError, codec.ErrProtocol, 0},
		{"close code 1006", nil, cframe(finBit|opClose, closePayload(1006, "")), CloseProtocolError, codec.ErrProtocol, 0},
		{"close code 1015", nil, cframe(finBit|opClose, closePayload(1015, "")), CloseProtocolError, codec.ErrProtocol, 0},
		{"close code 2999", nil, cframe(finBit|opClose, closePayload(2999, "")), CloseProtocolError, codec.ErrProtocol, 0},
		{"close code 5000", nil, cframe(finBit|opClose, closePayload(5000, "")), CloseProtocolError, codec.ErrProtocol, 0},
		{"close reason not UTF-8", nil, cframe(finBit|opClose, closePayload(1000, "\xff")), CloseInvalidPayload, codec.ErrProtocol, 0},
		{"length top bit", nil, []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, CloseProtocolError, codec.ErrProtocol, 0},
		{"message over the limit", small, cframe(finBit|opBinary, big[:101]), CloseTooLarge, codec.ErrTooLarge, 0},
		{"huge length, nothing buffered", small, []byte{0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}, CloseTooLarge, codec.ErrTooLarge, 0},
		{"fragments over the limit", small, cat(cframe(opBinary, big[:60]), cframe(opContinuation, big[:41])), CloseTooLarge, codec.ErrTooLarge, 0},
		{"too many fragments", small, cat(cframe(opBinary, []byte("a")), cframe(opContinuation, []byte("b")), cframe(opContinuation, []byte("c")), cframe(finBit|opContinuation, []byte("d"))), CloseTooLarge, codec.ErrTooLarge, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, rec := openServer(t, c.cfg)
			_, err := feed(s, c.in, rec)
			if !errors.Is(err, c.err) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			var ce *CloseError
			if !errors.As(err, &ce) || ce.Code != c.code {
				t.Fatalf("err %v, want close code %d", err, c.code)
			}
			fs := parseFrames(t, rec.Replies)
			if len(fs) != 1 || fs[0].op != opClose || fs[0].closeCode() != c.code || fs[0].masked {
				t.Fatalf("replies %+v, want one unmasked close %d", fs, c.code)
			}
			if len(rec.Messages) != c.msgs {
				t.Fatalf("%d messages, want %d", len(rec.Messages), c.msgs)
			}
			if s.frag != nil {
				t.Fatal("fragment buffer kept after failure")
			}
			if _, _, err := s.Decode(cframe(finBit|opText, nil), rec); err == nil {
				t.Fatal("decode after close succeeded")
			}
		})
	}
}

// TestOversizeRefusedBeforeBuffering: a too-large frame is refused from
// its header, without asking for its payload.
func TestOversizeRefusedBeforeBuffering(t *testing.T) {
	s, rec := openServer(t, &Config{MaxMessageSize: 1000})
	hdr := hframe(finBit|opBinary, true, make([]byte, 5000))[:8] // header only
	n, need, err := s.Decode(hdr, rec)
	if n != 0 || need != 0 || !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("n=%d need=%d err=%v", n, need, err)
	}
}

func TestPingPongClose(t *testing.T) {
	s, rec := openServer(t, nil)
	in := cat(
		cframe(finBit|opPing, []byte("are you there")),
		cframe(finBit|opPong, []byte("unsolicited")),
		cframe(finBit|opPing, nil),
		cframe(finBit|opClose, closePayload(4001, "bye")),
	)
	n, err := feed(s, in, rec)
	var ce *CloseError
	if !errors.Is(err, codec.ErrPeerClosed) || !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "bye" {
		t.Fatalf("err %v", err)
	}
	if n != len(in) {
		t.Fatalf("consumed %d of %d", n, len(in))
	}
	fs := parseFrames(t, rec.Replies)
	if len(fs) != 3 {
		t.Fatalf("%d replies", len(fs))
	}
	if fs[0].op != opPong || string(fs[0].payload) != "are you there" || fs[1].op != opPong || len(fs[1].payload) != 0 {
		t.Fatalf("pongs %+v", fs[:2])
	}
	if fs[2].op != opClose || fs[2].closeCode() != 4001 {
		t.Fatalf("close echo %+v", fs[2])
	}
}

func TestBareCloseAnsweredBare(t *testing.T) {
	s, rec := openServer(t, nil)
	_, err := feed(s, cframe(finBit|opClose, nil), rec)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseNoStatus || !errors.Is(err, codec.ErrPeerClosed) {
		t.Fatalf("err %v", err)
	}
	fs := parseFrames(t, rec.Replies)
	if len(fs) != 1 || fs[0].op != opClose || len(fs[0].payload) != 0 {
		t.Fatalf("reply %+v", fs)
	}
}

func TestCloseAfterGoodbyeNotEchoed(t *testing.T) {
	s, rec := openServer(t, nil)
	bye := s.Goodbye(nil, codec.Farewell{Reason: "kicked by admin"})
	fs := parseFrames(t, bye)
	if len(fs) != 1 || fs[0].closeCode() != CloseKicked || string(fs[0].payload[2:]) != "kicked by admin" {
		t.Fatalf("goodbye %+v", fs)
	}
	if fs := parseFrames(t, s.Goodbye(nil, codec.Farewell{Reason: "x", Shutdown: true})); len(fs) != 0 {
		t.Fatal("second close frame")
	}
	_, err := feed(s, cat(cframe(finBit|opPing, nil), cframe(finBit|opClose, closePayload(1000, ""))), rec)
	if !errors.Is(err, codec.ErrPeerClosed) {
		t.Fatalf("err %v", err)
	}
	if len(rec.Replies) != 0 {
		t.Fatalf("replied after our close: %q", rec.Replies)
	}
	s2, _ := openServer(t, nil)
	if fs := parseFrames(t, s2.Goodbye(nil, codec.Farewell{Shutdown: true})); len(fs) != 1 || fs[0].closeCode() != CloseGoingAway {
		t.Fatalf("shutdown goodbye %+v", fs)
	}
}

// TestFragments: reassembly with control frames between fragments, UTF-8
// split across fragments, and the buffer gone once the message is.
func TestFragments(t *testing.T) {
	s, rec := openServer(t, nil)
	euro := []byte("€") // e2 82 ac
	in := cat(
		cframe(opText, []byte("price: ")),
		cframe(opContinuation, euro[:1]),
		cframe(finBit|opPing, []byte("p")),
		cframe(opContinuation, euro[1:2]),
		cframe(opContinuation, nil),
		cframe(finBit|opContinuation, append(euro[2:], '5')),
		cframe(opBinary, []byte{0, 1}),
		cframe(finBit|opContinuation, []byte{2}),
		cframe(finBit|opText, nil),
	)
	if n, err := feed(s, in, rec); err != nil || n != len(in) {
		t.Fatalf("n=%d err=%v", n, err)
	}
	want := []codec.Message{
		{Kind: codec.Raw, Body: []byte("price: €5")},
		{Kind: codec.Raw, Body: []byte{0, 1, 2}, Binary: true},
		{Kind: codec.Raw, Body: []byte{}},
	}
	if len(rec.Messages) != len(want) {
		t.Fatalf("%d messages", len(rec.Messages))
	}
	for i, w := range want {
		g := rec.Messages[i]
		if g.Kind != w.Kind || g.Binary != w.Binary || !bytes.Equal(g.Body, w.Body) {
			t.Fatalf("message %d: %+v want %+v", i, g, w)
		}
	}
	if fs := parseFrames(t, rec.Replies); len(fs) != 1 || fs[0].op != opPong {
		t.Fatalf("replies %+v", fs)
	}
	if s.frag != nil {
		t.Fatal("fragment buffer kept while idle")
	}
}

// TestSplitAtEveryByte: decoding a stream fed in every possible two-piece
// split (and byte by byte) gives what decoding it whole gives.
func TestSplitAtEveryByte(t *testing.T) {
	stream := cat(
		[]byte(upgradeReq("/chat")),
		cframe(finBit|opText, []byte("hello")),
		cframe(opBinary, bytes.Repeat([]byte{7}, 130)),
		cframe(finBit|opPing, []byte("x")),
		cframe(finBit|opContinuation, []byte("end")),
		cframe(finBit|opBinary, bytes.Repeat([]byte{9}, 300)),
		cframe(finBit|opClose, closePayload(1000, "done")),
	)
	run := func(chunks [][]byte) (*codectest.Recorder, error) {
		s := New(nil).NewStream(codec.ConnInfo{}).(*Stream)
		rec := &codectest.Recorder{}
		var buf []byte
		for _, c := range chunks {
			buf = append(buf, c...)
			for len(buf) > 0 {
				n, need, err := s.Decode(buf, rec)
				if err != nil {
					return rec, err
				}
				if n == 0 {
					if need <= len(buf) {
						t.Fatalf("need %d with %d buffered", need, len(buf))
					}
					break
				}
				buf = buf[n:]
			}
		}
		return rec, nil
	}
	whole, werr := run([][]byte{append([]byte(nil), stream...)})
	if !errors.Is(werr, codec.ErrPeerClosed) || len(whole.Messages) != 3 {
		t.Fatalf("whole: err=%v messages=%d", werr, len(whole.Messages))
	}
	check := func(name string, rec *codectest.Recorder, err error) {
		t.Helper()
		if !errors.Is(err, codec.ErrPeerClosed) {
			t.Fatalf("%s: err %v", name, err)
		}
		if !bytes.Equal(rec.Replies, whole.Replies) || len(rec.Messages) != len(whole.Messages) {
			t.Fatalf("%s: differs from whole decode", name)
		}
		for i := range rec.Messages {
			if !bytes.Equal(rec.Messages[i].Body, whole.Messages[i].Body) || rec.Messages[i].Binary != whole.Messages[i].Binary {
				t.Fatalf("%s: message %d differs", name, i)
			}
		}
	}
	for i := 1; i < len(stream); i++ {
		b := append([]byte(nil), stream...)
		rec, err := run([][]byte{b[:i], b[i:]})
		check("split", rec, err)
	}
	b := append([]byte(nil), stream...)
	var chunks [][]byte
	for i := range b {
		chunks = append(chunks, b[i:i+1])
	}
	rec, err := run(chunks)
	check("byte by byte", rec, err)
}

func TestDecodeAsksForWholeFrame(t *testing.T) {
	s, rec := openServer(t, nil)
	f := cframe(finBit|opBinary, make([]byte, 300)) // 2+2+4 header
	for _, c := range []struct{ have, need int }{{0, 2}, {1, 2}, {2, 8}, {7, 8}, {8, 308}, {307, 308}} {
		n, need, err := s.Decode(f[:c.have], rec)
		if n != 0 || need != c.need || err != nil {
			t.Fatalf("have %d: n=%d need=%d err=%v, want need %d", c.have, n, need, err, c.need)
		}
	}
	if n, _, err := s.Decode(f, rec); n != len(f) || err != nil || len(rec.Messages) != 1 {
		t.Fatalf("n=%d err=%v", n, err)
	}
}

func TestDecodeUnmasksInPlace(t *testing.T) {
	s, rec := openServer(t, nil)
	f := cframe(finBit|opText, []byte("plain text"))
	if _, err := feed(s, f, rec); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(f, []byte("plain text")) {
		t.Fatal("payload not unmasked in place")
	}
}

func TestEncodeServerFrames(t *testing.T) {
	s, _ := openServer(t, nil)
	for _, n := range []int{0, 125, 126, 65535, 65536} {
		body := bytes.Repeat([]byte{'z'}, n)
		b, err := s.Encode([]byte("keep"), &codec.Message{Kind: codec.Raw, Body: body, Binary: n%2 == 0})
		if err != nil || !bytes.HasPrefix(b, []byte("keep")) {
			t.Fatal(err)
		}
		fs := parseFrames(t, b[4:])
		wantOp := byte(opText)
		if n%2 == 0 {
			wantOp = opBinary
		}
		if len(fs) != 1 || fs[0].op != wantOp || fs[0].masked || !fs[0].fin || !bytes.Equal(fs[0].payload, body) {
			t.Fatalf("n=%d: %+v", n, fs)
		}
	}
	// A push reaches a plain client as its body, in a text frame.
	if b, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "x", Body: []byte(`"hi"`)}); err != nil {
		t.Fatalf("plain push: %v", err)
	} else if fs := parseFrames(t, b); len(fs) != 1 || fs[0].op != opText || string(fs[0].payload) != `"hi"` {
		t.Fatalf("plain push frames %+v", fs)
	}
	fresh := New(nil).NewStream(codec.ConnInfo{})
	if _, err := fresh.Encode(nil, &codec.Message{}); !errors.Is(err, codec.ErrNotReady) {
		t.Fatalf("encode before upgrade: %v", err)
	}
	if fresh.Format() != "" || fresh.Protocol() != "ws" {
		t.Fatalf("before upgrade: format %q protocol %q", fresh.Format(), fresh.Protocol())
	}
	if s.Format() != "ws/plain" || s.Protocol() != "ws" {
		t.Fatalf("format %q protocol %q", s.Format(), s.Protocol())
	}
}

func TestHeartbeatIsPing(t *testing.T) {
	s, _ := openServer(t, nil)
	fs := parseFrames(t, s.Heartbeat(nil))
	if len(fs) != 1 || fs[0].op != opPing {
		t.Fatalf("%+v", fs)
	}
	if b := New(nil).NewStream(codec.ConnInfo{}).(*Stream).Heartbeat(nil); len(b) != 0 {
		t.Fatal("heartbeat before upgrade")
	}
}

func TestCloseErrorText(t *testing.T) {
	err := &CloseError{Code: 1002, Reason: "unmasked client frame", Err: codec.ErrProtocol}
	if !strings.Contains(err.Error(), "1002") || !strings.Contains(err.Error(), "unmasked") {
		t.Fatal(err.Error())
	}
}
