package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
)

// TestProcesses runs the chat across OS processes, as across machines: the
// built command three times as connectors (the first also serves NATS, the
// others join it with -nats), once as the gate, and clients of different
// protocols whose rooms span the three processes.
func TestProcesses(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "chat")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ports := freePorts(t, 5)
	natsAddr := "127.0.0.1:" + ports[0]
	connectors := []string{"127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2], "127.0.0.1:" + ports[3]}
	gate := "127.0.0.1:" + ports[4]
	list := strings.Join(connectors, ",")

	run(t, bin, connectors[0], "-role", "connector", "-index", "0", "-connectors", list, "-nats-listen", natsAddr)
	for i := 1; i < 3; i++ {
		run(t, bin, connectors[i], "-role", "connector", "-index", strconv.Itoa(i), "-connectors", list, "-nats", "nats://"+natsAddr)
	}
	run(t, bin, gate, "-role", "gate", "-gate", gate, "-connectors", list)

	// One user per connector process, each speaking another protocol.
	names := usersOnEachConnector(3)
	protos := []chatclient.Proto{chatclient.TCP, chatclient.PomeloWS, chatclient.WS}
	var members []*chatter
	for i, name := range names {
		m := joinRoom(t, gate, protos[i], name)
		if m.Addr() != connectors[i] {
			t.Fatalf("%s joined %s, want connector %d at %s", name, m.Addr(), i, connectors[i])
		}
		members = append(members, m)
	}
	// The last to enter is told of everyone: the roster spans processes.
	if got, want := slices.Sorted(slices.Values(members[2].Users())), slices.Sorted(slices.Values(names)); !slices.Equal(got, want) {
		t.Fatalf("%s entered to %v, want %v", names[2], got, want)
	}
	// A broadcast from each process reaches every process.
	for i, m := range members {
		if err := m.Send(context.Background(), "*", fmt.Sprint("hello from process ", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range members {
		for i, name := range names {
			m.waitMsg(t, fmt.Sprintf("%s: hello from process %d", name, i))
		}
	}
	// A private message crosses processes to its target only.
	if err := members[2].Send(context.Background(), names[0], "just for you"); err != nil {
		t.Fatal(err)
	}
	members[0].waitMsg(t, names[2]+": just for you")
	// The same name again, on whichever process, is refused.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if _, err := chatclient.Join(ctx, chatclient.Config{Gate: gate, Proto: chatclient.PomeloTCP, Name: names[1], Room: "r1"}); err == nil {
		t.Fatalf("a second %s joined", names[1])
	}
	time.Sleep(100 * time.Millisecond)
	members[1].mu.Lock()
	defer members[1].mu.Unlock()
	if slices.Contains(members[1].msgs, names[2]+": just for you") {
		t.Fatal("a private message reached a third party")
	}
}

// usersOnEachConnector returns names that the gate sends to connectors
// 0, 1, …, n-1.
func usersOnEachConnector(n int) []string {
	names := make([]string, n)
	found := 0
	for i := 0; found < n && i < 10_000; i++ {
		name := fmt.Sprint("user", i)
		if k := chatserver.Dispatch(name, n); names[k] == "" {
			names[k] = name
			found++
		}
	}
	return names
}

func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var lns []net.Listener
	var ports []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// run starts the command and waits until addr accepts connections; the
// process is interrupted (a graceful shutdown) when the test ends.
func run(t *testing.T, bin, addr string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("%v did not stop on SIGINT", args)
		}
	})
	deadline := time.Now().Add(wait)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-done:
			t.Fatalf("%v exited: %v\n%s", args, err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v never listened on %s", args, addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
