// Package nodetest runs the Node.js scripts pomelo's tests compare against:
// the reference npm packages live in node_modules at the repository root.
package nodetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gotio/gotio/internal/testenv"
)

// Root returns the repository root: the nearest directory above the
// working directory that holds go.mod.
func Root(t testing.TB) string { return testenv.RepoRoot(t) }

// Command returns a node command for script (relative to the test's
// directory) that finds the repository's node_modules. It fails the test
// when node or the pomelo packages are missing: CI installs them.
func Command(t testing.TB, script string, args ...string) *exec.Cmd {
	t.Helper()
	return CommandContext(context.Background(), t, script, args...)
}

// CommandContext is Command with a context that kills the process.
func CommandContext(ctx context.Context, t testing.TB, script string, args ...string) *exec.Cmd {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required for this test (CI installs it): %v", err)
	}
	modules := filepath.Join(Root(t), "node_modules")
	for _, pkg := range []string{"pomelo-protocol", "pomelo-protobuf"} {
		if _, err := os.Stat(filepath.Join(modules, pkg, "package.json")); err != nil {
			t.Fatalf("npm package %s is required (npm ci at the repository root): %v", pkg, err)
		}
	}
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	return cmd
}

// Output runs script and returns its standard output.
func Output(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	cmd := Command(t, script, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.Bytes())
	}
	return out
}
