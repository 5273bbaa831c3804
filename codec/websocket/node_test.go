package websocket_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/codec/websocket"
	"github.com/gotio/gotio/internal/testenv"
)

// TestNodeWS runs testdata/ws_client.js, the npm ws package as a client,
// against a real aio.Server, with compression off, without and with the
// client's compression context, and with the server's window limited.
func TestNodeWS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is required for the interop test: ", err)
	}
	root := testenv.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "node_modules", "ws")); err != nil {
		t.Fatal("npm ws is required (npm ci at the repo root): ", err)
	}
	// Reading the script makes go test's cache notice when it changes.
	script := filepath.Join("testdata", "ws_client.js")
	if b, err := os.ReadFile(script); err != nil || len(b) == 0 {
		t.Fatal("ws_client.js: ", err)
	}
	s := startServer(t, "", &websocket.Config{
		Deflate: &websocket.Deflate{ClientContext: true},
	})
	for _, mode := range []string{"plain", "deflate-noctx", "deflate-ctx", "deflate-window9", "deflate-window8"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, script, wsURL(s, ""), mode)
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(root, "node_modules"))
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "PASS") {
				t.Fatalf("node: %v\n%s", err, out)
			}
			if mode != "plain" && !strings.Contains(string(out), "permessage-deflate") {
				t.Fatalf("no compression negotiated:\n%s", out)
			}
			t.Logf("\n%s", out)
		})
	}
}
