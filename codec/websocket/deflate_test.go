package websocket

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
)

func TestNegotiateDeflate(t *testing.T) {
	const base = "permessage-deflate; server_no_context_takeover"
	noCtx := &Deflate{}
	ctx := &Deflate{ClientContext: true}
	cases := []struct {
		name   string
		d      *Deflate
		offer  string
		resp   string
		window int // expected window with client context, 0 for none
	}{
		{"off", nil, "permessage-deflate; client_no_context_takeover", "", 0},
		{"no offer", noCtx, "", "", 0},
		{"client gives up context", noCtx, "permessage-deflate; client_no_context_takeover", base + "; client_no_context_takeover", 0},
		{"browser offer declined", noCtx, "permessage-deflate; client_max_window_bits", "", 0},
		{"browser offer accepted", ctx, "permessage-deflate; client_max_window_bits", base + "; client_max_window_bits=12", 12},
		{"quoted bits", ctx, `permessage-deflate; client_max_window_bits="10"`, base + "; client_max_window_bits=10", 10},
		{"bits 8 kept as 9", ctx, "permessage-deflate; client_max_window_bits=8", base + "; client_max_window_bits=8", 9},
		{"no window parameter", ctx, "permessage-deflate", base, 15},
		{"server window 10: Huffman only", noCtx, "permessage-deflate; server_max_window_bits=10; client_no_context_takeover", base + "; server_max_window_bits=10; client_no_context_takeover", 0},
		{"server window 8: Huffman only", noCtx, "permessage-deflate; server_max_window_bits=8; client_no_context_takeover", base + "; server_max_window_bits=8; client_no_context_takeover", 0},
		{"server window 15", noCtx, "permessage-deflate; server_max_window_bits=15; client_no_context_takeover", base + "; server_max_window_bits=15; client_no_context_takeover", 0},
		{"server window bad", noCtx, "permessage-deflate; server_max_window_bits=7; client_no_context_takeover", "", 0},
		{"server window without value", noCtx, "permessage-deflate; server_max_window_bits; client_no_context_takeover", "", 0},
		{"server window with client context", ctx, "permessage-deflate; server_max_window_bits=9; client_max_window_bits", base + "; server_max_window_bits=9; client_max_window_bits=12", 12},
		{"second offer", noCtx, "permessage-deflate; server_max_window_bits=9, permessage-deflate; client_no_context_takeover", base + "; client_no_context_takeover", 0},
		{"duplicate parameter", noCtx, "permessage-deflate; client_no_context_takeover; client_no_context_takeover", "", 0},
		{"unknown parameter", noCtx, "permessage-deflate; client_no_context_takeover; foo", "", 0},
		{"value on flag", noCtx, "permessage-deflate; client_no_context_takeover=1", "", 0},
		{"bits out of range", ctx, "permessage-deflate; client_max_window_bits=16", "", 0},
		{"bits leading zero", ctx, "permessage-deflate; client_max_window_bits=09", "", 0},
		{"other extension", ctx, "x-webkit-deflate-frame", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			codec := New(&Config{Deflate: c.d})
			h := http.Header{}
			if c.offer != "" {
				h.Set("Sec-WebSocket-Extensions", c.offer)
			}
			resp, p := codec.negotiateDeflate(h)
			if resp != c.resp || p.on != (c.resp != "") {
				t.Fatalf("resp %q on=%v, want %q", resp, p.on, c.resp)
			}
			if (c.window != 0) != p.clientContext || (c.window != 0 && p.window != c.window) {
				t.Fatalf("params %+v, want window %d", p, c.window)
			}
			if want := strings.Contains(c.resp, "server_max_window_bits=") && !strings.Contains(c.resp, "server_max_window_bits=15"); p.huffman != want {
				t.Fatalf("huffman %v, want %v", p.huffman, want)
			}
		})
	}
}

// clientDeflate compresses like a permessage-deflate client: a flush, the
// trailing sync marker dropped. The writer is kept when it keeps context.
func clientDeflate(t *testing.T, fw *flate.Writer, buf *bytes.Buffer, msg []byte) []byte {
	t.Helper()
	buf.Reset()
	if _, err := fw.Write(msg); err != nil {
		t.Fatal(err)
	}
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(buf.Bytes())
	if !bytes.HasSuffix(b, []byte{0, 0, 0xff, 0xff}) {
		t.Fatalf("no sync marker: % x", b)
	}
	return b[:len(b)-4]
}

func compressOne(t *testing.T, msg []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	return clientDeflate(t, fw, &buf, msg)
}

