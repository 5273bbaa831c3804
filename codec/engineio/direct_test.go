package engineio_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
)

// dialWS opens a WebSocket-only session (transport=websocket from the
// first request) and returns the connection and the open packet's sid.
func dialWS(t *testing.T, srv *aio.Server) (*websocket.Conn, string) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+srv.Addr().String()+"/engine.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	_ = ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil || len(b) == 0 || b[0] != '0' {
		t.Fatalf("open packet %q: %v", b, err)
	}
	o, err := engineio.ParseOpen(b[1:])
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Upgrades) != 0 {
		t.Errorf("a WebSocket session offered upgrades %v", o.Upgrades)
	}
	return ws, o.SID
}

// readUntil reads text and binary messages until one satisfies ok (pings
// skipped, not answered).
func readUntil(t *testing.T, ws *websocket.Conn, ok func(typ int, b []byte) bool) {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		typ, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if ok(typ, b) {
			return
		}
	}
}

// TestDirectWebSocketSession: a session a WebSocket carries from its
// handshake is that WebSocket's connection (no second ChannelContext) and
// encodes WebSocket frames (Format "eio-ws/…"); a broadcast to it and to a
// polling session reaches both in their own forms; Send, binary sends,
// SendSync and a kick work, and its counters count what it sent.
func TestDirectWebSocketSession(t *testing.T) {
	h := newSessionRecorder()
	srv := newEIOServer(t, &engineio.Config{PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second}, h)
	rc := newRawClient(t, srv)
	sid := rc.handshake()
	q := "EIO=4&transport=polling&sid=" + sid
	rc.do("POST", q, "4poll")
	ws, wsid := dialWS(t, srv)
	if err := ws.WriteMessage(websocket.TextMessage, []byte("4direct")); err != nil {
		t.Fatal(err)
	}
	h.wait(t, 2)
	pc, dc := h.get("poll"), h.get("direct")
	if got := pc.Stream().Format(); got != "eio/plain" {
		t.Errorf("polling session's Format %q, want eio/plain", got)
	}
	if got := dc.Stream().Format(); got != "eio-ws/plain" {
		t.Errorf("WebSocket session's Format %q, want eio-ws/plain", got)
	}
	if es, ok := engineio.SessionFrom(dc.Stream()); !ok || es.Transport() != "websocket" || es.SID() != wsid {
		t.Errorf("SessionFrom the WebSocket session: %v %v", es, ok)
	}
	if es, ok := engineio.SessionFrom(pc.Stream()); !ok || es.Transport() != "polling" || es.SID() != sid {
		t.Errorf("SessionFrom the polling session: %v %v", es, ok)
	}
	if dc.Protocol() != "engine.io" {
		t.Errorf("WebSocket session's protocol %q", dc.Protocol())
	}
	// The WebSocket session is its connection: one connection for it, and
	// the polling session's (its carrier is gone after the POST).
	if n, sn := srv.Count(aio.All()), int(srv.Stats().Sessions); sn != 2 || n > 3 {
		t.Errorf("%d connections, %d sessions", n, sn)
	}

	if n, err := srv.SendToAll(&codec.Message{Kind: codec.Raw, Body: []byte("hello")}); err != nil || n != 2 {
		t.Errorf("SendToAll reached %d sessions, want 2", n)
	}
	if st, body := rc.do("GET", q, ""); st != 200 || body != "4hello" {
		t.Errorf("poll after the broadcast: %d %q", st, body)
	}
	readUntil(t, ws, func(typ int, b []byte) bool { return typ == websocket.TextMessage && string(b) == "4hello" })

	if err := dc.Send(&codec.Message{Kind: codec.Raw, Binary: true, Body: []byte{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, func(typ int, b []byte) bool { return typ == websocket.BinaryMessage && string(b) == "\x01\x02\x03" })
	// A body over 125 bytes takes a frame header with a 16-bit length.
	long := strings.Repeat("y", 300)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := dc.SendSync(ctx, &codec.Message{Kind: codec.Raw, Body: []byte(long)}); err != nil {
		t.Fatalf("SendSync: %v", err)
	}
	readUntil(t, ws, func(typ int, b []byte) bool { return string(b) == "4"+long })
	// open, hello, the binary message, the long one.
	if s := dc.Stats(); s.SentPackets < 4 || s.SentBytes < uint64(len(long)) {
		t.Errorf("session counters: %d packets, %d bytes", s.SentPackets, s.SentBytes)
	}

	dc.Kick("bye")
	readUntil(t, ws, func(typ int, b []byte) bool { return string(b) == "1" })
	_ = ws.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			break // the carrier closes after the close packet
		}
	}
	if !waitFor(2*time.Second, func() bool { return int(srv.Stats().Sessions) == 1 }) {
		t.Errorf("%d sessions open after the kick, want the polling one", int(srv.Stats().Sessions))
	}
}

