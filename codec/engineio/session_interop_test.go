package engineio_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/engineio"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/internal/testenv"
)

// testTimings are short engine.io timings, so that pings and timeouts
// happen within a test.
const (
	testPingInterval = 300 * time.Millisecond
	testPingTimeout  = 300 * time.Millisecond
)

// newEIOServer serves plain engine.io at /engine.io/ and gotio TCP on one
// hybrid port. The handler echoes: text "x" → "echo x", binary reversed;
// "push me" joins group g and gets a push sent to g.
func newEIOServer(t *testing.T, cfg *engineio.Config, handler aio.Handler) *aio.Server {
	t.Helper()
	return newEIOServerWith(t, cfg, handler, nil)
}

func newEIOServerWith(t *testing.T, cfg *engineio.Config, handler aio.Handler, tune func(*aio.Config)) *aio.Server {
	t.Helper()
	if cfg == nil {
		cfg = &engineio.Config{PingInterval: testPingInterval, PingTimeout: testPingTimeout}
	}
	eio := engineio.New(cfg)
	var srv *aio.Server
	if handler == nil {
		handler = aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			switch {
			case m.Binary:
				b := slices.Clone(m.Body)
				slices.Reverse(b)
				_ = c.Send(&codec.Message{Kind: codec.Raw, Body: b, Binary: true})
			case string(m.Body) == "push me":
				_ = c.BindGroup("g")
				srv.SendToGroup("g", &codec.Message{Kind: codec.Push, Route: "onPush", Body: []byte("pushed")})
			default:
				_ = c.Send(&codec.Message{Kind: codec.Raw, Body: append([]byte("echo "), m.Body...)})
			}
		})
	}
	acfg := &aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			TCP:   tcp.New(nil),
			Paths: []hybrid.PathRoute{{Prefix: eio.Path(), Codec: eio}},
		}),
		Handler:          handler,
		HandshakeTimeout: 800 * time.Millisecond, // a wheel tick of 100 ms
	}
	if tune != nil {
		tune(acfg)
	}
	srv = aio.NewServer(acfg)
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

type clientRecord struct {
	SID        string
	Transports []string
	Messages   []string
	Pings      int
	Upgraded   bool
	Errors     []string
	End        string
	Closed     string
}

// TestEngineIOClient runs the npm engine.io-client@6 with its defaults
// (polling, then the upgrade) and WebSocket-only against a gotio server:
// text and binary both ways, a group push, a send after the upgrade, and
// the server's pings answered by the client library.
func TestEngineIOClient(t *testing.T) { testEngineIOClient(t, nil) }

// TestEngineIOClientQueuedStd is TestEngineIOClient with handlers on
// aio's worker pool and the std transport (a goroutine per TCP
// connection).
func TestEngineIOClientQueuedStd(t *testing.T) {
	testEngineIOClient(t, func(c *aio.Config) {
		c.Transport = aio.TransportStd
		c.Workers = 4
	})
}

func testEngineIOClient(t *testing.T, tune func(*aio.Config)) {
	// A loaded machine may take a while to pong: a generous timeout.
	srv := newEIOServerWith(t, &engineio.Config{PingInterval: testPingInterval, PingTimeout: time.Second}, nil, tune)
	url := "http://" + srv.Addr().String()
	for _, mode := range []string{"polling", "websocket"} {
		t.Run(mode, func(t *testing.T) {
			out := testenv.Node(t, 25*time.Second, "testdata/client.js", url, mode, "3")
			var rec clientRecord
			if err := json.Unmarshal(bytes.TrimSpace(out), &rec); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			t.Logf("%+v", rec)
			if rec.End != "done" || len(rec.Errors) > 0 {
				t.Fatalf("client ended %q, errors %v, closed %q", rec.End, rec.Errors, rec.Closed)
			}
			want := []string{"polling", "websocket"}
			if mode == "websocket" {
				want = []string{"websocket"}
			}
			if !slices.Equal(rec.Transports, want) {
				t.Errorf("transports %v, want %v", rec.Transports, want)
			}
			for _, m := range []string{"echo hello", "binary:030201", "pushed", "echo after websocket"} {
				if !slices.Contains(rec.Messages, m) {
					t.Errorf("messages %q lack %q", rec.Messages, m)
				}
			}
			if rec.Pings < 3 {
				t.Errorf("client saw %d pings, want 3", rec.Pings)
			}
			if len(rec.SID) != 20 {
				t.Errorf("sid %q", rec.SID)
			}
		})
	}
	deadline := time.Now().Add(2 * time.Second)
	for int(srv.Stats().Sessions) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := int(srv.Stats().Sessions); n != 0 {
		t.Errorf("%d sessions left after the clients closed", n)
	}
}
