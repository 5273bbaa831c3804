package wsmount_test

import (
	"net/http"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/wsmount"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
)

// Mount gotio's WebSocket endpoint at /ws of the site's own server, which
// terminates TLS and serves everything else.
func ExampleHandler() {
	srv := aio.NewServer(&aio.Config{
		Codec: websocket.New(&websocket.Config{Routes: []websocket.Route{{Path: "/ws", Inner: websocket.JSON}}}),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			_ = c.Send(m)
		}),
	})
	mux := http.NewServeMux()
	mux.Handle("/ws", wsmount.Handler(srv))
	mux.Handle("/", http.FileServer(http.Dir("static")))
	hs := &http.Server{Addr: ":8443", Handler: mux}
	_ = hs // hs.ListenAndServeTLS("cert.pem", "key.pem")
}
