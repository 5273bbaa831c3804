package hello_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/examples/helloworld/hello"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

func start(t *testing.T) *aio.Server {
	s := hello.NewServer(zerolog.Nop())
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s
}

func TestTCPClient(t *testing.T) {
	s := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: tcp.New(nil)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Request(ctx, "hello", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "received: hello" {
		t.Fatalf("reply %q", resp.Body)
	}
}

func TestWebSocketWithGorilla(t *testing.T) {
	s := start(t)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+s.Addr().String()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, kind := range []int{websocket.TextMessage, websocket.BinaryMessage} {
		if err := ws.WriteMessage(kind, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		got, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if got != kind || string(b) != "received: hello" {
			t.Fatalf("reply kind %d %q", got, b)
		}
	}
}

// TestBrowser loads the page in a real headless chromium: it says hello
// on load, as the README says, then sends a text and sees the reply.
func TestBrowser(t *testing.T) {
	testenv.RequireChromium(t)
	s := start(t)
	shot := filepath.Join(testenv.ArtifactDir(t), "helloworld.png")
	out := testenv.Node(t, 90*time.Second, "testdata/page.js", "http://"+s.Addr().String()+"/", "hello from chromium", shot)
	if got, want := strings.TrimSpace(string(out)), "received: hello\nreceived: hello from chromium"; got != want {
		t.Fatalf("page showed %q, want %q", got, want)
	}
}

// TestSilentPageStaysConnected: a page that sends nothing after its hello
// stays connected across three heartbeat timeouts, because the server
// pings it; the pings show in /metrics.
func TestSilentPageStaysConnected(t *testing.T) {
	testenv.RequireChromium(t)
	const heartbeat = 600 * time.Millisecond
	s := hello.NewServerWith(zerolog.Nop(), heartbeat)
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := testenv.Node(t, 90*time.Second, "testdata/silent.js", "http://"+s.Addr().String()+"/", strconv.Itoa(int(3*heartbeat/time.Millisecond)+300))
	if got, want := strings.Fields(string(out)), []string{"connected", "1"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("page after three heartbeat timeouts: %q, want %q", got, want)
	}
	if st := s.Stats(); st.HeartbeatTimeouts != 0 || st.Pings < 3 {
		t.Fatalf("heartbeat timeouts %d, pings %d; want 0 and at least 3", st.HeartbeatTimeouts, st.Pings)
	}
	resp, err := http.Get("http://" + s.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !regexp.MustCompile(`(?m)^gotio_pings_total [1-9]`).Match(body) {
		t.Fatalf("/metrics shows no pings:\n%s", body)
	}
}
