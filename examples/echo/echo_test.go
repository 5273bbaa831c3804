package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

func TestEchoWebSocketAndTCP(t *testing.T) {
	for _, deflate := range []bool{false, true} {
		srv := newServer(deflate, zerolog.Nop())
		if err := srv.Listen("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		d := websocket.Dialer{EnableCompression: deflate}
		ws, _, err := d.Dial("ws://"+srv.Addr().String()+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{0, 125, 126, 65535, 65536, 1 << 20, 16 << 20} { // 16 MiB: case 9.1.6
			for _, kind := range []int{websocket.TextMessage, websocket.BinaryMessage} {
				msg := bytes.Repeat([]byte("a"), size)
				if err := ws.WriteMessage(kind, msg); err != nil {
					t.Fatal(err)
				}
				_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
				gotKind, got, err := ws.ReadMessage()
				if err != nil {
					t.Fatalf("deflate=%v size %d: %v", deflate, size, err)
				}
				if gotKind != kind || !bytes.Equal(got, msg) {
					t.Fatalf("deflate=%v size %d: echoed kind %d, %d bytes", deflate, size, gotKind, len(got))
				}
			}
		}
		ws.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cl, err := client.Dial(ctx, srv.Addr().String(), &client.Config{Codec: tcp.New(nil)})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := cl.Request(ctx, "echo", []byte("tcp too"))
		if err != nil || string(resp.Body) != "tcp too" {
			t.Fatalf("tcp echo: %v %v", resp, err)
		}
		cl.Close()
		_ = srv.Shutdown(ctx)
		cancel()
	}
}
