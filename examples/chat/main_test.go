package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

const wait = 20 * time.Second

func mustStart(t *testing.T, args ...string) *process {
	t.Helper()
	o, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	p, err := start(ctx, o, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return p
}

// chatter joins name in r1 and collects its onChat messages.
type chatter struct {
	*chatclient.Client
	mu   sync.Mutex
	msgs []string
}

func joinRoom(t *testing.T, gate string, proto chatclient.Proto, name string) *chatter {
	t.Helper()
	c := &chatter{}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cl, err := chatclient.Join(ctx, chatclient.Config{Gate: gate, Proto: proto, Name: name, Room: "r1",
		OnPush: func(route string, body []byte) {
			var b struct{ From, Msg string }
			if route == chatserver.RouteOnChat && json.Unmarshal(body, &b) == nil {
				c.mu.Lock()
				c.msgs = append(c.msgs, b.From+": "+b.Msg)
				c.mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatalf("%s joins: %v", name, err)
	}
	t.Cleanup(func() { cl.Close() })
	c.Client = cl
	return c
}

func (c *chatter) waitMsg(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		ok := slices.Contains(c.msgs, want)
		c.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("never received %q", want)
}

// TestAllInOne runs what `go run ./examples/chat` runs — gate, three
// connectors, web, embedded NATS — on ephemeral ports.
func TestAllInOne(t *testing.T) {
	p := mustStart(t, "-gate", "127.0.0.1:0", "-connectors", "127.0.0.1:0,127.0.0.1:0,127.0.0.1:0", "-web", "127.0.0.1:0")
	if p.nats == nil {
		t.Fatal("no embedded NATS server")
	}
	var out bytes.Buffer
	p.describe(&out)
	for _, want := range []string{"http://" + p.app.WebAddr() + "/", p.app.GateAddr(), "connector-server-3", "(embedded)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("description lacks %q:\n%s", want, out.String())
		}
	}
	alice := joinRoom(t, p.app.GateAddr(), chatclient.PomeloWS, "alice")
	grace := joinRoom(t, p.app.GateAddr(), chatclient.TCP, "grace")
	if alice.Addr() == grace.Addr() {
		t.Fatalf("alice and grace share connector %s", alice.Addr())
	}
	if err := grace.Send(context.Background(), "*", "hi"); err != nil {
		t.Fatal(err)
	}
	alice.waitMsg(t, "grace: hi")

	// The page and the metrics are served.
	for path, want := range map[string]string{"/": "pomelo.js", "/metrics": `gotio_connections_active{protocol="pomelo-ws",server="connector-server-3"} 1`} {
		resp, err := http.Get("http://" + p.app.WebAddr() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
			t.Errorf("GET %s: %s, body lacks %q:\n%s", path, resp.Status, want, body)
		}
	}
}

// TestRoles runs each role as main would in its own process: two
// connectors (the first also runs the NATS server), a gate and a web
// server, which find each other by address only.
func TestRoles(t *testing.T) {
	var addrs []string
	url := ""
	for i := range 2 {
		args := []string{"-role", "connector", "-index", strconv.Itoa(i), "-connectors", "127.0.0.1:0,127.0.0.1:0"}
		if i == 0 {
			args = append(args, "-nats-listen", "127.0.0.1:0")
		} else {
			args = append(args, "-nats", url)
		}
		c := mustStart(t, args...)
		if i == 0 {
			url = c.nats.URL
		}
		if c.app.GateAddr() != "" || c.app.WebAddr() != "" || len(c.app.Connectors()) != 1 {
			t.Fatalf("connector process runs more than a connector")
		}
		if id := c.app.Connectors()[0].ID(); id != "connector-server-"+strconv.Itoa(i+1) {
			t.Fatalf("connector %d is %s", i, id)
		}
		addrs = append(addrs, c.app.ConnectorAddrs()[0])
	}
	gate := mustStart(t, "-role", "gate", "-gate", "127.0.0.1:0", "-connectors", strings.Join(addrs, ","))
	web := mustStart(t, "-role", "web", "-web", "127.0.0.1:0", "-gate", gate.app.GateAddr())

	// With two connectors, crc32 puts alice on the second and bob on
	// the first: the room spans processes.
	alice := joinRoom(t, gate.app.GateAddr(), chatclient.WS, "alice")
	bob := joinRoom(t, gate.app.GateAddr(), chatclient.PomeloTCP, "bob")
	if alice.Addr() != addrs[chatserver.Dispatch("alice", 2)] || bob.Addr() != addrs[chatserver.Dispatch("bob", 2)] || alice.Addr() == bob.Addr() {
		t.Fatalf("alice on %s, bob on %s, connectors %v", alice.Addr(), bob.Addr(), addrs)
	}
	if got := bob.Users(); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Fatalf("bob sees %v", got)
	}
	if err := alice.Send(context.Background(), "bob", "psst"); err != nil {
		t.Fatal(err)
	}
	bob.waitMsg(t, "alice: psst")

	// Each connector's port answers /metrics for itself, and nothing else
	// over plain HTTP.
	for path, status := range map[string]int{"/metrics": 200, "/": 404} {
		resp, err := http.Get("http://" + addrs[0] + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status || (status == 200 && !bytes.Contains(body, []byte("gotio_connections_accepted_total"))) {
			t.Errorf("GET %s on a connector: %s\n%s", path, resp.Status, body)
		}
	}

	resp, err := http.Get("http://" + web.app.WebAddr() + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var conf struct {
		Gate struct {
			Host string
			Port int
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&conf); err != nil {
		t.Fatal(err)
	}
	if got := conf.Gate.Host + ":" + strconv.Itoa(conf.Gate.Port); got != gate.app.GateAddr() {
		t.Fatalf("the page is told the gate is %s, want %s", got, gate.app.GateAddr())
	}
}

// TestFlagErrors checks the combinations main refuses.
func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-role", "nope"},
		{"-role", "connector", "-index", "3"},
		{"-role", "connector", "-connectors", "127.0.0.1:0"},
		{"-role", "gate", "-nats", "local"},
		{"-connectors", ""},
	} {
		o, err := parseFlags(args, io.Discard)
		if err == nil {
			var p *process
			if p, err = start(context.Background(), o, zerolog.Nop()); err == nil {
				_ = p.shutdown(context.Background())
			}
		}
		if err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