// TestDirectSessionHeartbeat: a WebSocket session's heartbeat is the
// protocol's: the server pings every interval whatever the client sends,
// only the pong proves it alive, and a client that sends messages but
// stops answering pings loses the session and the connection after
// pingInterval + pingTimeout.
func TestDirectSessionHeartbeat(t *testing.T) {
	h := newSessionRecorder()
	srv := newEIOServer(t, nil, h)
	ws, _ := dialWS(t, srv)
	_ = ws.WriteMessage(websocket.TextMessage, []byte("4x"))
	h.wait(t, 1)
	c := h.get("x")
	// Messages every 50ms, never a pong.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if ws.WriteMessage(websocket.TextMessage, []byte("4chatter")) != nil {
					return
				}
			}
		}
	}()
	start := time.Now()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	pings := 0
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			break
		}
		if string(b) == "2" {
			pings++
		}
	}
	took := time.Since(start)
	if pings == 0 {
		t.Error("no ping came")
	}
	if !waitFor(time.Second, func() bool { return c.Err() != nil }) || !errors.Is(c.Err(), aio.ErrHeartbeatTimeout) {
		t.Fatalf("session close reason %v, want a heartbeat timeout", c.Err())
	}
	if max := testPingInterval + testPingTimeout + 2*time.Second; took > max {
		t.Errorf("the connection closed %v after the last message, want under %v", took, max)
	}
	if !waitFor(2*time.Second, func() bool { return srv.Count(aio.All()) == 0 }) {
		t.Errorf("%d connections left (the carrier outlived its session)", srv.Count(aio.All()))
	}
}

// TestSendSyncPollingSessionBounded: SendSync to a polling session with no
// poll parked returns at its context's deadline, not after the session's
// heartbeat timeout; the message still leaves with the next poll.
func TestSendSyncPollingSessionBounded(t *testing.T) {
	h := newSessionRecorder()
	srv := newEIOServer(t, &engineio.Config{PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second}, h)
	rc := newRawClient(t, srv)
	sid := rc.handshake()
	q := "EIO=4&transport=polling&sid=" + sid
	rc.do("POST", q, "4p")
	h.wait(t, 1)
	c := h.get("p")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.SendSync(ctx, &codec.Message{Kind: codec.Raw, Body: []byte("later")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SendSync with no poll: %v, want the context's deadline", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("SendSync returned after %v, want about 200ms", took)
	}
	if st, body := rc.do("GET", q, ""); st != 200 || body != "4later" {
		t.Errorf("next poll: %d %q", st, body)
	}
}

// TestWebSocketOriginChecked: the engine.io codec checks a WebSocket
// upgrade's Origin itself (the WebSocket layer under it accepts any): a
// cross-origin upgrade is refused with 403 unless CheckOrigin allows it.
func TestWebSocketOriginChecked(t *testing.T) {
	for _, tc := range []struct {
		cfg  *engineio.Config
		want int
	}{
		{&engineio.Config{}, 403},
		{&engineio.Config{CheckOrigin: engineio.AnyOrigin}, 101},
	} {
		srv := newEIOServer(t, tc.cfg, newSessionRecorder())
		h := http.Header{"Origin": []string{"http://other.example"}}
		ws, resp, err := websocket.DefaultDialer.Dial("ws://"+srv.Addr().String()+"/engine.io/?EIO=4&transport=websocket", h)
		if resp == nil {
			t.Fatalf("no response: %v", err)
		}
		if resp.StatusCode != tc.want {
			t.Errorf("cross-origin upgrade: %d, want %d", resp.StatusCode, tc.want)
		}
		if ws != nil {
			_ = ws.Close()
		}
	}
}
