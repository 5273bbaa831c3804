package aio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/group"
	"github.com/gotio/gotio/stat"
)

// Server serves one codec on one or more listeners: it holds the
// connections, their bindings, the statistics and the shared policies
// (t-io's GroupContext). Create it with NewServer. All methods are safe for
// concurrent use from any goroutine, handlers included.
type Server struct {
	ep  *endpoint
	cfg Config // Handler never nil

	conns  connTable
	users  group.Index[*ChannelContext]
	groups group.Index[*ChannelContext]
	tokens group.Index[*ChannelContext]
	ips    group.Index[*ChannelContext]
	bsids  group.Unique[*ChannelContext]
	nodeID string
	opened atomic.Int64 // registered connections, for MaxConns

	// sessions are the open sessions of codecs that carry them
	// (engine.io), by id: aio/session.go.
	sessions sessionTable

	// admitMu is read-held while a connection is admitted and registered;
	// Shutdown and Close write-hold it to raise the shutdown flag, so that
	// every connection is either refused or in the table they close.
	admitMu  sync.RWMutex
	shutdown atomic.Bool

	mu       sync.Mutex
	engines  []engine
	addrs    []net.Addr
	serving  sync.WaitGroup // one per Serve call
	stopOnce sync.Once

	busLogged atomic.Int64 // unix nanos of the last bus error logged

	blMu      sync.Mutex
	blacklist map[string]time.Time // ip → until
}

// NewServer returns a server for cfg; nil means the zero Config, whose
// every field has a working default. It starts no goroutine until Serve.
// Like every New in gotio it never fails: what a configuration gets wrong
// is returned by the first call that needs it (Listen, Serve).
func NewServer(cfg *Config) *Server {
	if cfg == nil {
		cfg = &Config{}
	}
	s := &Server{cfg: *cfg, nodeID: cfg.NodeID}
	if s.cfg.Codec == nil {
		s.cfg.Codec = tcp.New(nil)
	}
	if s.cfg.Handler == nil {
		s.cfg.Handler = HandlerFunc(func(*ChannelContext, *codec.Message) {})
	}
	if s.nodeID == "" {
		s.nodeID = randomID()
	}
	s.ep = newEndpoint(serverSettings(cfg), cfg.Logger)
	return s
}

// ListenAndServe listens on the TCP address addr and serves it until
// Shutdown or Close, and returns ErrServerClosed then. On TransportGnet the engine binds and accepts itself
// (gnet's own accept: less memory per connection than Serve's).
func (s *Server) ListenAndServe(addr string) error {
	s.serving.Add(1)
	defer s.serving.Done()
	end := make(chan error, 1)
	handled, err := s.listenSelf(addr, func(err error) { end <- err })
	if !handled {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		return s.serve(ln, nil)
	}
	if err == nil {
		err = <-end
	}
	if s.shutdown.Load() {
		return ErrServerClosed
	}
	return err
}

// Listen listens on addr and serves it in the background; it returns once
// the listener is open (so Addr is known) or failed. On TransportGnet the
// engine binds and accepts itself, as in ListenAndServe.
func (s *Server) Listen(addr string) error {
	s.serving.Add(1)
	handled, err := s.listenSelf(addr, func(error) { s.serving.Done() })
	if handled {
		if err != nil {
			s.serving.Done()
		}
		return err
	}
	s.serving.Done()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.serving.Add(1)
	ready := make(chan error, 1)
	go func() {
		defer s.serving.Done()
		_ = s.serve(ln, ready)
	}()
	return <-ready
}

// Serve accepts connections on ln until Shutdown or Close, and returns
// ErrServerClosed then. Serve may be called for several listeners.
func (s *Server) Serve(ln net.Listener) error {
	s.serving.Add(1)
	defer s.serving.Done()
	return s.serve(ln, nil)
}

// check reports what the configuration gets wrong.
func (s *Server) check() error {
	if err := codec.Check(s.cfg.Codec); err != nil {
		return fmt.Errorf("aio: codec: %w", err)
	}
	return nil
}

func (s *Server) serve(ln net.Listener, ready chan<- error) error {
	signal := func(err error) {
		if ready != nil {
			ready <- err
		}
	}
	if err := s.check(); err != nil {
		ln.Close()
		signal(err)
		return err
	}
	s.startEndpoint()
	e, err := newEngine(s.ep.set.transport, s)
	if err != nil {
		ln.Close()
		signal(err)
		return err
	}
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		ln.Close()
		signal(ErrServerClosed)
		return ErrServerClosed
	}
	s.engines = append(s.engines, e)
	s.addrs = append(s.addrs, ln.Addr())
	s.mu.Unlock()
	s.ep.logger.Debug().Str("addr", ln.Addr().String()).Str("transport", e.name()).Msg("aio: listening")
	signal(nil)
	err = e.serve(ln)
	if s.shutdown.Load() {
		return ErrServerClosed
	}
	return err
}

