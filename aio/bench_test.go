package aio_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// drain reads and discards everything a connection receives.
func drain(nc net.Conn) { _, _ = io.Copy(io.Discard, nc) }

// BenchmarkSend measures queueing and writing one 512-byte message to one
// connection whose peer reads as fast as it can.
func BenchmarkSend(b *testing.B) {
	s := startServer(b, aio.Config{Handler: aio.HandlerFunc(commandHandler), WriteQueueBytes: 64 << 20})
	nc, err := dialRaw(s)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	nc.Write(appendFrame(nil, "user u"))
	go drain(nc)
	waitFor(b, "bind", func() bool { return s.Count(aio.User("u")) == 1 })
	c := s.Conns(aio.User("u"))[0]
	m := &codec.Message{Body: make([]byte, 512)}
	b.ReportAllocs()
	b.SetBytes(512)
	b.ResetTimer()
	for i := range b.N {
		send := c.Send
		if i%1024 == 1023 {
			// Pace the producer to the socket now and then: Send never
			// blocks, and a queue that outgrows its cap is a slow consumer.
			send = func(m *codec.Message) error { return c.SendSync(context.Background(), m) }
		}
		if err := send(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBroadcast measures SendToGroup to groups of 10 and 1000 members
// (one encode per wire format, shared bytes); ns/op is per broadcast.
func BenchmarkBroadcast(b *testing.B) {
	for _, members := range []int{10, 1000} {
		b.Run(fmt.Sprint(members), func(b *testing.B) {
			s := startServer(b, aio.Config{Handler: aio.HandlerFunc(commandHandler), WriteQueueBytes: 64 << 20})
			for range members {
				nc, err := dialRaw(s)
				if err != nil {
					b.Fatal(err)
				}
				defer nc.Close()
				nc.Write(appendFrame(nil, "group g"))
				go drain(nc)
			}
			waitFor(b, "members", func() bool { return s.Count(aio.Group("g")) == members })
			m := &codec.Message{Kind: codec.Push, Route: "onChat", Body: make([]byte, 128)}
			b.ReportAllocs()
			b.ResetTimer()
			base := s.Stats().SentPackets
			for i := range b.N {
				if n, err := s.SendToGroup("g", m); err != nil || n != members {
					b.Fatalf("reached %d of %d", n, members)
				}
				if i%256 == 255 {
					// Pace the broadcaster to the sockets: a member whose
					// queue outgrows its cap is a slow consumer.
					want := base + uint64((i+1)*members)
					waitFor(b, "written", func() bool { return s.Stats().SentPackets >= want })
				}
			}
			b.ReportMetric(float64(b.N*members)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkEchoRoundTrip measures a 512-byte request and its echo over
// loopback, one at a time (latency, not throughput).
func BenchmarkEchoRoundTrip(b *testing.B) {
	for _, tr := range transports {
		b.Run(string(tr), func(b *testing.B) {
			s := startServer(b, aio.Config{Transport: tr, Handler: aio.HandlerFunc(echo)})
			nc, err := dialRaw(s)
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			frame := appendFrame(nil, string(make([]byte, 512)))
			buf := make([]byte, len(frame))
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			b.ResetTimer()
			for range b.N {
				if _, err := nc.Write(frame); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(nc, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
