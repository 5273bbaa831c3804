package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pomeloPair is a loop with one pomelo client connection on one end of a
// socket pair; the test plays the server on the other end.
func pomeloPair(t *testing.T) (*loop, *conn, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLoop("127.0.0.1:1", pomeloProto{}, &idleWL{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{fd: fds[0], connected: true}
	l.conns = append(l.conns, c)
	t.Cleanup(func() { l.close(); unix.Close(fds[1]) })
	if open := l.p.open(c); !bytes.HasPrefix(open, []byte{pkgHandshake}) {
		t.Fatalf("open sends %q, not a handshake", open)
	}
	return l, c, fds[1]
}

func TestPomeloIdleJoinAndHeartbeat(t *testing.T) {
	l, c, srv := pomeloPair(t)
	hs := pomeloPkg(nil, pkgHandshake, []byte(`{"code":200,"sys":{"heartbeat":12.5,"serializer":"json"}}`))
	if n, err := l.p.decode(l, c, hs); err != nil || n != len(hs) {
		t.Fatalf("decode handshake: %d, %v", n, err)
	}
	// The client answers with the handshake ack and the room.join request.
	buf := make([]byte, 256)
	n, err := unix.Read(srv, buf)
	if err != nil {
		t.Fatal(err)
	}
	want := pomeloMsg(pomeloPkg(nil, pkgHandshakeAck, nil), 1, "room.join", []byte(`{}`))
	if !bytes.Equal(buf[:n], want) {
		t.Fatalf("client sent %q, want %q", buf[:n], want)
	}
	if l.estab != 0 {
		t.Fatal("established before the join response")
	}
	// The join response makes the connection established without an echo.
	resp := pomeloPkg(nil, pkgData, append([]byte{msgResponse << 1, 1}, `{"code":200}`...))
	if _, err := l.p.decode(l, c, resp); err != nil {
		t.Fatal(err)
	}
	if l.estab != 1 || !c.probed {
		t.Fatalf("after the join response: estab %d, probed %v", l.estab, c.probed)
	}
	if _, err := unix.Read(srv, buf); err != unix.EAGAIN {
		t.Fatalf("the idle client sent more after joining (read error %v)", err)
	}
	if got := (pomeloProto{}).maxSilence(l); got != 12500*time.Millisecond {
		t.Fatalf("maxSilence = %v, want the announced 12.5 s", got)
	}
	// A push to an idle client is an error.
	push := pomeloPkg(nil, pkgData, append([]byte{msgPush << 1, 6}, `onPush{"seq":0}`...))
	if _, err := l.p.decode(l, c, push); err == nil || !strings.Contains(err.Error(), "unexpected message") {
		t.Fatalf("push to an idle client: %v", err)
	}
}

func TestPomeloHandshakeRefused(t *testing.T) {
	l, c, _ := pomeloPair(t)
	hs := pomeloPkg(nil, pkgHandshake, []byte(`{"code":500}`))
	if _, err := l.p.decode(l, c, hs); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("decode refused handshake: %v", err)
	}
	if got := (pomeloProto{}).maxSilence(l); got != time.Minute {
		t.Fatalf("maxSilence without an announcement = %v, want 1m", got)
	}
}

func TestSocketCount(t *testing.T) {
	before, err := socketCount("self")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	after, err := socketCount("self")
	if err != nil {
		t.Fatal(err)
	}
	if after != before+1 {
		t.Fatalf("sockets %d before a listener, %d after", before, after)
	}
}
