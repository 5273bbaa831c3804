package engineio

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/gotio/gotio/codec"
)

func TestTypeString(t *testing.T) {
	want := []string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}
	for i, w := range want {
		if got := Type(i).String(); got != w || !Type(i).Valid() {
			t.Errorf("Type(%d) = %q valid=%v, want %q", i, got, Type(i).Valid(), w)
		}
	}
	if Type(7).Valid() || Type(7).String() != "type(7)" {
		t.Errorf("Type(7): %q valid=%v", Type(7).String(), Type(7).Valid())
	}
}

// The examples of the protocol document (socketio/engine.io-protocol,
// revision 4) and of engine.io-parser's v4 changelog.
func TestAppendPacketExamples(t *testing.T) {
	for _, tc := range []struct {
		p        Packet
		ws       string
		wsBinary bool
		polling  string
	}{
		{Packet{Type: TypeMessage, Data: []byte("hello")}, "4hello", false, "4hello"},
		{Packet{Type: TypeMessage, Data: []byte("€€€")}, "4€€€", false, "4€€€"},
		{Packet{Type: TypePing, Data: []byte("probe")}, "2probe", false, "2probe"},
		{Packet{Type: TypePong, Data: []byte("probe")}, "3probe", false, "3probe"},
		{Packet{Type: TypePing}, "2", false, "2"},
		{Packet{Type: TypePong}, "3", false, "3"},
		{Packet{Type: TypeClose}, "1", false, "1"},
		{Packet{Type: TypeUpgrade}, "5", false, "5"},
		{Packet{Type: TypeNoop}, "6", false, "6"},
		{Packet{Type: TypeMessage, Data: []byte{1, 2, 3, 4}, Binary: true}, "\x01\x02\x03\x04", true, "bAQIDBA=="},
		{Packet{Type: TypeMessage, Data: []byte{1, 2, 3}, Binary: true}, "\x01\x02\x03", true, "bAQID"},
		{Packet{Type: TypeMessage, Data: []byte{}, Binary: true}, "", true, "b"},
	} {
		ws, bin, err := AppendPacket([]byte("x"), &tc.p)
		if err != nil || string(ws[1:]) != tc.ws || bin != tc.wsBinary || ws[0] != 'x' {
			t.Errorf("AppendPacket(%v %q) = %q binary=%v err=%v, want %q binary=%v", tc.p.Type, tc.p.Data, ws, bin, err, tc.ws, tc.wsBinary)
		}
		pl, err := AppendPollingPacket([]byte("x"), &tc.p)
		if err != nil || string(pl[1:]) != tc.polling {
			t.Errorf("AppendPollingPacket(%v %q) = %q err=%v, want %q", tc.p.Type, tc.p.Data, pl, err, tc.polling)
		}
		// Both forms decode back to the packet.
		var got Packet
		if tc.wsBinary {
			got = ParseBinary([]byte(tc.ws))
		} else {
			got, _, err = ParseText(nil, []byte(tc.ws))
		}
		if err != nil || !samePacket(got, tc.p) {
			t.Errorf("decode WebSocket %q = %+v err=%v, want %+v", tc.ws, got, err, tc.p)
		}
		got, _, err = ParseText(nil, []byte(tc.polling))
		if err != nil || !samePacket(got, tc.p) {
			t.Errorf("ParseText(%q) = %+v err=%v, want %+v", tc.polling, got, err, tc.p)
		}
	}
}

func samePacket(a, b Packet) bool {
	return a.Type == b.Type && a.Binary == b.Binary && bytes.Equal(a.Data, b.Data)
}

func TestAppendPacketRefuses(t *testing.T) {
	for _, p := range []Packet{
		{Type: 7},
		{Type: TypePing, Data: []byte{1}, Binary: true},
	} {
		if out, _, err := AppendPacket([]byte("x"), &p); !errors.Is(err, codec.ErrUnsupported) || string(out) != "x" {
			t.Errorf("AppendPacket(%+v) = %q, %v", p, out, err)
		}
		if out, err := AppendPollingPacket([]byte("x"), &p); !errors.Is(err, codec.ErrUnsupported) || string(out) != "x" {
			t.Errorf("AppendPollingPacket(%+v) = %q, %v", p, out, err)
		}
	}
	p := Packet{Type: TypeMessage, Data: []byte("a\x1eb")}
	if out, err := AppendPollingPacket([]byte("x"), &p); !errors.Is(err, ErrSeparator) || string(out) != "x" {
		t.Errorf("separator in text: %q, %v", out, err)
	}
	// A WebSocket frame carries it: nothing splits a frame.
	if out, _, err := AppendPacket(nil, &p); err != nil || string(out) != "4a\x1eb" {
		t.Errorf("separator on WebSocket: %q, %v", out, err)
	}
}

