package client_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
	ws "github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/aiotest"
	"github.com/gotio/gotio/internal/testenv"
)

// freeAddr returns a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln := listenLoopback(t)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// kickingHandler kicks a connection that sends "login", as a server that
// refuses duplicate logins does, and answers other requests.
func kickingHandler(c *aio.ChannelContext, m *codec.Message) {
	if m.Route == "login" {
		c.Kick("duplicate login")
		return
	}
	aiotest.RPC(c, m)
}

// TestKickedClientDoesNotReconnect: a kick ends the client (no reconnect
// storm against a server that refuses it); Err says why.
func TestKickedClientDoesNotReconnect(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := tcpServer(t, "127.0.0.1:0", aio.Config{Transport: tr, Handler: aio.HandlerFunc(kickingHandler)})
			ev := &connEvents{closes: make(chan error, 4)}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cl, err := client.Dial(ctx, s.Addr().String(), ev.wire(&client.Config{Codec: tcp.New(nil), Transport: tr,
				Reconnect: &client.Reconnect{Initial: time.Millisecond, Max: 5 * time.Millisecond}}))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if err := cl.Notify("login", nil); err != nil {
				t.Fatal(err)
			}
			select {
			case <-cl.Done():
			case <-ctx.Done():
				t.Fatal("kicked client did not end")
			}
			if err := cl.Err(); !errors.Is(err, aio.ErrKicked) || cl.State() != client.StateClosed {
				t.Fatalf("err %v, state %v; want ErrKicked, closed", err, cl.State())
			}
			if r := <-ev.closes; !errors.Is(r, aio.ErrKicked) {
				t.Fatalf("OnBeforeClose reason %v, want ErrKicked", r)
			}
			time.Sleep(100 * time.Millisecond) // twenty backoffs' worth
			if n := s.Stats().Accepted; n != 1 || cl.Reconnects() != 0 {
				t.Fatalf("server accepted %d connections, client reconnected %d times; want 1 and 0", n, cl.Reconnects())
			}
		})
	}
}

// TestReconnectPolicyOverridesDefault: a Policy that follows kicks brings
// the client back.
func TestReconnectPolicyOverridesDefault(t *testing.T) {
	s := tcpServer(t, "127.0.0.1:0", aio.Config{Handler: aio.HandlerFunc(kickingHandler)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var asked atomic.Int32
	cl, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil),
		Reconnect: &client.Reconnect{Initial: time.Millisecond, Max: 5 * time.Millisecond, Policy: func(reason error) bool {
			asked.Add(1)
			return errors.Is(reason, aio.ErrKicked)
		}}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_ = cl.Notify("login", nil)
	waitFor(t, "reconnect after kick", func() bool { return cl.Reconnects() == 1 && cl.State() == client.StateOpen })
	if asked.Load() != 1 {
		t.Fatalf("policy asked %d times", asked.Load())
	}
	if resp, err := cl.Request(ctx, "after.kick", []byte(`2`)); err != nil || string(resp.Body) != "2" {
		t.Fatalf("request after reconnect: %v %v", resp, err)
	}
}

// TestServerShutdownClientReconnects: a graceful shutdown is not a kick:
// the client comes back when a server listens again.
func TestServerShutdownClientReconnects(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			addr := freeAddr(t)
			s1 := tcpServer(t, addr, aio.Config{Transport: tr})
			ev := &connEvents{closes: make(chan error, 4)}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cl, err := client.Dial(ctx, addr, ev.wire(&client.Config{Codec: tcp.New(nil), Transport: tr,
				Reconnect: &client.Reconnect{Initial: 10 * time.Millisecond, Max: 50 * time.Millisecond}}))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if err := s1.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if r := <-ev.closes; !errors.Is(r, aio.ErrServerClosed) {
				t.Fatalf("close reason %v, want ErrServerClosed", r)
			}
			tcpServer(t, addr, aio.Config{Transport: tr})
			if err := cl.WaitConnected(ctx); err != nil {
				t.Fatal(err)
			}
			if cl.Reconnects() != 1 {
				t.Fatalf("reconnects %d", cl.Reconnects())
			}
		})
	}
}

