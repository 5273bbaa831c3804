package aio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	ws "github.com/gotio/gotio/codec/websocket"
)

// TestUpgradeHeaderThatNeverEnds: an HTTP upgrade request whose header
// lines keep coming, fast enough for the rate check but without end, is
// closed at FrameTimeout as a slow attack (slowloris).
func TestUpgradeHeaderThatNeverEnds(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			rec := newCloseRecorder()
			s := startServer(t, aio.Config{Transport: tr, OnBeforeClose: rec.OnBeforeClose, Codec: ws.New(nil),
				FrameTimeout: 500 * time.Millisecond, MinReadRate: 10, RateWindow: 200 * time.Millisecond})
			p := dial(t, s)
			stop := make(chan struct{})
			defer close(stop)
			head := "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + strings.Repeat("X-Slow: y\r\n", 200)
			go trickle(p.nc, []byte(head), 5*time.Millisecond, stop)
			p.expectClosed(5 * time.Second)
			if err := rec.wait(t); !errors.Is(err, aio.ErrSlowAttack) {
				t.Fatalf("reason %v, want slow attack", err)
			}
		})
	}
}

// TestClientOffersDeflate: a Go client asked for compression negotiates
// permessage-deflate, and a compressible message crosses the wire
// compressed.
func TestClientOffersDeflate(t *testing.T) {
	for _, compress := range []bool{false, true} {
		name := "plain"
		if compress {
			name = "deflate"
		}
		t.Run(name, func(t *testing.T) {
			got := make(chan int, 1)
			s := startServer(t, aio.Config{
				Codec: ws.New(&ws.Config{Routes: []ws.Route{{Inner: ws.JSON}}, Deflate: &ws.Deflate{ClientContext: true}}),
				Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
					got <- int(c.Stats().ReceivedBytes)
				}),
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cl, err := client.Dial(ctx, "", &client.Config{Codec: ws.JSON,
				WebSocket: &client.WebSocket{URL: "ws://" + s.Addr().String() + "/", Text: true, Compression: compress}})
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			body := `{"route":"r","body":"` + strings.Repeat("a", 20000) + `"}`
			if err := cl.Send(&codec.Message{Kind: codec.Raw, Body: []byte(body)}); err != nil {
				t.Fatal(err)
			}
			var wire int
			select {
			case wire = <-got:
			case <-ctx.Done():
				t.Fatal("no message")
			}
			// The upgrade request is a few hundred bytes either way.
			if compressed := wire < 2000; compressed != compress {
				t.Fatalf("server read %d bytes for a %d-byte message (compression asked: %v)", wire, len(body), compress)
			}
		})
	}
}
