package hybrid_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/codec/tcp"
	ws "github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/testenv"
)

const onePortPage = `<!doctype html><meta charset="utf-8"><pre id="log"></pre><script>
const s = new WebSocket('ws://' + location.host + '/');
s.onopen = () => s.send('join browser');
s.onmessage = (ev) => { document.getElementById('log').textContent += ev.data + '\n'; };
</script>`

// TestOnePortFourClients serves gotio TCP, pomelo TCP, WebSocket and a page
// on one port, and has a client of each kind — a real headless chromium
// among them — join one group and receive one broadcast, each in its own
// wire format.
func TestOnePortFourClients(t *testing.T) {
	testenv.RequireChromium(t)
	pomeloTCP := pomelo.New(&pomelo.Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(onePortPage))
	})
	var mu sync.Mutex
	joined := map[string]string{} // name → protocol
	srv := aio.NewServer(&aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			TCP:       tcp.New(nil),
			PomeloTCP: pomeloTCP,
			HTTP:      ws.New(&ws.Config{HTTP: mux}),
		}),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			name, ok := strings.CutPrefix(strings.Trim(string(m.Body), `"`), "join ")
			if !ok {
				return
			}
			_ = c.BindGroup("room")
			mu.Lock()
			joined[name] = c.Protocol()
			mu.Unlock()
			if m.Kind == codec.Request {
				_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: []byte(`{"code":200}`)})
			}
		}),
	})
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr := srv.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// gotio TCP and pomelo TCP through aio's client.
	got := make(chan string, 4)
	for _, cc := range []struct {
		name  string
		codec codec.Codec
	}{{"tcp", tcp.New(nil)}, {"pomelo", pomeloTCP}} {
		name := cc.name
		cl, err := client.Dial(ctx, addr, &client.Config{Codec: cc.codec, Handler: func(_ *client.Client, m *codec.Message) {
			if m.Route == "onChat" {
				got <- name + " " + string(m.Body)
			}
		}})
		if err != nil {
			t.Fatalf("%s: %v", cc.name, err)
		}
		defer cl.Close()
		if _, err := cl.Request(ctx, "room.join", []byte(`"join `+name+`"`)); err != nil {
			t.Fatalf("%s join: %v", name, err)
		}
	}
	// A WebSocket library that is not ours.
	wc, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer wc.Close()
	if err := wc.WriteMessage(websocket.TextMessage, []byte("join gorilla")); err != nil {
		t.Fatal(err)
	}
	go func() {
		_, b, err := wc.ReadMessage()
		if err == nil {
			got <- "gorilla " + string(b)
		}
	}()
	// A browser, loading the page from the same port.
	cmd, stdout, stderr := testenv.NodeCommand(t, "testdata/oneport.js", "http://"+addr+"/")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	browserDone := make(chan error, 1)
	go func() { browserDone <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()

	for srv.Count(aio.Group("room")) < 4 {
		select {
		case err := <-browserDone:
			t.Fatalf("browser ended before joining: %v\n%s\n%s", err, stdout, stderr)
		case <-ctx.Done():
			t.Fatalf("only %d joined", srv.Count(aio.Group("room")))
		case <-time.After(10 * time.Millisecond):
		}
	}
	if n, err := srv.SendToGroup("room", &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte(`"hello everyone"`)}); err != nil || n != 4 {
		t.Fatalf("broadcast reached %d", n)
	}
	want := map[string]bool{`tcp "hello everyone"`: true, `pomelo "hello everyone"`: true, `gorilla "hello everyone"`: true}
	for range 3 {
		select {
		case g := <-got:
			if !want[g] {
				t.Fatalf("unexpected delivery %q", g)
			}
			delete(want, g)
		case <-ctx.Done():
			t.Fatalf("missing deliveries: %v", want)
		}
	}
	select {
	case err := <-browserDone:
		if err != nil || !strings.Contains(stdout.String(), `"hello everyone"`) {
			t.Fatalf("browser: %v\n%s\n%s", err, stdout, stderr)
		}
	case <-ctx.Done():
		t.Fatal("browser never saw the broadcast")
	}
	mu.Lock()
	defer mu.Unlock()
	protocols := map[string]string{"tcp": "tcp", "pomelo": "pomelo-tcp", "gorilla": "ws", "browser": "ws"}
	for name, proto := range protocols {
		if joined[name] != proto {
			t.Fatalf("%s joined over %q, want %q (all: %v)", name, joined[name], proto, joined)
		}
	}
}