// TestRefusedAfterConnect: a server at MaxConns accepts the TCP connection
// and closes it. Dial fails at once with the close (not after waiting out
// DialTimeout) and leaves no goroutine; a reconnecting client keeps one
// dial loop, whatever the refusals.
func TestRefusedAfterConnect(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := tcpServer(t, "127.0.0.1:0", aio.Config{Transport: tr, MaxConns: 1})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			first, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil), Transport: tr,
				Reconnect: &client.Reconnect{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()

			before := goleak.IgnoreCurrent()
			_, err = client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil), Transport: tr, DialTimeout: 20 * time.Second})
			if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, aio.ErrHandshakeTimeout) {
				t.Fatalf("dial to a full server: %v; want the server's close, at once", err)
			}
			goleak.VerifyNone(t, testenv.LeakOptions(before)...)

			// The first client's connection is dropped by the server; it
			// reconnects into a full server (taken by a third client) and
			// is refused again and again, with one loop.
			for _, c := range s.Conns(aio.All()) {
				c.Remove(nil)
			}
			third, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil), Transport: tr})
			for err != nil && ctx.Err() == nil { // the first client may win the race for the place
				time.Sleep(5 * time.Millisecond)
				third, err = client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil), Transport: tr})
			}
			if err != nil {
				t.Fatal(err)
			}
			defer third.Close()
			maxLoops := int32(0)
			deadline := time.Now().Add(300 * time.Millisecond)
			for time.Now().Before(deadline) {
				maxLoops = max(maxLoops, client.DialLoops(first))
				time.Sleep(time.Millisecond)
			}
			if maxLoops > 1 {
				t.Fatalf("%d dial loops at once", maxLoops)
			}
			if rejected := s.Stats().Rejected; rejected < 2 {
				t.Fatalf("rejected %d: the first client did not keep trying", rejected)
			}
		})
	}
}

