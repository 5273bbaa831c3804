package engineio

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/gotio/gotio/codec"
)

// seeds are the protocol document's examples and the edge cases above.
var seeds = []string{
	"4hello\x1e2\x1e4world", "4hello\x1ebAQIDBA==", "4hello\x1e4€€€", "2probe\x1e4test\x1e1",
	"2probe", "3probe", "5", "6", "1", "b", "bAQIDBA", "", "\x1e", "4a\x1e\x1e4b", "b***",
	`0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
	"40\x1e42[\"hello\"]\x1e42[\"world\"]", "451-[\"baz\",{\"_placeholder\":true,\"num\":0}]\x1ebAQIDBA==",
}

// FuzzParseText checks that a text packet decodes without panicking, that
// every error wraps codec.ErrProtocol, and that what decodes re-encodes to
// a packet that decodes the same.
func FuzzParseText(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		keep := append([]byte(nil), in...)
		p, out, err := ParseText([]byte("dst"), in)
		if !bytes.Equal(in, keep) {
			t.Fatal("ParseText changed its input")
		}
		if string(out[:3]) != "dst" {
			t.Fatalf("ParseText lost dst: %q", out)
		}
		if err != nil {
			if !errors.Is(err, codec.ErrProtocol) {
				t.Fatalf("error %v wraps no codec.ErrProtocol", err)
			}
			return
		}
		roundTrip(t, p)
	})
}

// FuzzPayload checks the polling payload decoder the same way, and that
// re-encoding every packet it found gives a payload that decodes to them.
func FuzzPayload(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewPayloadDecoder(in)
		var packets []Packet
		for n := 0; ; n++ {
			if n > len(in)+1 {
				t.Fatalf("more packets than bytes in %q", in)
			}
			p, _, err := d.Next(nil)
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, codec.ErrProtocol) {
					t.Fatalf("error %v wraps no codec.ErrProtocol", err)
				}
				if _, _, err := d.Next(nil); err != io.EOF {
					t.Fatalf("Next after an error: %v", err)
				}
				return
			}
			roundTrip(t, p)
			packets = append(packets, p)
		}
		enc, err := AppendPayload(nil, packets...)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", packets, err)
		}
		d.Reset(enc)
		for i := range packets {
			p, _, err := d.Next(nil)
			if err != nil || !samePacket(p, packets[i]) {
				t.Fatalf("re-decoded packet %d = %+v %v, want %+v", i, p, err, packets[i])
			}
		}
		if _, _, err := d.Next(nil); err != io.EOF {
			t.Fatalf("re-decoded payload has more packets: %v", err)
		}
	})
}

func roundTrip(t *testing.T, p Packet) {
	t.Helper()
	ws, bin, err := AppendPacket(nil, &p)
	if err != nil {
		t.Fatalf("AppendPacket(%+v): %v", p, err)
	}
	var back Packet
	if bin {
		back = ParseBinary(ws)
	} else if back, _, err = ParseText(nil, ws); err != nil {
		t.Fatalf("re-decode %q: %v", ws, err)
	}
	if !samePacket(back, p) {
		t.Fatalf("WebSocket round trip %+v -> %q -> %+v", p, ws, back)
	}
}
