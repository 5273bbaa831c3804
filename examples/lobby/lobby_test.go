// Package lobby_test checks the README's twenty-odd-line server against
// the file it shows and runs it with its client.
package lobby_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/internal/testenv"
)

// readmeBlock returns the fenced block after the README line intro.
func readmeBlock(t *testing.T, readme, intro string) string {
	t.Helper()
	i := strings.Index(readme, intro)
	if i < 0 {
		t.Fatalf("the README has no %q", intro)
	}
	m := regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindStringSubmatch(readme[i:])
	if m == nil {
		t.Fatalf("no block after %q", intro)
	}
	return m[1]
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestReadmeServer: the README shows examples/lobby/server/main.go as it
// is; the server says where it listens, and two clients hear each other,
// the second printing exactly what the README says it prints.
func TestReadmeServer(t *testing.T) {
	root := testenv.RepoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(root, "examples/lobby/server/main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if got := readmeBlock(t, string(readme), "File `examples/lobby/server/main.go`:"); got != string(file) {
		t.Errorf("the README's server differs from examples/lobby/server/main.go:\n%s", got)
	}
	dir := t.TempDir()
	for _, cmd := range []string{"server", "client"} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, cmd), "./examples/lobby/"+cmd)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", cmd, err, out)
		}
	}
	addr := freeAddr(t)
	srv := exec.Command(filepath.Join(dir, "server"), "-addr", addr)
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
	})
	said := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stderr).ReadString('\n')
		said <- line
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case line := <-said:
		if !strings.HasSuffix(strings.TrimSpace(line), "listening on "+addr) {
			t.Fatalf("the server said %q", line)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server said nothing")
	}
	// ListenAndServe runs right after the line: wait for the port.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never accepted")
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// hi stays in the lobby for a while; hello says its line and leaves.
	stay := exec.CommandContext(ctx, filepath.Join(dir, "client"), "-addr", addr, "-text", "hi", "-listen", "3s")
	out, err := stay.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := stay.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "onChat: hi" {
		t.Fatalf("the staying client printed %q first", lines.Text())
	}
	got, err := exec.CommandContext(ctx, filepath.Join(dir, "client"), "-addr", addr, "-text", "hello").CombinedOutput()
	if err != nil {
		t.Fatalf("client: %v\n%s", err, got)
	}
	if want := readmeBlock(t, string(readme), "The client prints"); string(got) != want {
		t.Errorf("the client printed %q, the README shows %q", got, want)
	}
	if !lines.Scan() || lines.Text() != "onChat: hello" {
		t.Errorf("the staying client then printed %q, want the other's line", lines.Text())
	}
	for lines.Scan() {
	}
	if err := stay.Wait(); err != nil {
		t.Errorf("the staying client: %v", err)
	}
}
