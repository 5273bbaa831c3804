package socketio

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/testenv"
)

// TestServerInterop talks to the real npm socket.io@4.8.4 server
// (testdata/server.js: a raw engine.io-client@6.6.8 socket over WebSocket
// on 127.0.0.1) and requires this package to write, for the same
// situations, the packets the server wrote: the CONNECT answer, the unknown
// namespace and middleware refusals, acks with none, one and several
// arguments and with a binary one, a push, and a binary event. It also
// decodes everything the server sent.
func TestServerInterop(t *testing.T) {
	var ref struct {
		Steps []struct {
			Sent string
			Got  []part
		}
		Error string
	}
	out := testenv.Node(t, 20*time.Second, "testdata/server.js")
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if ref.Error != "" || len(ref.Steps) != 9 {
		t.Fatalf("server.js: %q after %d steps", ref.Error, len(ref.Steps))
	}
	sid := func(step int) string {
		var d Decoder
		p, done, err := d.Text([]byte(ref.Steps[step].Got[0].text))
		var v struct{ SID string }
		if err != nil || !done || p.Type != Connect || json.Unmarshal(p.Data, &v) != nil || v.SID == "" {
			t.Fatalf("step %d: no sid in %q (%v)", step, ref.Steps[step].Got[0].text, err)
		}
		return v.SID
	}
	ack := func(step int) uint64 {
		p, err := ParsePacket([]byte(ref.Steps[step].Sent), 0)
		if err != nil || !p.HasID {
			t.Fatalf("step %d: %v", step, err)
		}
		return p.ID
	}
	// echo answers a request as a gotio handler would: the body back.
	echo := func(step int) []part {
		p, err := ParsePacket([]byte(ref.Steps[step].Sent), 0)
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := ToMessage(nil, &p)
		if err != nil || m.Kind != codec.Request || m.Route != "echo" {
			t.Fatalf("step %d: %v %+v", step, err, m)
		}
		return text(AppendMessage(nil, p.Namespace, &codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: m.Body}))
	}
	bin := func(b ...byte) part { return part{bin: b, isB: true} }
	want := [][]part{
		text(AppendConnect(nil, "/", sid(0))),
		text(AppendConnectError(nil, "/nope", "Invalid namespace", nil)),
		text(AppendConnectError(nil, "/auth", "Not authorized", []byte(`{"retry":false}`))),
		text(AppendConnect(nil, "/auth", sid(3))),
		echo(4),
		// Several arguments: AppendAck spreads them as the server does
		// (AppendMessage would send the one array argument; see the mapping).
		text(AppendAck(nil, Header{ID: ack(5), HasID: true}, Arg{JSON: []byte(`1`)}, Arg{JSON: []byte(`"two"`)}, Arg{JSON: []byte(`[3]`)})),
		echo(6),
		append(text(AppendAck(nil, Header{ID: ack(7), HasID: true}, Arg{JSON: []byte(`"bar"`)}, Arg{Binary: []byte{1, 2, 3, 4}})), bin(1, 2, 3, 4)),
		append(append(text(AppendMessage(nil, "/", &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hi","from":"a","target":"*"}`)})),
			text(AppendEvent(nil, Header{}, "baz", Arg{Binary: []byte{1, 2}}, Arg{Binary: []byte{3, 4}}))...), bin(1, 2), bin(3, 4)),
	}
	for i, step := range ref.Steps {
		got, _ := json.Marshal(step.Got)
		w, _ := json.Marshal(want[i])
		if string(got) != string(w) {
			t.Errorf("after %s:\nsocket.io sent %s\n  gotio writes %s", step.Sent, got, w)
		}
		// A client-side Decoder reads what the server sent.
		var d Decoder
		complete := 0
		for _, pt := range step.Got {
			var p Packet
			var done bool
			var err error
			if pt.isB {
				p, done, err = d.Binary(pt.bin)
			} else {
				p, done, err = d.Text([]byte(pt.text))
			}
			if err != nil {
				t.Errorf("decode %v: %v", pt, err)
			}
			if done {
				complete++
				if len(p.Attachments) != p.NumAttachments {
					t.Errorf("%s: %d attachments", p.Data, len(p.Attachments))
				}
			}
		}
		if complete == 0 || d.Awaiting() != 0 {
			t.Errorf("after %s: %d packets decoded, %d attachments awaited", step.Sent, complete, d.Awaiting())
		}
	}
}

func text(b []byte, err error) []part {
	if err != nil {
		return []part{{text: "error: " + err.Error()}}
	}
	return []part{{text: string(b)}}
}
