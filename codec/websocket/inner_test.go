package websocket

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// lpCodec is a foreign inner codec: units of one length byte and that many
// bytes. Its first unit must be "hello", answered "welcome" with a
// handshake; a unit 0xff is a protocol error, 0xfe a goodbye from the peer.
type lpCodec struct{}

func (lpCodec) NewStream(codec.ConnInfo) codec.Stream { return &lpStream{} }

type lpStream struct {
	hello bool
	msg   codec.Message
}

func (s *lpStream) Decode(in []byte, out codec.Output) (int, int, error) {
	if len(in) < 1 || len(in) < 1+int(in[0]) {
		need := 1
		if len(in) > 0 {
			need = 1 + int(in[0])
		}
		return 0, need, nil
	}
	unit := in[1 : 1+int(in[0])]
	switch {
	case !s.hello:
		if string(unit) != "hello" {
			return 0, 0, fmt.Errorf("lp: no hello: %w", codec.ErrProtocol)
		}
		s.hello = true
		out.Reply([]byte("\x07welcome"))
		out.Handshaken(codec.Handshake{Protocol: "ignored", HeartbeatTimeout: time.Minute})
	case len(unit) == 1 && unit[0] == 0xff:
		return 0, 0, fmt.Errorf("lp: bad unit: %w", codec.ErrProtocol)
	case len(unit) == 1 && unit[0] == 0xfe:
		return 0, 0, fmt.Errorf("lp: bye: %w", codec.ErrPeerClosed)
	default:
		s.msg = codec.Message{Kind: codec.Notify, Route: "lp", Body: unit}
		out.Message(&s.msg)
	}
	return 1 + len(unit), 0, nil
}

func (s *lpStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	dst = append(dst, byte(len(m.Body)))
	return append(dst, m.Body...), nil
}

func (s *lpStream) Format() string                  { return "lp" }
func (s *lpStream) Protocol() string                { return "lp-tcp" }
func (s *lpStream) Open(dst []byte) ([]byte, error) { return append(dst, "\x06banner"...), nil }
func (s *lpStream) Heartbeat(dst []byte) []byte     { return append(dst, 0) }
func (s *lpStream) Goodbye(dst []byte, f codec.Farewell) []byte {
	return append(append(dst, byte(len(f.Reason))), f.Reason...)
}

func TestForeignInner(t *testing.T) {
	cfg := &Config{Routes: []Route{{Inner: lpCodec{}, Binary: true}}}
	s := New(cfg).NewStream(codec.ConnInfo{}).(*Stream)
	rec := &codectest.Recorder{}
	in := append([]byte(upgradeReq("/game")), cframe(finBit|opBinary, []byte("\x05hello\x02ab\x01c"))...)
	if _, err := feed(s, in, rec); err != nil {
		t.Fatal(err)
	}
	if s.Protocol() != "lp-ws" || s.Format() != "ws.bin/lp" {
		t.Fatalf("protocol %q format %q", s.Protocol(), s.Format())
	}
	hs := rec.Handshakes
	if len(hs) != 2 || hs[0].Protocol != "lp-ws" || hs[1].Protocol != "lp-ws" || hs[1].Path != "/game" || hs[1].HeartbeatTimeout != time.Minute {
		t.Fatalf("handshakes %+v", hs)
	}
	if len(rec.Messages) != 2 || string(rec.Messages[0].Body) != "ab" || string(rec.Messages[1].Body) != "c" {
		t.Fatalf("messages %+v", rec.Messages)
	}
	// After the 101: the banner (Opener), then the reply to hello, each a
	// binary message.
	i := len("HTTP/1.1 101")
	for ; string(rec.Replies[i-4:i]) != "\r\n\r\n"; i++ {
	}
	fs := parseFrames(t, rec.Replies[i:])
	if len(fs) != 2 || fs[0].op != opBinary || string(fs[0].payload) != "\x06banner" || string(fs[1].payload) != "\x07welcome" {
		t.Fatalf("replies %+v", fs)
	}
	b, _ := s.Encode(nil, &codec.Message{Body: []byte("xyz")})
	if fs := parseFrames(t, b); fs[0].op != opBinary || string(fs[0].payload) != "\x03xyz" {
		t.Fatalf("encode %+v", fs)
	}
	if fs := parseFrames(t, s.Heartbeat(nil)); len(fs) != 1 || fs[0].op != opBinary || string(fs[0].payload) != "\x00" {
		t.Fatalf("heartbeat %+v", fs)
	}
	fs = parseFrames(t, s.Goodbye(nil, codec.Farewell{Reason: "kick"}))
	if len(fs) != 2 || string(fs[0].payload) != "\x04kick" || fs[1].closeCode() != CloseKicked {
		t.Fatalf("goodbye %+v", fs)
	}
}

func TestForeignInnerFailures(t *testing.T) {
	cfg := &Config{Routes: []Route{{Inner: lpCodec{}, Binary: true}}}
	cases := []struct {
		name string
		msg  []byte
		code int
		err  error
	}{
		{"unit spans messages", []byte("\x05hello\x09abc"), CloseInvalidPayload, codec.ErrProtocol},
		{"inner protocol error", []byte("\x05hello\x01\xff"), CloseInvalidPayload, codec.ErrProtocol},
		{"inner peer closed", []byte("\x05hello\x01\xfe"), CloseNormal, codec.ErrPeerClosed},
		{"no hello", []byte("\x02hi"), CloseInvalidPayload, codec.ErrProtocol},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, rec := openServer(t, cfg)
			_, err := feed(s, cframe(finBit|opBinary, c.msg), rec)
			var ce *CloseError
			if !errors.Is(err, c.err) || !errors.As(err, &ce) || ce.Code != c.code {
				t.Fatalf("err %v, want %d", err, c.code)
			}
			fs := parseFrames(t, rec.Replies)
			if last := fs[len(fs)-1]; last.closeCode() != c.code {
				t.Fatalf("replies %+v", fs)
			}
		})
	}
}
