package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

// TestRoomAcrossMountAndNative serves the example with its own
// self-signed certificate: a gorilla client on wss:// through net/http
// and a gotio TCP client on the native port share the room.
func TestRoomAcrossMountAndNative(t *testing.T) {
	srv := newServer(zerolog.Nop())
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	cert, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(newMux(srv))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.StartTLS()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	defer ts.Close()
	defer srv.Shutdown(ctx)

	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool}, HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial("wss://"+ts.Listener.Addr().String()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	defer ws.Close()

	got := make(chan string, 2)
	cl, err := client.Dial(ctx, srv.Addr().String(), &client.Config{Codec: tcp.New(nil), Handler: func(_ *client.Client, m *codec.Message) {
		if m.Route == "chat" {
			got <- string(m.Body)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for srv.Count(aio.Group("room")) < 2 {
		select {
		case <-ctx.Done():
			t.Fatal("the room never held both")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("hi from the browser side")); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, b, err := ws.ReadMessage(); err != nil || string(b) != "hi from the browser side" {
		t.Fatalf("wss member: %q %v", b, err)
	}
	select {
	case b := <-got:
		if b != "hi from the browser side" {
			t.Fatalf("tcp member: %q", b)
		}
	case <-ctx.Done():
		t.Fatal("tcp member got nothing")
	}
}
