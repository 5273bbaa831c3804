package main

import (
	"errors"
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// conn is one client connection driven by the loop.
type conn struct {
	fd        int
	idx       int
	connected bool // TCP connect finished
	ready     bool // protocol handshake finished
	carry     []byte
	pending   []byte // bytes the socket would not take yet
	wantOut   bool   // EPOLLOUT registered
	st        any    // the protocol's per-connection state

	// workload state
	seq      uint64
	sentAt   int64
	expect   int // broadcast: next push sequence number
	doneAt   int64
	probed   bool
	finished bool
}

// loop is a single-threaded epoll client: it dials, reads and writes every
// connection itself, so the load generator costs about one read and one
// write system call per message and no goroutine switches.
type loop struct {
	epfd   int
	addr   unix.SockaddrInet4
	byFD   []*conn // indexed by file descriptor
	conns  []*conn
	rbuf   []byte
	events []unix.EpollEvent
	p      proto
	w      workload
	start  time.Time

	// dialing
	target    int // connections wanted
	inflight  int // dialed, not yet established (workload says when)
	maxFlight int
	estab     int
}

// workload reacts to protocol events.
type workload interface {
	ready(l *loop, c *conn) error
	message(l *loop, c *conn, payload []byte) error
}

// proto is the client side of one wire protocol.
type proto interface {
	// open returns what the client sends right after connecting (an HTTP
	// upgrade, a handshake), or nil when the connection is ready at once.
	open(c *conn) []byte
	// decode consumes whole units from the front of in, calling l.onReady
	// and l.w.message as they complete; it returns the bytes consumed.
	decode(l *loop, c *conn, in []byte) (int, error)
	// request appends the wire form of a client message carrying payload.
	request(dst []byte, c *conn, payload []byte) []byte
	// bcast appends the wire form of the command that starts a broadcast of
	// n pushes of size bytes.
	bcast(dst []byte, n, size int) []byte
}

func newLoop(addr string, p proto, w workload, maxFlight int) (*loop, error) {
	ta, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return nil, err
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("load: epoll: %w", err)
	}
	l := &loop{
		epfd: epfd, rbuf: make([]byte, 256<<10),
		events: make([]unix.EpollEvent, 1024), p: p, w: w, start: time.Now(),
		maxFlight: maxFlight,
	}
	l.addr.Port = ta.Port
	copy(l.addr.Addr[:], ta.IP.To4())
	return l, nil
}

// now is a cheap monotonic clock in nanoseconds.
func (l *loop) now() int64 { return int64(time.Since(l.start)) }

// dial starts one non-blocking connect.
func (l *loop) dial() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("load: socket: %w", err)
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if err := unix.Connect(fd, &l.addr); err != nil && !errors.Is(err, unix.EINPROGRESS) {
		unix.Close(fd)
		return fmt.Errorf("load: connect: %w", err)
	}
	c := &conn{fd: fd, idx: len(l.conns)}
	l.conns = append(l.conns, c)
	for len(l.byFD) <= fd {
		l.byFD = append(l.byFD, nil)
	}
	l.byFD[fd] = c
	l.inflight++
	c.wantOut = true
	return unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLOUT, Fd: int32(fd)})
}

// dialMore keeps up to maxFlight connections establishing until target.
func (l *loop) dialMore() error {
	for len(l.conns) < l.target && l.inflight < l.maxFlight {
		if err := l.dial(); err != nil {
			return err
		}
	}
	return nil
}

// established tells the loop that c is fully set up (the workload decides
// what that means), freeing a dialing slot.
func (l *loop) established(c *conn) {
	l.inflight--
	l.estab++
}

// onReady is called by a proto when c's handshake completed.
func (l *loop) onReady(c *conn) error {
	c.ready = true
	return l.w.ready(l, c)
}

// send writes b to c, queueing what the socket does not take.
func (l *loop) send(c *conn, b []byte) error {
	if len(c.pending) > 0 {
		c.pending = append(c.pending, b...)
		return nil
	}
	for len(b) > 0 {
		n, err := unix.Write(c.fd, b)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) {
				break
			}
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("load: write: %w", err)
		}
		b = b[n:]
	}
	if len(b) > 0 {
		c.pending = append(c.pending, b...)
		return l.watchOut(c, true)
	}
	return nil
}

func (l *loop) watchOut(c *conn, on bool) error {
	if c.wantOut == on {
		return nil
	}
	c.wantOut = on
	ev := uint32(unix.EPOLLIN)
	if on {
		ev |= unix.EPOLLOUT
	}
	return unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, c.fd, &unix.EpollEvent{Events: ev, Fd: int32(c.fd)})
}

func (l *loop) onWritable(c *conn) error {
	if !c.connected {
		soerr, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			return fmt.Errorf("load: connect: %w", err)
		}
		if soerr != 0 {
			return fmt.Errorf("load: connect: %w", unix.Errno(soerr))
		}
		c.connected = true
		if err := l.watchOut(c, false); err != nil {
			return err
		}
		if b := l.p.open(c); b != nil {
			return l.send(c, b)
		}
		return l.onReady(c)
	}
	for len(c.pending) > 0 {
		n, err := unix.Write(c.fd, c.pending)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) {
				return nil
			}
			return fmt.Errorf("load: write: %w", err)
		}
		c.pending = c.pending[:copy(c.pending, c.pending[n:])]
	}
	return l.watchOut(c, false)
}

func (l *loop) onReadable(c *conn) error {
	n, err := unix.Read(c.fd, l.rbuf)
	if err != nil {
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			return nil
		}
		return fmt.Errorf("load: read: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("load: connection %d closed by the server", c.idx)
	}
	data := l.rbuf[:n]
	if len(c.carry) > 0 {
		c.carry = append(c.carry, data...)
		data = c.carry
	}
	used, err := l.p.decode(l, c, data)
	if err != nil {
		return err
	}
	rest := data[used:]
	if len(rest) == 0 {
		c.carry = c.carry[:0]
		if cap(c.carry) > 64<<10 {
			c.carry = nil
		}
		return nil
	}
	if len(c.carry) > 0 {
		c.carry = c.carry[:copy(c.carry, rest)]
	} else {
		c.carry = append(c.carry[:0], rest...)
	}
	return nil
}

// run serves events until done returns true or the deadline passes.
func (l *loop) run(done func() bool, deadline time.Time) error {
	for !done() {
		if err := l.dialMore(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("load: timed out (%d of %d connections established)", l.estab, l.target)
		}
		n, err := unix.EpollWait(l.epfd, l.events, 10)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("load: epoll_wait: %w", err)
		}
		for i := 0; i < n; i++ {
			ev := l.events[i]
			fd := int(ev.Fd)
			if fd >= len(l.byFD) || l.byFD[fd] == nil {
				continue
			}
			c := l.byFD[fd]
			if c == nil {
				continue
			}
			if ev.Events&(unix.EPOLLOUT|unix.EPOLLERR) != 0 && (c.wantOut || !c.connected) {
				if err := l.onWritable(c); err != nil {
					return err
				}
			}
			if ev.Events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 && c.connected {
				if err := l.onReadable(c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// close closes every connection.
func (l *loop) close() {
	for _, c := range l.conns {
		unix.Close(c.fd)
	}
	unix.Close(l.epfd)
}
