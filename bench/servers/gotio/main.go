// Command gotio is the benchmark server built on gotio's public API, the
// full path a user's server takes: aio.NewServer with a codec, a Handler
// that answers through ChannelContext.Send, broadcasts through
// Server.SendToAll / SendToGroup, statistics on.
//
//	-proto tcp     the benchmark's length-prefixed frames through a custom
//	               codec.Codec (frame.go), as a user with their own protocol
//	               would write it
package main

import (
	"fmt"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"

	"github.com/gotio/gotio/bench/internal/srvutil"
	"github.com/gotio/gotio/bench/internal/wire"
)

func main() {
	f := srvutil.Parse()
	var cfg aio.Config
	switch f.Proto {
	case "tcp":
		cfg.Codec = frameCodec{}
	default:
		srvutil.Fatal(fmt.Errorf("gotio: unknown -proto %q", f.Proto))
	}
	cfg.Handler = handler
	// Everything else stays at gotio's defaults: the idle workload holds
	// connections silent for seconds, well inside the heartbeat timeout.
	srv := aio.NewServer(&cfg)
	srvutil.Run(f, func() error {
		return srv.ListenAndServe(f.Addr)
	})
}

// handler answers every message with the same body and turns a broadcast
// command into pushes to every connection.
var handler = aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
	if n, size, ok := wire.ParseBcast(m.Body); ok {
		for i := 0; i < n; i++ {
			c.Server().SendToAll(&codec.Message{Kind: codec.Raw, Binary: true, Body: wire.PushPayload(i, size)})
		}
		return
	}
	c.Send(&codec.Message{Kind: codec.Raw, Binary: true, Body: m.Body})
})
