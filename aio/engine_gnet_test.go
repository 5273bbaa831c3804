//go:build gotio_gnet && (linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package aio_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// The paths only the gnet engine has; the shared suite runs on it through
// the transports list (main_gnet_test.go).

// TestGnetTruncatedFrameTimesOut: a unit left partial and silent is closed
// at ReadTimeout by the engine's sweep (the loop never waits in Peek).
func TestGnetTruncatedFrameTimesOut(t *testing.T) {
	rec := newCloseRecorder()
	s := startServer(t, aio.Config{Transport: aio.TransportGnet, ReadTimeout: 200 * time.Millisecond, OnBeforeClose: rec.OnBeforeClose})
	p := dial(t, s)
	p.nc.Write([]byte{0, 0, 0, 10, 'a'})
	p.expectClosed(5 * time.Second)
	if err := rec.wait(t); !errors.Is(err, aio.ErrSlowAttack) {
		t.Fatalf("reason %v, want read timeout", err)
	}
}

// TestGnetLoopWritesBehindFullSocket: replies written on the loop to a
// peer that does not read fill its socket; the loop hands the rest to the
// connection's backlog instead of waiting, keeps serving others, and every
// reply arrives in order once the peer reads.
func TestGnetLoopWritesBehindFullSocket(t *testing.T) {
	s := startServer(t, aio.Config{Transport: aio.TransportGnet, Handler: aio.HandlerFunc(echo), WriteQueueBytes: 64 << 20})
	slow := dial(t, s)
	other := dial(t, s)
	body := strings.Repeat("b", 64<<10)
	const n = 64 // 4 MiB of replies: far more than the socket buffers hold
	var batch []byte
	for i := range n {
		batch = appendFrame(batch, fmt.Sprintf("%03d%s", i, body))
	}
	if _, err := slow.nc.Write(batch); err != nil {
		t.Fatal(err)
	}
	// The loop is not stuck behind the full socket.
	other.send("still served")
	other.mustRecv("still served")
	for i := range n {
		slow.mustRecv(fmt.Sprintf("%03d%s", i, body))
	}
}

// TestGnetLoopBacklogCapped: the backlog the loop leaves is capped at
// WriteQueueBytes; past it the connection closes as a slow consumer.
func TestGnetLoopBacklogCapped(t *testing.T) {
	rec := newCloseRecorder()
	s := startServer(t, aio.Config{Transport: aio.TransportGnet, Handler: aio.HandlerFunc(echo), OnBeforeClose: rec.OnBeforeClose, WriteQueueBytes: 256 << 10})
	p := dial(t, s) // never reads
	body := strings.Repeat("c", 32<<10)
	go func() {
		for range 2000 {
			if _, err := p.nc.Write(appendFrame(nil, body)); err != nil {
				return
			}
		}
	}()
	if err := rec.wait(t); !errors.Is(err, aio.ErrSlowConsumer) {
		t.Fatalf("reason %v, want slow consumer", err)
	}
}

// TestGnetRefusesTLSListener: gnet reads the socket itself, so a TLS
// listener is refused with an error that names the transport to use.
func TestGnetRefusesTLSListener(t *testing.T) {
	s := aio.NewServer(&aio.Config{Codec: lengthCodec{}, Transport: aio.TransportGnet})
	defer s.Close()
	ln := tls.NewListener(listenLoopback(t), &tls.Config{})
	err := s.Serve(ln)
	if err == nil || !strings.Contains(err.Error(), "TransportStd") {
		t.Fatalf("Serve(TLS listener) = %v, want a refusal naming TransportStd", err)
	}
}

