// Command cluster is the cluster benchmark: gotio server processes on one
// NATS, a load generator per node with its clients in one pomelo group,
// and a broadcast from one node to the group on every node. It prints one
// JSON line in the load generator's result format (bench/cmd/report reads
// it), with the cluster's own figures beside.
//
// Modes:
//
//	single    one gotio server without a bus, -conns clients: the
//	          single-node figure to compare with
//	embedded  -nodes servers; node 0 runs the NATS server inside its
//	          process (cluster.StartEmbedded, the default setup) and the
//	          others join it
//	external  -nodes servers joining a separate nats-server process
//	          (bench/bin/nats-server, built from the Go module)
//
// Every node's load generator opens -conns pomelo connections that join
// the group "room" and waits; when all are set up (and every node's
// subscription to the group is in force), node 0's sends one room.bcast
// notify: node 0 calls SendToGroup -pushes times, each one a direct write
// to its own members and one NATS message for the other nodes. Each load
// generator checks that each of its clients gets every push once, in order.
//
// Figures: deliveries/s over the cluster (every client's pushes, from the
// command until the last client on any node has its last); server CPU per
// delivery on the sending node and on the receiving nodes
// (/proc/PID/stat utime+stime over the same window, divided by the node's
// own deliveries); NATS messages per push from nats-server's counters
// (/varz in_msgs and out_msgs: one in per push, and one out per node
// subscribed to the group, not one per member).
//
// Processes run unpinned with GOMAXPROCS=-gomaxprocs each (default 1):
// on a machine with fewer cores than processes they share them.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gotio/gotio/bench/internal/procstat"
)

// result is one line of bench/cmd/load's output, with the cluster's fields.
type result struct {
	Case       string  `json:"case"`
	Server     string  `json:"server"`
	Round      int     `json:"round"`
	Conns      int     `json:"conns"`
	Msgs       int64   `json:"msgs,omitempty"`
	Secs       float64 `json:"secs,omitempty"`
	Rate       float64 `json:"rate,omitempty"`
	P50us      float64 `json:"p50_us,omitempty"`
	P99us      float64 `json:"p99_us,omitempty"`
	SrvCPUus   float64 `json:"srv_cpu_us_per_msg,omitempty"`
	SrvCPUPct  float64 `json:"srv_cpu_pct,omitempty"`
	LoadCPUPct float64 `json:"load_cpu_pct,omitempty"`
	LoadCPUus  float64 `json:"load_cpu_us_per_msg,omitempty"`
	Error      string  `json:"error,omitempty"`

	// Nodes is the number of gotio server processes, each with Conns
	// clients (Conns is per node).
	Nodes int    `json:"nodes,omitempty"`
	NATS  string `json:"nats,omitempty"` // embedded or external
	// SendCPUus and RecvCPUus are server CPU µs per delivery on the
	// sending node and on the receiving nodes (their CPU over their
	// deliveries).
	SendCPUus float64 `json:"send_cpu_us_per_delivery,omitempty"`
	RecvCPUus float64 `json:"recv_cpu_us_per_delivery,omitempty"`
	// NATSCPUus is the external nats-server's CPU µs per push.
	NATSCPUus float64 `json:"nats_cpu_us_per_push,omitempty"`
	// NATSIn and NATSOut are nats-server's in_msgs and out_msgs over the
	// window, per push.
	NATSIn  float64 `json:"nats_in_per_push,omitempty"`
	NATSOut float64 `json:"nats_out_per_push,omitempty"`
	// Pushes is the number of SendToGroup calls.
	Pushes int `json:"pushes,omitempty"`
	// BusDelivered is the receiving nodes' cluster.Stats.Delivered over the
	// window: local connections the NATS messages were queued to.
	BusDelivered uint64 `json:"bus_delivered,omitempty"`
}

// options are the command's flags.
type options struct {
	mode       string
	nodes      int
	conns      int
	pushes     int
	size       int
	bin        string
	port       int
	gomaxprocs int
	logDir     string
}

