package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotio/gotio/examples/chat/chatclient"
)

// buildChat builds the command into a temporary directory.
func buildChat(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chat")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// logRun is one run of the command with its standard output and error in
// files, as a newcomer's `go run ./examples/chat > chat.log 2>&1` or a
// service manager's would be.
type logRun struct {
	stdout, stderr string
}

// runLogged starts the command on ports 0 with extra flags, waits for
// its "listening on" lines, has a user of each protocol join, chat and
// leave, interrupts it and returns what it wrote.
func runLogged(t *testing.T, bin string, extra ...string) logRun {
	t.Helper()
	dir := t.TempDir()
	outPath, errPath := filepath.Join(dir, "stdout"), filepath.Join(dir, "stderr")
	outF, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer outF.Close()
	errF, err := os.Create(errPath)
	if err != nil {
		t.Fatal(err)
	}
	defer errF.Close()
	args := append([]string{"-gate", "127.0.0.1:0", "-connectors", "127.0.0.1:0,127.0.0.1:0,127.0.0.1:0", "-web", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = outF, errF
	cmd.Env = append(os.Environ(), "TERM=xterm-256color") // colour would be allowed, were it a terminal
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(done)
	}()
	defer func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	// The gate's address, from what the command printed.
	var gate string
	for deadline := time.Now().Add(wait); gate == ""; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(outPath)
		if m := regexp.MustCompile(`(?m)^  gate: +(\S+)`).FindSubmatch(b); m != nil {
			gate = string(m[1])
			break
		}
		if time.Now().After(deadline) {
			e, _ := os.ReadFile(errPath)
			t.Fatalf("the command printed no gate:\n%s\n%s", b, e)
		}
	}
	for _, proto := range chatclient.Protos {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		c, err := chatclient.Join(ctx, chatclient.Config{Gate: gate, Proto: proto, Name: "log-" + string(proto), Room: "r1"})
		if err != nil {
			cancel()
			t.Fatalf("join over %s: %v", proto, err)
		}
		if err := c.Send(ctx, "*", "hello"); err != nil {
			t.Errorf("send over %s: %v", proto, err)
		}
		cancel()
		c.Close()
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
		if waitErr != nil {
			t.Errorf("the command ended with %v", waitErr)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the command did not stop on SIGINT")
	}
	o, _ := os.ReadFile(outPath)
	e, _ := os.ReadFile(errPath)
	return logRun{stdout: string(o), stderr: string(e)}
}

// listening returns the addresses of the "listening on" lines.
func listening(lines []string, msg func(string) (string, bool)) []string {
	var addrs []string
	for _, l := range lines {
		if m, ok := msg(l); ok && strings.HasPrefix(m, "listening on ") {
			addrs = append(addrs, strings.TrimPrefix(m, "listening on "))
		}
	}
	return addrs
}

func splitLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// consoleLine is zerolog's console format: time, level, message, fields.
var consoleLine = regexp.MustCompile(`^\d\d:\d\d:\d\d (TRC|DBG|INF|WRN|ERR|FTL|PNC) (.*)$`)

// TestLogToFile: the command's output in files holds no escape byte (no
// colour off a terminal), and it says "listening on" for each of its six
// ports: NATS, three connectors, the gate, the web page.
func TestLogToFile(t *testing.T) {
	r := runLogged(t, buildChat(t))
	for name, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if i := strings.IndexByte(text, 0x1b); i >= 0 {
			t.Errorf("%s has an escape byte at %d: %q", name, i, text[max(0, i-40):min(len(text), i+40)])
		}
	}
	addrs := listening(splitLines(r.stderr), func(l string) (string, bool) {
		m := consoleLine.FindStringSubmatch(l)
		if m == nil {
			return "", false
		}
		// The message's words come before the first key=value field.
		var words []string
		for _, w := range strings.Fields(m[2]) {
			if strings.Contains(w, "=") {
				break
			}
			words = append(words, w)
		}
		return strings.Join(words, " "), true
	})
	if len(addrs) != 6 {
		t.Errorf("%d \"listening on\" lines, want 6 (nats, 3 connectors, gate, web):\n%s", len(addrs), r.stderr)
	}
	for _, a := range addrs {
		if !strings.Contains(r.stdout, a) {
			t.Errorf("listening on %s, which the summary does not name:\n%s", a, r.stdout)
		}
	}
}

// TestLogJSON: with -log json every zerolog line is one JSON object, and
// the six "listening on" messages are there.
func TestLogJSON(t *testing.T) {
	r := runLogged(t, buildChat(t), "-log", "json")
	var objects []string
	for _, l := range splitLines(r.stderr) {
		if !strings.HasPrefix(l, "{") {
			continue // not zerolog's (see TestLogOnlyZerolog)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("not JSON: %q: %v", l, err)
			continue
		}
		if m["level"] == nil || m["time"] == nil || m["message"] == nil {
			t.Errorf("a line without level, time or message: %q", l)
		}
		objects = append(objects, l)
	}
	addrs := listening(objects, func(l string) (string, bool) {
		var m struct{ Message string }
		return m.Message, json.Unmarshal([]byte(l), &m) == nil
	})
	if len(addrs) != 6 {
		t.Errorf("%d \"listening on\" messages, want 6:\n%s", len(addrs), r.stderr)
	}
	if bytes.IndexByte([]byte(r.stderr), 0x1b) >= 0 {
		t.Error("escape byte in JSON logs")
	}
}
