package socketio_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/socketio"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/internal/testenv"
)

// sioApp is the application side of the tests: one handler for gotio TCP
// and socket.io clients alike.
type sioApp struct {
	srv     *aio.Server
	mu      sync.Mutex
	joined  chan string // protocol of each member that joined r1
	seen    []string    // routes handled
	connect []string    // bodies of the "connect" notifications
	closes  []string    // protocol and reason of every close, for failure logs
}

// closeLog records every close: a failing test shows why its sessions
// ended.
type closeLog struct {
	app *sioApp
}

func (l closeLog) OnBeforeClose(c *aio.ChannelContext, reason error) {
	l.app.mu.Lock()
	l.app.closes = append(l.app.closes, c.Protocol()+": "+reason.Error())
	l.app.mu.Unlock()
}

func (a *sioApp) closeReasons() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.closes)
}

func (a *sioApp) ServeMessage(c *aio.ChannelContext, m *codec.Message) {
	a.mu.Lock()
	a.seen = append(a.seen, m.Route)
	if m.Route == "connect" {
		a.connect = append(a.connect, string(m.Body))
	}
	a.mu.Unlock()
	reply := func(body []byte, binary bool) {
		_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: body, Binary: binary})
	}
	switch m.Route {
	case "echo", "/admin#echo":
		reply(m.Body, false)
	case "notify":
		_ = c.Send(&codec.Message{Kind: codec.Push, Route: "notified", Body: []byte(`"ok"`)})
		_ = c.Send(&codec.Message{Kind: codec.Push, Route: "binpush", Body: []byte{9, 8}, Binary: true})
	case "bin":
		b := slices.Clone(m.Body)
		slices.Reverse(b)
		reply(b, true)
	case "join":
		var room string
		_ = json.Unmarshal(m.Body, &room)
		_ = c.BindGroup(room)
		if m.Kind == codec.Request {
			reply([]byte(`{"ok":true}`), false)
		}
		a.joined <- c.Protocol()
	case "chat":
		a.srv.SendToGroup("r1", &codec.Message{Kind: codec.Push, Route: "onChat", Body: m.Body}, aio.Exclude(c))
	case "kickme":
		c.Kick("bye")
	case "say":
		a.srv.SendToGroup("r1", &codec.Message{Kind: codec.Push, Route: "onSay", Body: m.Body}, aio.Exclude(c))
	}
}

// newSIOServer serves socket.io at /socket.io/, gotio TCP, and, when
// given, plain HTTP by web, on one hybrid port at addr.
func newSIOServer(t *testing.T, addr string, web ...codec.Codec) (*aio.Server, *sioApp) {
	t.Helper()
	app := &sioApp{joined: make(chan string, 8)}
	eio := socketio.NewServer(&socketio.ServerConfig{
		Namespaces: []string{"/admin"},
		Auth: func(r *socketio.ConnectRequest) error {
			var a struct{ Token string }
			_ = json.Unmarshal(r.Auth, &a)
			if a.Token != "good" {
				return &socketio.AuthError{Message: "not allowed", Data: []byte(`{"reason":"bad token"}`)}
			}
			return nil
		},
	}, &engineio.Config{PingInterval: 300 * time.Millisecond, PingTimeout: time.Second}) // a loaded machine may take a while to pong
	srv := aio.NewServer(&aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			TCP:   tcp.New(nil),
			HTTP:  httpCodec(web),
			Paths: []hybrid.PathRoute{{Prefix: eio.Path(), Codec: eio}},
		}),
		Handler:          app,
		OnBeforeClose:    closeLog{app: app}.OnBeforeClose,
		HandshakeTimeout: 800 * time.Millisecond,
	})
	app.srv = srv
	if err := srv.Listen(addr); err != nil {
		t.Fatal(err)
	}
	return srv, app
}

// line is one JSON line of sioclient.js.
type line map[string]json.RawMessage

func runClient(t *testing.T, url, mode, scenario string) []line {
	t.Helper()
	out := testenv.Node(t, 30*time.Second, "testdata/sioclient.js", url, mode, scenario)
	var lines []line
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 || string(lines[len(lines)-1]["end"]) != `"done"` {
		t.Fatalf("client did not finish:\n%s", out)
	}
	return lines
}

// field returns the last value of key in lines.
func field(lines []line, key string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if v, ok := lines[i][key]; ok {
			return string(v)
		}
	}
	return ""
}

