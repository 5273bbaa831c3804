package socketio_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/socketio"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
)

// ExampleNewServer serves socket.io clients at /socket.io/ on the port
// that serves gotio TCP and WebSocket: one handler answers every protocol,
// and a room is an aio group.
func ExampleNewServer() {
	sio := socketio.NewServer(&socketio.ServerConfig{
		Auth: func(r *socketio.ConnectRequest) error {
			if len(r.Auth) == 0 {
				return &socketio.AuthError{Message: "token required"}
			}
			return nil
		},
	}, &engineio.Config{CheckOrigin: engineio.AnyOrigin})
	var srv *aio.Server
	srv = aio.NewServer(&aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			TCP:   tcp.New(nil),
			HTTP:  websocket.New(nil),
			Paths: []hybrid.PathRoute{{Prefix: sio.Path(), Codec: sio}},
		}),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			switch m.Route {
			case "join": // socket.emit("join", "r1", ack)
				_ = c.BindGroup("r1")
				_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: []byte(`{"ok":true}`)})
			case "chat": // socket.emit("chat", {text}): every member gets the event onChat
				srv.SendToGroup("r1", &codec.Message{Kind: codec.Push, Route: "onChat", Body: m.Body})
			}
		}),
	})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	// What socket.io-client does first: an engine.io handshake by polling.
	resp, err := http.Get("http://" + srv.Addr().String() + sio.Path() + "?EIO=4&transport=polling")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var open struct {
		SID          string   `json:"sid"`
		Upgrades     []string `json:"upgrades"`
		PingInterval int      `json:"pingInterval"`
	}
	err = json.Unmarshal(body[1:], &open)
	fmt.Println(resp.StatusCode, string(body[:1]), open.SID != "", open.Upgrades, open.PingInterval, err)
	// Output: 200 0 true [websocket] 25000 <nil>
}
