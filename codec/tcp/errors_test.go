package tcp_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/tcp"
)

// errorCase is bad input and how a stream must refuse it.
type errorCase struct {
	name    string
	in      string // hex
	is      error  // the sentinel the error wraps
	contain string // a piece of the message
	// close is the code of the close frame replied before the error, or
	// -1 for no reply at all.
	close int
}

const noReply = -1

var serverErrors = []errorCase{
	{"http first byte", "47 45 54 20 2f", codec.ErrProtocol, "first byte 0x47", noReply},
	{"tls first byte", "16 03 01", codec.ErrProtocol, "first byte 0x16", noReply},
	{"pomelo first byte", "01 00 00 02", codec.ErrProtocol, "first byte 0x01", noReply},
	{"frame before handshake", "00 00 00 01 02", codec.ErrProtocol, "frame before handshake", noReply},
	{"unsupported version", "c7 02", codec.ErrProtocol, "version 2", int(tcp.CloseUnsupportedVersion)},
	{"zero length", "c7 01 00 00 00 00", codec.ErrProtocol, "length 0", int(tcp.CloseProtocolError)},
	{"type 0", "c7 01 00 00 00 01 00", codec.ErrProtocol, "type(0x0)", int(tcp.CloseProtocolError)},
	{"type 9", "c7 01 00 00 00 01 09", codec.ErrProtocol, "type(0x9)", int(tcp.CloseProtocolError)},
	{"type f", "c7 01 00 00 00 03 0f 00 00", codec.ErrProtocol, "type(0xf)", int(tcp.CloseProtocolError)},
	{"handshake-ack from client", "c7 01 00 00 00 01 01", codec.ErrProtocol, "unexpected handshake-ack", int(tcp.CloseProtocolError)},
	{"oversize from header", "c7 01 00 40 00 01", codec.ErrTooLarge, "4194305 bytes", int(tcp.CloseProtocolError)},
	{"second handshake", "c7 01 c7 01 00 00", codec.ErrTooLarge, "limit", int(tcp.CloseProtocolError)},
	{"reserved flag on heartbeat", "c7 01 00 00 00 01 22", codec.ErrProtocol, "reserved flags 0x20", int(tcp.CloseProtocolError)},
	{"reserved flag on raw", "c7 01 00 00 00 01 27", codec.ErrProtocol, "reserved flags 0x20", int(tcp.CloseProtocolError)},
	{"binary flag on request", "c7 01 00 00 00 03 13 01 00", codec.ErrProtocol, "reserved flags 0x10", int(tcp.CloseProtocolError)},
	{"heartbeat with body", "c7 01 00 00 00 02 02 00", codec.ErrProtocol, "heartbeat frame with 1 body bytes", int(tcp.CloseProtocolError)},
	{"request without id", "c7 01 00 00 00 01 03", codec.ErrProtocol, "bad message id", int(tcp.CloseProtocolError)},
	{"request id truncated", "c7 01 00 00 00 02 03 80", codec.ErrProtocol, "bad message id", int(tcp.CloseProtocolError)},
	{"request id overflows", "c7 01 00 00 00 0d 03 ff ff ff ff ff ff ff ff ff ff 01 00", codec.ErrProtocol, "bad message id", int(tcp.CloseProtocolError)},
	{"request without route length", "c7 01 00 00 00 02 03 01", codec.ErrProtocol, "bad route length", int(tcp.CloseProtocolError)},
	{"notify route overruns", "c7 01 00 00 00 04 04 05 61 62", codec.ErrProtocol, "route of 5 bytes overruns", int(tcp.CloseProtocolError)},
	{"push route length truncated", "c7 01 00 00 00 02 06 ff", codec.ErrProtocol, "bad route length", int(tcp.CloseProtocolError)},
	{"response without id", "c7 01 00 00 00 01 05", codec.ErrProtocol, "bad message id", int(tcp.CloseProtocolError)},
	{"close", "c7 01 00 00 00 05 08 00 62 79 65", codec.ErrPeerClosed, "peer closed: normal: bye", noReply},
	{"close empty", "c7 01 00 00 00 01 08", codec.ErrPeerClosed, "peer closed: normal", noReply},
}

var clientErrors = []errorCase{
	{"push before ack", "00 00 00 03 06 01 70", codec.ErrProtocol, "push frame before handshake-ack", int(tcp.CloseProtocolError)},
	{"heartbeat before ack", "00 00 00 01 02", codec.ErrProtocol, "heartbeat frame before handshake-ack", int(tcp.CloseProtocolError)},
	{"second ack", "00 00 00 01 01 00 00 00 01 01", codec.ErrProtocol, "second handshake-ack", int(tcp.CloseProtocolError)},
	{"ack interval truncated", "00 00 00 02 01 80", codec.ErrProtocol, "bad heartbeat interval", int(tcp.CloseProtocolError)},
	{"ack trailing bytes", "00 00 00 03 01 05 05", codec.ErrProtocol, "bad heartbeat interval", int(tcp.CloseProtocolError)},
	{"ack interval too long", "00 00 00 06 01 80 80 80 80 10", codec.ErrProtocol, "bad heartbeat interval", int(tcp.CloseProtocolError)},
	{"oversize", "00 00 00 01 01 7f ff ff ff", codec.ErrTooLarge, "limit 4194304", int(tcp.CloseProtocolError)},
	{"magic from server", "c7 01 00 00", codec.ErrTooLarge, "limit", int(tcp.CloseProtocolError)},
	{"zero length", "00 00 00 00", codec.ErrProtocol, "length 0", int(tcp.CloseProtocolError)},
	{"unknown type", "00 00 00 01 01 00 00 00 01 0c", codec.ErrProtocol, "type(0xc)", int(tcp.CloseProtocolError)},
	{"heartbeat with body", "00 00 00 01 01 00 00 00 02 02 01", codec.ErrProtocol, "heartbeat frame with 1 body bytes", int(tcp.CloseProtocolError)},
	{"response id truncated", "00 00 00 01 01 00 00 00 02 05 ff", codec.ErrProtocol, "bad message id", int(tcp.CloseProtocolError)},
	{"kick before ack", "00 00 00 07 08 01 64 75 70 65 64", codec.ErrPeerClosed, "peer closed: kicked: duped", noReply},
	{"shutdown", "00 00 00 01 01 00 00 00 02 08 02", codec.ErrPeerClosed, "peer closed: shutdown", noReply},
	{"unknown close code", "00 00 00 01 01 00 00 00 02 08 63", codec.ErrPeerClosed, "close code 99", noReply},
}

