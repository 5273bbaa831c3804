package wsmount_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/aio/wsmount"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
)

// Mount gotio's WebSocket endpoint at /ws of the site's own server, which
// terminates TLS and serves everything else (httptest stands in for
// http.Server.ListenAndServeTLS here).
func ExampleHandler() {
	srv := aio.NewServer(&aio.Config{
		Codec: websocket.New(&websocket.Config{Routes: []websocket.Route{{Path: "/ws", Inner: websocket.JSON}}}),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Body: m.Body})
		}),
	})
	defer srv.Close()
	mux := http.NewServeMux()
	mux.Handle("/ws", wsmount.Handler(srv))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "the site") })
	site := httptest.NewServer(mux)
	defer site.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, "", &client.Config{
		Codec:     websocket.JSON,
		WebSocket: &client.WebSocket{URL: "ws" + strings.TrimPrefix(site.URL, "http") + "/ws", Text: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cl.Close()
	resp, err := cl.Request(ctx, "echo", []byte(`"hello"`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(resp.Body))
	// Output: "hello"
}
