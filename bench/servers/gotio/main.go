// Command gotio is the benchmark server built on gotio's public API, the
// full path a user's server takes: aio.NewServer with a codec, a Handler
// that answers through ChannelContext.Send, broadcasts through
// Server.SendToAll and SendToGroup, statistics on (aio always counts).
//
//	-proto tcp     the benchmark's length-prefixed frames through a custom
//	               codec.Codec (frame.go), as a user with their own protocol
//	               writes it
//	-proto ws      codec/websocket with its Plain inner codec: binary
//	               messages arrive and leave as Raw messages
//	-proto pomelo  codec/pomelo over TCP: room.join binds the connection to
//	               a group, the room.bcast notify pushes to the group
//	-proto socketio codec/socketio on codec/engineio (WebSocket transport):
//	               the same room routes as socket.io events
//
// -transport picks aio's engine (default netpoll); gnet needs the binary
// built with -tags gotio_gnet (run.sh builds it as bin/gotio-gnet).
//
// -nats URL or -embed-nats HOST:PORT put the server on package cluster's
// NATS bus (node id -node), so that SendToGroup and SendToAll reach the
// members on the other nodes; -stats ADDR serves the bus's counters and the
// embedded NATS server's message counts (cluster.go). bench/cmd/cluster
// runs three such nodes.
package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/socketio"
	"github.com/gotio/gotio/codec/websocket"

	"github.com/gotio/gotio/bench/internal/srvutil"
	"github.com/gotio/gotio/bench/internal/wire"
)

func main() {
	transport := flag.String("transport", "", "aio transport: netpoll (default), std or gnet")
	cl := registerClusterFlags()
	f := srvutil.Parse()
	cfg := aio.Config{Transport: aio.Transport(*transport)}
	switch f.Proto {
	case "tcp":
		cfg.Codec, cfg.Handler = frameCodec{}, echo
	case "ws":
		cfg.Codec = websocket.New(&websocket.Config{CheckOrigin: websocket.AnyOrigin})
		cfg.Handler = echo
	case "pomelo":
		c := pomelo.New(nil)
		cfg.Codec, cfg.Handler = c, room
	case "socketio":
		// socket.io on engine.io, as socket.io-client reaches it: the
		// same room handler, its events named as the pomelo routes.
		cfg.Codec = socketio.NewServer(nil, &engineio.Config{CheckOrigin: engineio.AnyOrigin})
		cfg.Handler = room
	default:
		srvutil.Fatal(fmt.Errorf("gotio: unknown -proto %q", f.Proto))
	}
	if err := cl.attach(&cfg); err != nil {
		srvutil.Fatal(err)
	}
	// Everything else stays at gotio's defaults: the idle workload holds
	// connections silent for seconds, well inside the heartbeat timeout.
	srv := aio.NewServer(&cfg)
	srvutil.Run(f, func() error {
		return srv.ListenAndServe(f.Addr)
	})
}

// echo answers every message with the same body and turns a broadcast
// command into pushes to every connection.
var echo = aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
	if n, size, ok := wire.ParseBcast(m.Body); ok {
		for i := 0; i < n; i++ {
			c.Server().SendToAll(&codec.Message{Kind: codec.Raw, Binary: true, Body: wire.PushPayload(i, size)})
		}
		return
	}
	// m is a binary Raw message; Send encodes it before returning, so it
	// can go back as it came, with no copy and no allocation.
	c.Send(m)
})

const group = "room"

// room is the pomelo workload's handler, the same routes as the pitaya
// peer's component.
var room = aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
	switch {
	case m.Kind == codec.Request && m.Route == "room.join":
		if err := c.BindGroup(group); err != nil {
			c.Close(err)
			return
		}
		c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: []byte(`{"code":200}`)})
	case m.Kind == codec.Notify && m.Route == "room.bcast":
		var req struct{ N, Size int }
		if err := json.Unmarshal(m.Body, &req); err != nil {
			return
		}
		for i := 0; i < req.N; i++ {
			c.Server().SendToGroup(group, &codec.Message{Kind: codec.Push, Route: "onPush", Body: pushBody(i, req.Size)})
		}
	}
})

// pushBody is {"seq":i,"pad":"xxx…"}, the body pitaya's JSON serializer
// writes for the peer's Push struct, about size bytes long.
func pushBody(i, size int) []byte {
	pad := size - 24
	if pad < 0 {
		pad = 0
	}
	b := fmt.Appendf(nil, `{"seq":%d,"pad":"`, i)
	for k := 0; k < pad; k++ {
		b = append(b, 'x')
	}
	return append(b, `"}`...)
}
