package wsmount_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/aio/wsmount"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

const page = `<!doctype html><title>mount</title><script>
window.msgs = [];
const ws = new WebSocket('wss://' + location.host + '/ws');
ws.onopen = () => { window.wsProtocol = ws.protocol; window.wsExt = ws.extensions; ws.send('join'); };
ws.onmessage = (e) => window.msgs.push(e.data);
</script>`

// room binds a connection that says "join" to the group "room" and
// answers "joined"; anything else is echoed.
func room(c *aio.ChannelContext, m *codec.Message) {
	if string(m.Body) != "join" && m.Route != "join" {
		_ = c.Send(m)
		return
	}
	if err := c.BindGroup("room"); err != nil {
		return
	}
	reply := codec.Message{Kind: codec.Raw, Body: []byte("joined")}
	if m.Kind == codec.Request {
		reply = codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: []byte(`"joined"`)}
	}
	_ = c.Send(&reply)
}

// fixture is one aio server on a native listener (gotio TCP and WebSocket
// on one port) and mounted at /ws of an HTTPS server (HTTP/2 enabled for
// its other routes) beside / and /hello.
type fixture struct {
	srv  *aio.Server
	ts   *httptest.Server
	pool *x509.CertPool
}

func start(t *testing.T, wcfg *websocket.Config) *fixture {
	t.Helper()
	srv := aio.NewServer(&aio.Config{
		Codec:         hybrid.New(&hybrid.Config{TCP: tcp.New(nil), HTTP: websocket.New(wcfg)}),
		Handler:       aio.HandlerFunc(room),
		MaxConnsPerIP: 100,
	})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", wsmount.Handler(srv))
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello from net/http") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, page)
	})
	ts := httptest.NewUnstartedServer(mux)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx) // closes the mounted connections too
		ts.Close()
	})
	return &fixture{srv: srv, ts: ts, pool: pool}
}

func (f *fixture) wss() string { return "wss://" + f.ts.Listener.Addr().String() + "/ws" }

