package websocket

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
)

// TestClientServerInMemory: a client stream and a server stream of this
// package talk through byte slices: upgrade, masked and unmasked frames,
// and the close handshake.
func TestClientServerInMemory(t *testing.T) {
	routes := []Route{{Subprotocol: "json", Inner: JSON}, {}}
	cli := New(&Config{Routes: routes, Dial: &Dial{Host: "example.com", Path: "/chat",
		Subprotocols: []string{"json"}, Header: http.Header{"Origin": {"http://example.com"}}}}).
		NewStream(codec.ConnInfo{Client: true}).(*Stream)
	srv := New(&Config{Routes: routes}).NewStream(codec.ConnInfo{}).(*Stream)
	crec, srec := &codec.Recorder{}, &codec.Recorder{}

	req, err := cli.Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(req), "GET /chat HTTP/1.1\r\n") || !strings.Contains(string(req), "Origin: http://example.com\r\n") {
		t.Fatalf("request %q", req)
	}
	if _, err := feed(srv, req, srec); err != nil {
		t.Fatalf("server: %v %q", err, srec.Replies)
	}
	if _, err := feed(cli, srec.Replies, crec); err != nil {
		t.Fatalf("client: %v", err)
	}
	if cli.Subprotocol() != "json" || len(crec.Handshakes) != 1 || crec.Handshakes[0].Path != "/chat" {
		t.Fatalf("client handshake %q %+v", cli.Subprotocol(), crec.Handshakes)
	}
	if cli.Format() != "" {
		t.Fatal("client frames are masked per frame: Format must be empty")
	}

	srec.Reset()
	b, err := cli.Encode(nil, &codec.Message{Kind: codec.Request, ID: 1, Route: "a", Body: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if fs := parseFrames(t, b); !fs[0].masked {
		t.Fatal("client frame not masked")
	}
	b = append(b, cli.Heartbeat(nil)...)
	if _, err := feed(srv, b, srec); err != nil {
		t.Fatal(err)
	}
	if m := srec.Messages[0]; m.Kind != codec.Request || m.Route != "a" {
		t.Fatalf("server got %+v", m)
	}
	crec.Reset()
	pushed, _ := srv.Encode(nil, &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`"hi"`)})
	if _, err := feed(cli, append(srec.Replies, pushed...), crec); err != nil {
		t.Fatal(err) // the pong, then the push
	}
	if len(crec.Messages) != 1 || crec.Messages[0].Route != "onChat" {
		t.Fatalf("client got %+v", crec.Messages)
	}

	crec.Reset()
	_, err = feed(cli, srv.Goodbye(nil, "bye", true), crec)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseGoingAway || ce.Reason != "bye" || !errors.Is(err, codec.ErrPeerClosed) {
		t.Fatalf("client close: %v", err)
	}
	fs := parseFrames(t, crec.Replies)
	if len(fs) != 1 || !fs[0].masked || fs[0].closeCode() != CloseGoingAway {
		t.Fatalf("client close echo %+v", fs)
	}
}

func TestClientRefusesBadReplies(t *testing.T) {
	good := func(cli *Stream) string {
		return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + cli.accept + "\r\n"
	}
	cases := []struct {
		name  string
		reply func(cli *Stream) string
	}{
		{"refused", func(*Stream) string { return "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n" }},
		{"wrong accept", func(*Stream) string {
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + testAccept + "\r\n\r\n"
		}},
		{"extension not offered", func(c *Stream) string { return good(c) + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n" }},
		{"subprotocol not offered", func(c *Stream) string { return good(c) + "Sec-WebSocket-Protocol: x\r\n\r\n" }},
		{"not HTTP", func(*Stream) string { return "\x00\x01" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cli := New(nil).NewStream(codec.ConnInfo{Client: true, RemoteAddr: testAddr}).(*Stream)
			if _, err := cli.Open(nil); err != nil {
				t.Fatal(err)
			}
			_, err := feed(cli, []byte(c.reply(cli)), &codec.Recorder{})
			var he *HandshakeError
			if !errors.Is(err, codec.ErrProtocol) || !errors.As(err, &he) {
				t.Fatalf("err %v", err)
			}
		})
	}
	cli := New(nil).NewStream(codec.ConnInfo{Client: true}).(*Stream)
	if _, err := cli.Open(nil); err == nil {
		t.Fatal("client without host opened")
	}
	if _, err := New(&Config{Dial: &Dial{Host: "a", Path: "/x y"}}).NewStream(codec.ConnInfo{Client: true}).(*Stream).Open(nil); err == nil {
		t.Fatal("path with a space accepted")
	}
}

func TestClientRefusesMaskedServerFrame(t *testing.T) {
	cli := New(nil).NewStream(codec.ConnInfo{Client: true, RemoteAddr: testAddr}).(*Stream)
	cli.Open(nil)
	reply := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + cli.accept + "\r\n\r\n"
	rec := &codec.Recorder{}
	in := append([]byte(reply), cframe(finBit|opText, []byte("masked"))...)
	_, err := feed(cli, in, rec)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseProtocolError {
		t.Fatalf("err %v", err)
	}
	if fs := parseFrames(t, rec.Replies); len(fs) != 1 || !fs[0].masked || fs[0].closeCode() != CloseProtocolError {
		t.Fatalf("replies %+v", fs)
	}
	if !bytes.Contains(in, []byte("\x81\x86")) {
		t.Fatal("test frame not masked")
	}
}