// TestSocketIOClient runs the npm socket.io-client@4 with its defaults and
// WebSocket-only against a gotio server shared with a gotio TCP client:
// auth accepted, an emit with an ack (one and several arguments), one
// without, binary both ways, a room shared with the TCP client (its
// broadcast arrives as an event, the socket.io client's reaches it back),
// and the server's pings answered by the library.
func TestSocketIOClient(t *testing.T) {
	srv, app := newSIOServer(t, "127.0.0.1:0")
	defer srv.Close()
	addr := srv.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	said := make(chan string, 8)
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
	if p := <-app.joined; p != "tcp" {
		t.Fatalf("TCP member joined as %q", p)
	}
	for _, mode := range []string{"polling", "websocket"} {
		t.Run(mode, func(t *testing.T) {
			go func() {
				// Once the socket.io client joined r1, the TCP client talks
				// to the room.
				select {
				case p := <-app.joined:
					if p != "socket.io" {
						t.Errorf("socket.io member joined as %q", p)
					}
					_ = cl.Notify("chat", []byte(`{"text":"hi from tcp"}`))
				case <-time.After(20 * time.Second):
				}
			}()
			lines := runClient(t, "http://"+addr, mode, "basic")
			t.Logf("%s", lines)
			open := `"polling"`
			if mode == "websocket" {
				open = `"websocket"`
			}
			for key, want := range map[string]string{
				"open":      open,
				"echo":      `[{"a":1,"b":"two"}]`,
				"several":   `[[1,"x"]]`,
				"bin":       `["030201"]`,
				"bins":      `[["hex:0102",{"x":"hex:ff"}]]`,
				"join":      `[{"ok":true}]`,
				"transport": `"websocket"`,
			} {
				if got := field(lines, key); got != want {
					t.Errorf("%s: %s, want %s", key, got, want)
				}
			}
			var last struct {
				Pings  int
				Events [][]json.RawMessage
			}
			_ = json.Unmarshal([]byte(`{"pings":`+field(lines, "pings")+`,"events":`+field(lines, "events")+`}`), &last)
			if last.Pings < 2 {
				t.Errorf("pings answered: %d; closes: %q", last.Pings, app.closeReasons())
			}
			var events []string
			for _, e := range last.Events {
				events = append(events, string(e[0])+string(e[1]))
			}
			for _, want := range []string{`"notified"["ok"]`, `"binpush"["hex:0908"]`, `"onChat"[{"text":"hi from tcp"}]`} {
				if !slices.Contains(events, want) {
					t.Errorf("events %q lack %s", events, want)
				}
			}
			select {
			case got := <-said:
				if got != `{"text":"hi from socket.io"}` {
					t.Errorf("TCP member got %s", got)
				}
			case <-time.After(5 * time.Second):
				t.Error("the socket.io client's message did not reach the TCP member")
			}
		})
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if !slices.Contains(app.connect, `{"token":"good"}`) {
		t.Errorf("connect notifications %q lack the auth payload", app.connect)
	}
}

// TestSocketIORefusals: a refused auth and an unknown namespace reach the
// client as connect_error with the server's message (and data); a second
// namespace works with its own routes.
func TestSocketIORefusals(t *testing.T) {
	srv, _ := newSIOServer(t, "127.0.0.1:0")
	defer srv.Close()
	url := "http://" + srv.Addr().String()
	for _, mode := range []string{"polling", "websocket"} {
		if l := runClient(t, url, mode, "refused"); field(l, "connect_error") != `"not allowed"` || field(l, "data") != `{"reason":"bad token"}` {
			t.Errorf("%s: refused auth: %s", mode, l)
		}
		if l := runClient(t, url, mode, "badnsp"); field(l, "connect_error") != `"Invalid namespace"` {
			t.Errorf("%s: unknown namespace: %s", mode, l)
		}
		if l := runClient(t, url, mode, "admin"); field(l, "echo") != `["in admin"]` {
			t.Errorf("%s: /admin: %s", mode, l)
		}
	}
}

// TestSocketIOReconnect: socket.io-client reconnects by itself when the
// server shuts down and another starts on the same port, and the new
// server reaches it.
func TestSocketIOReconnect(t *testing.T) {
	srv, _ := newSIOServer(t, "127.0.0.1:0")
	addr := srv.Addr().String()
	for _, mode := range []string{"polling", "websocket"} {
		t.Run(mode, func(t *testing.T) {
			cmd, _, stderr := testenv.NodeCommand(t, "testdata/sioclient.js", "http://"+addr, mode, "reconnect")
			pr, pw := io.Pipe()
			cmd.Stdout = pw
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait(); pw.Close() }()
			defer func() {
				_ = cmd.Process.Kill()
				<-exited
			}()
			lines := make(chan line, 16)
			go func() {
				sc := bufio.NewScanner(pr)
				for sc.Scan() {
					var l line
					if json.Unmarshal(sc.Bytes(), &l) == nil {
						lines <- l
					}
				}
				close(lines)
			}()
			await := func(key, want string) {
				t.Helper()
				timeout := time.After(10 * time.Second)
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							t.Fatalf("client ended before %s=%s; stderr: %s", key, want, stderr)
						}
						if v, ok := l[key]; ok && (want == "" || string(v) == want) {
							return
						}
					case <-timeout:
						t.Fatalf("no %s=%s", key, want)
					}
				}
			}
			await("connected", "1")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = srv.Shutdown(ctx)
			cancel()
			await("disconnect", "") // "transport close" or "transport error": not "io server disconnect"
			srv, _ = newSIOServer(t, addr)
			await("connected", "2")
			if n, err := srv.SendToAll(&codec.Message{Kind: codec.Push, Route: "stop"}); err != nil || n != 1 {
				t.Errorf("SendToAll reached %d", n)
			}
			await("end", `"done"`)
		})
	}
	_ = srv.Close()
}

