// Command gnet is the benchmark server built on panjf2000/gnet v2: one
// event loop (the process is pinned to one core), OnTraffic decodes every
// whole frame in the inbound buffer and writes the echoes with one Write.
package main

import (
	"encoding/binary"
	"fmt"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"

	"github.com/gotio/gotio/bench/internal/srvutil"
	"github.com/gotio/gotio/bench/internal/wire"
)

type server struct {
	gnet.BuiltinEventEngine
	// conns is touched only on the single event loop: no lock.
	conns map[gnet.Conn]struct{}
	out   []byte
}

func main() {
	f := srvutil.Parse()
	if f.Proto != "tcp" {
		srvutil.Fatal(fmt.Errorf("gnet serves tcp only, not %q", f.Proto))
	}
	s := &server{conns: make(map[gnet.Conn]struct{})}
	srvutil.Run(f, func() error {
		return gnet.Run(s, "tcp://"+f.Addr,
			gnet.WithMulticore(false), gnet.WithNumEventLoop(1),
			gnet.WithLogLevel(logging.ErrorLevel))
	})
}

func (s *server) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	s.conns[c] = struct{}{}
	return nil, gnet.None
}

func (s *server) OnClose(c gnet.Conn, err error) gnet.Action {
	delete(s.conns, c)
	return gnet.None
}

func (s *server) OnTraffic(c gnet.Conn) gnet.Action {
	out := s.out[:0]
	for c.InboundBuffered() >= wire.HeaderLen {
		hdr, _ := c.Peek(wire.HeaderLen)
		n := int(binary.BigEndian.Uint32(hdr))
		if n > wire.MaxPayload {
			return gnet.Close
		}
		if c.InboundBuffered() < wire.HeaderLen+n {
			break
		}
		frame, _ := c.Next(wire.HeaderLen + n)
		payload := frame[wire.HeaderLen:]
		if cnt, size, ok := wire.ParseBcast(payload); ok {
			s.broadcast(cnt, size)
			continue
		}
		out = wire.Append(out, payload)
	}
	if len(out) > 0 {
		if _, err := c.Write(out); err != nil {
			return gnet.Close
		}
	}
	s.out = out
	return gnet.None
}

// broadcast writes each push to every connection, one Write per delivery.
// Every connection lives on this one event loop, so Write (which must run
// on the connection's loop) is safe here.
func (s *server) broadcast(n, size int) {
	for i := 0; i < n; i++ {
		frame := wire.PushFrame(i, size)
		for c := range s.conns {
			c.Write(frame)
		}
	}
}
