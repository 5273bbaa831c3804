package websocket

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

func TestJSONDecode(t *testing.T) {
	cases := []struct {
		in   string
		want codec.Message
	}{
		{`{"id":1,"route":"chat.send","body":{"text":"hi"}}`, codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{"text":"hi"}`)}},
		{` { "route" : "chat.typing" , "body" : [1, {"a":"}"}] } `, codec.Message{Kind: codec.Notify, Route: "chat.typing", Body: []byte(`[1, {"a":"}"}]`)}},
		{`{"body":"x","id":18446744073709551615}`, codec.Message{Kind: codec.Response, ID: 1<<64 - 1, Body: []byte(`"x"`)}},
		{`{"route":"r\u00e9\"q","id":0,"body":null}`, codec.Message{Kind: codec.Request, Route: "ré\"q"}},
		{`{"other":{"id":1},"route":"a"}`, codec.Message{Kind: codec.Notify, Route: "a"}},
		{`{"text":"no envelope"}`, codec.Message{Kind: codec.Raw, Body: []byte(`{"text":"no envelope"}`)}},
		{`[1,2]`, codec.Message{Kind: codec.Raw, Body: []byte(`[1,2]`)}},
		{`hello`, codec.Message{Kind: codec.Raw, Body: []byte(`hello`)}},
		{`{"route":"a"`, codec.Message{Kind: codec.Raw, Body: []byte(`{"route":"a"`)}},
	}
	for _, c := range cases {
		var m codec.Message
		rec := &codectest.Recorder{}
		if err := (jsonStream{}).decodeMessage([]byte(c.in), false, &m, rec); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		g := rec.Messages[0]
		if g.Kind != c.want.Kind || g.ID != c.want.ID || g.Route != c.want.Route || string(g.Body) != string(c.want.Body) {
			t.Errorf("%s: got %+v (body %s), want %+v", c.in, g, g.Body, c.want)
		}
	}
	var m codec.Message
	rec := &codectest.Recorder{}
	(jsonStream{client: true}).decodeMessage([]byte(`{"route":"onChat","body":1}`), false, &m, rec)
	if rec.Messages[0].Kind != codec.Push {
		t.Fatalf("client side: %v, want push", rec.Messages[0].Kind)
	}
	for _, bad := range []string{`{"id":-1,"route":"a"}`, `{"id":1.5}`, `{"id":"1"}`, `{"route":5}`, `{"id":1e3}`, `{"id":18446744073709551616}`} {
		var m codec.Message
		if err := (jsonStream{}).decodeMessage([]byte(bad), false, &m, &codectest.Recorder{}); !errors.Is(err, codec.ErrProtocol) {
			t.Errorf("%s: err %v", bad, err)
		}
	}
}

func TestJSONEncode(t *testing.T) {
	cases := []struct {
		m    codec.Message
		want string
	}{
		{codec.Message{Kind: codec.Request, ID: 7, Route: "a.b", Body: []byte(`{"x":1}`)}, `{"id":7,"route":"a.b","body":{"x":1}}`},
		{codec.Message{Kind: codec.Notify, Route: "n"}, `{"route":"n"}`},
		{codec.Message{Kind: codec.Response, ID: 7, Route: "ignored", Body: []byte(`true`)}, `{"id":7,"body":true}`},
		{codec.Message{Kind: codec.Response, ID: 8}, `{"id":8}`},
		{codec.Message{Kind: codec.Push, Route: "on\"Chat\"\n\xff", Body: []byte(`"hi"`)}, `{"route":"on\"Chat\"\u000a\ufffd","body":"hi"}`},
		{codec.Message{Kind: codec.Raw, Body: []byte(`anything, not JSON`)}, `anything, not JSON`},
	}
	for _, c := range cases {
		b, err := (jsonStream{}).Encode([]byte("x"), &c.m)
		if err != nil || string(b[1:]) != c.want {
			t.Errorf("%+v: got %s err %v, want %s", c.m, b, err, c.want)
		}
		if c.m.Kind != codec.Raw && !json.Valid(b[1:]) {
			t.Errorf("%s: not JSON", b[1:])
		}
	}
	if _, err := (jsonStream{}).Encode(nil, &codec.Message{Kind: codec.Push, Route: "x", Body: []byte(`1,"route":"evil"`)}); !errors.Is(err, codec.ErrUnsupported) {
		t.Fatalf("invalid body: %v", err)
	}
}

// TestJSONOverWebSocket: envelopes through the frame layer, both ways, and
// a malformed envelope closing with 1007.
func TestJSONOverWebSocket(t *testing.T) {
	cfg := &Config{Routes: []Route{{Inner: JSON}}}
	s, rec := openServer(t, cfg)
	in := cat(
		cframe(finBit|opText, []byte(`{"id":3,"route":"room.join","body":{"room":"lobby"}}`)),
		cframe(finBit|opBinary, []byte{1, 2, 3}),
	)
	if _, err := feed(s, in, rec); err != nil {
		t.Fatal(err)
	}
	if m := rec.Messages[0]; m.Kind != codec.Request || m.ID != 3 || m.Route != "room.join" || string(m.Body) != `{"room":"lobby"}` {
		t.Fatalf("%+v", m)
	}
	if m := rec.Messages[1]; m.Kind != codec.Raw || !m.Binary || string(m.Body) != "\x01\x02\x03" {
		t.Fatalf("%+v", m)
	}
	b, err := s.Encode(nil, &codec.Message{Kind: codec.Response, ID: 3, Body: []byte(`{"ok":true}`)})
	if err != nil {
		t.Fatal(err)
	}
	fs := parseFrames(t, b)
	if fs[0].op != opText || string(fs[0].payload) != `{"id":3,"body":{"ok":true}}` {
		t.Fatalf("%+v", fs)
	}
	b, _ = s.Encode(nil, &codec.Message{Kind: codec.Raw, Body: []byte{9}, Binary: true})
	if fs := parseFrames(t, b); fs[0].op != opBinary {
		t.Fatal("raw binary not sent binary")
	}
	_, err = feed(s, cframe(finBit|opText, []byte(`{"id":"x"}`)), rec)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseInvalidPayload || !errors.Is(err, codec.ErrProtocol) {
		t.Fatalf("err %v", err)
	}
}

func TestRouteInterning(t *testing.T) {
	v := []byte(`"interned.route"`)
	a := routeName(v)
	allocs := testing.AllocsPerRun(100, func() { _ = routeName(v) })
	if a != "interned.route" || allocs != 0 {
		t.Fatalf("route %q, %v allocs", a, allocs)
	}
}
