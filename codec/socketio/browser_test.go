package socketio_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
	ws "github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/testenv"
)

// browserPage uses socket.io-client from the port's own /js/ path: its
// defaults, or WebSocket only with ?ws.
const browserPage = `<!doctype html><meta charset="utf-8"><pre id="log"></pre>
<script src="/js/socket.io.min.js"></script><script>
const log = (s) => { document.getElementById('log').textContent += s + '\n'; };
const opts = { auth: { token: 'good' }, reconnection: false };
if (location.search.includes('ws')) opts.transports = ['websocket'];
const s = io(opts);
let pings = 0, chat = false, upgraded = location.search.includes('ws');
const check = () => { if (chat && pings >= 2 && upgraded) log('all done'); };
s.io.on('ping', () => { pings++; check(); });
s.io.on('open', () => {
  log('open ' + s.io.engine.transport.name);
  s.io.engine.on('upgrade', (t) => { log('upgrade ' + t.name); upgraded = true; check(); });
});
s.on('connect_error', (e) => log('connect_error ' + e.message));
s.on('onChat', (m) => { log('onChat ' + JSON.stringify(m)); s.emit('say', { text: 'hi from chromium' }); chat = true; check(); });
s.on('connect', async () => {
  log('echo ' + JSON.stringify(await s.timeout(5000).emitWithAck('echo', { a: 1 })));
  const b = await s.timeout(5000).emitWithAck('bin', new Uint8Array([1, 2, 3]));
  log('bin ' + Array.from(new Uint8Array(b)).join(','));
  log('join ' + JSON.stringify(await s.timeout(5000).emitWithAck('join', 'r1')));
});
</script>`

// TestSocketIOBrowser loads a page using socket.io-client in headless
// chromium, with the client's defaults and WebSocket-only, on the port
// that serves the page, the script, socket.io and gotio TCP: an emit with
// an ack, binary both ways, a room shared with a gotio TCP client (both
// directions), pings, and the upgrade.
func TestSocketIOBrowser(t *testing.T) {
	testenv.RequireChromium(t)
	script, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "node_modules/socket.io-client/dist/socket.io.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(browserPage))
	})
	mux.HandleFunc("GET /js/socket.io.min.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write(script)
	})
	srv, app := newSIOServer(t, "127.0.0.1:0", ws.New(&ws.Config{HTTP: mux, MaxBodyBytes: -1}))
	defer srv.Close()
	addr := srv.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	said := make(chan string, 4)
	cl, err := client.Dial(ctx, addr, &client.Config{Codec: tcp.New(nil), Handler: func(_ *client.Client, m *codec.Message) {
		if m.Route == "onSay" {
			said <- string(m.Body)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Request(ctx, "join", []byte(`"r1"`)); err != nil {
		t.Fatal(err)
	}
	<-app.joined
	for _, mode := range []string{"", "?ws"} {
		go func() {
			select {
			case <-app.joined:
				_ = cl.Notify("chat", []byte(`{"text":"hi from tcp"}`))
			case <-time.After(20 * time.Second):
			}
		}()
		log := string(testenv.Node(t, 40*time.Second, "testdata/browser.js", "http://"+addr+"/"+mode))
		t.Logf("%s:\n%s", mode, log)
		open := "open polling"
		if mode != "" {
			open = "open websocket"
		}
		for _, want := range []string{open, `echo {"a":1}`, "bin 3,2,1", `join {"ok":true}`, `onChat {"text":"hi from tcp"}`, "all done"} {
			if !strings.Contains(log, want+"\n") {
				t.Errorf("%q: page log lacks %q", mode, want)
			}
		}
		if mode == "" && !strings.Contains(log, "upgrade websocket") {
			t.Errorf("no upgrade in the browser")
		}
		select {
		case got := <-said:
			if got != `{"text":"hi from chromium"}` {
				t.Errorf("TCP member got %s", got)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%q: the page's message did not reach the TCP member", mode)
		}
	}
}
