package chatserver

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
	"github.com/gotio/gotio/codec/socketio"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
)

// The chat's routes, as chatofpomelo names them.
const (
	RouteQueryEntry = "gate.gateHandler.queryEntry"
	RouteEnter      = "connector.entryHandler.enter"
	RouteSend       = "chat.chatHandler.send"

	RouteOnChat  = "onChat"
	RouteOnAdd   = "onAdd"
	RouteOnLeave = "onLeave"
)

// JSONPath is the WebSocket path of the plain JSON envelope. Every other
// path carries pomelo over WebSocket (pomelo's JS client dials
// ws://host:port/).
const JSONPath = "/json"

// protos holds chatofpomelo's config files: serverProtos.json,
// clientProtos.json and dictionary.json, unchanged.
//
//go:embed protos/*.json
var protos embed.FS

// wire is what every chat port shares: the pomelo schemas and dictionary.
type wire struct {
	serverProtos, clientProtos *protobuf.Schema
	dict                       *pomelo.Dict
}

// loadWire parses the embedded protos and builds the route dictionary the
// way pomelo's dictionary component does: every handler route of every
// server type, sorted, then dictionary.json's push routes.
func loadWire() (*wire, error) {
	w := &wire{}
	for _, f := range []struct {
		name string
		dst  **protobuf.Schema
	}{{"protos/serverProtos.json", &w.serverProtos}, {"protos/clientProtos.json", &w.clientProtos}} {
		b, err := protos.ReadFile(f.name)
		if err != nil {
			return nil, err
		}
		if *f.dst, err = protobuf.Parse(b); err != nil {
			return nil, fmt.Errorf("chat: %s: %w", f.name, err)
		}
	}
	b, err := protos.ReadFile("protos/dictionary.json")
	if err != nil {
		return nil, err
	}
	var pushes []string
	if err := json.Unmarshal(b, &pushes); err != nil {
		return nil, fmt.Errorf("chat: dictionary.json: %w", err)
	}
	w.dict, err = pomelo.NewDict([]string{RouteQueryEntry, RouteEnter, RouteSend}, pushes...)
	if err != nil {
		return nil, fmt.Errorf("chat: dictionary: %w", err)
	}
	return w, nil
}

// SocketIOPath is where the chat ports serve socket.io clients.
const SocketIOPath = socketio.DefaultPath

// portCodec returns the codec of a chat port (gate or connector): one port
// for gotio TCP, pomelo over TCP, pomelo over WebSocket on every path but
// JSONPath, the JSON envelope over WebSocket on JSONPath, socket.io on
// SocketIOPath, and plain HTTP
// (httpHandler, typically /metrics) — as chatofpomelo's hybridconnector
// serves pomelo over TCP and WebSocket on one port.
//
// useDict gives pomelo clients the route dictionary (chatofpomelo's
// connectors set useDict, its gate does not); both use protobuf.
func (w *wire) portCodec(heartbeat time.Duration, useDict bool, httpHandler http.Handler) (codec.Codec, error) {
	pcfg := &pomelo.Config{
		Heartbeat:    heartbeat,
		ServerProtos: w.serverProtos,
		ClientProtos: w.clientProtos,
	}
	if useDict {
		pcfg.Dict = w.dict
	}
	pomeloTCP := pomelo.New(pcfg)
	pomeloWS := pomelo.NewWS(pcfg)
	return hybrid.New(&hybrid.Config{
		TCP:       tcp.New(&tcp.Config{HeartbeatInterval: heartbeat}),
		PomeloTCP: pomeloTCP,
		// socket.io-client (engine.io v4: long-polling, then the
		// WebSocket upgrade) on SocketIOPath: events named as the pomelo
		// routes, requests as events with acks.
		Paths: []hybrid.PathRoute{{Prefix: SocketIOPath, Codec: socketio.NewServer(nil, &engineio.Config{CheckOrigin: engineio.AnyOrigin})}},
		HTTP: websocket.New(&websocket.Config{
			Routes: []websocket.Route{
				{Path: JSONPath, Inner: websocket.JSON},
				{Inner: pomeloWS, Binary: true},
			},
			// The page comes from the web port (another origin) and the
			// chat authenticates nobody by cookie: any origin may connect.
			CheckOrigin: websocket.AnyOrigin,
			HTTP:        httpHandler,
		}),
	}), nil
}
