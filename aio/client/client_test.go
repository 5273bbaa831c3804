package client_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
	ws "github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/aiotest"
	"github.com/gotio/gotio/internal/testcodec"
)

func tcpServer(t *testing.T, addr string, cfg aio.Config) *aio.Server {
	t.Helper()
	cfg.Codec = tcp.New(&tcp.Config{HeartbeatInterval: cfg.HeartbeatTimeout / 3})
	if cfg.Handler == nil {
		cfg.Handler = aio.HandlerFunc(aiotest.RPC)
	}
	s := aio.NewServer(&cfg)
	if err := s.Listen(addr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestClientRequestNotifyPush(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := tcpServer(t, "127.0.0.1:0", aio.Config{})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got := make(chan string, 1)
			cl, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil), Transport: tr,
				Handler: func(_ *client.Client, m *codec.Message) {
					if m.Kind == codec.Push && m.Route == "echo.hello" {
						got <- string(m.Body)
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			for i := range 50 {
				body := []byte{'"', byte('a' + i%26), '"'}
				resp, err := cl.Request(ctx, "room.send", body)
				if err != nil {
					t.Fatal(err)
				}
				if resp.Kind != codec.Response || string(resp.Body) != string(body) {
					t.Fatalf("response %v %q, want %q", resp.Kind, resp.Body, body)
				}
			}
			if err := cl.Notify("hello", []byte(`"world"`)); err != nil {
				t.Fatal(err)
			}
			select {
			case b := <-got:
				if b != `"world"` {
					t.Fatalf("push %q", b)
				}
			case <-ctx.Done():
				t.Fatal("no push")
			}
		})
	}
}

// connEvents records a client's OnConnected and OnBeforeClose calls.
type connEvents struct {
	connects atomic.Int32
	closes   chan error
}

// wire sets cfg's hooks to record into e and returns cfg.
func (e *connEvents) wire(cfg *client.Config) *client.Config {
	cfg.OnConnected = func(*client.Client) { e.connects.Add(1) }
	cfg.OnBeforeClose = func(_ *client.Client, reason error) {
		select {
		case e.closes <- reason:
		default:
		}
	}
	return cfg
}

func TestClientReconnectsAfterServerRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s1 := tcpServer(t, addr, aio.Config{})
	ev := &connEvents{closes: make(chan error, 8)}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, addr, ev.wire(&client.Config{
		Codec:     tcp.New(nil),
		Reconnect: &client.Reconnect{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond},
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	inflight := make(chan error, 1)
	go func() {
		// A request the server never answers is in flight when it goes away.
		_, err := cl.Request(ctx, "never.answered", nil)
		inflight <- err
	}()
	time.Sleep(50 * time.Millisecond)
	_ = s1.Close()
	if err := <-inflight; !errors.Is(err, client.ErrDisconnected) {
		t.Fatalf("in-flight request: %v, want ErrDisconnected", err)
	}
	time.Sleep(300 * time.Millisecond) // several failed attempts against a closed port
	tcpServer(t, addr, aio.Config{})
	if err := cl.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := cl.Request(ctx, "after.restart", []byte(`1`))
	if err != nil || string(resp.Body) != "1" {
		t.Fatalf("after reconnect: %v %v", resp, err)
	}
	if ev.connects.Load() != 2 || cl.Reconnects() != 1 {
		t.Fatalf("connect events %d, reconnect counter %d", ev.connects.Load(), cl.Reconnects())
	}
}

func TestClientGivesUpAfterMaxAttempts(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	s := tcpServer(t, addr, aio.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, addr, &client.Config{Codec: tcp.New(nil),
		Reconnect: &client.Reconnect{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond, MaxAttempts: 3}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_ = s.Close()
	select {
	case <-cl.Done():
	case <-ctx.Done():
		t.Fatal("client did not give up")
	}
	if err := cl.Err(); !errors.Is(err, client.ErrGaveUp) || cl.State() != client.StateGaveUp {
		t.Fatalf("err %v, state %v; want ErrGaveUp, gave up", err, cl.State())
	}
	if cl.Reconnects() != 0 {
		t.Fatal("reconnected to nothing")
	}
}

func TestReconnectBackoff(t *testing.T) {
	r := &client.Reconnect{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: -1}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if d := r.Delay(i); d != w*time.Millisecond {
			t.Fatalf("delay %d = %v, want %v", i, d, w*time.Millisecond)
		}
	}
	j := &client.Reconnect{Initial: 100 * time.Millisecond, Max: time.Second}
	distinct := map[time.Duration]bool{}
	for range 50 {
		d := j.Delay(3)
		if d > 800*time.Millisecond || d < 400*time.Millisecond {
			t.Fatalf("jittered delay %v outside [400ms, 800ms]", d)
		}
		distinct[d] = true
	}
	if len(distinct) < 10 {
		t.Fatalf("jitter produced %d distinct delays of 50", len(distinct))
	}
}

func TestHeartbeatsKeepIdlePairAlive(t *testing.T) {
	s := tcpServer(t, "127.0.0.1:0", aio.Config{HeartbeatTimeout: 300 * time.Millisecond})
	ev := &connEvents{closes: make(chan error, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, s.Addr().String(), ev.wire(&client.Config{Codec: tcp.New(nil)}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	time.Sleep(1500 * time.Millisecond) // five server timeouts, no application traffic
	if s.Count(aio.All()) != 1 || s.Stats().HeartbeatTimeouts != 0 {
		t.Fatalf("idle pair did not survive: conns %d timeouts %d", s.Count(aio.All()), s.Stats().HeartbeatTimeouts)
	}
	if _, err := cl.Request(ctx, "still.there", nil); err != nil {
		t.Fatal(err)
	}
}

func TestClientNoticesSilentServer(t *testing.T) {
	// A server that accepts and then says nothing, ever.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	ev := &connEvents{closes: make(chan error, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, ln.Addr().String(), ev.wire(&client.Config{Codec: testcodec.Length{}, HeartbeatTimeout: 200 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	nc := <-accepted
	defer nc.Close()
	select {
	case reason := <-ev.closes:
		if !errors.Is(reason, aio.ErrHeartbeatTimeout) {
			t.Fatalf("reason %v", reason)
		}
	case <-ctx.Done():
		t.Fatal("client did not notice the silent server")
	}
}

// TestWebSocketClientPingsWhenIdle: over WebSocket with an inner codec that
// has no heartbeat of its own (JSON), the client pings, and the pongs keep
// its own timeout satisfied.
func TestWebSocketClientPingsWhenIdle(t *testing.T) {
	s := aiotest.Start(t, &aio.Config{
		Codec:            ws.New(&ws.Config{Routes: []ws.Route{{Inner: ws.JSON}}}),
		HeartbeatTimeout: 300 * time.Millisecond,
		Handler:          aio.HandlerFunc(aiotest.RPC),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, "", &client.Config{
		Codec:             ws.JSON,
		WebSocket:         &client.WebSocket{URL: "ws://" + s.Addr().String() + "/", Text: true},
		HeartbeatInterval: 100 * time.Millisecond,
		HeartbeatTimeout:  300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	time.Sleep(1500 * time.Millisecond)
	if s.Count(aio.All()) != 1 || s.Stats().HeartbeatTimeouts != 0 || cl.State() != client.StateOpen {
		t.Fatalf("idle WebSocket pair did not survive: server conns %d, timeouts %d", s.Count(aio.All()), s.Stats().HeartbeatTimeouts)
	}
	resp, err := cl.Request(ctx, "still.there", []byte(`{"ok":true}`))
	if err != nil || string(resp.Body) != `{"ok":true}` {
		t.Fatalf("request after idling: %v %v", resp, err)
	}
}
