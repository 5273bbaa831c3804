package socketio

import (
	"errors"
	"testing"
	"unsafe"
)

func TestDecoderAttachments(t *testing.T) {
	var d Decoder
	// A plain packet is complete at once.
	p, done, err := d.Text([]byte(`2["foo"]`))
	if err != nil || !done || p.Type != Event {
		t.Fatalf("EVENT: %+v %v %v", p, done, err)
	}
	// The document's two-attachment example.
	text := []byte(`52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
	if _, done, err := d.Text(text); err != nil || done || d.Awaiting() != 2 {
		t.Fatalf("BINARY_EVENT: done=%v err=%v awaiting %d", done, err, d.Awaiting())
	}
	copy(text, "XXXXXXXXXXXXXXXXXXXXX") // the decoder kept its own copy
	first := []byte{1, 2}
	if _, done, err := d.Binary(first); err != nil || done || d.Awaiting() != 1 {
		t.Fatalf("first attachment: done=%v err=%v awaiting %d", done, err, d.Awaiting())
	}
	first[0] = 9
	p, done, err = d.Binary([]byte{3, 4})
	if err != nil || !done || d.Awaiting() != 0 {
		t.Fatalf("second attachment: done=%v err=%v", done, err)
	}
	if p.Type != BinaryEvent || p.Namespace != "/admin" || p.NumAttachments != 2 || len(p.Attachments) != 2 ||
		string(p.Attachments[0]) != "\x01\x02" || string(p.Attachments[1]) != "\x03\x04" ||
		string(p.Data) != `["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]` {
		t.Fatalf("reconstructed %+v (data %s)", p, p.Data)
	}
	if d.String() != "socketio: idle" || d.pending != nil || unsafe.Sizeof(d) != 16 {
		t.Fatalf("the decoder holds memory after the packet: %v", d.String())
	}

	// Binary data nobody announced.
	if _, _, err := d.Binary([]byte{1}); !errors.Is(err, ErrUnexpectedBinary) {
		t.Fatalf("stray binary: %v", err)
	}
	// Text while attachments are awaited: an error, and the decoder starts over.
	if _, _, err := d.Text([]byte(`61-15["bar",{"_placeholder":true,"num":0}]`)); err != nil {
		t.Fatal(err)
	}
	if d.String() != "socketio: BINARY_ACK awaiting 1 of 1 attachments" {
		t.Fatal(d.String())
	}
	if _, _, err := d.Text([]byte(`2["foo"]`)); !errors.Is(err, ErrUnexpectedText) {
		t.Fatalf("text while awaiting: %v", err)
	}
	if d.Awaiting() != 0 {
		t.Fatal("still awaiting after the error")
	}
	// The limit.
	d.MaxAttachments = 1
	if _, _, err := d.Text([]byte(`52-["a",{"_placeholder":true,"num":1}]`)); !errors.Is(err, ErrTooManyAttachments) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, _, err := d.Text([]byte(`x`)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("bad text: %v", err)
	}
	d.Reset()
	if d.Awaiting() != 0 {
		t.Fatal("Reset")
	}
}
