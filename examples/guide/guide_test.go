// Package guide_test checks docs/guide.md against the programs it shows:
// every Go block is a whole file of examples/guide, and running the
// server and the client prints what the guide says they print.
package guide_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotio/gotio/internal/testenv"
)

// block is a fenced block of the guide and the line that introduces it.
type block struct {
	lang, intro, text string
}

// blocks returns the fenced blocks of a markdown document.
func blocks(t *testing.T, doc string) []block {
	t.Helper()
	var out []block
	var cur *block
	var last string // the last non-empty line outside a block
	for _, line := range strings.SplitAfter(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &block{lang: strings.TrimPrefix(trimmed, "```"), intro: last}
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line
		case trimmed != "":
			last = trimmed
		}
	}
	if cur != nil {
		t.Fatalf("unterminated block after %q", cur.intro)
	}
	return out
}

var fileIntro = regexp.MustCompile("^File `([^`]+)`:$")

func readGuide(t *testing.T) (root string, bs []block) {
	t.Helper()
	root = testenv.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "guide.md"))
	if err != nil {
		t.Fatal(err)
	}
	return root, blocks(t, string(doc))
}

// TestGuideBlocksAreFiles: every Go block of the guide is introduced by
// "File `path`:" and is that file, byte for byte — no fragments.
func TestGuideBlocksAreFiles(t *testing.T) {
	root, bs := readGuide(t)
	var files int
	for _, b := range bs {
		if b.lang != "go" {
			continue
		}
		m := fileIntro.FindStringSubmatch(b.intro)
		if m == nil {
			t.Errorf("a Go block not introduced by \"File `path`:\" (after %q):\n%.200s", b.intro, b.text)
			continue
		}
		want, err := os.ReadFile(filepath.Join(root, m[1]))
		if err != nil {
			t.Errorf("the guide shows %s: %v", m[1], err)
			continue
		}
		if b.text != string(want) {
			t.Errorf("the guide's %s differs from the file", m[1])
		}
		if !strings.HasPrefix(b.text, "// ") || !strings.Contains(b.text, "\npackage ") {
			t.Errorf("%s: not a whole file with its package doc", m[1])
		}
		files++
	}
	if files != 3 {
		t.Errorf("the guide shows %d files, want 3 (codec, server, client)", files)
	}
}

// shown returns the text block introduced by a line starting with intro.
func shown(t *testing.T, bs []block, intro string) string {
	t.Helper()
	for _, b := range bs {
		if b.lang == "text" && strings.HasPrefix(b.intro, intro) {
			return b.text
		}
	}
	t.Fatalf("the guide has no text block after %q", intro)
	return ""
}

// normal blanks what differs from run to run in a log line: the time,
// the port, a connection's age.
func normal(line string) string {
	line = regexp.MustCompile(`^\d\d:\d\d:\d\d `).ReplaceAllString(line, "TIME ")
	line = regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(line, "127.0.0.1:PORT")
	return regexp.MustCompile(`age=\S+`).ReplaceAllString(line, "age=AGE")
}

// TestGuideRuns builds the guide's server and client, runs them as the
// guide says, and compares what they print with the guide's blocks.
func TestGuideRuns(t *testing.T) {
	root, bs := readGuide(t)
	dir := t.TempDir()
	for _, cmd := range []string{"server", "client"} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, cmd), "./examples/guide/"+cmd)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", cmd, err, out)
		}
	}
	logPath := filepath.Join(dir, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	srv := exec.Command(filepath.Join(dir, "server"), "-addr", "127.0.0.1:0")
	srv.Stderr = logFile
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = srv.Process.Kill()
			<-done
		}
	}()
	var addr string
	for deadline := time.Now().Add(20 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(logPath)
		if m := regexp.MustCompile(`listening on (\S+)`).FindSubmatch(b); m != nil {
			addr = string(m[1])
		} else if time.Now().After(deadline) {
			t.Fatalf("the server never said it listens:\n%s", b)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, filepath.Join(dir, "client"), "-addr", addr).CombinedOutput()
	if err != nil {
		t.Fatalf("client: %v\n%s", err, out)
	}
	if want := shown(t, bs, "The client prints"); string(out) != want {
		t.Errorf("the client printed:\n%s\nthe guide shows:\n%s", out, want)
	}

	_ = srv.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		stopped = true
		if err != nil {
			t.Errorf("the server ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop on Ctrl-C")
	}
	got, _ := os.ReadFile(logPath)
	if bytes.IndexByte(got, 0x1b) >= 0 {
		t.Errorf("colour codes in a log written to a file:\n%q", got)
	}
	// Every line the guide shows is in the log, in order.
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(got))
	for sc.Scan() {
		lines = append(lines, normal(sc.Text()))
	}
	i := 0
	for _, want := range strings.Split(strings.TrimSpace(shown(t, bs, "and the server logs")), "\n") {
		want = normal(want)
		for i < len(lines) && lines[i] != want {
			i++
		}
		if i == len(lines) {
			t.Errorf("the server did not log (in this order) %q; it logged:\n%s", want, got)
			break
		}
	}
}
