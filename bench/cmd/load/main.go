// Command load is the benchmark's load generator. One process drives every
// connection from a single epoll loop (no goroutine per connection), reads
// the server's CPU time and memory from /proc, and prints one JSON line of
// results.
//
// Workloads:
//
//	echo   closed-loop ping-pong: each connection sends a frame and waits
//	       for its echo; messages/s, latency p50/p99, server CPU per message
//	idle   open -conns connections, one echo each (pomelo: the room.join
//	       request and its response), then idle; server RSS per connection
//	       above the empty server, after checking that the server still
//	       holds a socket for every connection
//	bcast  open -conns connections, ask the server for -pushes pushes to
//	       all; deliveries/s until every client has every push in order
//
// For the cluster benchmark (bench/cmd/cluster), -sync makes bcast print
// "ready" once its connections are set up and wait for a "go" line on
// stdin before it starts its clock (and, unless -listen, sends the
// command); afterwards it keeps reading for a moment so that a push
// delivered twice fails the run. -listen only receives: another load
// generator, on another node, asks for the pushes.
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gotio/gotio/bench/internal/procstat"
)

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
	Depth      int     `json:"depth,omitempty"`
	SrvCPUus   float64 `json:"srv_cpu_us_per_msg,omitempty"`
	SrvCPUPct  float64 `json:"srv_cpu_pct,omitempty"`
	LoadCPUPct float64 `json:"load_cpu_pct,omitempty"`
	LoadCPUus  float64 `json:"load_cpu_us_per_msg,omitempty"`
	RSSBase    int64   `json:"rss_base_kib,omitempty"`
	RSS        int64   `json:"rss_kib,omitempty"`
	KiBPerConn float64 `json:"kib_per_conn,omitempty"`
	SrvSockets int     `json:"srv_sockets,omitempty"`
	Error      string  `json:"error,omitempty"`
}

