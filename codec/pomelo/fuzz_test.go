package pomelo

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

func fuzzSentinel(err error) bool {
	return errors.Is(err, codec.ErrProtocol) || errors.Is(err, codec.ErrTooLarge) || errors.Is(err, codec.ErrPeerClosed)
}

// FuzzPackage feeds arbitrary bytes to fresh server and client streams,
// whole and a byte at a time. Decoding never panics, every error wraps a
// codec sentinel, and both ways deliver the same messages.
func FuzzPackage(f *testing.F) {
	g := golden(f)
	for _, name := range []string{"hello_js", "hello_cached", "hello_nosys", "reply_full", "reply_501", "batch", "kick"} {
		f.Add(g.bytes(f, name))
	}
	f.Add(append(append(g.bytes(f, "hello_js"), g.bytes(f, "ack")...), g.bytes(f, "req_code_pb")...))
	f.Add(append(g.bytes(f, "reply_full"), g.bytes(f, "push_all")...))
	f.Add([]byte{4, 0, 0, 1, 0})
	f.Add([]byte{9, 0, 0, 0})
	cfg := chatConfig(f)
	cfg.MaxBody = 4096
	c := mustNew(f, cfg)
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, client := range []bool{false, true} {
			var whole, split codectest.Recorder
			n, errWhole := codectest.DecodeAll(c.NewStream(codec.ConnInfo{Client: client}), in, &whole)
			if n > len(in) {
				t.Fatalf("consumed %d of %d", n, len(in))
			}
			if errWhole != nil && !fuzzSentinel(errWhole) {
				t.Fatalf("error %v wraps no codec sentinel", errWhole)
			}
			errSplit := feedSplit(c.NewStream(codec.ConnInfo{Client: client}), in, &split)
			if (errWhole == nil) != (errSplit == nil) {
				t.Fatalf("whole: %v, split: %v", errWhole, errSplit)
			}
			if errWhole == nil && !recordsEqual(whole, split) {
				t.Fatalf("split decode differs:\n%+v\n%+v", whole, split)
			}
		}
	})
}

// feedSplit is feedBytewise without the test's fatal checks on leftovers:
// fuzz input may end inside a package.
func feedSplit(s codec.Stream, in []byte, out codec.Output) error {
	var buf []byte
	for _, b := range in {
		buf = append(buf, b)
		for len(buf) > 0 {
			n, need, err := s.Decode(buf, out)
			if err != nil {
				return err
			}
			if n == 0 {
				if need <= len(buf) {
					return errors.New("no progress")
				}
				break
			}
			buf = buf[n:]
		}
	}
	return nil
}

// FuzzMessage feeds arbitrary data-package bodies to handshaken server and
// client streams: flag, id, route, body, compressed or not. A message
// that decodes encodes again (when its body fits its schema) and decodes
// to the same message on the other side.
func FuzzMessage(f *testing.F) {
	g := golden(f)
	for _, name := range []string{"req_json", "req_code_pb", "req_str_pb", "notify_code", "req_zlib", "req_gzip", "resp_pb", "push_pb_code", "push_all", "push_json"} {
		f.Add(g.bytes(f, name)[HeaderLen:])
	}
	f.Add([]byte{0x10, 1, 0, 0x78, 0x9c})
	f.Add([]byte{0x00, 0x80, 0x00, 0})
	c := mustNew(f, chatConfig(f))
	// Data packages leave a handshaken stream's state alone, so the
	// streams are set up once: each input costs a decode, not a handshake.
	server, back := handshaken(f, c, g), handshaken(f, c, g)
	client, front := c.NewStream(codec.ConnInfo{Client: true}), c.NewStream(codec.ConnInfo{Client: true})
	var rec codectest.Recorder
	decodeAll(f, client, g.bytes(f, "reply_full"), &rec)
	decodeAll(f, front, g.bytes(f, "reply_full"), &rec)
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > MaxBodyLimit {
			return
		}
		pkg, _ := AppendPackage(nil, TypeData, body)
		// Server side: requests and notifies.
		var rec codectest.Recorder
		_, err := codectest.DecodeAll(server, pkg, &rec)
		if err != nil && !fuzzSentinel(err) {
			t.Fatalf("server: error %v wraps no codec sentinel", err)
		}
		if err == nil && len(rec.Messages) == 1 {
			roundTrip(t, c, front, back, rec.Messages[0])
		}
		// Client side: responses and pushes.
		rec.Reset()
		if _, err := codectest.DecodeAll(client, pkg, &rec); err != nil && !fuzzSentinel(err) {
			t.Fatalf("client: error %v wraps no codec sentinel", err)
		}
	})
}

// roundTrip re-encodes a request or notify a server decoded, as a client
// with the same dictionary and protos, and expects the same message back.
func roundTrip(t *testing.T, c *Codec, cs, s codec.Stream, m codec.Message) {
	enc, err := cs.Encode(nil, &m)
	if err != nil {
		if errors.Is(err, codec.ErrUnsupported) && len(m.Route) > maxRouteLen {
			t.Fatalf("decoded a route longer than %d bytes", maxRouteLen)
		}
		return // a protobuf body decoded to JSON the schema refuses (null, missing field)
	}
	var rec codectest.Recorder
	decodeAll(t, s, enc, &rec)
	if len(rec.Messages) != 1 {
		t.Fatalf("re-encoded message decoded to %d messages", len(rec.Messages))
	}
	got := rec.Messages[0]
	if got.Kind != m.Kind || got.ID != m.ID || got.Route != m.Route {
		t.Fatalf("round trip: %+v, want %+v", got, m)
	}
	if !c.clientProtos.Has(m.Route) && !bytes.Equal(got.Body, m.Body) {
		t.Fatalf("round trip body %q, want %q", got.Body, m.Body)
	}
}
