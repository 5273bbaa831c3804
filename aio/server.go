package aio

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/group"
	"github.com/gotio/gotio/stat"
)

// Server serves one codec on one or more listeners: it holds the
// connections, their bindings, the statistics and the shared policies
// (t-io's GroupContext). Create it with NewServer. All methods are safe for
// concurrent use.
type Server struct {
	cfg    *settings
	logger zerolog.Logger
	stats  stat.Server

	conns  connTable
	users  group.Index[*ChannelContext]
	groups group.Index[*ChannelContext]
	tokens group.Index[*ChannelContext]
	ips    group.Index[*ChannelContext]
	bsids  group.Unique[*ChannelContext]

	wheel   *wheel
	workers *workerPool
	nodeID  string

	mu        sync.Mutex
	engines   []engine
	shutdown  atomic.Bool
	active    sync.WaitGroup // one per open connection
	serving   sync.WaitGroup // one per Serve call
	startOnce sync.Once
	stopOnce  sync.Once
	addrs     []net.Addr

	busLogged atomic.Int64 // unix nanos of the last bus error logged
	// clock is the time in unix nanos, refreshed every wheel tick: reads
	// and writes stamp connections with it instead of asking the system
	// clock per message (liveness needs no better than a tick).
	clock atomic.Int64

	blMu      sync.Mutex
	blacklist map[string]time.Time // ip → until
}

// NewServer returns a server for cfg. It starts no goroutine until Serve.
func NewServer(cfg *Config) *Server {
	if cfg == nil || cfg.Codec == nil {
		panic("aio: NewServer needs a Config with a Codec")
	}
	st := newSettings(cfg)
	s := &Server{cfg: st, logger: st.Logger, nodeID: st.NodeID}
	if s.nodeID == "" {
		s.nodeID = randomID()
	}
	s.wheel = newWheel(s)
	s.clock.Store(time.Now().UnixNano())
	if st.HandlerMode == HandlerQueued {
		s.workers = newWorkerPool(st.Workers)
	}
	return s
}

// ListenAndServe listens on the TCP address addr and serves it.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Listen listens on addr and serves it in the background; it returns once
// the listener is open (so Addr is known) or failed.
func (s *Server) Listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.serving.Add(1)
	ready := make(chan struct{})
	go func() {
		defer s.serving.Done()
		_ = s.serve(ln, ready)
	}()
	<-ready
	return nil
}

// Serve accepts connections on ln until Shutdown or Close, and returns
// ErrServerClosed then. Serve may be called for several listeners.
func (s *Server) Serve(ln net.Listener) error {
	s.serving.Add(1)
	defer s.serving.Done()
	return s.serve(ln, nil)
}

func (s *Server) serve(ln net.Listener, ready chan struct{}) error {
	if s.shutdown.Load() {
		ln.Close()
		if ready != nil {
			close(ready)
		}
		return ErrServerClosed
	}
	s.startOnce.Do(s.start)
	e, err := newEngine(s.cfg.Transport, s)
	if err != nil {
		ln.Close()
		if ready != nil {
			close(ready)
		}
		return err
	}
	s.mu.Lock()
	s.engines = append(s.engines, e)
	s.addrs = append(s.addrs, ln.Addr())
	s.mu.Unlock()
	s.logger.Info().Str("addr", ln.Addr().String()).Str("transport", e.name()).Msg("aio: serving")
	if ready != nil {
		close(ready)
	}
	err = e.serve(ln)
	if s.shutdown.Load() {
		return ErrServerClosed
	}
	return err
}

func (s *Server) start() {
	s.wheel.start()
	if s.workers != nil {
		s.workers.start()
	}
	if s.cfg.Bus != nil {
		if err := s.cfg.Bus.Attach(s); err != nil {
			s.logger.Error().Err(err).Msg("aio: cluster bus attach failed")
		}
	}
}

// Addr returns the address of the first listener, nil before Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.addrs) == 0 {
		return nil
	}
	return s.addrs[0]
}

// NodeID returns the server's name on the cluster bus.
func (s *Server) NodeID() string { return s.nodeID }

// Logger returns the server's logger.
func (s *Server) Logger() *zerolog.Logger { return &s.logger }

// Stats returns a snapshot of the server-wide statistics.
func (s *Server) Stats() stat.Snapshot { return s.stats.Snapshot() }

// IPStats returns the per-IP statistics, nil unless Config.IPStats is set.
func (s *Server) IPStats() *stat.IPStats { return s.cfg.IPStats }

// MetricsHandler serves the server's statistics in the Prometheus text
// format, for a /metrics endpoint. Labels are low-cardinality: protocol
// and close reason, never users or addresses.
func (s *Server) MetricsHandler() http.Handler { return stat.Handler(s.stats.Snapshot) }

// Counters returns the live server-wide counters, for exposition
// (stat.Handler(srv.Counters().Snapshot)).
func (s *Server) Counters() *stat.Server { return &s.stats }

