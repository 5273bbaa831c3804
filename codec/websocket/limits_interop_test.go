package websocket_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec/websocket"
)

// startDefaultServer serves websocket.New(nil) behind aio's defaults: the
// configuration a new user starts from.
func startDefaultServer(t testing.TB, tr aio.Transport) *aio.Server {
	t.Helper()
	s := aio.NewServer(&aio.Config{Codec: websocket.New(nil), Handler: aio.HandlerFunc(echo), Transport: tr})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestFragmentedFourMiBDefaults sends 4 MiB in 64- and 256-byte fragments
// from gorilla (its write buffer size is its fragment size) to a server
// with every default, as the standard suite's cases 9.3.1 and 9.3.3 do,
// and checks the message echoes back whole and that the peer really sent
// that many fragments.
func TestFragmentedFourMiBDefaults(t *testing.T) {
	for _, tr := range transports {
		for _, frag := range []int{64, 256} {
			t.Run(string(tr)+"/"+strconv.Itoa(frag), func(t *testing.T) {
				s := startDefaultServer(t, tr)
				dial, taps := tapDialer()
				d := gorilla.Dialer{HandshakeTimeout: 5 * time.Second, WriteBufferSize: frag, NetDialContext: dial}
				conn, resp, err := d.Dial(wsURL(s, "/"), nil)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				defer conn.Close()
				tap := <-taps
				want := payload(4<<20, true)
				_ = conn.SetWriteDeadline(time.Now().Add(20 * time.Second))
				if err := conn.WriteMessage(gorilla.BinaryMessage, want); err != nil {
					t.Fatal(err)
				}
				_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
				typ, got, err := conn.ReadMessage()
				if err != nil {
					t.Fatalf("read echo: %v", err)
				}
				if typ != gorilla.BinaryMessage || !bytes.Equal(got, want) {
					t.Fatalf("echo differs: type %d, %d bytes", typ, len(got))
				}
				_, wrote := tap.taken()
				frames := splitFrames(afterHead(wrote))
				if len(frames) != (4<<20)/frag {
					t.Fatalf("gorilla sent %d frames, want %d of %d bytes", len(frames), (4<<20)/frag, frag)
				}
				if frames[0].op != 2 || frames[1].op != 0 || frames[0].size != frag || !frames[len(frames)-1].fin {
					t.Fatalf("not a fragmented binary message: first %+v, second %+v", frames[0], frames[1])
				}
			})
		}
	}
}

// TestOversizeClosedBeforeBuffered announces a frame one byte over the
// default MaxMessageSize and sends none of its payload: the server must
// answer 1009 from the header alone.
func TestOversizeClosedBeforeBuffered(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := startDefaultServer(t, tr)
			nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(nc)
			upgrade(t, nc, br)
			hdr := []byte{0x82, 0x80 | 127}
			hdr = binary.BigEndian.AppendUint64(hdr, websocket.DefaultMaxMessageSize+1)
			hdr = append(hdr, 1, 2, 3, 4) // mask key; no payload follows
			if _, err := nc.Write(hdr); err != nil {
				t.Fatal(err)
			}
			f := readServerFrame(t, br)
			if f.op != 8 || len(f.payload) < 2 || binary.BigEndian.Uint16(f.payload) != websocket.CloseTooLarge {
				t.Fatalf("want close 1009, got op %d payload %q", f.op, f.payload)
			}
			// And with part of a message already in flight: fragments
			// adding up past the limit are refused on the header of the
			// fragment that crosses it.
			nc2, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer nc2.Close()
			_ = nc2.SetDeadline(time.Now().Add(5 * time.Second))
			br2 := bufio.NewReader(nc2)
			upgrade(t, nc2, br2)
			first := maskedFrame(0x02, make([]byte, 1000)) // FIN clear: a fragment
			next := []byte{0x00, 0x80 | 127}
			next = binary.BigEndian.AppendUint64(next, websocket.DefaultMaxMessageSize-999)
			next = append(next, 1, 2, 3, 4)
			if _, err := nc2.Write(append(first, next...)); err != nil {
				t.Fatal(err)
			}
			f = readServerFrame(t, br2)
			if f.op != 8 || len(f.payload) < 2 || binary.BigEndian.Uint16(f.payload) != websocket.CloseTooLarge {
				t.Fatalf("fragments: want close 1009, got op %d payload %q", f.op, f.payload)
			}
		})
	}
}

// upgrade writes an upgrade request on nc and reads the 101.
func upgrade(t *testing.T, nc net.Conn, br *bufio.Reader) {
	t.Helper()
	req := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %s", resp.Status)
	}
}

// maskedFrame is a client frame with first byte b0 and a fixed mask.
func maskedFrame(b0 byte, p []byte) []byte {
	key := [4]byte{9, 8, 7, 6}
	b := []byte{b0}
	switch n := len(p); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n <= 0xffff:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = append(b, key[:]...)
	for i, c := range p {
		b = append(b, c^key[i%4])
	}
	return b
}

type serverFrame struct {
	fin, rsv1 bool
	op        byte
	payload   []byte
}

// readServerFrame reads one unmasked server frame.
func readServerFrame(t *testing.T, br *bufio.Reader) serverFrame {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	f := serverFrame{fin: h[0]&0x80 != 0, rsv1: h[0]&0x40 != 0, op: h[0] & 0x0f}
	if h[1]&0x80 != 0 {
		t.Fatal("server frame masked")
	}
	n := int(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			t.Fatal(err)
		}
		n = int(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			t.Fatal(err)
		}
		n = int(binary.BigEndian.Uint64(l[:]))
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(br, f.payload); err != nil {
		t.Fatal(err)
	}
	return f
}
