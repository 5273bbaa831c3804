package socketio

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
)

// FuzzDecoder feeds a Decoder a sequence of engine.io messages: the input
// split at 0x1e, a part starting with 0xff being a binary message (the
// rest of it), any other part a text one. It checks that nothing panics,
// that every error wraps ErrMalformed and codec.ErrProtocol, that every
// complete packet carries the attachments it announced, re-encodes to a
// packet that parses the same, and, for events and acks, maps onto a
// codec.Message with a JSON body that AppendMessage can send back.
func FuzzDecoder(f *testing.F) {
	for _, tc := range docExamples {
		f.Add([]byte(tc.wire))
	}
	f.Add([]byte("52-/admin,[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]\x1e\xff\x01\x02\x1e\xff\x03\x04"))
	f.Add([]byte("61-15[\"bar\",{\"_placeholder\":true,\"num\":0}]\x1e\xff\x01\x02\x03\x04\x1e2[\"after\"]"))
	f.Add([]byte("51-[\"a\",{\"x\":[{\"_placeholder\":true,\"num\":0}]}]\x1e2[\"early\"]"))
	f.Add([]byte("\xff\x01\x1e0/admin,{\"token\":\"123\"}\x1e4{\"message\":\"Not authorized\"}"))
	f.Add([]byte(`2/chat,3["sum",1,2,{"a":[3]}]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		d := Decoder{MaxAttachments: 4}
		for _, part := range bytes.Split(in, []byte{0x1e}) {
			var p Packet
			var done bool
			var err error
			if len(part) > 0 && part[0] == 0xff {
				p, done, err = d.Binary(part[1:])
			} else {
				p, done, err = d.Text(part)
			}
			if err != nil {
				if !errors.Is(err, ErrMalformed) || !errors.Is(err, codec.ErrProtocol) {
					t.Fatalf("error %v wraps no ErrMalformed", err)
				}
				continue
			}
			if done {
				checkPacket(t, &p)
			}
		}
	})
}

func checkPacket(t *testing.T, p *Packet) {
	t.Helper()
	if len(p.Attachments) != p.NumAttachments {
		t.Fatalf("%v announced %d attachments, carries %d", p.Type, p.NumAttachments, len(p.Attachments))
	}
	enc, err := AppendPacket(nil, p)
	if err != nil {
		t.Fatalf("re-encode %+v: %v", p, err)
	}
	back, err := ParsePacket(enc, p.NumAttachments)
	if err != nil || !samePacket(back, *p) {
		t.Fatalf("%s re-parses to %+v (%v), want %+v", enc, back, err, *p)
	}
	switch p.Type {
	case Event, BinaryEvent, Ack, BinaryAck:
	default:
		return
	}
	m, _, err := ToMessage(nil, p)
	if err != nil {
		t.Fatalf("ToMessage(%s): %v", p.Data, err)
	}
	if len(m.Body) > 0 && !json.Valid(m.Body) {
		t.Fatalf("ToMessage(%s) body %s is not JSON", p.Data, m.Body)
	}
	if m.Kind == codec.Notify {
		m.Kind = codec.Push
	}
	if m.Route == "" && m.Kind != codec.Response {
		// socket.io allows an event named ""; AppendMessage refuses a
		// push without a route, as a mistake.
		return
	}
	out, err := AppendMessage(nil, p.Namespace, &m)
	if err != nil {
		t.Fatalf("AppendMessage(%v %q %s): %v", m.Kind, m.Route, m.Body, err)
	}
	if _, err := ParsePacket(out, 0); err != nil {
		// A placeholder body sent back as JSON is still a valid packet.
		t.Fatalf("AppendMessage wrote %s, which does not parse: %v", out, err)
	}
}
