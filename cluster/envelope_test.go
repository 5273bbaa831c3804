package cluster

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/target"
)

func TestEnvelopeRoundTrip(t *testing.T) {
	cases := []struct {
		origin string
		t      aio.Target
		m      codec.Message
	}{
		{"n1", aio.Target{Kind: target.User, Key: "alice"}, codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hi"}`)}},
		{"", aio.Target{Kind: target.All}, codec.Message{}},
		{"node.with*odd>chars", aio.Target{Kind: target.Group, Key: "room 1.*>"}, codec.Message{Kind: codec.Raw, Binary: true, Body: []byte{0, 1, 2}}},
		{"n", aio.Target{Kind: target.All}, codec.Message{Kind: codec.Push, Route: "big", NoCompress: true, Body: []byte(`{}`)}},
		{"n", aio.Target{Kind: target.BsID, Key: strings.Repeat("k", 300)}, codec.Message{Kind: codec.Response, ID: 1<<64 - 1, Route: "r"}},
	}
	for _, c := range cases {
		b := appendEnvelope(nil, c.origin, c.t, &c.m)
		var e envelope
		if err := decodeEnvelope(b, &e); err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if string(e.origin) != c.origin || e.target != c.t.Kind || string(e.key) != c.t.Key ||
			e.kind != c.m.Kind || e.id != c.m.ID || string(e.route) != c.m.Route ||
			!bytes.Equal(e.body, c.m.Body) || e.binary != c.m.Binary || e.noComp != c.m.NoCompress {
			t.Fatalf("round trip of %+v gave %+v", c, e)
		}
	}
}

func TestEnvelopeErrors(t *testing.T) {
	good := appendEnvelope(nil, "n1", aio.Target{Kind: target.User, Key: "u"}, &codec.Message{Kind: codec.Push, Route: "r", Body: []byte("b")})
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	bad := map[string][]byte{
		"empty":        nil,
		"short":        good[:3],
		"version":      mutate(func(b []byte) []byte { b[0] = 2; return b }),
		"target 0":     mutate(func(b []byte) []byte { b[1] = 0; return b }),
		"target 7":     mutate(func(b []byte) []byte { b[1] = 7; return b }),
		"kind":         mutate(func(b []byte) []byte { b[2] = 5; return b }),
		"flags":        mutate(func(b []byte) []byte { b[3] = 4; return b }),
		"no id":        good[:4],
		"id overflow":  append(good[:4:4], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
		"origin short": mutate(func(b []byte) []byte { b[5] = 100; return b }),
		"cut key":      good[:9],
	}
	for name, b := range bad {
		var e envelope
		if err := decodeEnvelope(b, &e); !errors.Is(err, codec.ErrProtocol) {
			t.Errorf("%s: err %v, want ErrProtocol", name, err)
		}
	}
	huge := appendEnvelope(nil, strings.Repeat("o", maxEnvelopeString+1), aio.Target{Kind: target.All}, &codec.Message{})
	var e envelope
	if err := decodeEnvelope(huge, &e); !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("huge origin: %v, want ErrTooLarge", err)
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	f.Add(appendEnvelope(nil, "n1", aio.Target{Kind: target.User, Key: "alice"}, &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"a":1}`)}))
	f.Add(appendEnvelope(nil, "", aio.Target{Kind: target.All}, &codec.Message{Binary: true}))
	f.Add(appendEnvelope(nil, "x", aio.Target{Kind: target.Group, Key: "g"}, &codec.Message{Kind: codec.Response, ID: 300}))
	f.Add([]byte{1, 1, 0, 0})
	f.Add([]byte{1, 5, 4, 1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e envelope
		err := decodeEnvelope(b, &e)
		if err != nil {
			if !errors.Is(err, codec.ErrProtocol) && !errors.Is(err, codec.ErrTooLarge) {
				t.Fatalf("error %v wraps neither ErrProtocol nor ErrTooLarge", err)
			}
			return
		}
		// What decodes re-encodes to a decodable envelope with the same content.
		m := codec.Message{Kind: e.kind, ID: e.id, Route: string(e.route), Body: e.body, Binary: e.binary, NoCompress: e.noComp}
		again := appendEnvelope(nil, string(e.origin), aio.Target{Kind: e.target, Key: string(e.key)}, &m)
		var e2 envelope
		if err := decodeEnvelope(again, &e2); err != nil {
			t.Fatalf("re-encoded envelope: %v", err)
		}
		if string(e2.origin) != string(e.origin) || string(e2.key) != string(e.key) || string(e2.route) != string(e.route) ||
			!bytes.Equal(e2.body, e.body) || e2.id != e.id || e2.kind != e.kind || e2.target != e.target || e2.binary != e.binary || e2.noComp != e.noComp {
			t.Fatalf("round trip changed %+v into %+v", e, e2)
		}
	})
}

func BenchmarkEnvelopeEncode(b *testing.B) {
	m := &codec.Message{Kind: codec.Push, Route: "onChat", Body: bytes.Repeat([]byte("x"), 128)}
	t := aio.Target{Kind: target.Group, Key: "room-42"}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendEnvelope(buf[:0], "node-1", t, m)
	}
}

func BenchmarkEnvelopeDecode(b *testing.B) {
	data := appendEnvelope(nil, "node-1", aio.Target{Kind: target.Group, Key: "room-42"},
		&codec.Message{Kind: codec.Push, Route: "onChat", Body: bytes.Repeat([]byte("x"), 128)})
	var e envelope
	b.ReportAllocs()
	for b.Loop() {
		if err := decodeEnvelope(data, &e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSubject(b *testing.B) {
	s := newSubjects("chat")
	t := aio.Target{Kind: target.User, Key: "alice@example.com"}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = s.appendTarget(buf[:0], t)
	}
}

func TestSubjects(t *testing.T) {
	s := newSubjects("chat")
	cases := map[aio.Target]string{
		{Kind: target.User, Key: "alice"}:     "gotio.chat.user.YWxpY2U",
		{Kind: target.Group, Key: "a.b *>"}:   "gotio.chat.group.YS5iICo-",
		{Kind: target.Token, Key: ""}:         "gotio.chat.token._",
		{Kind: target.BsID, Key: "order/7"}:   "gotio.chat.bsid.b3JkZXIvNw",
		{Kind: target.All}:                    "gotio.chat.all",
		{Kind: target.User, Key: "\xff\x00ü"}: "gotio.chat.user._wDDvA",
	}
	for tg, want := range cases {
		if got := s.target(tg); got != want {
			t.Errorf("%+v: %q, want %q", tg, got, want)
		}
		if strings.ContainsAny(s.target(tg)[len("gotio.chat."):], " *>\t") {
			t.Errorf("%+v: subject %q has a wildcard or space", tg, s.target(tg))
		}
		if tg.Kind != target.All {
			tok := s.target(tg)[strings.LastIndexByte(s.target(tg), '.')+1:]
			if key, err := unescapeKey(tok); err != nil || key != tg.Key {
				t.Errorf("%+v: unescape %q = %q, %v", tg, tok, key, err)
			}
		}
	}
	if got := s.node("n.1"); got != "gotio.chat.node.bi4x" {
		t.Errorf("node subject %q", got)
	}
	for _, app := range []string{"", "a.b", "a b", "a*", "a>", strings.Repeat("a", 65)} {
		if validApp(app) {
			t.Errorf("app %q accepted", app)
		}
	}
	for _, app := range []string{"chat", "my-app_2"} {
		if !validApp(app) {
			t.Errorf("app %q refused", app)
		}
	}
}

// unescapeKey reverses escapeKey.
func unescapeKey(tok string) (string, error) {
	if tok == "_" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", fmt.Errorf("cluster: subject key %q: %w", tok, err)
	}
	return string(b), nil
}
