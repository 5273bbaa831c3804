package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// buildBins builds the gotio bench server, the load generator and
// nats-server into a temporary directory.
func buildBins(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"build", "-o", dir + "/", "../../servers/gotio", "../load"},
		{"build", "-o", filepath.Join(dir, "nats-server"), "github.com/nats-io/nats-server/v2"},
	} {
		cmd := exec.Command("go", args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// freeBase returns a port p such that p..p+29 are free on 127.0.0.1 now.
func freeBase(t *testing.T) int {
	t.Helper()
	for base := 23000 + os.Getpid()%2000*3; base < 60000; base += 97 {
		ok := true
		for p := base; p < base+30 && ok; p++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				break
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no 30 free consecutive ports")
	return 0
}

// TestClusterEveryPushOncePerClient runs three nodes with 20 clients each
// on both NATS setups: every client must get every push once, in order
// (the load generators check order, and that nothing more arrives after
// the last push), the receiving nodes' buses must have queued each push
// to each of their clients once, and NATS must carry one message in per
// push and at most one out per node.
func TestClusterEveryPushOncePerClient(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs server processes")
	}
	bin := buildBins(t)
	const nodes, conns, pushes = 3, 20, 20
	for _, mode := range []string{"embedded", "external"} {
		t.Run(mode, func(t *testing.T) {
			o := &options{mode: mode, nodes: nodes, conns: conns, pushes: pushes, size: 64,
				bin: bin, port: freeBase(t), gomaxprocs: 1, logDir: t.TempDir()}
			var res result
			if err := run(o, &res); err != nil {
				t.Fatal(err)
			}
			if want := int64(nodes * conns * pushes); res.Msgs != want {
				t.Errorf("deliveries = %d, want %d", res.Msgs, want)
			}
			if want := uint64((nodes - 1) * conns * pushes); res.BusDelivered != want {
				t.Errorf("receiving nodes' bus deliveries = %d, want %d", res.BusDelivered, want)
			}
			if res.NATSIn != 1 {
				t.Errorf("NATS messages in per push = %v, want 1 (one publish per SendToGroup)", res.NATSIn)
			}
			if res.NATSOut < nodes-1 || res.NATSOut > nodes {
				t.Errorf("NATS messages out per push = %v, want between %d and %d (one per node holding members)", res.NATSOut, nodes-1, nodes)
			}
			if res.Rate <= 0 || res.SendCPUus < 0 || res.RecvCPUus < 0 {
				t.Errorf("figures missing: %+v", res)
			}
		})
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	for _, o := range []options{{mode: "mesh", nodes: 3}, {mode: "embedded", nodes: 1}} {
		var res result
		if err := run(&o, &res); err == nil {
			t.Errorf("run(%+v) succeeded", o)
		}
	}
}