func main() {
	var o options
	res := result{}
	flag.StringVar(&o.mode, "mode", "embedded", "single, embedded or external")
	flag.IntVar(&o.nodes, "nodes", 3, "gotio server processes (embedded, external)")
	flag.IntVar(&o.conns, "conns", 5000, "clients per node")
	flag.IntVar(&o.pushes, "pushes", 100, "pushes to the group")
	flag.IntVar(&o.size, "size", 512, "bytes per push body")
	flag.StringVar(&o.bin, "bin", "bin", "directory holding gotio, load and (for external) nats-server")
	flag.IntVar(&o.port, "port", 12000, "first of the ports to use (30 from it)")
	flag.IntVar(&o.gomaxprocs, "gomaxprocs", 1, "GOMAXPROCS of every server process and of nats-server")
	flag.StringVar(&o.logDir, "logs", "", "directory for the processes' stderr (default: a temporary one)")
	flag.StringVar(&res.Case, "case", "cluster-bcast", "case name for the result line")
	flag.StringVar(&res.Server, "server", "", "server name for the result line (default: the mode)")
	flag.IntVar(&res.Round, "round", 0, "round number for the result line")
	flag.Parse()
	if res.Server == "" {
		res.Server = o.mode
	}
	err := run(&o, &res)
	if err != nil {
		res.Error = err.Error()
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

// proc is a started child process.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
}

func (p *proc) pid() string { return strconv.Itoa(p.cmd.Process.Pid) }

// stop ends the process with SIGTERM, then SIGKILL after 5 s.
func (p *proc) stop() {
	if p.cmd.Process == nil || p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// lastLog is the last line of p's stderr, for an error message.
func (p *proc) lastLog() string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// loadProc is a node's load generator with its stdin and stdout.
type loadProc struct {
	*proc
	in    io.WriteCloser
	lines chan string // stdout lines; closed at EOF
}

// runner starts and stops one measurement's processes.
type runner struct {
	o     *options
	procs []*proc
}

// start starts a child process logging its stderr to the log directory;
// with stdin it also returns pipes to its stdin and stdout (else stdout
// goes to the log too).
func (r *runner) start(name string, env []string, stdin bool, args ...string) (*proc, io.WriteCloser, io.ReadCloser, error) {
	log := filepath.Join(r.o.logDir, name+".log")
	f, err := os.Create(log)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = f
	var in io.WriteCloser
	var out io.ReadCloser
	if stdin {
		if in, err = cmd.StdinPipe(); err != nil {
			return nil, nil, nil, err
		}
		if out, err = cmd.StdoutPipe(); err != nil {
			return nil, nil, nil, err
		}
	} else {
		cmd.Stdout = f
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("cluster: start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: log}
	r.procs = append(r.procs, p)
	return p, in, out, nil
}

// stopAll stops every process started, the last first.
func (r *runner) stopAll() {
	for i := len(r.procs) - 1; i >= 0; i-- {
		r.procs[i].stop()
	}
}

// run performs one measurement of o's setup and fills res.
func run(o *options, res *result) error {
	switch o.mode {
	case "single":
		o.nodes = 1
	case "embedded", "external":
		if o.nodes < 2 {
			return fmt.Errorf("cluster: -nodes %d: a cluster needs at least 2", o.nodes)
		}
	default:
		return fmt.Errorf("cluster: unknown -mode %q", o.mode)
	}
	if o.logDir == "" {
		d, err := os.MkdirTemp("", "gotio-cluster-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		o.logDir = d
	}
	r := &runner{o: o}
	defer r.stopAll()
	res.Conns, res.Nodes, res.Pushes = o.conns, o.nodes, o.pushes
	if o.mode != "single" {
		res.NATS = o.mode
	}
	gmp := []string{"GOMAXPROCS=" + strconv.Itoa(o.gomaxprocs)}
	natsAddr := fmt.Sprintf("127.0.0.1:%d", o.port+20)
	natsURL := "nats://" + natsAddr
	monAddr := fmt.Sprintf("127.0.0.1:%d", o.port+21)

	var natsProc *proc
	if o.mode == "external" {
		var err error
		natsProc, _, _, err = r.start("nats-server", gmp, false, filepath.Join(o.bin, "nats-server"),
			"-a", "127.0.0.1", "-p", strconv.Itoa(o.port+20), "-m", strconv.Itoa(o.port+21))
		if err != nil {
			return err
		}
		if err := waitTCP(natsAddr, natsProc, 20*time.Second); err != nil {
			return err
		}
	}
	servers := make([]*proc, o.nodes)
	statsAddr := make([]string, o.nodes)
	for i := range servers {
		addr := fmt.Sprintf("127.0.0.1:%d", o.port+i)
		args := []string{filepath.Join(o.bin, "gotio"), "-addr", addr, "-proto", "pomelo"}
		if o.mode != "single" {
			statsAddr[i] = fmt.Sprintf("127.0.0.1:%d", o.port+10+i)
			args = append(args, "-node", fmt.Sprintf("node%d", i), "-stats", statsAddr[i])
			if o.mode == "embedded" && i == 0 {
				args = append(args, "-embed-nats", natsAddr)
			} else {
				args = append(args, "-nats", natsURL)
			}
		}
		p, _, _, err := r.start(fmt.Sprintf("gotio-%d", i), gmp, false, args...)
		if err != nil {
			return err
		}
		servers[i] = p
		if o.mode == "embedded" && i == 0 {
			// The others join node 0's NATS server: it must be up.
			if err := waitTCP(natsAddr, p, 20*time.Second); err != nil {
				return err
			}
		}
	}
	loads := make([]*loadProc, o.nodes)
	for i := range loads {
		args := []string{filepath.Join(o.bin, "load"), "-addr", fmt.Sprintf("127.0.0.1:%d", o.port+i),
			"-pid", servers[i].pid(), "-proto", "pomelo", "-workload", "bcast", "-sync",
			"-conns", strconv.Itoa(o.conns), "-pushes", strconv.Itoa(o.pushes), "-size", strconv.Itoa(o.size)}
		if i > 0 {
			args = append(args, "-listen")
		}
		p, in, out, err := r.start(fmt.Sprintf("load-%d", i), nil, true, args...)
		if err != nil {
			return err
		}
		lp := &loadProc{proc: p, in: in, lines: make(chan string, 4)}
		go func() {
			sc := bufio.NewScanner(out)
			sc.Buffer(make([]byte, 1<<16), 1<<20)
			for sc.Scan() {
				lp.lines <- sc.Text()
			}
			close(lp.lines)
		}()
		loads[i] = lp
	}
	for _, lp := range loads {
		line, err := lp.next(3 * time.Minute)
		if err != nil {
			return err
		}
		if line != "ready" {
			return fmt.Errorf("cluster: %s said %s before ready", lp.name, line)
		}
	}
	// Every node's subscription to the group must be in force before node
	// 0 publishes: a node subscribes once it holds a member, on the bus's
	// own goroutine; Flush waits for it and for NATS to have processed it.
	var before []nodeStats
	if o.mode != "single" {
		deadline := time.Now().Add(20 * time.Second)
		for {
			st, err := readStats(statsAddr, true)
			if err != nil {
				return err
			}
			ok := true
			for _, s := range st {
				ok = ok && s.Bus.Interests >= 1 && s.FlushError == ""
			}
			if ok {
				before = st
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("cluster: the nodes' subscriptions to the group were not all in force after 20 s: %+v", st)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	natsBefore, err := natsCounts(o.mode, before, monAddr)
	if err != nil {
		return err
	}
	cpu0, err := cpuTimes(append(append([]*proc(nil), servers...), natsProc))
	if err != nil {
		return err
	}
	for _, lp := range loads {
		if _, err := io.WriteString(lp.in, "go\n"); err != nil {
			return fmt.Errorf("cluster: %s: %w", lp.name, err)
		}
	}
	outs := make([]result, o.nodes)
	for i, lp := range loads {
		line, err := lp.next(4 * time.Minute)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(line), &outs[i]); err != nil {
			return fmt.Errorf("cluster: %s: %q: %w", lp.name, line, err)
		}
		if outs[i].Error != "" {
			return fmt.Errorf("cluster: node %d's clients: %s", i, outs[i].Error)
		}
	}
	cpu1, err := cpuTimes(append(append([]*proc(nil), servers...), natsProc))
	if err != nil {
		return err
	}
	var after []nodeStats
	if o.mode != "single" {
		if after, err = readStats(statsAddr, false); err != nil {
			return err
		}
	}
	natsAfter, err := natsCounts(o.mode, after, monAddr)
	if err != nil {
		return err
	}

	per := int64(o.conns) * int64(o.pushes) // deliveries per node
	var srvCPU, recvCPU int64
	for i := 0; i < o.nodes; i++ {
		d := cpu1[i] - cpu0[i]
		srvCPU += d
		if i > 0 {
			recvCPU += d
		}
	}
	for _, x := range outs {
		res.Secs = max(res.Secs, x.Secs)
		res.P50us = max(res.P50us, x.P50us)
		res.P99us = max(res.P99us, x.P99us)
		res.LoadCPUPct += x.LoadCPUPct / float64(o.nodes)
		res.LoadCPUus += x.LoadCPUus / float64(o.nodes)
	}
	res.Msgs = per * int64(o.nodes)
	if res.Secs > 0 {
		res.Rate = float64(res.Msgs) / res.Secs
		res.SrvCPUPct = float64(srvCPU) / (res.Secs * 1e6) * 100
	}
	res.SrvCPUus = float64(srvCPU) / float64(res.Msgs)
	res.SendCPUus = float64(cpu1[0]-cpu0[0]) / float64(per)
	if o.nodes > 1 {
		res.RecvCPUus = float64(recvCPU) / float64(per*int64(o.nodes-1))
	}
	if natsProc != nil {
		res.NATSCPUus = float64(cpu1[o.nodes]-cpu0[o.nodes]) / float64(o.pushes)
	}
	if o.mode == "single" {
		return nil
	}
	res.NATSIn = float64(natsAfter.InMsgs-natsBefore.InMsgs) / float64(o.pushes)
	res.NATSOut = float64(natsAfter.OutMsgs-natsBefore.OutMsgs) / float64(o.pushes)
	for i := 1; i < o.nodes; i++ {
		res.BusDelivered += after[i].Bus.Delivered - before[i].Bus.Delivered
		if d := after[i].Bus.Dropped - before[i].Bus.Dropped; d > 0 {
			return fmt.Errorf("cluster: node %d dropped %d messages (slow consumer)", i, d)
		}
	}
	if l := after[0].Bus.Lost - before[0].Bus.Lost; l > 0 {
		return fmt.Errorf("cluster: node 0 lost %d publishes", l)
	}
	// Exactly once from the bus's side: the receiving nodes queued each
	// push to each of their clients once (the load generators checked the
	// clients' side).
	if want := uint64(per) * uint64(o.nodes-1); res.BusDelivered != want {
		return fmt.Errorf("cluster: the receiving nodes' buses delivered %d, want %d (%d clients × %d pushes × %d nodes)",
			res.BusDelivered, want, o.conns, o.pushes, o.nodes-1)
	}
	return nil
}

// next returns the load generator's next stdout line.
func (lp *loadProc) next(limit time.Duration) (string, error) {
	select {
	case line, ok := <-lp.lines:
		if !ok {
			_ = lp.cmd.Wait()
			return "", fmt.Errorf("cluster: %s exited: %s", lp.name, lp.lastLog())
		}
		return line, nil
	case <-time.After(limit):
		return "", fmt.Errorf("cluster: %s: nothing on its stdout for %v", lp.name, limit)
	}
}

// nodeStats is the part of a gotio node's GET /stats the benchmark reads
// (bench/servers/gotio/cluster.go).
type nodeStats struct {
	Node string `json:"node"`
	Bus  struct {
		Published, Lost, Received, Delivered, Echoes, Dropped uint64
		Interests                                             int64
	} `json:"bus"`
	NATS       *natsCounters `json:"nats"`
	FlushError string        `json:"flush_error"`
}

// natsCounters are the fields of nats-server's /varz the benchmark reads.
type natsCounters struct {
	InMsgs  int64 `json:"in_msgs"`
	OutMsgs int64 `json:"out_msgs"`
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// getJSON decodes the JSON body of GET url into v.
func getJSON(url string, v any) error {
	resp, err := httpClient.Get(url)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cluster: GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// readStats reads every node's GET /stats; with flush each first waits for
// its bus's subscriptions to be in force.
func readStats(addrs []string, flush bool) ([]nodeStats, error) {
	out := make([]nodeStats, len(addrs))
	q := ""
	if flush {
		q = "?flush=1"
	}
	for i, a := range addrs {
		if err := getJSON("http://"+a+"/stats"+q, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// natsCounts reads nats-server's message counters: from node 0's stats
// (embedded) or from the external server's monitoring port (/varz).
func natsCounts(mode string, st []nodeStats, monAddr string) (natsCounters, error) {
	switch mode {
	case "embedded":
		if len(st) == 0 || st[0].NATS == nil {
			return natsCounters{}, errors.New("cluster: node 0 reported no embedded NATS counters")
		}
		return *st[0].NATS, nil
	case "external":
		var c natsCounters
		return c, getJSON("http://"+monAddr+"/varz", &c)
	}
	return natsCounters{}, nil
}

// cpuTimes returns utime+stime in µs of each process (0 for nil).
func cpuTimes(ps []*proc) ([]int64, error) {
	out := make([]int64, len(ps))
	for i, p := range ps {
		if p == nil {
			continue
		}
		t, err := procstat.CPUTime(p.pid())
		if err != nil {
			return nil, fmt.Errorf("cluster: %s: %w", p.name, err)
		}
		out[i] = t
	}
	return out, nil
}

// waitTCP waits until addr accepts a connection, failing early when p has
// exited.
func waitTCP(addr string, p *proc, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if b, rerr := os.ReadFile("/proc/" + p.pid() + "/stat"); rerr != nil || bytes.Contains(b, []byte(") Z")) {
			return fmt.Errorf("cluster: %s exited: %s", p.name, p.lastLog())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster: %s not up at %s: %w", p.name, addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