func inflateAll(t *testing.T, p []byte) []byte {
	t.Helper()
	b, err := io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader(deflateTail))))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeflateDecode(t *testing.T) {
	s, rec := openServer(t, &Config{Deflate: &Deflate{}}, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover")
	if s.Format() != "ws.deflate1-256/plain" {
		t.Fatalf("format %q", s.Format())
	}
	text := []byte(strings.Repeat("hello, compressed world! ", 40))
	z := compressOne(t, text)
	half := len(z) / 2
	in := cat(
		cframe(finBit|rsv1Bit|opText, z),
		cframe(rsv1Bit|opBinary, z[:half]),
		cframe(finBit|opPing, nil),
		cframe(finBit|opContinuation, z[half:]),
		cframe(finBit|opText, []byte("uncompressed")),
		cframe(finBit|rsv1Bit|opText, compressOne(t, nil)),
	)
	if _, err := feed(s, in, rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Messages) != 4 || !bytes.Equal(rec.Messages[0].Body, text) || !bytes.Equal(rec.Messages[1].Body, text) ||
		!rec.Messages[1].Binary || string(rec.Messages[2].Body) != "uncompressed" || len(rec.Messages[3].Body) != 0 {
		t.Fatalf("messages %+v", rec.Messages)
	}
	if s.dict != nil {
		t.Fatal("window kept without client context")
	}
}

func TestDeflateClientContext(t *testing.T) {
	s, rec := openServer(t, &Config{Deflate: &Deflate{ClientContext: true, ClientWindowBits: 15}},
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	msgs := [][]byte{
		[]byte(strings.Repeat("the same sentence again and again. ", 30)),
		[]byte(strings.Repeat("the same sentence again and again. ", 31)),
		[]byte("short one"),
		[]byte(strings.Repeat("the same sentence again and again. ", 30)),
	}
	var in []byte
	for i, m := range msgs {
		z := clientDeflate(t, fw, &buf, m)
		if i == 1 && len(z) > 20 {
			t.Fatalf("second message not compressed against the first: %d bytes", len(z))
		}
		in = append(in, cframe(finBit|rsv1Bit|opText, z)...)
	}
	if _, err := feed(s, in, rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Messages) != len(msgs) {
		t.Fatalf("%d messages", len(rec.Messages))
	}
	for i, m := range msgs {
		if !bytes.Equal(rec.Messages[i].Body, m) {
			t.Fatalf("message %d differs", i)
		}
	}
	if cap(s.dict) != 1<<15 {
		t.Fatalf("window %d", cap(s.dict))
	}
}

func TestDeflateEncode(t *testing.T) {
	s, _ := openServer(t, &Config{Deflate: &Deflate{}}, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover")
	big := []byte(strings.Repeat("compress me ", 100))
	random := make([]byte, 1000)
	rand.Read(random)
	cases := []struct {
		body       []byte
		compressed bool
	}{
		{big, true},
		{[]byte("tiny"), false},
		{big[:255], false}, // under MinSize
		{random, false},    // would not shrink
	}
	for i, c := range cases {
		b, err := s.Encode(nil, &codec.Message{Kind: codec.Raw, Body: c.body, Binary: true})
		if err != nil {
			t.Fatal(err)
		}
		fs := parseFrames(t, b)
		if len(fs) != 1 || (fs[0].rsv == rsv1Bit) != c.compressed {
			t.Fatalf("case %d: %+v", i, fs)
		}
		got := fs[0].payload
		if c.compressed {
			if len(got) >= len(c.body) {
				t.Fatalf("case %d: not smaller", i)
			}
			got = inflateAll(t, got)
		}
		if !bytes.Equal(got, c.body) {
			t.Fatalf("case %d: body differs", i)
		}
		again, _ := s.Encode(nil, &codec.Message{Kind: codec.Raw, Body: c.body, Binary: true})
		if !bytes.Equal(again, b) {
			t.Fatalf("case %d: encoding not deterministic; a shared Format would lie", i)
		}
	}
}

func TestDeflateFailures(t *testing.T) {
	ext := "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover"
	bomb := compressOne(t, make([]byte, 2<<20))
	cases := []struct {
		name string
		in   []byte
		code int
		err  error
	}{
		{"bomb", cframe(finBit|rsv1Bit|opBinary, bomb), CloseTooLarge, codec.ErrTooLarge},
		{"corrupt", cframe(finBit|rsv1Bit|opBinary, []byte{0xff, 0xff, 0xff}), CloseInvalidPayload, codec.ErrProtocol},
		{"bad UTF-8 inside", cframe(finBit|rsv1Bit|opText, compressOne(t, []byte("a\xffb"))), CloseInvalidPayload, codec.ErrProtocol},
		{"RSV1 on continuation", cat(cframe(opText, []byte("a")), cframe(finBit|rsv1Bit|opContinuation, []byte("b"))), CloseProtocolError, codec.ErrProtocol},
		{"RSV1 on ping", cframe(finBit|rsv1Bit|opPing, nil), CloseProtocolError, codec.ErrProtocol},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A 2 MiB bomb against a 1 MiB limit.
			s, rec := openServer(t, &Config{Deflate: &Deflate{}, MaxMessageSize: 1 << 20}, ext)
			_, err := feed(s, c.in, rec)
			var ce *CloseError
			if !errors.Is(err, c.err) || !errors.As(err, &ce) || ce.Code != c.code {
				t.Fatalf("err %v, want %d %v", err, c.code, c.err)
			}
		})
	}
}
