package socketio

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
)

func TestInlineAndSplitBody(t *testing.T) {
	atts := [][]byte{{1, 2, 3}, {}, []byte("hi")}
	body := []byte(`[{"_placeholder":true,"num":0}, {"k":[{"num":2,"_placeholder":true}],"s":"{\"_placeholder\":true}"},{"_placeholder":true,"num":1}]`)
	in, err := InlineBody(nil, body, atts)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"_placeholder":true,"num":0,"base64":"AQID"}, {"k":[{"_placeholder":true,"num":2,"base64":"aGk="}],"s":"{\"_placeholder\":true}"},{"_placeholder":true,"num":1,"base64":""}]`
	if string(in) != want {
		t.Fatalf("InlineBody:\n got %s\nwant %s", in, want)
	}
	out, got, err := SplitBody(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	// Renumbered in order of appearance: 0, 2, 1 become 0, 1, 2.
	if wantBody := `[{"_placeholder":true,"num":0}, {"k":[{"_placeholder":true,"num":1}],"s":"{\"_placeholder\":true}"},{"_placeholder":true,"num":2}]`; string(out) != wantBody {
		t.Fatalf("SplitBody body:\n got %s\nwant %s", out, wantBody)
	}
	if len(got) != 3 || !bytes.Equal(got[0], atts[0]) || !bytes.Equal(got[1], atts[2]) || len(got[2]) != 0 {
		t.Fatalf("SplitBody attachments %q", got)
	}
	if _, err := InlineBody(nil, []byte(`[{"_placeholder":true,"num":3}]`), atts); !errors.Is(err, ErrMalformed) {
		t.Errorf("out-of-range placeholder: %v", err)
	}
	if b, a, err := SplitBody(nil, []byte(`{"a":1}`)); err != nil || a != nil || string(b) != `{"a":1}` {
		t.Errorf("plain body: %s %v %v", b, a, err)
	}
	if _, _, err := SplitBody(nil, []byte(`[{"_placeholder":true,"num":0,"base64":"!!"}]`)); !errors.Is(err, codec.ErrUnsupported) {
		t.Errorf("bad base64: %v", err)
	}
}

// recOut records what a stream decodes.
type recOut struct {
	msgs    []codec.Message
	replies [][]byte
}

func (o *recOut) Message(m *codec.Message) {
	mm := *m
	mm.Body = bytes.Clone(m.Body)
	o.msgs = append(o.msgs, mm)
}
func (o *recOut) Reply(b []byte)             { o.replies = append(o.replies, bytes.Clone(b)) }
func (o *recOut) Handshaken(codec.Handshake) {}

// TestEventWithSeveralAttachments: an event with two buffers reaches the
// handler with both, inline in its body, and a handler that sends that
// body back sends a binary event with both buffers.
func TestEventWithSeveralAttachments(t *testing.T) {
	st := NewServerCodec(nil).NewSession(engineio.SessionInfo{SID: "s"})
	out := &recOut{}
	for _, in := range []struct {
		data   string
		binary bool
	}{
		{"0", false},
		{`52-["two",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, false},
		{"\x01\x02", true},
		{"\xff", true},
	} {
		if err := st.DecodeMessage([]byte(in.data), in.binary, out); err != nil {
			t.Fatalf("%q: %v", in.data, err)
		}
	}
	if len(out.msgs) != 2 { // connect, two
		t.Fatalf("messages %v", out.msgs)
	}
	m := out.msgs[1]
	if want := `[{"_placeholder":true,"num":0,"base64":"AQI="},{"_placeholder":true,"num":1,"base64":"/w=="}]`; m.Route != "two" || m.Binary || string(m.Body) != want {
		t.Fatalf("event: route %q binary %v body %s", m.Route, m.Binary, m.Body)
	}
	b, err := st.Encode(nil, &codec.Message{Kind: codec.Push, Route: "back", Body: m.Body})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for p, rest, ok := nextUnit(b); ok; p, rest, ok = nextUnit(rest) {
		got = append(got, p)
	}
	want := []string{`t452-["back",[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]`, "b\x01\x02", "b\xff"}
	if len(got) != len(want) {
		t.Fatalf("encoded %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("unit %d: %q, want %q", i, got[i], want[i])
		}
	}
	// An ack carries them too.
	b, err = st.Encode(nil, &codec.Message{Kind: codec.Response, ID: 9, Body: m.Body})
	if err != nil {
		t.Fatal(err)
	}
	if p, _, ok := nextUnit(b); !ok || p != `t462-9[[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]` {
		t.Errorf("ack %q", p)
	}
}

// nextUnit splits one queued packet off b as its kind byte and data.
func nextUnit(b []byte) (string, []byte, bool) {
	if len(b) < 5 {
		return "", nil, false
	}
	n := int(b[1])<<24 | int(b[2])<<16 | int(b[3])<<8 | int(b[4])
	if len(b) < 5+n {
		return "", nil, false
	}
	return string(b[0]) + string(b[5:5+n]), b[5+n:], true
}