func main() {
	var (
		addr     = flag.String("addr", "127.0.0.1:7000", "server address")
		pid      = flag.Int("pid", 0, "server process id, for /proc CPU and memory figures (required)")
		protoArg = flag.String("proto", "tcp", "tcp (length-prefixed frames), ws, pomelo or socketio")
		wsPath   = flag.String("path", "/", "WebSocket request path")
		wl       = flag.String("workload", "echo", "echo, idle or bcast")
		conns    = flag.Int("conns", 100, "connections")
		size     = flag.Int("size", 512, "payload bytes per message")
		depth    = flag.Int("depth", 1, "echo: frames per connection sent in one write (1 = ping-pong)")
		warmup   = flag.Duration("warmup", time.Second, "echo: warm-up before measuring")
		duration = flag.Duration("duration", 5*time.Second, "echo: measurement window")
		settle   = flag.Duration("settle", 2*time.Second, "idle: wait before reading memory")
		pushes   = flag.Int("pushes", 20, "bcast: pushes to every connection")
		heapSig  = flag.Bool("heapsignal", false, "idle: send the server SIGUSR1 (write a heap profile) while the connections are open")
		flight   = flag.Int("inflight", 200, "connections establishing at once")
		syncArg  = flag.Bool("sync", false, "bcast: print \"ready\" when set up, wait for \"go\" on stdin, then check for duplicates after the last push")
		listen   = flag.Bool("listen", false, "bcast: do not ask for the pushes, only receive them (another client asks)")
		cpuProf  = flag.String("cpuprofile", "", "write the load generator's own CPU profile to this file")
		caseName = flag.String("case", "", "case name for the result line")
		server   = flag.String("server", "", "server name for the result line")
		round    = flag.Int("round", 0, "round number for the result line")
	)
	flag.Parse()
	runtime.GOMAXPROCS(1)
	if *cpuProf != "" {
		if f, err := os.Create(*cpuProf); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	res := result{Case: *caseName, Server: *server, Round: *round, Conns: *conns}
	err := func() error {
		if *pid <= 0 {
			return fmt.Errorf("load: -pid is required")
		}
		var p proto
		switch *protoArg {
		case "tcp":
			p = tcpProto{}
		case "ws":
			p = wsProto{path: *wsPath}
		case "socketio":
			p = sioProto{}
		case "pomelo":
			p = pomeloProto{}
		default:
			return fmt.Errorf("load: unknown -proto %q", *protoArg)
		}
		if err := waitPort(*addr, *pid, 20*time.Second); err != nil {
			return err
		}
		spid := strconv.Itoa(*pid)
		switch *wl {
		case "echo":
			return runEcho(&res, *addr, spid, p, *conns, *size, *depth, *warmup, *duration, *flight)
		case "idle":
			return runIdle(&res, *addr, spid, p, *conns, *size, *settle, *flight, *heapSig)
		case "bcast":
			return runBcast(&res, *addr, spid, p, *conns, *size, *pushes, *flight, bcastSync{wait: *syncArg, listen: *listen})
		}
		return fmt.Errorf("load: unknown -workload %q", *wl)
	}()
	if err != nil {
		res.Error = err.Error()
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// waitPort waits until addr accepts a connection, failing early when the
// server process pid has exited.
func waitPort(addr string, pid int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if !alive(pid) {
			return fmt.Errorf("load: server process %d is not running", pid)
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("load: server at %s not up: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// echoWL is the closed-loop echo: each connection sends depth frames in
// one write and sends the next batch when all their echoes are back. With
// depth 1 it is a ping-pong.
type echoWL struct {
	size    int
	depth   int
	buf     []byte
	payload []byte
	count   int64
	measure bool
	h       hist
}

// next sends c's next batch; now is the current time (one clock read per
// completed batch serves both the latency sample and the next send time).
func (w *echoWL) next(l *loop, c *conn, now int64) error {
	w.buf = w.buf[:0]
	for i := 0; i < w.depth; i++ {
		binary.BigEndian.PutUint64(w.payload, c.seq+uint64(i)+1)
		w.buf = l.p.request(w.buf, c, w.payload)
	}
	c.expect = 0
	c.sentAt = now
	return l.send(c, w.buf)
}

func (w *echoWL) ready(l *loop, c *conn) error {
	l.established(c)
	return w.next(l, c, l.now())
}

func (w *echoWL) message(l *loop, c *conn, p []byte) error {
	c.seq++
	if len(p) != w.size || binary.BigEndian.Uint64(p) != c.seq {
		return fmt.Errorf("load: echo mismatch on connection %d", c.idx)
	}
	w.count++
	c.expect++
	if c.expect < w.depth {
		return nil
	}
	now := l.now()
	if w.measure {
		w.h.add(now - c.sentAt)
	}
	return w.next(l, c, now)
}

func runEcho(res *result, addr, pid string, p proto, conns, size, depth int, warmup, dur time.Duration, flight int) error {
	w := &echoWL{size: size, depth: depth, payload: make([]byte, size)}
	for i := 8; i < size; i++ {
		w.payload[i] = byte('a' + i%26)
	}
	l, err := newLoop(addr, p, w, flight)
	if err != nil {
		return err
	}
	defer l.close()
	l.target = conns
	if err := l.run(func() bool { return l.estab == conns }, time.Now().Add(60*time.Second)); err != nil {
		return err
	}
	warmEnd := time.Now().Add(warmup)
	if err := l.run(func() bool { return time.Now().After(warmEnd) }, warmEnd.Add(time.Minute)); err != nil {
		return err
	}
	s0, err := sampleCPU(pid)
	if err != nil {
		return err
	}
	t0, c0 := time.Now(), w.count
	w.measure = true
	end := t0.Add(dur)
	if err := l.run(func() bool { return time.Now().After(end) }, end.Add(time.Minute)); err != nil {
		return err
	}
	s1, err := sampleCPU(pid)
	if err != nil {
		return err
	}
	secs := time.Since(t0).Seconds()
	n := w.count - c0
	res.Msgs, res.Secs = n, secs
	res.Rate = float64(n) / secs
	res.Depth = depth
	res.P50us = float64(w.h.quantile(0.50)) / 1e3
	res.P99us = float64(w.h.quantile(0.99)) / 1e3
	fillCPU(res, s0, s1, secs, n)
	return nil
}

func fillCPU(res *result, s0, s1 cpuSample, secs float64, n int64) {
	srv, self := float64(s1.server-s0.server), float64(s1.self-s0.self)
	res.SrvCPUPct = srv / (secs * 1e6) * 100
	res.LoadCPUPct = self / (secs * 1e6) * 100
	if n > 0 {
		res.SrvCPUus = srv / float64(n)
		res.LoadCPUus = self / float64(n)
	}
}

// idleWL establishes connections with one echo each, then leaves them be.
// With probe false the protocol's readiness already proves that the server
// serves the connection (pomelo's join response), and no echo is sent.
type idleWL struct {
	probe   bool
	payload []byte
	buf     []byte
}

func (w *idleWL) ready(l *loop, c *conn) error {
	if !w.probe {
		c.probed = true
		l.established(c)
		return nil
	}
	w.buf = l.p.request(w.buf[:0], c, w.payload)
	return l.send(c, w.buf)
}

func (w *idleWL) message(l *loop, c *conn, p []byte) error {
	if !c.probed {
		c.probed = true
		l.established(c)
		return nil
	}
	return fmt.Errorf("load: idle connection %d got an unexpected message", c.idx)
}

// silencer is a protocol whose server expects heartbeats from an idle
// client. The load generator sends none, so an idle measurement must end
// within maxSilence of the first connection: then no heartbeat was due and
// no server can have timed a connection out.
type silencer interface {
	maxSilence(l *loop) time.Duration
}

func runIdle(res *result, addr, pid string, p proto, conns, size int, settle time.Duration, flight int, heapSig bool) error {
	time.Sleep(300 * time.Millisecond) // let the fresh server finish starting
	base, err := procstat.RSSKiB(pid)
	if err != nil {
		return err
	}
	w := &idleWL{probe: !probes(p), payload: make([]byte, size)}
	l, err := newLoop(addr, p, w, flight)
	if err != nil {
		return err
	}
	defer l.close()
	l.target = conns
	t0 := time.Now()
	if err := l.run(func() bool { return l.estab == conns }, time.Now().Add(90*time.Second)); err != nil {
		return err
	}
	res.Secs = time.Since(t0).Seconds()
	end := time.Now().Add(settle)
	if err := l.run(func() bool { return time.Now().After(end) }, end.Add(time.Minute)); err != nil {
		return err
	}
	rss, err := procstat.RSSKiB(pid)
	if err != nil {
		return err
	}
	// Every connection is still open on the server: the loop above fails on
	// any connection the server closed, and the server holds a socket for
	// every client plus its listener.
	socks, err := socketCount(pid)
	if err != nil {
		return err
	}
	if socks < conns+1 {
		return fmt.Errorf("load: idle: the server holds %d sockets for %d connections and its listener", socks, conns)
	}
	if s, ok := p.(silencer); ok {
		if limit, took := s.maxSilence(l), time.Since(t0); took >= limit {
			return fmt.Errorf("load: idle: the measurement took %v, not less than the %v heartbeat interval the server announced", took.Round(time.Millisecond), limit)
		}
	}
	res.RSSBase, res.RSS, res.SrvSockets = base, rss, socks
	res.KiBPerConn = float64(rss-base) / float64(conns)
	if heapSig {
		n, _ := strconv.Atoi(pid)
		if err := syscall.Kill(n, syscall.SIGUSR1); err != nil {
			return fmt.Errorf("load: signal server: %w", err)
		}
		// Keep the connections open while the server writes its profile.
		end := time.Now().Add(2 * time.Second)
		if err := l.run(func() bool { return time.Now().After(end) }, end.Add(time.Minute)); err != nil {
			return err
		}
	}
	return nil
}

// bcastWL checks that every connection receives pushes 0..n-1 in order.
type bcastWL struct {
	n, finished int
	probe       bool
	payload     []byte
	buf         []byte
	h           hist
	t0          int64
}

func (w *bcastWL) ready(l *loop, c *conn) error {
	if !w.probe {
		c.probed = true
		l.established(c)
		return nil
	}
	w.buf = l.p.request(w.buf[:0], c, w.payload)
	return l.send(c, w.buf)
}

func (w *bcastWL) message(l *loop, c *conn, p []byte) error {
	if !c.probed {
		c.probed = true
		l.established(c)
		return nil
	}
	if len(p) < 4 {
		return fmt.Errorf("load: short push on connection %d", c.idx)
	}
	seq := int(binary.BigEndian.Uint32(p))
	if c.expect >= w.n {
		return fmt.Errorf("load: connection %d got push %d after all %d it asked for", c.idx, seq, w.n)
	}
	if seq != c.expect {
		return fmt.Errorf("load: connection %d got push %d, want %d", c.idx, seq, c.expect)
	}
	c.expect++
	if c.expect == w.n {
		w.finished++
		w.h.add(l.now() - w.t0)
	}
	return nil
}

// bcastSync is the cluster benchmark's coordination of a bcast run.
type bcastSync struct {
	wait   bool // print "ready", wait for "go" on stdin, check for duplicates
	listen bool // do not send the command
}

// linger is how long a synchronized bcast keeps reading after its last
// push: a push that arrives twice, or one too many, fails the run.
const linger = 300 * time.Millisecond

func runBcast(res *result, addr, pid string, p proto, conns, size, pushes, flight int, sy bcastSync) error {
	w := &bcastWL{n: pushes, probe: !probes(p), payload: make([]byte, 16)}
	l, err := newLoop(addr, p, w, flight)
	if err != nil {
		return err
	}
	defer l.close()
	l.target = conns
	if err := l.run(func() bool { return l.estab == conns }, time.Now().Add(90*time.Second)); err != nil {
		return err
	}
	// Let the server finish registering the last connections.
	quiet := time.Now().Add(200 * time.Millisecond)
	if err := l.run(func() bool { return time.Now().After(quiet) }, quiet.Add(time.Minute)); err != nil {
		return err
	}
	if sy.wait {
		if err := waitGo(); err != nil {
			return err
		}
	}
	s0, err := sampleCPU(pid)
	if err != nil {
		return err
	}
	t0 := time.Now()
	w.t0 = l.now()
	if !sy.listen {
		if err := l.send(l.conns[0], p.bcast(nil, pushes, size)); err != nil {
			return err
		}
	}
	if err := l.run(func() bool { return w.finished == conns }, time.Now().Add(3*time.Minute)); err != nil {
		return fmt.Errorf("%w; %d of %d clients had every push", err, w.finished, conns)
	}
	s1, err := sampleCPU(pid)
	if err != nil {
		return err
	}
	secs := time.Since(t0).Seconds()
	if sy.wait {
		end := time.Now().Add(linger)
		if err := l.run(func() bool { return time.Now().After(end) }, end.Add(time.Minute)); err != nil {
			return fmt.Errorf("after every client had its %d pushes: %w", pushes, err)
		}
	}
	n := int64(conns) * int64(pushes)
	res.Msgs, res.Secs, res.Rate = n, secs, float64(n)/secs
	// For a broadcast, p50/p99 are when the median and the 99th-percentile
	// client had all its pushes, from the command.
	res.P50us = float64(w.h.quantile(0.50)) / 1e3
	res.P99us = float64(w.h.quantile(0.99)) / 1e3
	fillCPU(res, s0, s1, secs, n)
	return nil
}

// waitGo tells the coordinator that the connections are set up and waits
// for its "go" line on stdin.
func waitGo() error {
	fmt.Println("ready")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		return fmt.Errorf("load: waiting for go on stdin: %w", err)
	}
	if strings.TrimSpace(line) != "go" {
		return fmt.Errorf("load: got %q on stdin, want go", strings.TrimSpace(line))
	}
	return nil
}
