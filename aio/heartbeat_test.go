package aio_test

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec/pomelo"
)

// silentPomeloClient completes pomelo's handshake (handshake, ack) over
// raw TCP and then says nothing; it returns the connection.
func silentPomeloClient(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	body := []byte(`{"sys":{"type":"raw","version":"1.0"},"user":{}}`)
	pkg := []byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	if _, err := nc.Write(append(pkg, body...)); err != nil {
		t.Fatal(err)
	}
	var head [4]byte
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(nc, head[:]); err != nil || head[0] != 1 {
		t.Fatalf("handshake reply: % x %v", head, err)
	}
	if _, err := io.CopyN(io.Discard, nc, int64(binary.BigEndian.Uint32(head[:])&0xffffff)); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write([]byte{2, 0, 0, 0}); err != nil { // handshake ack
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Time{})
	return nc
}

// TestServerHeartbeatTimeout: against a silent pomelo client, a
// HeartbeatTimeout set in Config wins over the codec's (twice its
// announced heartbeat); zero takes the codec's; negative disables.
func TestServerHeartbeatTimeout(t *testing.T) {
	cases := []struct {
		name      string
		heartbeat time.Duration // announced by the codec
		timeout   time.Duration // Config.HeartbeatTimeout
		closes    bool
	}{
		{"user wins over codec", time.Minute, 300 * time.Millisecond, true},
		// The codec's 2 s timeout is checked on the server's default
		// wheel tick (250 ms): closed within 2 s plus up to two ticks.
		{"codec when unset", time.Second, 0, true},
		{"negative disables", time.Second, -1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pc := pomelo.New(&pomelo.Config{Heartbeat: tc.heartbeat})
			rec := newCloseRecorder()
			s := startServer(t, aio.Config{Codec: pc, HeartbeatTimeout: tc.timeout, OnBeforeClose: rec.OnBeforeClose})
			nc := silentPomeloClient(t, s.Addr().String())
			go io.Copy(io.Discard, nc) // the server's own heartbeats
			select {
			case r := <-rec.closed:
				if !tc.closes {
					t.Fatalf("closed with %v; the check was disabled", r)
				}
			case <-time.After(3500 * time.Millisecond):
				if tc.closes {
					t.Fatal("silent client still connected")
				}
			}
		})
	}
}