// Shutdown stops accepting, tells every client goodbye in its protocol's
// words, writes what was queued, closes the connections and waits for them.
// When ctx ends first, the rest are closed at once and ctx's error is
// returned. No goroutine of the server is left when Shutdown returns.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdown.Store(true)
	s.conns.each(func(c *ChannelContext) { c.Close(ErrServerShutdown) })
	done := make(chan struct{})
	go func() { s.active.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		s.conns.each(func(c *ChannelContext) { c.finish(ErrServerShutdown) })
		<-done
	}
	s.stop()
	return err
}

// Close closes the listeners and every connection at once, without
// goodbyes, and waits for the server's goroutines to end.
func (s *Server) Close() error {
	s.shutdown.Store(true)
	s.conns.each(func(c *ChannelContext) { c.finish(ErrServerShutdown) })
	s.active.Wait()
	s.stop()
	return nil
}

func (s *Server) stop() {
	s.startOnce.Do(func() {}) // a server that never served has nothing to start now
	s.stopOnce.Do(func() {
		s.mu.Lock()
		engines := s.engines
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, e := range engines {
			_ = e.stop(ctx)
		}
		s.serving.Wait()
		s.wheel.stop()
		if s.workers != nil {
			s.workers.stop()
		}
		if s.cfg.Bus != nil {
			_ = s.cfg.Bus.Detach(s)
		}
	})
}

// accept registers a new connection; it returns nil when a limit refuses it
// (the caller closes the socket).
func (s *Server) accept(rc rawConn, client bool) *ChannelContext {
	ip := ipOf(rc.RemoteAddr())
	c := &ChannelContext{
		id:      nextConnID.Add(1),
		srv:     s,
		rc:      rc,
		ip:      ip,
		created: time.Now().UnixNano(),
	}
	if client {
		c.readyCh = make(chan struct{})
	}
	c.stream = s.cfg.Codec.NewStream(codec.ConnInfo{LocalAddr: rc.LocalAddr(), RemoteAddr: rc.RemoteAddr(), Client: client})
	if reason := s.admit(c); reason != nil {
		s.stats.Rejected.Add(1)
		s.stats.CloseReason(reason.Code).Add(1)
		s.logger.Info().Str("remote", ip).Str("reason", reason.Code).Msg("aio: connection refused")
		return nil
	}
	if l := s.cfg.Limits; l.MessageRate > 0 {
		burst := l.MessageBurst
		if burst <= 0 {
			burst = int(l.MessageRate + 0.999)
		}
		c.limiter = rate.NewLimiter(rate.Limit(l.MessageRate), burst)
	}
	s.active.Add(1)
	s.conns.add(c)
	s.ips.Add(ip, c)
	s.stats.Accepted.Add(1)
	s.stats.Active.Add(1)
	if ips := s.cfg.IPStats; ips != nil {
		ips.Record(ip, stat.Delta{Accepted: 1})
	}
	if p := c.stream.Protocol(); p != "" {
		c.setProtocol(p)
	}
	s.wheel.add(c)
	s.logger.Debug().Uint64("conn", c.id).Str("remote", ip).Msg("aio: connection accepted")
	return c
}

// opened runs once the transport is ready to write: the stream may speak
// first, and listeners learn of the connection.
func (s *Server) opened(c *ChannelContext, reconnect bool) {
	if o, ok := c.stream.(codec.Opener); ok {
		ob := getBuf()
		b, err := o.Open(ob.b[:0])
		if err != nil {
			ob.release()
			c.Close(wrapReason(ErrProtocol, err))
			return
		}
		ob.b = b
		if len(b) > 0 {
			_ = c.enqueue(ob, nil, true)
		}
		ob.release()
	}
	s.cfg.Listener.OnConnected(c, reconnect)
}

// admit applies the connection limits.
func (s *Server) admit(c *ChannelContext) *Reason {
	if s.shutdown.Load() {
		return ErrServerShutdown
	}
	l := s.cfg.Limits
	if l.MaxConns > 0 && s.conns.len() >= l.MaxConns {
		return ErrTooManyConns
	}
	if l.MaxConnsPerIP > 0 && s.ips.Count(c.ip) >= l.MaxConnsPerIP {
		return ErrTooManyConnsIP
	}
	if s.blacklisted(c.ip) {
		return ErrBlacklisted
	}
	return nil
}

func (s *Server) connDone() { s.active.Done() }

func (c *ChannelContext) setProtocol(name string) {
	if name == "" {
		return
	}
	p := c.srv.stats.Protocol(name)
	if old := c.proto.Swap(p); old != p {
		if old != nil {
			old.Active.Add(-1)
		}
		p.Active.Add(1)
		p.Accepted.Add(1)
	}
}

var nextConnID atomic.Uint64

func ipOf(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.String()
	case nil:
		return ""
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

var errNoTransport = errors.New("aio: transport not available on this platform")