// TestGaveUpReachesOnBeforeClose: after MaxAttempts, OnBeforeClose hears
// ErrGaveUp, and so do Err and Done.
func TestGaveUpReachesOnBeforeClose(t *testing.T) {
	addr := freeAddr(t)
	s := tcpServer(t, addr, aio.Config{})
	ev := &connEvents{closes: make(chan error, 4)}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, addr, ev.wire(&client.Config{Codec: tcp.New(nil),
		Reconnect: &client.Reconnect{Initial: time.Millisecond, Max: 2 * time.Millisecond, MaxAttempts: 2}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_ = s.Close()
	if r := <-ev.closes; errors.Is(r, client.ErrGaveUp) {
		t.Fatalf("first close already gave up: %v", r)
	}
	if r := <-ev.closes; !errors.Is(r, client.ErrGaveUp) {
		t.Fatalf("second OnBeforeClose %v, want ErrGaveUp", r)
	}
	<-cl.Done()
	if !errors.Is(cl.Err(), client.ErrGaveUp) || cl.State() != client.StateGaveUp {
		t.Fatalf("Err %v state %v", cl.Err(), cl.State())
	}
}

// silentTCPServer completes gotio TCP's handshake, announcing interval ms,
// and then says nothing.
func silentTCPServer(t *testing.T, interval uint64) string {
	t.Helper()
	ln := listenLoopback(t)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { nc.Close() })
			go func() {
				b := make([]byte, 2)
				if _, err := nc.Read(b); err == nil {
					_, _ = nc.Write(tcp.AppendHandshakeAck(nil, interval))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestClientHeartbeatTimeout: against a silent server the user's timeout
// wins over the codec's; zero takes the codec's (twice the announced
// interval); negative disables.
func TestClientHeartbeatTimeout(t *testing.T) {
	cases := []struct {
		name     string
		announce uint64 // ms
		timeout  time.Duration
		closes   bool
	}{
		{"user wins over codec", 60_000, 300 * time.Millisecond, true},
		{"codec when unset", 150, 0, true},
		{"negative disables", 150, -1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := silentTCPServer(t, tc.announce)
			ev := &connEvents{closes: make(chan error, 1)}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cl, err := client.Dial(ctx, addr, ev.wire(&client.Config{Codec: tcp.New(nil), HeartbeatTimeout: tc.timeout}))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			wait := 1500 * time.Millisecond
			select {
			case r := <-ev.closes:
				if !tc.closes || !errors.Is(r, aio.ErrHeartbeatTimeout) {
					t.Fatalf("closed with %v (want a close: %v)", r, tc.closes)
				}
			case <-time.After(wait):
				if tc.closes {
					t.Fatalf("still open after %v against a silent server", wait)
				}
			}
		})
	}
}

// TestRequestFromCallbackFailsFast: a Request from the Handler
// would wait for a response only the same goroutine could read.
func TestRequestFromCallbackFailsFast(t *testing.T) {
	s := tcpServer(t, "127.0.0.1:0", aio.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan error, 1)
	cl, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil), Handler: func(cl *client.Client, m *codec.Message) {
		if m.Route == "echo.ping" {
			_, err := cl.Request(ctx, "from.callback", nil)
			got <- err
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_ = cl.Notify("ping", nil)
	if err := <-got; !errors.Is(err, client.ErrWouldDeadlock) {
		t.Fatalf("Request in a callback: %v, want ErrWouldDeadlock", err)
	}
	// Off the read goroutine, Request works as ever.
	if _, err := cl.Request(ctx, "from.test", []byte(`1`)); err != nil {
		t.Fatal(err)
	}
}

// TestClientTLS dials tls:// against the std transport's TLS listener.
func TestClientTLS(t *testing.T) {
	serverTLS, clientTLS := testenv.TLS(t)
	s := aio.NewServer(&aio.Config{Codec: tcp.New(nil), Transport: aio.TransportStd, Handler: aio.HandlerFunc(aiotest.RPC)})
	ln := listenLoopback(t)
	go func() { _ = s.Serve(tls.NewListener(ln, serverTLS)) }()
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, "tls://"+ln.Addr().String(), &client.Config{Codec: tcp.New(nil), TLS: clientTLS})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := cl.Request(ctx, "over.tls", []byte(`"secret"`))
	if err != nil || string(resp.Body) != `"secret"` {
		t.Fatalf("%v %v", resp, err)
	}
	// An untrusted certificate fails the dial.
	if _, err := client.Dial(ctx, "tls://"+ln.Addr().String(), &client.Config{Codec: tcp.New(nil)}); err == nil {
		t.Fatal("dial trusted a self-signed certificate")
	}
}

var _ = net.Dial

// TestClientDialsWSS: client.Dial reaches a wss:// server (the std
// transport's TLS listener) with Config.TLS.
func TestClientDialsWSS(t *testing.T) {
	serverTLS, clientTLS := testenv.TLS(t)
	s := aio.NewServer(&aio.Config{Codec: ws.New(&ws.Config{Routes: []ws.Route{{Inner: ws.JSON}}}), Transport: aio.TransportStd, Handler: aio.HandlerFunc(aiotest.RPC)})
	ln := listenLoopback(t)
	go func() { _ = s.Serve(tls.NewListener(ln, serverTLS)) }()
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, "", &client.Config{Codec: ws.JSON, TLS: clientTLS,
		WebSocket: &client.WebSocket{URL: "wss://" + ln.Addr().String() + "/", Text: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := cl.Request(ctx, "over.wss", []byte(`{"secret":1}`))
	if err != nil || string(resp.Body) != `{"secret":1}` {
		t.Fatalf("%v %v", resp, err)
	}
}

// TestCloseWithStuckHandler: a Handler that never returns holds the read
// goroutine; Close still returns (after its bounded wait), ends the client
// with ErrClosed and stops the client's endpoint, so once the handler is
// let go no goroutine of the client is left (the leak check of TestMain).
func TestCloseWithStuckHandler(t *testing.T) {
	s := tcpServer(t, "127.0.0.1:0", aio.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	release := make(chan struct{})
	entered := make(chan struct{})
	cl, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil), Handler: func(*client.Client, *codec.Message) {
		close(entered)
		<-release
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Notify("stuck", nil); err != nil { // the server pushes it back: the Handler blocks
		t.Fatal(err)
	}
	<-entered
	closed := make(chan struct{})
	go func() { _ = cl.Close(); close(closed) }()
	select {
	case <-closed:
	case <-ctx.Done():
		t.Fatal("Close did not return while the Handler was stuck")
	}
	if err := cl.Err(); !errors.Is(err, aio.ErrClosed) || cl.State() != client.StateClosed {
		t.Fatalf("after Close: %v, %v", err, cl.State())
	}
	close(release)
}