// TestGnetWriterWaitsForSocket: a send larger than the socket buffers is
// written by its flusher, which waits for the peer to read (it is not the
// loop), and arrives whole and in order.
func TestGnetWriterWaitsForSocket(t *testing.T) {
	s := startServer(t, aio.Config{Transport: aio.TransportGnet, Handler: aio.HandlerFunc(echo), WriteQueueBytes: 64 << 20})
	p := dial(t, s)
	c := serverConn(t, s, p)
	body := strings.Repeat("w", 1<<20)
	const n = 16
	for i := range n {
		if err := c.Send(&codec.Message{Body: []byte(fmt.Sprintf("%02d%s", i, body))}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the flusher to wait for the socket", func() bool { return stacksContain("(*gnetConn).writeWait") })
	for i := range n {
		p.mustRecv(fmt.Sprintf("%02d%s", i, body))
	}
}

// TestGnetRemoveWakesBlockedWriter: closing a connection whose flusher
// waits for a full socket wakes the flusher at once (not at WriteTimeout).
func TestGnetRemoveWakesBlockedWriter(t *testing.T) {
	s := startServer(t, aio.Config{Transport: aio.TransportGnet, Handler: aio.HandlerFunc(echo), WriteQueueBytes: 64 << 20})
	p := dial(t, s) // reads nothing after the first echo
	c := serverConn(t, s, p)
	body := make([]byte, 1<<20)
	for range 16 {
		if err := c.Send(&codec.Message{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the flusher to wait for the socket", func() bool { return stacksContain("(*gnetConn).writeWait") })
	c.Remove(nil)
	waitFor(t, "the flusher to be woken", func() bool { return !stacksContain("(*gnetConn).writeWait") })
	if !errors.Is(c.Err(), aio.ErrClosed) || s.Stats().CloseReasons["removed"] != 1 {
		t.Fatalf("reason %v, counted %v", c.Err(), s.Stats().CloseReasons)
	}
}

// serverConn returns the server side of p, after one echo.
func serverConn(t *testing.T, s *aio.Server, p *peer) *aio.ChannelContext {
	t.Helper()
	p.send("hi")
	p.mustRecv("hi")
	for _, c := range s.Conns(aio.All()) {
		if c.RemoteAddr().String() == p.nc.LocalAddr().String() {
			return c
		}
	}
	t.Fatal("no server connection")
	return nil
}

func stacksContain(fn string) bool {
	buf := make([]byte, 1<<20)
	return strings.Contains(string(buf[:runtime.Stack(buf, true)]), fn)
}

// TestGnetListenErrors: Listen on an address in use fails with the bind
// error (gnet binds it); ListenAndServe returns ErrServerClosed after
// Shutdown; Listen after Shutdown is refused.
func TestGnetListenErrors(t *testing.T) {
	taken := listenLoopback(t)
	defer taken.Close()
	s := aio.NewServer(&aio.Config{Codec: lengthCodec{}, Transport: aio.TransportGnet})
	if err := s.Listen(taken.Addr().String()); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("Listen(an address in use) = %v, want the bind error", err)
	}
	if s.Addr() != nil {
		t.Fatalf("Addr() = %v after a failed Listen", s.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- s.ListenAndServe("127.0.0.1:0") }()
	waitFor(t, "ListenAndServe to listen", func() bool { return s.Addr() != nil })
	p := dial(t, s)
	p.send("x") // served (no handler: nothing comes back), then closed by Shutdown
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, aio.ErrServerClosed) {
		t.Fatalf("ListenAndServe = %v, want ErrServerClosed", err)
	}
	p.expectClosed(5 * time.Second)
	if err := s.Listen("127.0.0.1:0"); !errors.Is(err, aio.ErrServerClosed) {
		t.Fatalf("Listen after Shutdown = %v, want ErrServerClosed", err)
	}
}

// TestGnetServeListenerEchoes: a listener given to Serve stays on the
// enrolling path (package net's accept) and serves as Listen's does.
func TestGnetServeListenerEchoes(t *testing.T) {
	s := aio.NewServer(&aio.Config{Codec: lengthCodec{}, Transport: aio.TransportGnet, Handler: aio.HandlerFunc(echo)})
	ln := listenLoopback(t)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	waitFor(t, "Serve to listen", func() bool { return s.Addr() != nil })
	p := dial(t, s)
	p.send("enrolled")
	p.mustRecv("enrolled")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, aio.ErrServerClosed) {
		t.Fatalf("Serve = %v, want ErrServerClosed", err)
	}
	p.expectClosed(5 * time.Second)
}
