//go:build gotio_gnet && (linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package aio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	gio "github.com/panjf2000/gnet/v2/pkg/io"
	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"
)

// gnetEngine serves connections on panjf2000/gnet's event loops (one per
// GOMAXPROCS), the compact engine: each loop reads every ready connection
// into one shared buffer and runs serveRead on it at once, on the loop's
// own goroutine, so an idle connection holds no read buffer, no write
// buffer and no goroutine. Only while a unit (a frame, an upgrade request)
// is partial does a connection keep its tail, in a buffer of its own that
// goes once the unit is whole.
//
// serveRead waits for the rest of a partial unit by blocking in Peek; an
// event loop must never block, so Peek here returns errWouldWait instead,
// serveRead returns with the unit pending, and the loop calls it again
// when more bytes arrive; waitFor applies FrameTimeout and MinReadRate on
// each of those calls, and a sweep applies ReadTimeout to connections that
// went silent in the middle of a unit.
//
// Writes go out from the writer's goroutine with one writev, as netpoll's
// do, not through the loop (gnet's AsyncWritev would serialise every write
// of every connection on the loop and need a copy or a wait per write).
// When the socket is full a writer other than the loop waits for it,
// bounded by WriteTimeout, so the write queue fills and its byte cap
// applies; the loop itself never waits: it hands the rest to a goroutine
// of the connection that writes it, capped at WriteQueueBytes.
//
// A server that listens by address (Server.Listen, ListenAndServe) has
// gnet bind and accept itself (listen: gnet.Run), which keeps one shared
// local address and no net.Conn per connection; a listener given to Serve
// is accepted through package net and each socket enrolled in a loop
// (gnet.Client.Enroll), so any TCP or Unix listener can be served. gnet
// starts a worker pool when its package loads, which is why this engine is
// behind the gotio_gnet build tag: programs that do not ask for it do not
// carry it.
type gnetEngine struct {
	gnet.BuiltinEventEngine
	h      host
	set    *settings
	logger *zerolog.Logger

	mu      sync.Mutex
	cli     *gnet.Client // the loops of serve, started by the first one
	lns     []net.Listener
	started bool
	closed  bool
	stopped bool
	serving sync.WaitGroup // one per serve call
	own     gnetOwn        // listen's
	mapped  atomic.Bool    // mapLocal ran
	// selfListen is set once listen starts gnet.Run: OnBoot is then
	// Run's (the client's Start calls OnBoot too, with mu held).
	selfListen atomic.Bool

	// readers holds each loop's inbound, found by the loop (copied on
	// write: loops are few and appear once).
	readers atomic.Pointer[[]*gnetReader]
	rmu     sync.Mutex

	// partial holds the connections whose unread bytes end in a partial
	// unit, for the ReadTimeout sweep.
	pmu       sync.Mutex
	partial   map[*gnetConn]struct{}
	sweepQuit chan struct{}
	sweepDone chan struct{}
}

// gnetOwn is what listen keeps of the engine gnet.Run binds and accepts
// on.
type gnetOwn struct {
	running bool          // gnet.Run was started
	done    chan struct{} // closed once gnet.Run returned
	booted  chan error    // OnBoot's outcome for listen; nil once given
	eng     gnet.Engine   // set by OnBoot
	bound   net.Addr      // the listener's address, from getsockname
	// lnFd is gnet's own descriptor of the listener, and dev and ino its
	// socket's identity, for closeListeners to detach it.
	lnFd     int
	dev, ino uint64
	ok       bool     // OnBoot gave listen the bound address
	detached bool     // closeListeners detached the listener
	down     bool     // OnShutdown ran: gnet closes the listener itself
	shared   net.Addr // gnet's shared local address, when mapped to bound
}

func newGnetEngine(s *Server, set *settings) (engine, error) {
	return &gnetEngine{h: s, set: set, logger: &s.ep.logger, partial: map[*gnetConn]struct{}{}}, nil
}

func (e *gnetEngine) name() string { return "gnet" }