func TestParseText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Packet
	}{
		{"0{\"sid\":\"x\"}", Packet{Type: TypeOpen, Data: []byte(`{"sid":"x"}`)}},
		{"1", Packet{Type: TypeClose}},
		{"4", Packet{Type: TypeMessage}},
		{"6data", Packet{Type: TypeNoop, Data: []byte("data")}},
		{"bAQIDBA", Packet{Type: TypeMessage, Data: []byte{1, 2, 3, 4}, Binary: true}},
		{"b", Packet{Type: TypeMessage, Data: []byte{}, Binary: true}},
	} {
		scratch := []byte("keep")
		got, out, err := ParseText(scratch, []byte(tc.in))
		if err != nil || !samePacket(got, tc.want) {
			t.Errorf("ParseText(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if string(out[:4]) != "keep" {
			t.Errorf("ParseText(%q) lost dst: %q", tc.in, out)
		}
	}
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", ErrEmptyPacket},
		{"7", ErrUnknownType},
		{"a", ErrUnknownType},
		{"/", ErrUnknownType},
		{"\x1e", ErrUnknownType},
		{"b!!!!", ErrBase64},
		{"bAQI=DBA", ErrBase64},
	} {
		_, out, err := ParseText([]byte("keep"), []byte(tc.in))
		if !errors.Is(err, tc.want) || !errors.Is(err, codec.ErrProtocol) || string(out) != "keep" {
			t.Errorf("ParseText(%q) = %v (dst %q), want %v", tc.in, err, out, tc.want)
		}
	}
}

// ParseText aliases its input for text packets and appends base64 data to
// dst without allocating when dst has room.
func TestParseTextAllocs(t *testing.T) {
	text := []byte("4hello world")
	bin := []byte("bAQIDBAUGBwgJ")
	scratch := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() {
		p, _, _ := ParseText(scratch[:0], text)
		if &p.Data[0] != &text[1] {
			t.Fatal("text data does not alias the input")
		}
		if _, _, err := ParseText(scratch[:0], bin); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ParseText allocates %v times", n)
	}
	dst := make([]byte, 0, 64)
	m := Packet{Type: TypeMessage, Data: []byte("hello")}
	b := Packet{Type: TypeMessage, Data: []byte{1, 2, 3}, Binary: true}
	if n := testing.AllocsPerRun(100, func() {
		out, _ := AppendPayload(dst[:0], m, b, m)
		_ = out
	}); n != 0 {
		t.Errorf("AppendPayload allocates %v times", n)
	}
}

func TestPayload(t *testing.T) {
	// The protocol document's examples, and the changelog's.
	for _, tc := range []struct {
		payload string
		packets []Packet
	}{
		{"4hello\x1e2\x1e4world", []Packet{{Type: TypeMessage, Data: []byte("hello")}, {Type: TypePing}, {Type: TypeMessage, Data: []byte("world")}}},
		{"4hello\x1ebAQIDBA==", []Packet{{Type: TypeMessage, Data: []byte("hello")}, {Type: TypeMessage, Data: []byte{1, 2, 3, 4}, Binary: true}}},
		{"4hello\x1e4€€€", []Packet{{Type: TypeMessage, Data: []byte("hello")}, {Type: TypeMessage, Data: []byte("€€€")}}},
		{"4hello\x1ebAQID", []Packet{{Type: TypeMessage, Data: []byte("hello")}, {Type: TypeMessage, Data: []byte{1, 2, 3}, Binary: true}}},
		{"2probe\x1e4test\x1e1", []Packet{{Type: TypePing, Data: []byte("probe")}, {Type: TypeMessage, Data: []byte("test")}, {Type: TypeClose}}},
		{"6", []Packet{{Type: TypeNoop}}},
	} {
		enc, err := AppendPayload(nil, tc.packets...)
		if err != nil || string(enc) != tc.payload {
			t.Errorf("AppendPayload = %q, %v; want %q", enc, err, tc.payload)
		}
		got := decodePayload(t, tc.payload)
		if len(got) != len(tc.packets) {
			t.Fatalf("%q: %d packets, want %d", tc.payload, len(got), len(tc.packets))
		}
		for i := range got {
			if !samePacket(got[i], tc.packets[i]) {
				t.Errorf("%q packet %d = %+v, want %+v", tc.payload, i, got[i], tc.packets[i])
			}
		}
	}
	if out, err := AppendPayload([]byte("x"), Packet{Type: TypeMessage}, Packet{Type: 9}); err == nil || string(out) != "x" {
		t.Errorf("AppendPayload with a bad packet = %q, %v", out, err)
	}
}

func decodePayload(t *testing.T, payload string) []Packet {
	t.Helper()
	d := NewPayloadDecoder([]byte(payload))
	var got []Packet
	for {
		p, _, err := d.Next(nil)
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("%q: %v", payload, err)
		}
		got = append(got, p)
	}
}

func TestPayloadErrors(t *testing.T) {
	for _, tc := range []struct {
		payload string
		good    int // packets before the error
		want    error
	}{
		{"", 0, ErrEmptyPacket},
		{"4a\x1e", 1, ErrEmptyPacket},
		{"\x1e4a", 0, ErrEmptyPacket},
		{"4a\x1e\x1e4b", 1, ErrEmptyPacket},
		{"4a\x1e9\x1e4b", 1, ErrUnknownType},
		{"b***\x1e4b", 0, ErrBase64},
	} {
		var d PayloadDecoder
		d.Reset([]byte(tc.payload))
		n := 0
		var err error
		for {
			if _, _, err = d.Next(nil); err != nil {
				break
			}
			n++
		}
		if n != tc.good || !errors.Is(err, tc.want) {
			t.Errorf("%q: %d packets then %v; want %d then %v", tc.payload, n, err, tc.good, tc.want)
		}
		if _, _, err := d.Next(nil); err != io.EOF {
			t.Errorf("%q: after the error Next = %v, want io.EOF", tc.payload, err)
		}
	}
}
