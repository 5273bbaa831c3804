package pomelo

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// TestGoldenServer plays a pomelo JS client's bytes (testdata/golden.js,
// built with the npm packages pomelo-protocol and pomelo-protobuf) against
// a server stream and compares every byte it answers with what pomelo
// 2.2.7 answers.
func TestGoldenServer(t *testing.T) {
	g := golden(t)
	c := mustNew(t, chatConfig(t))
	if c.dict.Version() != g.DictVersion {
		t.Errorf("dict version %q, pomelo's %q", c.dict.Version(), g.DictVersion)
	}
	if c.protoVersion != g.ProtoVersion {
		t.Errorf("proto version %q, pomelo's %q", c.protoVersion, g.ProtoVersion)
	}
	s := c.NewStream(codec.ConnInfo{})
	if s.Protocol() != ProtocolTCP || s.Format() != "" {
		t.Fatalf("fresh stream: Protocol %q Format %q", s.Protocol(), s.Format())
	}
	var rec codectest.Recorder
	decodeAll(t, s, g.bytes(t, "hello_js"), &rec)
	if want := g.bytes(t, "reply_full"); !bytes.Equal(rec.Replies, want) {
		t.Fatalf("handshake reply:\n got %q\nwant %q", rec.Replies, want)
	}
	if len(rec.Handshakes) != 0 || s.Format() != "" {
		t.Fatal("handshaken before the ack")
	}
	if _, err := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{}`)}); !errors.Is(err, codec.ErrNotReady) {
		t.Fatalf("Encode before ack: %v", err)
	}
	rec.Reset()
	decodeAll(t, s, g.bytes(t, "ack"), &rec)
	if len(rec.Handshakes) != 1 || rec.Handshakes[0] != (codec.Handshake{Protocol: ProtocolTCP, HeartbeatTimeout: 6 * time.Second}) {
		t.Fatalf("Handshaken %+v", rec.Handshakes)
	}
	if want := g.bytes(t, "heartbeat"); !bytes.Equal(rec.Replies, want) {
		t.Fatalf("after the ack: got %x, want a heartbeat %x", rec.Replies, want)
	}
	if s.Format() == "" {
		t.Fatal("no Format after the ack")
	}

	// A client heartbeat is answered at once.
	rec.Reset()
	decodeAll(t, s, g.bytes(t, "heartbeat"), &rec)
	if !bytes.Equal(rec.Replies, g.bytes(t, "heartbeat")) {
		t.Fatalf("heartbeat answered with %x", rec.Replies)
	}

	// Requests and notifies, JSON and protobuf, string and coded routes.
	for _, tc := range []struct {
		name string
		kind codec.Kind
	}{
		{"req_json", codec.Request}, {"req_code_pb", codec.Request}, {"req_str_pb", codec.Request},
		{"req_big_id", codec.Request}, {"notify_code", codec.Notify}, {"notify_str", codec.Notify},
		{"req_zlib", codec.Request}, {"req_gzip", codec.Request},
	} {
		rec.Reset()
		v := g.V[tc.name]
		decodeAll(t, s, g.bytes(t, tc.name), &rec)
		if len(rec.Messages) != 1 {
			t.Fatalf("%s: %d messages", tc.name, len(rec.Messages))
		}
		m := rec.Messages[0]
		if m.Kind != tc.kind || m.ID != v.ID || m.Route != v.Route || string(m.Body) != v.Body {
			t.Errorf("%s: got %s id=%d route=%q body=%s\nwant %s id=%d route=%q body=%s",
				tc.name, m.Kind, m.ID, m.Route, m.Body, tc.kind, v.ID, v.Route, v.Body)
		}
	}

	// Responses, pushes and kicks, byte for byte.
	for _, tc := range []struct {
		name string
		kind codec.Kind
	}{
		{"resp_json", codec.Response}, {"resp_pb", codec.Response}, {"push_json", codec.Push},
		{"push_pb_code", codec.Push}, {"push_pb_nodict", codec.Push}, {"push_all", codec.Push},
	} {
		v := g.V[tc.name]
		got, err := s.Encode([]byte("x"), &codec.Message{Kind: tc.kind, ID: v.ID, Route: v.Route, Body: []byte(v.Body)})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if want := g.bytes(t, tc.name); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Errorf("%s:\n got %x\nwant %x", tc.name, got[1:], want)
		}
	}
	gb := s.(codec.Goodbyer)
	for _, name := range []string{"kick", "kick_odd"} {
		if got, want := gb.Goodbye(nil, codec.Farewell{Reason: g.V[name].Reason}), g.bytes(t, name); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want)
		}
	}
	if got, want := gb.Goodbye(nil, codec.Farewell{}), g.bytes(t, "kick_default"); !bytes.Equal(got, want) {
		t.Errorf("default kick:\n got %q\nwant %q", got, want)
	}
}

func TestGoldenHandshakeVariants(t *testing.T) {
	g := golden(t)
	t.Run("client holds both versions", func(t *testing.T) {
		s := mustNew(t, chatConfig(t)).NewStream(codec.ConnInfo{})
		var rec codectest.Recorder
		decodeAll(t, s, g.bytes(t, "hello_cached"), &rec)
		if want := g.bytes(t, "reply_cached"); !bytes.Equal(rec.Replies, want) {
			t.Fatalf("got %q\nwant %q", rec.Replies, want)
		}
	})
	t.Run("no heartbeat, dictionary or protobuf", func(t *testing.T) {
		s := mustNew(t, &Config{Heartbeat: -1}).NewStream(codec.ConnInfo{})
		var rec codectest.Recorder
		decodeAll(t, s, g.bytes(t, "hello_js"), &rec)
		if want := g.bytes(t, "reply_plain"); !bytes.Equal(rec.Replies, want) {
			t.Fatalf("got %q\nwant %q", rec.Replies, want)
		}
		rec.Reset()
		decodeAll(t, s, append(g.bytes(t, "ack"), g.bytes(t, "heartbeat")...), &rec)
		if len(rec.Replies) != 0 {
			t.Fatalf("heartbeats are off, yet the stream replied %x", rec.Replies)
		}
		if len(rec.Handshakes) != 1 || rec.Handshakes[0].HeartbeatTimeout != 0 {
			t.Fatalf("Handshaken %+v, want no timeout override", rec.Handshakes)
		}
	})
	t.Run("no sys", func(t *testing.T) {
		s := mustNew(t, chatConfig(t)).NewStream(codec.ConnInfo{})
		var rec codectest.Recorder
		_, err := codectest.DecodeAll(s, g.bytes(t, "hello_nosys"), &rec)
		if !errors.Is(err, ErrRefused) || !errors.Is(err, codec.ErrProtocol) {
			t.Fatalf("err %v", err)
		}
		if want := g.bytes(t, "reply_500"); !bytes.Equal(rec.Replies, want) {
			t.Fatalf("got %q\nwant %q", rec.Replies, want)
		}
	})
	t.Run("old client", func(t *testing.T) {
		cfg := chatConfig(t)
		cfg.OnHandshake = func(info *HandshakeInfo) (int, any) {
			if info.Version < "1.0.0" {
				return CodeOldClient, nil
			}
			return CodeOK, nil
		}
		s := mustNew(t, cfg).NewStream(codec.ConnInfo{})
		var rec codectest.Recorder
		_, err := codectest.DecodeAll(s, g.bytes(t, "hello_js"), &rec)
		if !errors.Is(err, ErrRefused) {
			t.Fatalf("err %v", err)
		}
		if want := g.bytes(t, "reply_501"); !bytes.Equal(rec.Replies, want) {
			t.Fatalf("got %q\nwant %q", rec.Replies, want)
		}
	})
}

// TestGoldenClient plays a pomelo 2.2.7 server's bytes against a client
// stream and compares what it writes with what the pomelo JS client
// writes.
func TestGoldenClient(t *testing.T) {
	g := golden(t)
	c := mustNew(t, &Config{})
	s := c.NewStream(codec.ConnInfo{Client: true})
	hello, err := s.(codec.Opener).Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := g.bytes(t, "hello_gotio"); !bytes.Equal(hello, want) {
		t.Fatalf("hello:\n got %q\nwant %q", hello, want)
	}
	if _, err := s.Encode(nil, &codec.Message{Kind: codec.Request, ID: 1, Route: "r"}); !errors.Is(err, codec.ErrNotReady) {
		t.Fatalf("Encode before the reply: %v", err)
	}
	var rec codectest.Recorder
	decodeAll(t, s, g.bytes(t, "reply_full"), &rec)
	if want := g.bytes(t, "ack"); !bytes.Equal(rec.Replies, want) {
		t.Fatalf("ack: got %x want %x", rec.Replies, want)
	}
	if len(rec.Handshakes) != 1 || rec.Handshakes[0] != (codec.Handshake{Protocol: ProtocolTCP, HeartbeatTimeout: 6 * time.Second}) {
		t.Fatalf("Handshaken %+v", rec.Handshakes)
	}
	if d := s.(interface{ HeartbeatInterval() time.Duration }).HeartbeatInterval(); d != 3*time.Second {
		t.Fatalf("HeartbeatInterval %v", d)
	}
	if s.Format() == "" {
		t.Fatal("no Format after the handshake")
	}
	if hb := s.(codec.Heartbeater).Heartbeat(nil); !bytes.Equal(hb, g.bytes(t, "heartbeat")) {
		t.Fatalf("heartbeat %x", hb)
	}
	// Requests and notifies as the JS client writes them with the
	// dictionary and protos it got.
	for _, tc := range []struct {
		name string
		kind codec.Kind
	}{{"req_json", codec.Request}, {"req_code_pb", codec.Request}, {"req_big_id", codec.Request}, {"notify_code", codec.Notify}, {"notify_str", codec.Notify}} {
		v := g.V[tc.name]
		got, err := s.Encode(nil, &codec.Message{Kind: tc.kind, ID: v.ID, Route: v.Route, Body: []byte(v.Body)})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if want := g.bytes(t, tc.name); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", tc.name, got, want)
		}
	}
	// A protobuf response needs its request's route.
	if _, err := s.Encode(nil, &codec.Message{Kind: codec.Request, ID: 300, Route: "connector.entryHandler.enter", Body: []byte(`{"username":"a","rid":"r"}`)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		kind codec.Kind
	}{{"resp_json", codec.Response}, {"resp_pb", codec.Response}, {"push_json", codec.Push}, {"push_pb_code", codec.Push}, {"push_pb_str", codec.Push}, {"push_pb_nodict", codec.Push}, {"push_all", codec.Push}} {
		rec.Reset()
		v := g.V[tc.name]
		decodeAll(t, s, g.bytes(t, tc.name), &rec)
		if len(rec.Messages) != 1 {
			t.Fatalf("%s: %d messages", tc.name, len(rec.Messages))
		}
		m := rec.Messages[0]
		if m.Kind != tc.kind || m.ID != v.ID || m.Route != v.Route || string(m.Body) != v.Body {
			t.Errorf("%s: got %s id=%d route=%q body=%s\nwant %s id=%d route=%q body=%s",
				tc.name, m.Kind, m.ID, m.Route, m.Body, tc.kind, v.ID, v.Route, v.Body)
		}
	}
	// Several packages in one buffer, as pomelo's sendBatch writes them.
	rec.Reset()
	decodeAll(t, s, g.bytes(t, "batch"), &rec)
	if len(rec.Messages) != 2 || rec.Messages[0].Route != "onSystem" || rec.Messages[1].Route != "onChat" ||
		string(rec.Messages[1].Body) != g.V["push_pb_code"].Body || len(rec.Replies) != 0 {
		t.Fatalf("batch: %+v", rec)
	}
	// A kick ends the session with the server's reason.
	_, err = codectest.DecodeAll(s, g.bytes(t, "kick_odd"), &rec)
	if !errors.Is(err, codec.ErrPeerClosed) || !bytes.Contains([]byte(err.Error()), []byte(`bye \"now\"`)) {
		t.Fatalf("kick: %v", err)
	}
}
