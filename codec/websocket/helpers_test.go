package websocket

import (
	"bytes"
	"encoding/binary"
	"net"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// testKey and testAccept are RFC 6455 section 1.3's example.
const (
	testKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	testAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

var testMask = [4]byte{0x37, 0xfa, 0x21, 0x3d}

var testAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}

// upgradeReq is a valid upgrade request for path with extra header lines.
func upgradeReq(path string, extra ...string) string {
	var b strings.Builder
	b.WriteString("GET " + path + " HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n" +
		"Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// hframe builds a frame by hand, independently of the package's encoder.
func hframe(b0 byte, masked bool, payload []byte) []byte {
	b := []byte{b0}
	var m byte
	if masked {
		m = 0x80
	}
	n := len(payload)
	switch {
	case n < 126:
		b = append(b, m|byte(n))
	case n <= 0xffff:
		b = append(b, m|126, byte(n>>8), byte(n))
	default:
		b = append(b, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if !masked {
		return append(b, payload...)
	}
	b = append(b, testMask[:]...)
	for i, c := range payload {
		b = append(b, c^testMask[i%4])
	}
	return b
}

// cframe is a masked client frame.
func cframe(b0 byte, payload []byte) []byte { return hframe(b0, true, payload) }

func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// wireFrame is a frame parsed by the test's own parser.
type wireFrame struct {
	fin     bool
	rsv     byte
	op      byte
	masked  bool
	payload []byte
}

func (f wireFrame) closeCode() int {
	if f.op != opClose || len(f.payload) < 2 {
		return 0
	}
	return int(binary.BigEndian.Uint16(f.payload))
}

// parseFrames splits b into frames, unmasking masked ones.
func parseFrames(t testing.TB, b []byte) []wireFrame {
	t.Helper()
	var out []wireFrame
	for len(b) > 0 {
		if len(b) < 2 {
			t.Fatalf("truncated frame header % x", b)
		}
		f := wireFrame{fin: b[0]&0x80 != 0, rsv: b[0] & 0x70, op: b[0] & 0x0f, masked: b[1]&0x80 != 0}
		n, p := int(b[1]&0x7f), 2
		switch n {
		case 126:
			n, p = int(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			n, p = int(binary.BigEndian.Uint64(b[2:])), 10
		}
		var key []byte
		if f.masked {
			key, p = b[p:p+4], p+4
		}
		if len(b) < p+n {
			t.Fatalf("truncated frame: want %d bytes, have %d", p+n, len(b))
		}
		f.payload = append([]byte(nil), b[p:p+n]...)
		for i := range f.payload {
			if key != nil {
				f.payload[i] ^= key[i%4]
			}
		}
		out = append(out, f)
		b = b[p+n:]
	}
	return out
}

// openServer returns a server stream past a valid upgrade, with the
// recorder reset.
func openServer(t testing.TB, cfg *Config, extra ...string) (*Stream, *codectest.Recorder) {
	t.Helper()
	return openOn(t, New(cfg), extra...)
}

// openOn is openServer with a stream of c.
func openOn(t testing.TB, c *Codec, extra ...string) (*Stream, *codectest.Recorder) {
	t.Helper()
	s := c.NewStream(codec.ConnInfo{RemoteAddr: testAddr, LocalAddr: testAddr}).(*Stream)
	rec := &codectest.Recorder{}
	req := []byte(upgradeReq("/", extra...))
	n, _, err := s.Decode(req, rec)
	if err != nil || n != len(req) {
		t.Fatalf("upgrade: n=%d err=%v reply=%q", n, err, rec.Replies)
	}
	if !bytes.HasPrefix(rec.Replies, []byte("HTTP/1.1 101 ")) {
		t.Fatalf("upgrade reply %q", rec.Replies)
	}
	rec.Reset()
	return s, rec
}

// feed decodes all of in, in one call per unit, as aio would.
func feed(s codec.Stream, in []byte, out codec.Output) (int, error) {
	return codectest.DecodeAll(s, in, out)
}