func TestServerErrors(t *testing.T) { runErrors(t, serverErrors, newServer) }
func TestClientErrors(t *testing.T) { runErrors(t, clientErrors, newClient) }

func runErrors(t *testing.T, cases []errorCase, mk func(*tcp.Codec) codec.Stream) {
	c := tcp.New(nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := unhex(t, tc.in)
			// Whole, then byte by byte: the same refusal either way,
			// never a request for more bytes than the input holds.
			for _, whole := range []bool{true, false} {
				s := mk(c)
				var rec codectest.Recorder
				err := feed(t, s, in, whole, &rec)
				if !errors.Is(err, tc.is) {
					t.Fatalf("whole=%v: err = %v, want %v", whole, err, tc.is)
				}
				if !strings.Contains(err.Error(), tc.contain) {
					t.Errorf("whole=%v: err %q does not say %q", whole, err, tc.contain)
				}
				if !strings.HasPrefix(err.Error(), "tcp: ") {
					t.Errorf("err %q lacks context", err)
				}
				checkCloseReply(t, rec.Replies, tc.close)
			}
		})
	}
}

// feed decodes in as aio would: all at once, or arriving byte by byte
// into a buffer the stream consumes from. It fails the test if the input
// ends without an error.
func feed(t *testing.T, s codec.Stream, in []byte, whole bool, out codec.Output) error {
	t.Helper()
	var buf []byte
	for i := 0; i < len(in); i++ {
		if whole {
			buf, i = in, len(in)-1
		} else {
			buf = append(buf, in[i])
		}
		for len(buf) > 0 {
			n, need, err := s.Decode(buf, out)
			if err != nil {
				return err
			}
			if n == 0 {
				if need <= len(buf) {
					t.Fatalf("n=0 need=%d with %d bytes buffered", need, len(buf))
				}
				break
			}
			buf = buf[n:]
		}
	}
	t.Fatalf("input % x decoded without error", in)
	return nil
}

// checkCloseReply asserts replies end with a close frame of code, or are
// empty when code is noReply. A handshake-ack may precede the close.
func checkCloseReply(t *testing.T, replies []byte, code int) {
	t.Helper()
	if code == noReply {
		if ack := tcp.AppendHandshakeAck(nil, 0); len(replies) != 0 && string(replies) != string(ack) {
			t.Fatalf("unexpected replies % x", replies)
		}
		return
	}
	if ack := tcp.AppendHandshakeAck(nil, 0); strings.HasPrefix(string(replies), string(ack)) {
		replies = replies[len(ack):]
	}
	client := acked(t, tcp.New(nil))
	var rec codectest.Recorder
	_, _, err := client.Decode(replies, &rec)
	var ce *tcp.CloseError
	if !errors.As(err, &ce) || int(ce.Code) != code || ce.Reason == "" {
		t.Fatalf("reply % x: err %v, want a close frame with code %d and a reason", replies, err, code)
	}
}

func TestPeerCloseError(t *testing.T) {
	s := handshaken(t, tcp.New(nil))
	b := tcp.AppendClose(nil, tcp.CloseKicked, "duplicate login")
	n, _, err := s.Decode(b, &codectest.Recorder{})
	var ce *tcp.CloseError
	if !errors.As(err, &ce) || ce.Code != tcp.CloseKicked || ce.Reason != "duplicate login" {
		t.Fatalf("err = %#v", err)
	}
	if n != len(b) {
		t.Fatalf("close frame consumed %d of %d bytes", n, len(b))
	}
}

func TestCloseReasonCut(t *testing.T) {
	b := tcp.AppendClose(nil, tcp.CloseKicked, strings.Repeat("x", 5000))
	if len(b) != 4+2+tcp.MaxCloseReason {
		t.Fatalf("close frame of %d bytes", len(b))
	}
}

// TestMaxFrameSize: the limit counts what the length prefix counts.
func TestMaxFrameSize(t *testing.T) {
	c := tcp.New(&tcp.Config{MaxFrameSize: 10})
	at := encode(t, newClient(c), codec.Message{Kind: codec.Raw, Body: make([]byte, 9)})
	over := encode(t, newClient(c), codec.Message{Kind: codec.Raw, Body: make([]byte, 10)})
	s := handshaken(t, c)
	var rec codectest.Recorder
	if n, _, err := s.Decode(at, &rec); err != nil || n != len(at) {
		t.Fatalf("frame at the limit: n=%d err=%v", n, err)
	}
	// Only the header of the oversize frame is shown: refused before the
	// body is buffered.
	if _, _, err := s.Decode(over[:4], &rec); !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("frame over the limit: err = %v", err)
	}
}
