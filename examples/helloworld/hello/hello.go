// Package hello is the hello world server, shared by its command and its
// tests: gotio TCP, WebSocket and a page on one port.
package hello

import (
	_ "embed"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
)

//go:embed index.html
var page []byte

// NewServer returns the hello world server on gotio's defaults; call
// Listen on it.
func NewServer(log zerolog.Logger) *aio.Server { return NewServerWith(log, 0) }

// NewServerWith is NewServer with a heartbeat timeout (zero: gotio's
// default). The server pings a quiet page well within it (browser
// JavaScript cannot ping), so a page that only listens stays connected;
// /metrics on the same port shows the pings.
func NewServerWith(log zerolog.Logger, heartbeat time.Duration) *aio.Server {
	var srv *aio.Server
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) { srv.MetricsHandler().ServeHTTP(w, r) })
	srv = aio.NewServer(&aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			TCP:  tcp.New(nil),
			HTTP: websocket.New(&websocket.Config{HTTP: mux}),
		}),
		Handler:          aio.HandlerFunc(reply),
		Logger:           log,
		HeartbeatTimeout: heartbeat,
	})
	return srv
}

// reply answers every message with "received: " and the message.
func reply(c *aio.ChannelContext, m *codec.Message) {
	body := append([]byte("received: "), m.Body...)
	switch m.Kind {
	case codec.Request:
		_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: body})
	default:
		_ = c.Send(&codec.Message{Kind: codec.Raw, Body: body, Binary: m.Binary})
	}
}
