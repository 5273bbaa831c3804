package websocket_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/websocket"
)

// TestPomeloInner: codec/pomelo rides inside WebSocket messages through a
// real aio.Server: handshake, ack, a request answered, several packages in
// one message, and the connection reporting "pomelo-ws".
func TestPomeloInner(t *testing.T) {
	inner := pomelo.NewWS(&pomelo.Config{Heartbeat: 20 * time.Second})
	s := aio.NewServer(&aio.Config{
		Codec: websocket.New(&websocket.Config{Routes: []websocket.Route{{Path: "/pomelo", Inner: inner, Binary: true}}}),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			if m.Kind == codec.Request {
				_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: m.Body})
			}
		}),
	})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	conn := dialGorilla(t, wsURL(s, "/pomelo"), false, 0)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	pkg := func(typ byte, body []byte) []byte {
		b, err := pomelo.AppendPackage(nil, typ, body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	read := func() []byte {
		typ, p, err := conn.ReadMessage()
		if err != nil || typ != gorilla.BinaryMessage {
			t.Fatalf("read: type %d %v", typ, err)
		}
		return p
	}

	conn.WriteMessage(gorilla.BinaryMessage, pkg(pomelo.TypeHandshake, []byte(`{"sys":{"type":"js-websocket","version":"0.0.1"},"user":{}}`)))
	reply := read()
	if reply[0] != pomelo.TypeHandshake {
		t.Fatalf("handshake reply % x", reply)
	}
	var hs struct {
		Code int `json:"code"`
		Sys  struct {
			Heartbeat float64 `json:"heartbeat"`
		} `json:"sys"`
	}
	if err := json.Unmarshal(reply[4:], &hs); err != nil || hs.Code != 200 || hs.Sys.Heartbeat != 20 {
		t.Fatalf("handshake reply %s: %v", reply[4:], err)
	}
	// The ack, a heartbeat and a request ("echo.hi", id 1) in one message.
	msg := []byte{0x00, 0x01, byte(len("echo.hi"))}
	msg = append(append(msg, "echo.hi"...), `{"a":1}`...)
	conn.WriteMessage(gorilla.BinaryMessage, bytes.Join([][]byte{
		pkg(pomelo.TypeHandshakeAck, nil), pkg(pomelo.TypeHeartbeat, nil), pkg(pomelo.TypeData, msg),
	}, nil))
	var got []byte
	for range 3 { // the heartbeat answer and the response, in some order
		p := read()
		if p[0] == pomelo.TypeData {
			got = p
			break
		}
	}
	want := pkg(pomelo.TypeData, append([]byte{0x04, 0x01}, `{"a":1}`...))
	if !bytes.Equal(got, want) {
		t.Fatalf("response % x, want % x", got, want)
	}
	var protos []string
	for _, c := range s.Conns(aio.All()) {
		protos = append(protos, c.Protocol())
	}
	if len(protos) != 1 || protos[0] != "pomelo-ws" {
		t.Fatalf("protocols %v", protos)
	}
}
