package pomelo_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/pomelo"
	"github.com/gotio/gotio/internal/testenv"
)

// syncBuffer is a log sink safe for aio's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMinClientVersionSocket: over real TCP, a pomelo-protocol client
// reporting an old version gets {"code":501} and a clean close (FIN, no
// reset); a current one is accepted. The server logs and counts the
// refusal.
func TestMinClientVersionSocket(t *testing.T) {
	c := pomelo.New(&pomelo.Config{MinClientVersion: map[string]string{"js-websocket": "0.1.0"}})
	var logs syncBuffer
	h := &chat{}
	s := aio.NewServer(&aio.Config{Codec: c, Handler: h, OnBeforeClose: listener{h: h}.OnBeforeClose, Logger: zerolog.New(&logs)})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	addr := s.Addr().String()

	run := func(version string) string {
		return string(testenv.Node(t, 20*time.Second, "testdata/oldclient.js", addr, "js-websocket", version))
	}
	if out := run("0.0.1"); out != "code=501 keys=code\nend\nclosed hadError=false\n" {
		t.Fatalf("old client saw:\n%s", out)
	}
	if out := run("0.1.1"); !strings.HasPrefix(out, "code=200 keys=code,sys\n") {
		t.Fatalf("current client saw:\n%s", out)
	}

	waitFor(t, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.reasons) == 2
	})
	if n := c.OldClients(); n != 1 {
		t.Errorf("OldClients = %d, want 1", n)
	}
	h.mu.Lock()
	old := 0
	for _, r := range h.reasons {
		if errors.Is(r, pomelo.ErrOldClient) {
			old++
			if !errors.Is(r, codec.ErrProtocol) {
				t.Errorf("close reason %v is not a protocol error", r)
			}
		}
	}
	h.mu.Unlock()
	if old != 1 {
		t.Errorf("%d closes for old clients, want 1", old)
	}
	if n := s.Stats().CloseReasons["protocol_error"]; n != 1 {
		t.Errorf("protocol_error closes counted: %d", n)
	}
	waitFor(t, func() bool { return strings.Count(logs.String(), "client too old") == 1 })
	if !strings.Contains(logs.String(), `js-websocket \"0.0.1\", minimum \"0.1.0\"`) {
		t.Errorf("log lacks the client's version:\n%s", logs.String())
	}
}
