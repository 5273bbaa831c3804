package aio

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio/internal/clientcore"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/stat"
)

// The connection core, as package aio/client drives it: a dialer is a
// client's endpoint, a clientConn one of its connections. The client's
// state machine (request correlation, reconnects, its states) lives in
// aio/client; what is shared with the server's connections (read side,
// write queue and flusher, wheel, close path) is the same conn.

func init() { clientcore.NewEndpoint = newDialer }

// dialer is the endpoint of one client: the connections it dials share its
// wheel, logger and settings.
type dialer struct {
	ep  *endpoint
	cfg clientcore.Config

	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup // spawn's goroutines: read loops, the client's supervisor
}

func newDialer(cfg *clientcore.Config) clientcore.Endpoint {
	d := &dialer{cfg: *cfg}
	d.ep = newEndpoint(clientSettings(&d.cfg), cfg.Logger)
	d.ep.start()
	return d
}

// clientSettings applies a client's defaults.
func clientSettings(cfg *clientcore.Config) settings {
	return settings{
		heartbeat:       orDuration(cfg.HeartbeatTimeout, 90*time.Second),
		heartbeatUser:   cfg.HeartbeatTimeout != 0,
		clientHeartbeat: cfg.HeartbeatInterval,
		readTimeout:     defaultReadTimeout,
		writeTimeout:    defaultWriteTimeout,
		rateWindow:      defaultRateWindow,
		maxFrame:        defaultMaxFrameSize,
		writeQueue:      orPositive(cfg.WriteQueueBytes, defaultWriteQueueBytes),
		transport:       Transport(cfg.Transport),
		client:          true,
	}
}

func (d *dialer) Logger() *zerolog.Logger { return &d.ep.logger }

// Dial opens one connection and starts serving it.
func (d *dialer) Dial(ctx context.Context, addr string, o clientcore.Owner) (clientcore.Conn, error) {
	var (
		cn  *conn
		err error
		h   = clientHost{d, o}
	)
	switch {
	case d.cfg.WebSocket != nil:
		cn, err = d.dialWebSocket(ctx, h)
	case d.cfg.TLS == nil && Transport(d.cfg.Transport) != TransportStd && netpollAvailable:
		cn, err = dialNetpoll(ctx, addr, &d.ep.set, h)
	default:
		cn, err = d.dialStd(ctx, addr, h)
	}
	if err != nil {
		return nil, err
	}
	cc := cn.self.(*clientConn)
	if _, speaks := cc.stream.(codec.Opener); !speaks {
		cc.markReady() // a codec that does not speak first is ready once dialed
	}
	return cc, nil
}

// Go runs f on a goroutine Stop waits for (the client's dial loop).
func (d *dialer) Go(f func()) bool { return d.spawn(f) }

// spawn runs f on a goroutine Stop waits for; after Stop it runs nothing
// and reports false. Counting under d.mu, which Stop takes to say stopped
// before it waits, keeps every Add ahead of Stop's Wait.
func (d *dialer) spawn(f func()) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return false
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		f()
	}()
	return true
}

// Stop refuses new dials, waits for the connections' close paths and the
// endpoint's goroutines, and stops the wheel.
func (d *dialer) Stop(ctx context.Context) bool {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	ok := d.ep.waitActive(ctx)
	ok = waitOrDone(ctx, &d.wg) && ok
	d.ep.stop(ctx)
	return ok
}

// dialStd dials with package net (and crypto/tls when TLS is set) and
// serves the connection on a goroutine of its own.
func (d *dialer) dialStd(ctx context.Context, addr string, h clientHost) (*conn, error) {
	var (
		nc  net.Conn
		err error
	)
	if d.cfg.TLS != nil {
		cfg := d.cfg.TLS.Clone()
		if cfg.ServerName == "" {
			if host, _, e := net.SplitHostPort(addr); e == nil {
				cfg.ServerName = host
			}
		}
		td := tls.Dialer{Config: cfg}
		nc, err = td.DialContext(ctx, "tcp", addr)
	} else {
		var nd net.Dialer
		nc, err = nd.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("aio: dial %s: %w", addr, err)
	}
	opened := make(chan *conn, 1)
	if !d.spawn(func() {
		if runStd(nc, &d.ep.set, h, func(cn *conn) { opened <- cn }) == nil {
			opened <- nil
		}
	}) {
		nc.Close()
		return nil, ErrClosed
	}
	cn := <-opened
	if cn == nil {
		return nil, ErrClosed
	}
	return cn, nil
}

// clientHost admits a client's connections into its endpoint.
type clientHost struct {
	d *dialer
	o clientcore.Owner
}

func (h clientHost) open(rc rawConn) *conn {
	d := h.d
	d.mu.Lock()
	stopped := d.stopped
	if !stopped {
		d.ep.active.Add(1)
	}
	d.mu.Unlock()
	if stopped {
		return nil
	}
	cc := &clientConn{owner: h.o, readyCh: make(chan struct{}), doneCh: make(chan struct{})}
	cc.init(d.ep, cc, rc, d.cfg.Codec.NewStream)
	cc.registered()
	return &cc.conn
}

// clientConn is one connection of a client: the connection core, with the
// client's state machine as its owner.
type clientConn struct {
	conn
	owner clientcore.Owner
	// readyCh is closed once the connection is ready (conn.markReady),
	// doneCh once its close path finished.
	readyCh chan struct{}
	doneCh  chan struct{}
}

// The clientcore.Conn methods.

func (cc *clientConn) Send(m *codec.Message) error { return cc.send(m) }
func (cc *clientConn) SendSync(ctx context.Context, m *codec.Message) error {
	return cc.sendSync(ctx, m)
}
func (cc *clientConn) Close(reason error)       { cc.close(reason) }
func (cc *clientConn) Reason() error            { return cc.closeReason() }
func (cc *clientConn) Open() bool               { return !cc.isClosed() }
func (cc *clientConn) Ready() <-chan struct{}   { return cc.readyCh }
func (cc *clientConn) Done() <-chan struct{}    { return cc.doneCh }
func (cc *clientConn) Stream() codec.Stream     { return cc.stream }
func (cc *clientConn) Stats() stat.ConnSnapshot { return cc.stats.Snapshot() }
func (cc *clientConn) LocalAddr() net.Addr      { return cc.localAddr() }
func (cc *clientConn) RemoteAddr() net.Addr     { return cc.remoteAddr() }

// The connOwner hooks.

func (cc *clientConn) deliver(m *codec.Message)              { cc.owner.Deliver(m) }
func (cc *clientConn) connected()                            {}
func (cc *clientConn) received(int)                          {}
func (cc *clientConn) decoded(*codec.Message)                {}
func (cc *clientConn) handled(*codec.Message, time.Duration) {}
func (cc *clientConn) sent(int)                              {}
func (cc *clientConn) silentTooLong(time.Duration) bool      { return true }
func (cc *clientConn) closed(error)                          { close(cc.doneCh) }
func (cc *clientConn) closing(reason error) (user string) {
	cc.owner.Closing(cc, reason)
	return ""
}
