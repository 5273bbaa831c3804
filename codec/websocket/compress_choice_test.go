package websocket

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
)

// TestCompressionChoices checks, byte for byte, which messages a deflate
// session compresses: not those that opt out, not those under MinSize.
func TestCompressionChoices(t *testing.T) {
	ext := "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover"
	big := []byte(strings.Repeat("compressible ", 100)) // 1300 bytes
	small := bytes.Repeat([]byte("a"), DefaultDeflateMinSize-1)
	s, _ := openServer(t, &Config{Deflate: &Deflate{}}, ext)

	got, err := s.Encode(nil, &codec.Message{Kind: codec.Raw, Body: big})
	if err != nil {
		t.Fatal(err)
	}
	if fs := parseFrames(t, got); len(fs) != 1 || fs[0].rsv != rsv1Bit || len(fs[0].payload) >= len(big) {
		t.Fatalf("a big message was not compressed: % x", got[:4])
	}

	got, err = s.Encode(nil, &codec.Message{Kind: codec.Raw, Body: big, NoCompress: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := hframe(finBit|opText, false, big); !bytes.Equal(got, want) {
		t.Fatalf("NoCompress: got % x…, want a plain text frame", got[:4])
	}

	got, _ = s.Encode(nil, &codec.Message{Kind: codec.Raw, Body: small})
	if want := hframe(finBit|opText, false, small); !bytes.Equal(got, want) {
		t.Fatalf("under MinSize: got % x…, want a plain text frame", got[:4])
	}
	at := append(small, 'a')
	got, _ = s.Encode(nil, &codec.Message{Kind: codec.Raw, Body: at})
	if fs := parseFrames(t, got); fs[0].rsv != rsv1Bit {
		t.Fatal("a message of MinSize bytes was not compressed")
	}

	// The JSON envelope opts out the same way.
	j, _ := openServer(t, &Config{Deflate: &Deflate{}, Routes: []Route{{Inner: JSON}}}, ext)
	body := []byte(`"` + strings.Repeat("x", 500) + `"`)
	got, _ = j.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onChat", Body: body, NoCompress: true})
	want := hframe(finBit|opText, false, []byte(`{"route":"onChat","body":`+string(body)+`}`))
	if !bytes.Equal(got, want) {
		t.Fatalf("JSON NoCompress: got %q", got)
	}
}

// TestHuffmanOnlyForSmallServerWindow checks that a client limiting the
// server's window gets Huffman-only messages, under their own Format.
func TestHuffmanOnlyForSmallServerWindow(t *testing.T) {
	c := New(&Config{Deflate: &Deflate{}})
	small, _ := openOn(t, c, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9; client_no_context_takeover")
	full, _ := openOn(t, c, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover")
	if small.Format() != "ws.deflate-2-256/plain" || full.Format() != "ws.deflate1-256/plain" {
		t.Fatalf("Formats %q and %q", small.Format(), full.Format())
	}
	msg := []byte(strings.Repeat("a window of 512 bytes is small; ", 100))
	hb, _ := small.Encode(nil, &codec.Message{Kind: codec.Raw, Body: msg})
	fb, _ := full.Encode(nil, &codec.Message{Kind: codec.Raw, Body: msg})
	hf, ff := parseFrames(t, hb)[0], parseFrames(t, fb)[0]
	if hf.rsv != rsv1Bit || ff.rsv != rsv1Bit {
		t.Fatal("not compressed")
	}
	// Huffman coding alone cannot use the repeats LZ77 finds.
	if len(hf.payload) <= len(ff.payload) || len(hf.payload) >= len(msg) {
		t.Fatalf("Huffman-only %d bytes, full deflate %d, message %d", len(hf.payload), len(ff.payload), len(msg))
	}
	got, err := io.ReadAll(flate.NewReader(bytes.NewReader(append(hf.payload, deflateTail...))))
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("inflate: %v", err)
	}
}