// startLocked starts the sweep, once, and for serve the client's event
// loops (an engine that never serves or listens starts nothing).
func (e *gnetEngine) startLocked(client bool) error {
	if client && e.cli == nil {
		cli, err := gnet.NewClient(e,
			gnet.WithNumEventLoop(runtime.GOMAXPROCS(0)),
			gnet.WithLogger(gnetLogger{e.logger}),
		)
		if err == nil {
			err = cli.Start()
		}
		if err != nil {
			return fmt.Errorf("aio: gnet: %w", err)
		}
		e.cli = cli
	}
	if e.started {
		return nil
	}
	e.started = true
	e.sweepQuit, e.sweepDone = make(chan struct{}), make(chan struct{})
	go e.sweep()
	return nil
}

// errGnetStoppedItself is what listen reports when gnet's engine ended
// without closeListeners or stop (gnet logs why).
var errGnetStoppedItself = errors.New("aio: gnet: the engine stopped by itself (gnet's log says why)")

// listen has gnet bind addr and accept on it itself (gnet.Run on its own
// goroutine, which ended follows). It returns once the listener is bound,
// with its address, or with the bind error; errNoSelfListen when the
// listener could not be made detachable here (the caller listens through
// package net instead).
func (e *gnetEngine) listen(addr string, ended func(error)) (net.Addr, error) {
	if !gnetSelfListen {
		return nil, errNoSelfListen
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrServerClosed
	}
	if e.own.running {
		e.mu.Unlock()
		return nil, errors.New("aio: gnet: an engine listens once")
	}
	if err := e.startLocked(false); err != nil {
		e.mu.Unlock()
		return nil, err
	}
	booted := make(chan error, 1)
	e.own.running, e.own.done, e.own.booted = true, make(chan struct{}), booted
	e.selfListen.Store(true)
	e.mu.Unlock()
	go func() {
		err := gnet.Run(e, "tcp://"+addr,
			gnet.WithMulticore(true),
			gnet.WithNumEventLoop(runtime.GOMAXPROCS(0)),
			gnet.WithReuseAddr(true),
			gnet.WithLogger(gnetLogger{e.logger}),
		)
		e.mu.Lock()
		// gnet closed the listener; no descriptor of it is left to detach.
		e.own.down = true
		ok, unanswered := e.own.ok, e.own.booted != nil
		e.own.booted = nil
		closed := e.closed
		shared := e.own.shared
		e.mu.Unlock()
		if shared != nil {
			gnetLocal.Delete(shared)
		}
		close(e.own.done)
		if !ok {
			// OnBoot refused (and told listen why) or never ran: the
			// bind failed.
			if unanswered {
				if err == nil {
					err = ErrServerClosed
				}
				booted <- fmt.Errorf("aio: gnet: listen %s: %w", addr, err)
			}
			return
		}
		switch {
		case closed:
			err = nil
		case err == nil:
			err = errGnetStoppedItself
		}
		ended(err)
	}()
	if err := <-booted; err != nil {
		return nil, err
	}
	e.mu.Lock()
	bound := e.own.bound
	e.mu.Unlock()
	return bound, nil
}

// OnBoot learns the address gnet.Run bound and its listener's descriptor
// (for listen; the client's Start calls it too, and it does nothing then).
func (e *gnetEngine) OnBoot(eng gnet.Engine) gnet.Action {
	if !e.selfListen.Load() {
		return gnet.None
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.own.booted == nil {
		return gnet.None
	}
	fail := func(err error) gnet.Action {
		e.own.booted <- err
		e.own.booted = nil
		return gnet.Shutdown
	}
	if e.closed {
		return fail(ErrServerClosed)
	}
	dup, err := eng.Dup()
	if err != nil {
		return fail(fmt.Errorf("aio: gnet: duplicating the listener: %w", err))
	}
	defer unix.Close(dup)
	sa, err := unix.Getsockname(dup)
	if err != nil {
		return fail(fmt.Errorf("aio: gnet: the listener's address: %w", err))
	}
	var st unix.Stat_t
	if err := unix.Fstat(dup, &st); err != nil {
		return fail(fmt.Errorf("aio: gnet: the listener: %w", err))
	}
	fd, err := gnetFindFd(dup, uint64(st.Dev), uint64(st.Ino))
	if err != nil {
		// Without gnet's own descriptor closeListeners could not stop the
		// accepts alone: the caller listens through package net instead.
		return fail(fmt.Errorf("%w: %v", errNoSelfListen, err))
	}
	e.own.eng, e.own.bound, e.own.lnFd = eng, sockaddrAddr(sa), fd
	e.own.dev, e.own.ino = uint64(st.Dev), uint64(st.Ino)
	e.own.ok = true
	e.own.booted <- nil
	e.own.booted = nil
	return gnet.None
}

// OnShutdown notes that gnet is shutting down: from now on gnet closes its
// listener itself (and its descriptor may be reused).
func (e *gnetEngine) OnShutdown(gnet.Engine) {
	e.mu.Lock()
	e.own.down = true
	e.mu.Unlock()
}

// sockaddrAddr is the TCP address of sa.
func sockaddrAddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port}
	case *unix.SockaddrInet6:
		ip := append(net.IP(nil), a.Addr[:]...)
		zone := ""
		if a.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				zone = ifi.Name
			}
		}
		return &net.TCPAddr{IP: ip, Port: a.Port, Zone: zone}
	}
	return &net.TCPAddr{}
}