func (f *fixture) dialMounted(t *testing.T, compress bool) (*gorilla.Conn, *http.Response) {
	t.Helper()
	d := gorilla.Dialer{HandshakeTimeout: 5 * time.Second, TLSClientConfig: &tls.Config{RootCAs: f.pool}, EnableCompression: compress}
	conn, resp, err := d.Dial(f.wss(), nil)
	if err != nil {
		t.Fatalf("dial %s: %v", f.wss(), err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, resp
}

func join(t *testing.T, conn *gorilla.Conn) {
	t.Helper()
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := conn.WriteMessage(gorilla.TextMessage, []byte("join")); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, conn); got != "joined" {
		t.Fatalf("join answered %q", got)
	}
}

func readText(t *testing.T, conn *gorilla.Conn) string {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

// noMore checks that nothing else arrives on conn for a moment.
func noMore(t *testing.T, conn *gorilla.Conn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, b, err := conn.ReadMessage(); err == nil {
		t.Fatalf("a second message arrived: %q", b)
	}
}

// TestMountedBesideNative connects gorilla and headless Chromium through
// https:// (wss://) to the handler mounted at /ws, gorilla and a gotio TCP
// client to the server's native listener; all four join one group and
// each receives the one broadcast once.
func TestMountedBesideNative(t *testing.T) {
	testenv.RequireChromium(t)
	f := start(t, nil)

	// net/http keeps serving its other routes, over HTTP/2.
	resp, err := f.ts.Client().Get(f.ts.URL + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello from net/http" || resp.ProtoMajor != 2 {
		t.Fatalf("/hello: %s %q", resp.Proto, body)
	}

	mounted, _ := f.dialMounted(t, false)
	join(t, mounted)
	native, resp2, err := gorilla.DefaultDialer.Dial("ws://"+f.srv.Addr().String()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	defer native.Close()
	join(t, native)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pushes := make(chan string, 4)
	cl, err := client.Dial(ctx, f.srv.Addr().String(), &client.Config{Codec: tcp.New(nil), Handler: func(_ *client.Client, m *codec.Message) {
		if m.Route == "news" {
			pushes <- string(m.Body)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if r, err := cl.Request(ctx, "join", nil); err != nil || string(r.Body) != `"joined"` {
		t.Fatalf("tcp join: %v %v", r, err)
	}

	cmd, stdout, stderr := testenv.NodeCommand(t, "testdata/browser_mount.js", f.ts.URL+"/")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for f.srv.Count(aio.Group("room")) < 4 {
		select {
		case err := <-done:
			t.Fatalf("browser ended before joining: %v\n%s\n%s", err, stdout, stderr)
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("browser did not join: %s", stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if n, err := f.srv.SendToGroup("room", &codec.Message{Kind: codec.Push, Route: "news", Body: []byte(`"hello all"`)}); err != nil || n != 4 {
		t.Fatalf("broadcast reached %d connections, want 4", n)
	}
	for _, c := range []*gorilla.Conn{mounted, native} {
		if got := readText(t, c); got != `"hello all"` {
			t.Fatalf("broadcast arrived as %q", got)
		}
	}
	select {
	case got := <-pushes:
		if got != `"hello all"` {
			t.Fatalf("tcp push %q", got)
		}
	case <-ctx.Done():
		t.Fatal("no push on the gotio TCP client")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("browser: %v\n%s", err, stderr)
		}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("browser timed out: %s", stderr)
	}
	var out struct {
		Msgs     []string
		Protocol string
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("browser output %q: %v", stdout, err)
	}
	if len(out.Msgs) != 2 || out.Msgs[0] != "joined" || out.Msgs[1] != `"hello all"` {
		t.Fatalf("browser received %q, want joined and one broadcast", out.Msgs)
	}
	noMore(t, mounted)
	noMore(t, native)
	select {
	case got := <-pushes:
		t.Fatalf("a second push: %q", got)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestMountRefusals checks the answers given without hijacking, and that
// the codec's own refusals reach the client through the mount.
func TestMountRefusals(t *testing.T) {
	f := start(t, &websocket.Config{CheckOrigin: func(r *websocket.Request) bool { return r.Origin != "https://evil.example" }})
	url := f.ts.URL + "/ws"

	// HTTP/2 (ts.Client negotiates it): not hijackable, 505.
	resp, err := f.ts.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusHTTPVersionNotSupported {
		t.Fatalf("HTTP/2 GET: %s %s", resp.Proto, resp.Status)
	}

	// HTTP/1.1 without an upgrade: 400.
	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.pool}}}
	defer h1.CloseIdleConnections()
	resp, err = h1.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 1 || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("plain GET: %s %s", resp.Proto, resp.Status)
	}

	// An upgrade the codec refuses (its origin check): 403 from gotio.
	d := gorilla.Dialer{HandshakeTimeout: 5 * time.Second, TLSClientConfig: &tls.Config{RootCAs: f.pool}}
	_, resp, err = d.Dial(f.wss(), http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("evil origin: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestMountNegotiatesAndReplays checks that the codec's deflate
// negotiation runs through the mount, and that bytes the client sent
// right behind its request (buffered by net/http) are not lost.
func TestMountNegotiatesAndReplays(t *testing.T) {
	f := start(t, &websocket.Config{Deflate: &websocket.Deflate{}})
	conn, resp := f.dialMounted(t, true)
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
		t.Fatalf("no deflate through the mount: %q", ext)
	}
	big := strings.Repeat("deflate through the mount ", 100)
	if err := conn.WriteMessage(gorilla.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, conn); got != big {
		t.Fatalf("echo of %d bytes differs", len(big))
	}

	// The request and a first frame in one write.
	tc, err := tls.Dial("tcp", f.ts.Listener.Addr().String(), &tls.Config{RootCAs: f.pool, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
	req := "GET /ws HTTP/1.1\r\nHost: " + f.ts.Listener.Addr().String() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	frame := []byte{0x81, 0x85, 1, 2, 3, 4}
	for i, c := range []byte("early") {
		frame = append(frame, c^[]byte{1, 2, 3, 4}[i%4])
	}
	if _, err := tc.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(tc)
	r, err := http.ReadResponse(br, nil)
	if err != nil || r.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", r, err)
	}
	if r.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("accept %q", r.Header.Get("Sec-WebSocket-Accept"))
	}
	got := make([]byte, 7)
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "\x81\x05early" {
		t.Fatalf("echo of the early frame: %q %v", got, err)
	}
}
