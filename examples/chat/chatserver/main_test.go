package chatserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

// wait is the hang guard of every wait in these tests: generous, never a
// timing assertion.
const wait = 20 * time.Second

// buses are the two ways connectors meet: in process, and over NATS
// (an embedded server, a client per connector).
var buses = []string{"local", "nats"}

// startApp runs gate, three connectors and web on ephemeral ports.
func startApp(t *testing.T, bus string, tweak func(*chatserver.Config)) *chatserver.App {
	t.Helper()
	cfg := chatserver.Config{
		Gate:       "127.0.0.1:0",
		Connectors: []string{"127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"},
		Web:        "127.0.0.1:0",
		Logger:     zerolog.Nop(),
	}
	if bus == "nats" {
		e, err := cluster.StartEmbedded(cluster.EmbeddedConfig{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Shutdown) // runs after the app's cleanup below
		cfg.NATS = e.URL
	}
	if tweak != nil {
		tweak(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	app, err := chatserver.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return app
}

// push is one push a test client received.
type push struct {
	Route  string
	User   string `json:"user"`
	Msg    string `json:"msg"`
	From   string `json:"from"`
	Target string `json:"target"`
}

// inbox collects a client's pushes.
type inbox struct {
	name string
	mu   sync.Mutex
	got  []push
	more chan struct{}
}

func newInbox(name string) *inbox { return &inbox{name: name, more: make(chan struct{}, 1)} }

func (in *inbox) add(route string, body []byte) {
	p := push{Route: route}
	if err := json.Unmarshal(body, &p); err != nil {
		p.Msg = fmt.Sprintf("undecodable body %q: %v", body, err)
	}
	in.mu.Lock()
	in.got = append(in.got, p)
	in.mu.Unlock()
	select {
	case in.more <- struct{}{}:
	default:
	}
}

func (in *inbox) snapshot() []push {
	in.mu.Lock()
	defer in.mu.Unlock()
	return slices.Clone(in.got)
}

// await waits until the inbox holds a push matching want; false after
// the hang guard. Any goroutine may call it.
func (in *inbox) await(want func(push) bool) (push, bool) {
	deadline := time.After(wait)
	for {
		for _, p := range in.snapshot() {
			if want(p) {
				return p, true
			}
		}
		select {
		case <-in.more:
		case <-deadline:
			return push{}, false
		}
	}
}

// waitFor is await on the test's goroutine, failing the test.
func (in *inbox) waitFor(t *testing.T, what string, want func(push) bool) push {
	t.Helper()
	p, ok := in.await(want)
	if !ok {
		t.Fatalf("%s never received %s; got %+v", in.name, what, in.snapshot())
	}
	return p
}

func (in *inbox) count(want func(push) bool) int {
	n := 0
	for _, p := range in.snapshot() {
		if want(p) {
			n++
		}
	}
	return n
}

func isPush(route, user string) func(push) bool {
	return func(p push) bool { return p.Route == route && p.User == user }
}

func isChat(from, target, msg string) func(push) bool {
	return func(p push) bool {
		return p.Route == chatserver.RouteOnChat && p.From == from && p.Target == target && p.Msg == msg
	}
}

// member is a test user joined through chatclient.
type member struct {
	*chatclient.Client
	in *inbox
}

func join(t *testing.T, gate string, proto chatclient.Proto, name, room string) (*member, error) {
	t.Helper()
	in := newInbox(name)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := chatclient.Join(ctx, chatclient.Config{Gate: gate, Proto: proto, Name: name, Room: room, OnPush: in.add})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return &member{Client: c, in: in}, nil
}

func mustJoin(t *testing.T, gate string, proto chatclient.Proto, name, room string) *member {
	t.Helper()
	m, err := join(t, gate, proto, name, room)
	if err != nil {
		t.Fatalf("%s joins over %s: %v", name, proto, err)
	}
	return m
}

func (m *member) send(t *testing.T, target, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := m.Send(ctx, target, text); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// TestFourProtocols is the chat end to end: four clients, one per
// protocol, join one room through the gate, see each other arrive, chat
// to the room and in private, meet a duplicate login and see one leave —
// with connectors on one in-process bus, and on NATS.
func TestFourProtocols(t *testing.T) {
	for _, bus := range buses {
		t.Run(bus, func(t *testing.T) {
			app := startApp(t, bus, nil)
			gate := app.GateAddr()
			const room = "r1"
			// crc32 puts alice and bob on one connector, eve and grace on
			// the two others: the room spans all three.
			names := []string{"alice", "eve", "grace", "bob"}
			var ms []*member
			for i, proto := range chatclient.Protos {
				m := mustJoin(t, gate, proto, names[i], room)
				// enter's reply lists everyone in the room, newcomer included.
				if got, want := m.Users(), names[:i+1]; !slices.Equal(got, want) {
					t.Fatalf("%s (%s) got users %v, want %v", names[i], proto, got, want)
				}
				ms = append(ms, m)
			}
			// Each hears of everyone who came after it.
			for i, m := range ms {
				for _, later := range names[i+1:] {
					m.in.waitFor(t, "onAdd "+later, isPush(chatserver.RouteOnAdd, later))
				}
				if n := m.in.count(isPush(chatserver.RouteOnAdd, names[i])); n != 0 {
					t.Errorf("%s heard of its own arrival %d times", names[i], n)
				}
			}
			used := map[string]bool{}
			for _, m := range ms {
				used[m.Addr()] = true
			}
			if len(used) != 3 {
				t.Fatalf("the room uses %d connectors, want 3", len(used))
			}

			// Everyone says something to the room; everyone hears all of it.
			for i, m := range ms {
				m.send(t, "*", "hello from "+names[i])
			}
			for _, m := range ms {
				for _, from := range names {
					m.in.waitFor(t, "onChat from "+from, isChat(from, "*", "hello from "+from))
				}
			}

			// eve whispers to bob, on another connector; a broadcast
			// follows as a marker.
			ms[1].send(t, "bob", "secret")
			ms[1].send(t, "*", "marker")
			ms[3].in.waitFor(t, "the private message", isChat("eve", "bob", "secret"))
			for _, m := range ms {
				m.in.waitFor(t, "the marker", isChat("eve", "*", "marker"))
			}
			// A private message to nobody in the room is refused.
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			if err := ms[0].Send(ctx, "mallory", "psst"); err == nil {
				t.Fatal("a private message to a stranger was accepted")
			}

			// A second "bob" in r1 is refused, through the gate and also
			// on the connectors that do not hold bob.
			if _, err := join(t, gate, chatclient.WS, "bob", room); !errors.Is(err, chatclient.ErrNameTaken) {
				t.Fatalf("duplicate bob through the gate: %v, want ErrNameTaken", err)
			}
			for _, addr := range app.ConnectorAddrs() {
				enterDirect(t, addr, "bob", room, true)
			}
			// The same name in another room is someone else.
			other := mustJoin(t, gate, chatclient.PomeloTCP, "bob", "r2")
			if got := other.Users(); !slices.Equal(got, []string{"bob"}) {
				t.Fatalf("bob in r2 sees %v", got)
			}

			// grace leaves; the others hear it.
			ms[2].Close()
			for _, i := range []int{0, 1, 3} {
				ms[i].in.waitFor(t, "onLeave grace", isPush(chatserver.RouteOnLeave, "grace"))
			}
			// Private stayed private, r2 stayed apart.
			for i, m := range ms {
				if n := m.in.count(func(p push) bool { return p.Msg == "secret" }); n != map[bool]int{true: 1, false: 0}[i == 3] {
					t.Errorf("%s received the private message %d times", names[i], n)
				}
			}
			if n := other.in.count(func(push) bool { return true }); n != 0 {
				t.Errorf("bob in r2 received pushes of r1: %+v", other.in.snapshot())
			}
			// /metrics counts every protocol's connections and messages,
			// over the gate and the three connectors.
			for _, metric := range []string{"gotio_connections_accepted_total", "gotio_messages_received_total", "gotio_messages_sent_total"} {
				counts := protocolCounts(t, app, metric)
				for _, proto := range chatclient.Protos {
					if counts[string(proto)] < 1 {
						t.Errorf("%s{protocol=%q} is %v", metric, proto, counts[string(proto)])
					}
				}
			}
			resp, err := http.Get("http://" + app.WebAddr() + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			text, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := `gotio_connections_accepted_total{protocol="pomelo-ws",server="connector-server-`; !strings.Contains(string(text), want) {
				t.Errorf("/metrics lacks %s…:\n%s", want, text)
			}

			// After leaving, grace's name is free again.
			back := mustJoin(t, gate, chatclient.TCP, "grace", room)
			if got, want := back.Users(), []string{"alice", "eve", "bob", "grace"}; !slices.Equal(got, want) {
				t.Fatalf("grace back sees %v, want %v", got, want)
			}
		})
	}
}

// enterDirect enters name in room on the connector at addr, skipping the
// gate, and checks whether it is refused as a duplicate.
func enterDirect(t *testing.T, addr, name, room string, wantTaken bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := chatclient.Dial(ctx, addr, chatclient.TCP, nil, nil, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Request(ctx, chatserver.RouteEnter, []byte(fmt.Sprintf(`{"username":%q,"rid":%q}`, name, room)))
	if err != nil {
		t.Fatal(err)
	}
	taken := string(resp.Body) == `{"code":500,"error":true}`
	if taken != wantTaken {
		t.Fatalf("enter %s in %s on %s answered %s, want taken=%v", name, room, addr, resp.Body, wantTaken)
	}
}