// detachLocked closes gnet's listener of listen without stopping gnet: it
// replaces gnet's descriptor of it with a placeholder (a listening Unix
// socket nobody knows, on which gnet's accept finds nothing), so the
// listening socket closes, new dials are refused by the kernel, and gnet's
// event loops and connections go on until stop. gnet closes the
// placeholder when it stops.
func (e *gnetEngine) detachLocked() {
	o := &e.own
	if !o.running || o.down || o.detached || o.eng == (gnet.Engine{}) {
		return
	}
	o.detached = true
	var st unix.Stat_t
	if err := unix.Fstat(o.lnFd, &st); err != nil || uint64(st.Dev) != o.dev || uint64(st.Ino) != o.ino {
		return // not the listener any more
	}
	if err := gnetReplaceFd(o.lnFd); err != nil {
		e.logger.Warn().Err(err).Msg("aio: gnet: closing the listener failed; new connections are refused by admission until stop")
	}
}

func (e *gnetEngine) serve(ln net.Listener) error {
	switch ln.(type) {
	case *net.TCPListener, *net.UnixListener:
	default:
		ln.Close()
		return fmt.Errorf("aio: the gnet transport serves TCP and Unix listeners, not %T (TransportStd serves TLS)", ln)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	if err := e.startLocked(true); err != nil {
		e.mu.Unlock()
		ln.Close()
		return err
	}
	e.lns = append(e.lns, ln)
	e.serving.Add(1)
	e.mu.Unlock()
	defer e.serving.Done()
	return acceptEach(ln, e.isClosed, e.logger, func(nc net.Conn) {
		// Enroll duplicates the socket into a loop, runs OnOpen there and
		// closes nc.
		e.mu.Lock()
		cli := e.cli
		e.mu.Unlock()
		if _, err := cli.Enroll(nc); err != nil {
			e.logger.Warn().Err(err).Msg("aio: gnet: enroll failed")
		}
	})
}

func (e *gnetEngine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

func (e *gnetEngine) closeListeners() {
	e.mu.Lock()
	e.closed = true
	lns := e.lns
	e.detachLocked()
	e.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
}

// stop ends the accept loops, the sweep and the event loops, which close
// what is still open.
func (e *gnetEngine) stop(ctx context.Context) error {
	e.closeListeners()
	waitOrDone(ctx, &e.serving)
	e.mu.Lock()
	started, stopped := e.started, e.stopped
	e.stopped = true
	cli, own := e.cli, e.own
	e.mu.Unlock()
	if !started || stopped {
		return nil
	}
	close(e.sweepQuit)
	<-e.sweepDone
	// A loop stuck in an inline handler would hold gnet's stop: wait for
	// it only until ctx ends (the loop stops once the handler returns).
	stoppedCh := make(chan error, 2)
	waits := 0
	if cli != nil {
		waits++
		go func() { stoppedCh <- cli.Stop() }()
	}
	if own.running {
		waits++
		if own.eng != (gnet.Engine{}) {
			// Engine.Stop polls every 500 ms for the end; gnet.Run's
			// return says it sooner, so Stop only starts the shutdown.
			now, cancel := context.WithCancel(context.Background())
			cancel()
			_ = own.eng.Stop(now)
		}
		go func() { <-own.done; stoppedCh <- nil }()
	}
	var err error
wait:
	for range waits {
		select {
		case werr := <-stoppedCh:
			err = errors.Join(err, werr)
		case <-ctx.Done():
			err = ctx.Err()
			break wait
		}
	}
	return err
}

// OnOpen admits a connection on its loop, enrolled by serve or accepted
// by gnet for listen alike.
func (e *gnetEngine) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	if e.own.running && !e.mapped.Load() {
		e.mapLocal(gc.LocalAddr())
	}
	g := &gnetConn{gc: gc, fd: int32(gc.Fd())}
	c := e.h.open(g)
	if c == nil {
		return nil, gnet.Close
	}
	g.c = c
	gc.SetContext(g)
	c.begin()
	return nil, gnet.None
}

// OnTraffic serves the bytes that arrived, on the loop.
func (e *gnetEngine) OnTraffic(gc gnet.Conn) gnet.Action {
	g, _ := gc.Context().(*gnetConn)
	b, _ := gc.Next(-1) // everything: gnet keeps nothing between calls
	if g == nil {
		return gnet.Close
	}
	e.read(g, e.reader(gc.EventLoop()), b)
	return gnet.None
}

// reader returns the inbound of loop el.
func (e *gnetEngine) reader(el gnet.EventLoop) *gnetReader {
	if rs := e.readers.Load(); rs != nil {
		for _, r := range *rs {
			if r.el == el {
				return r
			}
		}
	}
	e.rmu.Lock()
	defer e.rmu.Unlock()
	var rs []*gnetReader
	if p := e.readers.Load(); p != nil {
		rs = *p
		for _, r := range rs {
			if r.el == el {
				return r
			}
		}
	}
	r := &gnetReader{el: el}
	rs = append(rs[:len(rs):len(rs)], r)
	e.readers.Store(&rs)
	return r
}

// OnClose runs the close path of a connection the peer closed (or that
// aio closed: finish then returns at once), before gnet closes the socket.
func (e *gnetEngine) OnClose(gc gnet.Conn, err error) gnet.Action {
	g, _ := gc.Context().(*gnetConn)
	if g == nil {
		return gnet.None
	}
	g.fence()
	if g.part != nil {
		g.part = nil
		e.untrack(g)
	}
	reason := error(errPeerClosed)
	if err != nil {
		reason = peerReason(err)
	}
	g.c.finish(reason)
	return gnet.None
}

func (e *gnetEngine) track(g *gnetConn) {
	e.pmu.Lock()
	e.partial[g] = struct{}{}
	e.pmu.Unlock()
}

func (e *gnetEngine) untrack(g *gnetConn) {
	e.pmu.Lock()
	delete(e.partial, g)
	e.pmu.Unlock()
}

// sweep closes connections silent for ReadTimeout in the middle of a unit
// (netpoll's and the std transport's Peek time out instead).
func (e *gnetEngine) sweep() {
	defer close(e.sweepDone)
	tick := min(max(e.set.readTimeout/8, 10*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	var due []*gnetConn
	for {
		select {
		case <-e.sweepQuit:
			return
		case <-t.C:
		}
		due = due[:0]
		e.pmu.Lock()
		for g := range e.partial {
			// Both stamps come from the coarse clock.
			if e.set.readTimeout > 0 && g.c.ep.now()-g.c.stats.LastReceived.Load() > int64(e.set.readTimeout) {
				due = append(due, g)
			}
		}
		e.pmu.Unlock()
		for _, g := range due {
			g.c.finish(wrapReason(errReadTimeout, fmt.Errorf("no bytes for %v in the middle of a unit", e.set.readTimeout)))
		}
		clear(due)
	}
}

// gnetConn is a rawConn over a gnet connection. It is what an idle
// connection costs this engine beside gnet's own connection: 64 bytes (a
// test holds it there). It keeps no addresses of its own while the
// connection is open (gnet's connection has them) and nothing for a writer
// that waits for the socket (gnetWaiters has it, while it waits).
type gnetConn struct {
	gc gnet.Conn
	c  *conn
	// part is the loop's own: the tail of a partial unit, kept between
	// reads; nil otherwise.
	part *gnetPartial

	wmu     sync.Mutex // guards what follows
	backlog *gnetBacklog
	// gone holds the addresses once OnClose ran: gnet drops its own
	// after OnClose returns.
	gone *gnetAddrs
	fd   int32 // -1 once OnClose ran: the descriptor may be reused

	serving atomic.Bool // the loop is inside serveRead for this connection
}

// gnetAddrs is a closed connection's addresses.
type gnetAddrs struct{ local, remote net.Addr }

// gnetWaiters holds, for each connection with a writer waiting for its
// socket, the duplicate of the socket it waits on, for fence to wake. A
// writer waits only behind a full socket, so this stays small; keeping it
// here rather than in gnetConn saves every idle connection a field.
var gnetWaiters struct {
	mu sync.Mutex
	m  map[*gnetConn]*os.File
}

// gnetPartial is a connection's partial unit.
type gnetPartial struct{ carry []byte }

// gnetBacklog is what the loop could not write without waiting, written
// by a goroutine of the connection.
type gnetBacklog struct {
	buf  []byte
	n    int           // bytes held, including those being written
	done chan struct{} // closed once written (or failed)
	// closeAfter closes the connection once the backlog is written.
	closeAfter bool
}

// gnetReader is a loop's inbound: the bytes being served. Peek past them
// unwinds serveRead.
type gnetReader struct {
	el gnet.EventLoop
	in []byte
}

func (r *gnetReader) Len() int { return len(r.in) }

func (r *gnetReader) Peek(n int) ([]byte, error) {
	if n > len(r.in) {
		return nil, errWouldWait
	}
	return r.in[:n], nil
}

func (r *gnetReader) Skip(n int) error {
	r.in = r.in[n:]
	return nil
}

func (r *gnetReader) Release() error { return nil }

// read serves b, the bytes that just arrived for g, behind any partial
// unit, with the loop's inbound r.
func (e *gnetEngine) read(g *gnetConn, r *gnetReader, b []byte) {
	c := g.c
	if g.part != nil {
		g.part.carry = append(g.part.carry, b...)
		b = g.part.carry
	}
	r.in = b
	g.serving.Store(true)
	c.serveRead(r)
	g.serving.Store(false)
	rest := r.in
	r.in = nil
	// serveRead leaves a partial unit pending (its Peek got errWouldWait,
	// after waitFor applied FrameTimeout and MinReadRate to it); a closed
	// connection has nothing pending.
	if c.pending == 0 || c.state.Load() != stateOpen {
		if g.part != nil {
			g.part = nil
			e.untrack(g)
		}
		return
	}
	// Keep the tail; it is consumed from the start next time.
	if g.part == nil {
		g.part = &gnetPartial{carry: append(make([]byte, 0, max(2*len(rest), 512)), rest...)}
		e.track(g)
	} else {
		g.part.carry = g.part.carry[:copy(g.part.carry, rest)]
	}
}

// gnetLocal maps the local address gnet's own accept shares among a
// listener's connections (the address gnet.Run was given, port 0 for
// ":0") to the address the listener is bound to: the one net.Addr for
// all of them.
var gnetLocal sync.Map // net.Addr → net.Addr

// mapLocal maps la, gnet's shared local address of listen's connections,
// to the bound address when they differ, once.
func (e *gnetEngine) mapLocal(la net.Addr) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o := &e.own
	if o.shared != nil || la == nil || o.bound == nil || o.down {
		return
	}
	o.shared = la
	e.mapped.Store(true)
	if la.String() != o.bound.String() {
		gnetLocal.Store(la, o.bound)
	}
}

// LocalAddr returns gnet's local address of the connection, or the copy
// fence kept once gnet dropped it.
func (g *gnetConn) LocalAddr() net.Addr {
	g.wmu.Lock()
	var a net.Addr
	if g.gone != nil {
		a = g.gone.local
	} else {
		a = g.gc.LocalAddr()
	}
	g.wmu.Unlock()
	if b, ok := gnetLocal.Load(a); ok {
		return b.(net.Addr)
	}
	return a
}

// RemoteAddr is as LocalAddr, for the peer's address.
func (g *gnetConn) RemoteAddr() net.Addr {
	g.wmu.Lock()
	defer g.wmu.Unlock()
	if g.gone != nil {
		return g.gone.remote
	}
	return g.gc.RemoteAddr()
}

// iovMax is the most buffers one writev takes (IOV_MAX on Linux and BSD).
const iovMax = 1024

// writev writes bufs in order. A writer that finds the socket full waits
// for it (WriteTimeout), unless it is the loop, which leaves the rest to
// the backlog's goroutine.
func (g *gnetConn) writev(bufs [][]byte) (int, error) {
	total := 0
	for _, b := range bufs {
		total += len(b)
	}
	onLoop := g.serving.Load()
	g.wmu.Lock()
	for g.backlog != nil && g.fd >= 0 {
		if onLoop {
			err := g.queueLocked(bufs, total)
			g.wmu.Unlock()
			if err != nil {
				g.slowConsumer()
				return 0, err
			}
			return total, nil
		}
		done := g.backlog.done
		g.wmu.Unlock()
		<-done
		g.wmu.Lock()
	}
	if g.fd < 0 {
		g.wmu.Unlock()
		return 0, net.ErrClosed
	}
	// Non-blocking writes under wmu: fence waits for them, so the
	// descriptor cannot be closed and reused under a write.
	n, rest, err := writeNow(int(g.fd), bufs)
	if err != nil || len(rest) == 0 {
		g.wmu.Unlock()
		return n, err
	}
	if onLoop {
		err := g.queueLocked(rest, total-n)
		g.wmu.Unlock()
		if err != nil {
			g.slowConsumer()
			return n, err
		}
		return total, nil
	}
	f, err := g.dupLocked()
	g.wmu.Unlock()
	if err != nil {
		return n, err
	}
	m, err := g.writeWait(f, rest)
	return n + m, err
}

// queueLocked copies bufs into the backlog and starts its goroutine. A
// backlog past WriteQueueBytes makes the connection a slow consumer.
func (g *gnetConn) queueLocked(bufs [][]byte, size int) error {
	bl := g.backlog
	if bl == nil {
		bl = &gnetBacklog{done: make(chan struct{})}
	}
	if bl.n+size > g.c.ep.set.writeQueue {
		return ErrSlowConsumer
	}
	for _, b := range bufs {
		bl.buf = append(bl.buf, b...)
	}
	bl.n += size
	if g.backlog == nil {
		g.backlog = bl
		go g.drain(bl)
	}
	return nil
}

// slowConsumer marks the connection a slow consumer, so that the close
// the failed write causes carries that reason (writev runs in flush, which
// then closes it).
func (g *gnetConn) slowConsumer() {
	q := &g.c.out
	q.mu.Lock()
	g.c.abortLocked(ErrSlowConsumer)
	q.mu.Unlock()
}

// drain writes the backlog, waiting for the socket, then carries out a
// close that waited for it.
func (g *gnetConn) drain(bl *gnetBacklog) {
	var err error
	for {
		g.wmu.Lock()
		if g.fd < 0 || len(bl.buf) == 0 || err != nil {
			g.backlog = nil
			closeAfter := bl.closeAfter
			g.wmu.Unlock()
			close(bl.done)
			if err != nil {
				g.c.finish(wrapReason(errWriteFailed, err))
			}
			if closeAfter {
				_ = g.gc.Close()
			}
			return
		}
		buf := bl.buf
		bl.buf = nil
		var f *os.File
		f, err = g.dupLocked()
		g.wmu.Unlock()
		if err != nil {
			continue
		}
		_, err = g.writeWait(f, [][]byte{buf})
		g.wmu.Lock()
		bl.n -= len(buf)
		g.wmu.Unlock()
	}
}

// dupLocked returns a duplicate of the socket that Go's poller can wait
// on, and registers it for fence to wake.
func (g *gnetConn) dupLocked() (*os.File, error) {
	fd, err := unix.FcntlInt(uintptr(g.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "gnet-socket")
	gnetWaiters.mu.Lock()
	if gnetWaiters.m == nil {
		gnetWaiters.m = map[*gnetConn]*os.File{}
	}
	gnetWaiters.m[g] = f
	gnetWaiters.mu.Unlock()
	return f, nil
}

// writeWait writes bufs through f, waiting for the socket within
// WriteTimeout, and closes f.
func (g *gnetConn) writeWait(f *os.File, bufs [][]byte) (int, error) {
	defer func() {
		g.wmu.Lock()
		gnetWaiters.mu.Lock()
		delete(gnetWaiters.m, g)
		gnetWaiters.mu.Unlock()
		g.wmu.Unlock()
		f.Close()
	}()
	if d := g.c.ep.set.writeTimeout; d > 0 {
		_ = f.SetWriteDeadline(time.Now().Add(d))
	}
	// A fence between dupLocked and the deadline above would be undone.
	g.wmu.Lock()
	if g.fd < 0 {
		_ = f.SetWriteDeadline(time.Unix(1, 0))
	}
	g.wmu.Unlock()
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	total := 0
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		var n int
		n, bufs, werr = writeNow(int(fd), bufs)
		total += n
		return werr != nil || len(bufs) == 0
	})
	if err != nil {
		return total, err
	}
	return total, werr
}

// writeNow writes bufs until they are written or the socket is full; it
// returns the bytes written and what is left.
func writeNow(fd int, bufs [][]byte) (int, [][]byte, error) {
	total := 0
	for len(bufs) > 0 {
		n, err := gio.Writev(fd, bufs[:min(len(bufs), iovMax)])
		if n > 0 {
			total += n
			bufs = advance(bufs, n)
		}
		switch {
		case err == nil:
		case errors.Is(err, unix.EINTR):
		case errors.Is(err, unix.EAGAIN):
			return total, bufs, nil
		default:
			return total, bufs, err
		}
	}
	return total, nil, nil
}

// advance drops the first n bytes of bufs.
func advance(bufs [][]byte, n int) [][]byte {
	for n > 0 && len(bufs) > 0 {
		if n < len(bufs[0]) {
			bufs[0] = bufs[0][n:]
			return bufs
		}
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	for len(bufs) > 0 && len(bufs[0]) == 0 {
		bufs = bufs[1:]
	}
	return bufs
}

// fence keeps writers off the socket before gnet closes it: a write in
// progress has finished (they run under wmu), a waiting one is woken and
// fails, later ones see closed. It keeps the addresses gnet is about to
// drop. It runs on the loop, in OnClose.
func (g *gnetConn) fence() {
	g.wmu.Lock()
	g.fd = -1
	g.gone = &gnetAddrs{local: g.gc.LocalAddr(), remote: g.gc.RemoteAddr()}
	gnetWaiters.mu.Lock()
	if f := gnetWaiters.m[g]; f != nil {
		_ = f.SetWriteDeadline(time.Unix(1, 0))
	}
	gnetWaiters.mu.Unlock()
	g.wmu.Unlock()
}

// close closes the connection, after the backlog when there is one.
func (g *gnetConn) close() error {
	g.wmu.Lock()
	if g.backlog != nil && g.fd >= 0 {
		g.backlog.closeAfter = true
		g.wmu.Unlock()
		return nil
	}
	g.wmu.Unlock()
	return g.gc.Close()
}

// gnetLogger writes gnet's logs to the server's logger, gnet's
// informational lines at debug level.
type gnetLogger struct{ l *zerolog.Logger }

func (g gnetLogger) Debugf(format string, args ...any) { g.l.Debug().Msgf("gnet: "+format, args...) }
func (g gnetLogger) Infof(format string, args ...any)  { g.l.Debug().Msgf("gnet: "+format, args...) }
func (g gnetLogger) Warnf(format string, args ...any)  { g.l.Warn().Msgf("gnet: "+format, args...) }
func (g gnetLogger) Errorf(format string, args ...any) { g.l.Error().Msgf("gnet: "+format, args...) }
func (g gnetLogger) Fatalf(format string, args ...any) { g.l.Error().Msgf("gnet: "+format, args...) }
