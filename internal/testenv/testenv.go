// Package testenv finds what gotio's tests run against that nobody here
// wrote: node with the npm peers of package.json, and Debian's chromium. A
// missing peer fails the test, never skips it: .ci/run installs them.
package testenv

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Chromium is where Debian's chromium package installs the browser.
const Chromium = "/usr/bin/chromium"

// RepoRoot returns the directory holding go.mod, found upwards from the
// working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if filepath.Base(dir) != "bench" {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Node runs node on script with args, with the repository's node_modules on
// NODE_PATH, and returns its standard output. It fails the test when node
// or the npm peers are missing, when the script fails, or after timeout.
func Node(t testing.TB, timeout time.Duration, script string, args ...string) []byte {
	t.Helper()
	cmd, stdout, stderr := NodeCommand(t, script, args...)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start node: %v", err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("testenv: node %s: %v\nstdout:\n%s\nstderr:\n%s", script, err, stdout, stderr)
		}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("testenv: node %s timed out after %v\nstdout:\n%s\nstderr:\n%s", script, timeout, stdout, stderr)
	}
	return stdout.Bytes()
}

// NodeCommand prepares node on script (not started), for tests that talk
// to it while it runs.
func NodeCommand(t testing.TB, script string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("testenv: node is not installed (bash .ci/run installs it)")
	}
	modules := filepath.Join(RepoRoot(t), "node_modules")
	if _, err := os.Stat(modules); err != nil {
		t.Fatalf("testenv: %s missing: run npm ci in the repository root", modules)
	}
	abs, err := filepath.Abs(script)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, append([]string{abs}, args...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// RequireChromium fails the test when Debian's chromium is missing.
func RequireChromium(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		t.Fatalf("testenv: %s missing (apt-get install chromium; bash .ci/run does)", Chromium)
	}
	return Chromium
}

// ArtifactDir returns testdata/artifacts under the repository root, made
// if needed, for screenshots a test keeps.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "testdata", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Listen listens on an ephemeral loopback TCP port.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
