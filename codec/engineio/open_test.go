package engineio

import (
	"errors"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
)

func TestOpen(t *testing.T) {
	// The protocol document's example.
	o := Open{SID: "lv_VI97HAXpY6yYWAAAC", Upgrades: []string{"websocket"}, PingInterval: 25 * time.Second, PingTimeout: 20 * time.Second, MaxPayload: 1000000}
	want := `0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`
	got := AppendOpen(nil, &o)
	if string(got) != want {
		t.Fatalf("AppendOpen:\n got %s\nwant %s", got, want)
	}
	p, _, err := ParseText(nil, got)
	if err != nil || p.Type != TypeOpen {
		t.Fatalf("ParseText: %+v %v", p, err)
	}
	back, err := ParseOpen(p.Data)
	if err != nil || back.SID != o.SID || len(back.Upgrades) != 1 || back.Upgrades[0] != "websocket" ||
		back.PingInterval != o.PingInterval || back.PingTimeout != o.PingTimeout || back.MaxPayload != o.MaxPayload {
		t.Fatalf("ParseOpen = %+v, %v", back, err)
	}
	ws := AppendOpen(nil, &Open{SID: `a"b`, PingInterval: 1500 * time.Microsecond})
	if string(ws) != `0{"sid":"a\"b","upgrades":[],"pingInterval":1,"pingTimeout":0,"maxPayload":0}` {
		t.Errorf("AppendOpen without upgrades: %s", ws)
	}
	for _, bad := range []string{``, `{}`, `[]`, `{"sid":1}`, `{"sid":""}`} {
		if _, err := ParseOpen([]byte(bad)); !errors.Is(err, codec.ErrProtocol) {
			t.Errorf("ParseOpen(%s) = %v", bad, err)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	in := "a\"b\\c\n\t\r\b\f\x01\x1f\x7f\u2028é😀</>&\xff"
	want := `"a\"b\\c\n\t\r\b\f\u0001\u001f` + "\x7f\u2028é😀</>&\uFFFD" + `"`
	if got := string(appendJSONString(nil, in)); got != want {
		t.Errorf("appendJSONString:\n got %s\nwant %s", got, want)
	}
}
