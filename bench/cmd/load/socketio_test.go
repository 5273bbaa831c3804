package main

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// serverFrame is an unmasked text frame, as a server sends it.
func serverFrame(p string) []byte {
	return append([]byte{0x81, byte(len(p))}, p...)
}

// readClientText reads one masked text frame the client sent and unmasks it.
func readClientText(t *testing.T, fd int) string {
	t.Helper()
	buf := make([]byte, 512)
	n, err := unix.Read(fd, buf)
	if err != nil {
		t.Fatal(err)
	}
	b := buf[:n]
	if len(b) < 6 || b[0] != 0x81 || b[1]&0x80 == 0 {
		t.Fatalf("client frame % x", b)
	}
	plen := int(b[1] & 0x7f)
	key := b[2:6]
	p := append([]byte(nil), b[6:6+plen]...)
	for i := range p {
		p[i] ^= key[i&3]
	}
	return string(p)
}

// TestSocketIOJoinAndPush plays a socket.io server to the load client:
// the upgrade, engine.io's open packet (answered by CONNECT), CONNECT's
// answer (answered by the room.join event), the join's ack (ready), a
// ping (answered by a pong) and an onPush event (counted by seq).
func TestSocketIOJoinAndPush(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	w := &bcastWL{n: 1}
	l, err := newLoop("127.0.0.1:1", sioProto{}, w, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{fd: fds[0], connected: true}
	l.conns = append(l.conns, c)
	defer func() { l.close(); unix.Close(fds[1]) }()
	srv := fds[1]
	if open := string(l.p.open(c)); !strings.HasPrefix(open, "GET "+sioPath+" HTTP/1.1\r\n") {
		t.Fatalf("open sends %q", open)
	}
	in := append([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
		serverFrame(`0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)...)
	if n, err := l.p.decode(l, c, in); err != nil || n != len(in) {
		t.Fatalf("decode upgrade and open: %d, %v", n, err)
	}
	if got := readClientText(t, srv); got != "40" {
		t.Fatalf("after open the client sent %q, want CONNECT", got)
	}
	if _, err := l.p.decode(l, c, serverFrame(`40{"sid":"y"}`)); err != nil {
		t.Fatal(err)
	}
	if got := readClientText(t, srv); got != `421["room.join",{}]` {
		t.Fatalf("after CONNECT the client sent %q", got)
	}
	if _, err := l.p.decode(l, c, serverFrame(`431[{"code":200}]`)); err != nil {
		t.Fatal(err)
	}
	if l.estab != 1 || !c.probed {
		t.Fatalf("after the join's ack: estab %d, probed %v", l.estab, c.probed)
	}
	if _, err := l.p.decode(l, c, serverFrame("2")); err != nil {
		t.Fatal(err)
	}
	if got := readClientText(t, srv); got != "3" {
		t.Fatalf("ping answered with %q", got)
	}
	if _, err := l.p.decode(l, c, serverFrame(`42["onPush",{"seq":0,"pad":"x"}]`)); err != nil {
		t.Fatal(err)
	}
	if w.finished != 1 || c.expect != 1 {
		t.Fatalf("push not counted: finished %d, expect %d", w.finished, c.expect)
	}
	if _, err := l.p.decode(l, c, serverFrame(`44{"message":"no"}`)); err == nil {
		t.Fatal("CONNECT_ERROR accepted")
	}
	b := (sioProto{}).bcast(nil, 3, 64)
	key, p := b[2:6], append([]byte(nil), b[6:]...)
	for i := range p {
		p[i] ^= key[i&3]
	}
	if b[0] != 0x81 || !bytes.Equal(p, []byte(`42["room.bcast",{"n":3,"size":64}]`)) {
		t.Fatalf("bcast frame % x carries %q", b, p)
	}
}
