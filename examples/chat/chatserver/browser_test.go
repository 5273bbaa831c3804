package chatserver_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
	"github.com/gotio/gotio/internal/testenv"
)

// TestBrowser loads the page in real headless chromium: two pages (alice
// and eve, on two connectors) chat with a Go client (grace, gotio TCP, on
// the third) in one room; then alice's connector restarts and her page
// joins again by itself. The script's steps are in testdata/browser.js;
// the screenshots go to testdata/artifacts/chat.png and chat-eve.png.
func TestBrowser(t *testing.T) {
	testenv.RequireChromium(t)
	app := startApp(t, "local", nil)
	for _, name := range []string{"alice", "eve", "grace"} {
		t.Logf("%s is served by %s", name, app.ConnectorAddrs()[chatserver.Dispatch(name, 3)])
	}
	shot := filepath.Join(testenv.ArtifactDir(t), "chat.png")
	cmd, stdout, stderr := testenv.NodeCommand(t, "testdata/browser.js", "http://"+app.WebAddr()+"/", shot)
	stdout.Reset()
	cmd.Stdout = nil
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	exited := make(chan error, 1)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	hang := time.AfterFunc(90*time.Second, func() { _ = cmd.Process.Kill() })
	defer hang.Stop()
	fail := func(format string, args ...any) {
		t.Helper()
		in.Close()
		_ = cmd.Process.Kill()
		for range lines {
		}
		<-exited
		t.Fatalf("%s\nnode stderr:\n%s", fmt.Sprintf(format, args...), stderr)
	}
	expect := func(want string) {
		t.Helper()
		line, ok := <-lines
		if !ok || line != want {
			fail("browser script said %q (open %v), want %q", line, ok, want)
		}
	}
	tell := func(s string) {
		t.Helper()
		if _, err := io.WriteString(in, s+"\n"); err != nil {
			fail("tell the script %s: %v", s, err)
		}
	}

	expect("ready")
	grace := mustJoin(t, app.GateAddr(), chatclient.TCP, "grace", "r1")
	tell("joined")
	expect("sent")
	grace.in.waitFor(t, "alice's hello", isChat("alice", "*", "hello from alice"))
	grace.in.waitFor(t, "eve's whisper", isChat("eve", "grace", "psst grace"))
	grace.send(t, "*", "hi pages")
	tell("go-sent")
	expect("seen")

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := app.Connectors()[chatserver.Dispatch("alice", 3)].Restart(ctx); err != nil {
		fail("restart alice's connector: %v", err)
	}
	tell("restarted")
	expect("done")
	in.Close()
	for range lines {
	}
	if err := <-exited; err != nil {
		t.Fatalf("node: %v\nstderr:\n%s", err, stderr)
	}
	grace.in.waitFor(t, "alice leaving with her connector", isPush(chatserver.RouteOnLeave, "alice"))
	grace.in.waitFor(t, "alice back", isChat("alice", "*", "back again"))
	if n := grace.in.count(isPush(chatserver.RouteOnAdd, "alice")); n != 1 {
		t.Errorf("grace heard alice arrive %d times, want once (grace came after her first entry)", n)
	}
	if strings.Contains(stderr.String(), "page error") {
		t.Errorf("the page reported errors:\n%s", stderr)
	}
}

// TestPageLayout checks the page's layout in headless chromium
// (testdata/layout.js): "not connected" before login, the favicon served,
// your own name and messages marked, a time on every line, a 300-character
// word that wraps (scrollWidth <= clientWidth), and the user list and the
// input inside the window at 1280 and 360 pixels wide. Screenshots:
// testdata/artifacts/chat-1280.png (the README's) and chat-360.png.
func TestPageLayout(t *testing.T) {
	testenv.RequireChromium(t)
	app := startApp(t, "local", nil)
	out := testenv.Node(t, 90*time.Second, "testdata/layout.js", "http://"+app.WebAddr()+"/", testenv.ArtifactDir(t))
	t.Logf("layout.js:\n%s", out)
	var oks int
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasPrefix(line, "ok ") {
			t.Errorf("layout.js said %q", line)
		}
		oks++
	}
	if oks != 9 {
		t.Errorf("layout.js passed %d checks, want 9", oks)
	}
}
