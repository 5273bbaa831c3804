package pomelo_test

import (
	"fmt"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
)

// A chatofpomelo server: route dictionary, protobuf pushes, a handshake
// hook. The Codec goes into aio.Config.Codec (or codec/hybrid for one port
// with every protocol).
func ExampleNew() {
	dict, err := pomelo.NewDict(
		[]string{"gate.gateHandler.queryEntry", "connector.entryHandler.enter", "chat.chatHandler.send"},
		"onChat", "onAdd", "onLeave", // pushes
	)
	if err != nil {
		panic(err)
	}
	serverProtos, err := protobuf.Parse([]byte(`{"onChat": {
		"required string msg": 1, "required string from": 2, "required string target": 3}}`))
	if err != nil {
		panic(err)
	}
	c := pomelo.New(&pomelo.Config{
		Heartbeat:    3 * time.Second,
		Dict:         dict,
		ServerProtos: serverProtos,
		// Older clients get {"code":501} and a close.
		MinClientVersion: map[string]string{"js-websocket": "0.0.1"},
		OnHandshake: func(info *pomelo.HandshakeInfo) (int, any) {
			return pomelo.CodeOK, map[string]string{"motd": "welcome"}
		},
	})
	if err := c.Check(); err != nil { // aio checks when it starts serving
		panic(err)
	}

	// What aio does with a connection, by hand: the client's handshake
	// and ack, then a push.
	s := c.NewStream(codec.ConnInfo{})
	var rec codectest.Recorder
	hello, _ := pomelo.AppendPackage(nil, pomelo.TypeHandshake, []byte(`{"sys":{"type":"js-websocket","version":"0.0.1"}}`))
	ack := []byte{pomelo.TypeHandshakeAck, 0, 0, 0}
	if _, err := codectest.DecodeAll(s, append(hello, ack...), &rec); err != nil {
		panic(err)
	}
	fmt.Println(rec.Handshakes[0].Protocol, rec.Handshakes[0].HeartbeatTimeout)
	push, _ := s.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`{"msg":"hi","from":"bob","target":"*"}`)})
	fmt.Printf("% x\n", push)
	// Output:
	// pomelo-tcp 6s
	// 04 00 00 0f 07 00 04 0a 02 68 69 12 03 62 6f 62 1a 01 2a
}

// pomelo over WebSocket: the same codec flavoured "pomelo-ws", to be
// codec/websocket's inner codec (websocket.Config{Inner: ws, Binary: true}).
func ExampleNewWS() {
	ws := pomelo.NewWS(nil)
	fmt.Println(ws.Protocol())
	// Output: pomelo-ws
}

// pomelo numbers handler routes in sorted order from 1, then the extra
// (push) routes in the order given.
func ExampleNewDict() {
	d, _ := pomelo.NewDict([]string{"room.handler.leave", "room.handler.join"}, "onMessage")
	for _, r := range []string{"room.handler.join", "room.handler.leave", "onMessage"} {
		code, _ := d.Code(r)
		fmt.Println(code, r)
	}
	// Output:
	// 1 room.handler.join
	// 2 room.handler.leave
	// 3 onMessage
}

// A client stream speaks first and learns the dictionary and schemas from
// the server's reply.
func ExampleCodec_NewStream_client() {
	c := pomelo.New(&pomelo.Config{ClientUser: map[string]string{"token": "t"}})
	s := c.NewStream(codec.ConnInfo{Client: true})
	hello, _ := s.(codec.Opener).Open(nil)
	fmt.Printf("%s\n", hello[pomelo.HeaderLen:])

	reply, _ := pomelo.AppendPackage(nil, pomelo.TypeHandshake, []byte(`{"code":200,"sys":{"heartbeat":10,"dict":{"chat.send":1}}}`))
	var rec codectest.Recorder
	if _, err := codectest.DecodeAll(s, reply, &rec); err != nil {
		panic(err)
	}
	fmt.Printf("ack % x, timeout %v\n", rec.Replies, rec.Handshakes[0].HeartbeatTimeout)
	req, _ := s.Encode(nil, &codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{}`)})
	fmt.Printf("% x\n", req)
	// Output:
	// {"sys":{"type":"gotio-go","version":"1.0.0"},"user":{"token":"t"}}
	// ack 02 00 00 00, timeout 20s
	// 04 00 00 06 01 01 00 01 7b 7d
}

// A client keeps the dictionary and schemas a handshake gave it in the
// Codec's Store (a MemoryStore unless Config.ClientStore says otherwise):
// the next stream, a reconnect, announces their versions, and a server
// holding the same leaves them out of its reply.
func ExampleMemoryStore() {
	store := new(pomelo.MemoryStore)
	c := pomelo.New(&pomelo.Config{ClientStore: store})

	first := c.NewStream(codec.ConnInfo{Client: true})
	hello, _ := first.(codec.Opener).Open(nil)
	fmt.Printf("%s\n", hello[pomelo.HeaderLen:])
	reply, _ := pomelo.AppendPackage(nil, pomelo.TypeHandshake, []byte(
		`{"code":200,"sys":{"heartbeat":10,"dict":{"chat.send":1},"dictVersion":"d1","useDict":true}}`))
	var rec codectest.Recorder
	if _, err := codectest.DecodeAll(first, reply, &rec); err != nil {
		panic(err)
	}
	fmt.Println(store.Load().DictVersion, store.Load().Dict)

	again := c.NewStream(codec.ConnInfo{Client: true})
	hello, _ = again.(codec.Opener).Open(nil)
	fmt.Printf("%s\n", hello[pomelo.HeaderLen:])
	short, _ := pomelo.AppendPackage(nil, pomelo.TypeHandshake, []byte(`{"code":200,"sys":{"heartbeat":10,"useDict":true}}`))
	if _, err := codectest.DecodeAll(again, short, &rec); err != nil {
		panic(err)
	}
	req, _ := again.Encode(nil, &codec.Message{Kind: codec.Request, ID: 1, Route: "chat.send", Body: []byte(`{}`)})
	fmt.Printf("% x\n", req)
	// Output:
	// {"sys":{"type":"gotio-go","version":"1.0.0"},"user":{}}
	// d1 map[chat.send:1]
	// {"sys":{"type":"gotio-go","version":"1.0.0","dictVersion":"d1"},"user":{}}
	// 04 00 00 06 01 01 00 01 7b 7d
}
