package aio_test

import (
	"io"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// TestPeerCloseWhileWriting closes the peer while a flusher is writing to
// it: netpoll frees a connection's buffers on close, so aio must keep its
// writer off them (a crash, not a failure, when it does not).
func TestPeerCloseWhileWriting(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			for range 200 {
				s := startServer(t, aio.Config{Transport: tr, HandshakeTimeout: -1})
				nc, err := dialRaw(s)
				if err != nil {
					t.Fatal(err)
				}
				go func() { _, _ = io.Copy(io.Discard, nc) }()
				waitFor(t, "conn", func() bool { return s.Count(aio.All()) == 1 })
				c := s.Conns(aio.All())[0]
				m := &codec.Message{Body: make([]byte, 100)}
				done := make(chan struct{})
				go func() {
					defer close(done)
					deadline := time.Now().Add(5 * time.Second)
					for c.Send(m) == nil && time.Now().Before(deadline) {
					}
				}()
				time.Sleep(time.Millisecond)
				nc.Close()
				<-done
				waitFor(t, "close", func() bool { return s.Count(aio.All()) == 0 })
				_ = s.Close()
			}
		})
	}
}
