// Command netpoll is the benchmark server built on raw cloudwego/netpoll,
// the event loop gotio itself runs on: OnRequest decodes every whole frame
// the connection holds, mallocs the echoes in its writer and flushes once.
//
// -tuned applies the two knobs that shrink netpoll's per-connection buffers
// (LinkBufferCap and Config.BufferSize), to show what they buy an idle
// connection.
package main

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/cloudwego/netpoll"

	"github.com/gotio/gotio/bench/internal/registry"
	"github.com/gotio/gotio/bench/internal/srvutil"
	"github.com/gotio/gotio/bench/internal/wire"
)

var conns registry.Set[netpoll.Connection]

func main() {
	f := srvutil.Parse()
	if f.Proto != "tcp" {
		srvutil.Fatal(fmt.Errorf("netpoll serves tcp only, not %q", f.Proto))
	}
	if f.Tuned {
		netpoll.LinkBufferCap = 256
		if err := netpoll.Configure(netpoll.Config{BufferSize: 512}); err != nil {
			srvutil.Fatal(err)
		}
	}
	srvutil.Run(f, func() error {
		ln, err := netpoll.CreateListener("tcp", f.Addr)
		if err != nil {
			return err
		}
		loop, err := netpoll.NewEventLoop(onRequest,
			netpoll.WithOnConnect(func(ctx context.Context, c netpoll.Connection) context.Context {
				conns.Add(c)
				return ctx
			}),
			netpoll.WithOnDisconnect(func(ctx context.Context, c netpoll.Connection) {
				conns.Remove(c)
			}),
		)
		if err != nil {
			return err
		}
		return loop.Serve(ln)
	})
}

func onRequest(ctx context.Context, c netpoll.Connection) error {
	r, w := c.Reader(), c.Writer()
	for r.Len() > 0 {
		hdr, err := r.Peek(wire.HeaderLen)
		if err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(hdr))
		if n > wire.MaxPayload {
			return wire.ErrTooLarge
		}
		frame, err := r.Next(wire.HeaderLen + n)
		if err != nil {
			return err
		}
		payload := frame[wire.HeaderLen:]
		if cnt, size, ok := wire.ParseBcast(payload); ok {
			broadcast(cnt, size)
			continue
		}
		buf, err := w.Malloc(wire.HeaderLen + n)
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint32(buf, uint32(n))
		copy(buf[wire.HeaderLen:], payload)
	}
	if err := r.Release(); err != nil {
		return err
	}
	return w.Flush()
}

// broadcast writes each push to every connection and flushes it: one write
// per delivery. The other connections are silent during a broadcast, so
// this goroutine is their writer's only user.
func broadcast(n, size int) {
	all := conns.Snapshot()
	for i := 0; i < n; i++ {
		frame := wire.PushFrame(i, size)
		for _, c := range all {
			w := c.Writer()
			if _, err := w.WriteBinary(frame); err != nil {
				continue
			}
			w.Flush()
		}
	}
}