// TestSocketIOConnectTimeoutAndMalformed: a session that sends no CONNECT
// is closed by the handshake deadline (socket.io's connect timeout), and
// a malformed socket.io packet closes its session; the server goes on.
func TestSocketIOConnectTimeoutAndMalformed(t *testing.T) {
	srv, _ := newSIOServer(t, "127.0.0.1:0")
	defer srv.Close()
	base := "http://" + srv.Addr().String() + "/socket.io/?EIO=4&transport=polling"
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(url, body string) (int, string) {
		resp, err := http.Post(url, "text/plain;charset=UTF-8", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	_, body := get(base)
	o, err := engineio.ParseOpen([]byte(body[1:]))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for int(srv.Stats().Sessions) > 0 && time.Since(start) < 3*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	if took := time.Since(start); int(srv.Stats().Sessions) != 0 || took < 700*time.Millisecond {
		t.Fatalf("session without CONNECT: %d open after %v", int(srv.Stats().Sessions), took)
	}
	if st, b := get(base + "&sid=" + o.SID); st != 400 || !strings.Contains(b, `"code":1`) {
		t.Errorf("closed session: %d %s", st, b)
	}

	_, body = get(base)
	o, _ = engineio.ParseOpen([]byte(body[1:]))
	if st, b := post(base+"&sid="+o.SID, `40{"token":"good"}`); st != 200 {
		t.Fatalf("CONNECT: %d %s", st, b)
	}
	if _, b := get(base + "&sid=" + o.SID); !strings.HasPrefix(b, `40{"sid":`) {
		t.Fatalf("CONNECT answer %q", b)
	}
	if st, b := post(base+"&sid="+o.SID, `42["x"`); st != 400 {
		t.Errorf("malformed packet: %d %s", st, b)
	}
	if st, _ := get(base + "&sid=" + o.SID); st != 400 {
		t.Errorf("session still open after a malformed packet: %d", st)
	}
	if st, b := get(base); st != 200 || !strings.HasPrefix(b, "0{") {
		t.Errorf("server after: %d %s", st, b)
	}
}

// TestSocketIOKick: a kicked socket.io client hears "io server disconnect"
// (DISCONNECT, then the engine.io close packet) and does not reconnect.
func TestSocketIOKick(t *testing.T) {
	srv, _ := newSIOServer(t, "127.0.0.1:0")
	defer srv.Close()
	for _, mode := range []string{"polling", "websocket"} {
		l := runClient(t, "http://"+srv.Addr().String(), mode, "kick")
		if field(l, "disconnect") != `"io server disconnect"` || field(l, "connects") != "1" {
			t.Errorf("%s: %s", mode, l)
		}
	}
}

func httpCodec(web []codec.Codec) codec.Codec {
	if len(web) == 0 {
		return nil
	}
	return web[0]
}