// startEndpoint starts the wheel, the workers and the bus, once.
func (s *Server) startEndpoint() {
	first := false
	s.ep.startOnce.Do(func() {
		first = true
		s.ep.wheel.start()
		if s.ep.workers != nil {
			s.ep.workers.start()
		}
	})
	if first && s.cfg.Bus != nil {
		if err := s.cfg.Bus.Attach(s.node()); err != nil {
			s.ep.logger.Error().Err(err).Msg("aio: cluster bus attach failed")
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

// Logger returns the server's logger.
func (s *Server) Logger() *zerolog.Logger { return &s.ep.logger }

// Stats returns a snapshot of the server-wide statistics, open sessions
// (engine.io) included.
func (s *Server) Stats() stat.Snapshot {
	snap := s.ep.stats.Snapshot()
	snap.Sessions = int64(s.sessions.len())
	return snap
}

// MetricsHandler serves the server's statistics in the Prometheus text
// format, for a /metrics endpoint. Labels are low-cardinality: protocol
// and close reason, never users or addresses.
func (s *Server) MetricsHandler() http.Handler { return stat.Handler(s.Stats) }

// Shutdown stops the server gracefully: it closes the listeners first (new
// connections are refused by the kernel, not accepted and dropped), tells
// every client goodbye in its protocol's words, writes what was queued,
// closes the connections and waits for them. When ctx ends first, the rest
// are closed at once and ctx's error is returned. Every wait inside is
// bounded by ctx; a handler still running then is left to finish alone.
func (s *Server) Shutdown(ctx context.Context) error {
	s.beginShutdown()
	s.conns.each(func(c *ChannelContext) { c.Close(ErrServerClosed) })
	var err error
	if !s.ep.waitActive(ctx) {
		err = ctx.Err()
		s.conns.each(func(c *ChannelContext) { c.finish(ErrServerClosed) })
	}
	s.stop(ctx)
	return err
}

// Close closes the listeners and every connection at once, without
// goodbyes, and waits for the server's goroutines to end: at most 5
// seconds for handlers that do not return, which are then left behind and
// logged.
func (s *Server) Close() error {
	s.beginShutdown()
	s.conns.each(func(c *ChannelContext) { c.finish(ErrServerClosed) })
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	s.stop(ctx)
	return nil
}

// beginShutdown raises the shutdown flag, so no connection registers any
// more, and closes the listeners.
func (s *Server) beginShutdown() {
	s.admitMu.Lock()
	s.shutdown.Store(true)
	s.admitMu.Unlock()
	s.mu.Lock()
	engines := s.engines
	s.mu.Unlock()
	for _, e := range engines {
		e.closeListeners()
	}
}

// stop ends the engines, the serve loops, the wheel, the workers and the
// bus attachment, each wait bounded by ctx.
func (s *Server) stop(ctx context.Context) {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		engines := s.engines
		s.mu.Unlock()
		for _, e := range engines {
			if err := e.stop(ctx); err != nil {
				s.ep.logger.Warn().Err(err).Str("transport", e.name()).Msg("aio: engine did not stop in time")
			}
		}
		waitOrDone(ctx, &s.serving)
		s.ep.waitActive(ctx)
		s.ep.stop(ctx)
		if s.cfg.Bus != nil {
			_ = s.cfg.Bus.Detach(s.node())
		}
	})
}

// open admits and registers a connection an engine accepted; it returns
// nil when a limit refuses it (the caller closes the socket).
func (s *Server) open(rc rawConn) *conn {
	c, _ := s.admitConn(rc)
	return c
}

// register puts an admitted connection in the connection table and the IP
// index. Its lock is held across both: a lookup sees the connection as soon
// as it is in the table, so a Remove can race the accept, and the close
// path's unbindAll (under the same lock) must find it in both or in
// neither.
func (s *Server) register(cc *ChannelContext) {
	cc.mu.Lock()
	s.conns.add(cc)
	s.ips.Add(cc.ip, cc)
	cc.mu.Unlock()
}

// admitConn is open that says why it refused.
func (s *Server) admitConn(rc rawConn) (*conn, error) {
	cc := &ChannelContext{srv: s}
	c := &cc.conn
	c.init(s.ep, cc, rc, s.cfg.Codec.NewStream)
	s.admitMu.RLock()
	reason := s.admit(cc)
	if reason == nil {
		s.ep.active.Add(1)
		s.register(cc)
	}
	s.admitMu.RUnlock()
	if reason != nil {
		s.ep.stats.Rejected.Add(1)
		s.ep.stats.CloseReason(reasonCode(reason)).Add(1)
		s.ep.logger.Info().Str("remote", cc.ip).Str("reason", reasonCode(reason)).Msg("aio: connection refused")
		return nil, reason
	}
	c.registered()
	s.ep.logger.Debug().Uint64("conn", c.id).Str("remote", cc.ip).Msg("aio: connection accepted")
	return c, nil
}

// admit applies the connection limits, with admitMu read-held. A
// connection it admits holds one place of MaxConns until its close path.
func (s *Server) admit(c *ChannelContext) error {
	if s.shutdown.Load() {
		return ErrServerClosed
	}
	l := &s.cfg
	if l.MaxConnsPerIP > 0 && s.ips.Count(c.ip) >= l.MaxConnsPerIP {
		return errTooManyConnsIP
	}
	if s.blacklisted(c.ip) {
		return ErrBlacklisted
	}
	if n := s.opened.Add(1); l.MaxConns > 0 && n > int64(l.MaxConns) {
		s.opened.Add(-1)
		return ErrTooManyConns
	}
	return nil
}

func (c *ChannelContext) connected() {
	if f := c.srv.cfg.OnConnected; f != nil {
		f(c)
	}
}

var errNoTransport = errors.New("aio: transport not available on this platform")
