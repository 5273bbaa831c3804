package cluster

import (
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// NATSConfig configures a NATS bus. Every field's zero value is a working
// default, stated in its comment.
type NATSConfig struct {
	// URL is the NATS server to join, or several separated by commas.
	// Zero means nats://127.0.0.1:4222. StartEmbedded returns the URL of a
	// server inside this process.
	URL string
	// Name is the client name the NATS server shows for this connection
	// (connz). Zero means "gotio".
	Name string
	// App scopes the subjects and the session bucket: the nodes of one
	// application share it, other applications on the same NATS do not
	// see its traffic. ASCII letters, digits, '-' and '_'. Zero means
	// "default".
	App string
	// ReconnectWait is the pause between reconnect attempts after the
	// connection to NATS is lost. Zero means 1 second.
	ReconnectWait time.Duration
	// MaxReconnects bounds the reconnect attempts after which the client
	// gives up for good. Zero means unlimited: a node keeps trying for as
	// long as it runs, serving its local connections meanwhile.
	MaxReconnects int
	// Workers is the number of goroutines per attached node that hand
	// received messages to it. A subject is always served by the same
	// worker, which keeps messages in order per subject. Zero means 4.
	Workers int
	// QueueLen is the number of received messages each worker may have
	// waiting. Beyond it the client drops messages (Stats.Dropped), rather
	// than grow without bound. Zero means 16384.
	QueueLen int
	// RequestTimeout bounds a kick or probe of a session on another node.
	// Zero means 2 seconds.
	RequestTimeout time.Duration
	// Options are further nats.go options (TLS, credentials, …). They are
	// applied first; gotio then sets the name, the reconnect policy, a
	// disabled reconnect buffer (see docs/cluster.md) and its handlers.
	Options []nats.Option
	// Logger receives the bus's logs. The zero value logs nothing.
	Logger zerolog.Logger
}

const (
	defaultApp            = "default"
	defaultReconnectWait  = time.Second
	defaultWorkers        = 4
	defaultQueueLen       = 16384
	defaultRequestTimeout = 2 * time.Second
)

// ErrDisconnected wraps a publish made while the bus is not connected to
// NATS: the send was not handed on and is counted in Stats.Lost.
var ErrDisconnected = errors.New("cluster: not connected to NATS")

// ErrBusClosed is returned by a bus used after Close.
var ErrBusClosed = errors.New("cluster: bus closed")

// NATS is a Bus over NATS. Create it with ConnectNATS and give it to one or
// more aio.Servers (Config.Bus); Close it after they stopped.
//
// Each attached node subscribes to the subject of a user, group or token
// only while it holds local members of it, to the everyone subject, to
// the business-id wildcard, and to its own control subject (kicks and
// probes of a unique login). The connection reconnects on its own; nats.go
// subscribes again to everything held when it is back.
//
// No method called by aio (Publish, InterestChanged) waits for NATS:
// nats.go holds its connection lock while it dials during a reconnect, so
// Publish consults the bus's own view of the connection and fails fast
// while it is down, and subscriptions are changed by one goroutine of the
// bus, never on aio's bind path.
//
// All methods are safe for concurrent use.
type NATS struct {
	cfg  NATSConfig
	nc   *nats.Conn
	subj subjects
	log  zerolog.Logger
	seed maphash.Seed

	mu     sync.RWMutex
	nodes  map[string]*natsNode
	closed atomic.Bool
	up     atomic.Bool // connected, as nats.go's handlers last reported

	// Interest changes reported by aio, applied by one goroutine.
	imu     sync.Mutex
	dirty   map[interestKey]*natsNode
	wake    chan struct{}
	barrier chan chan struct{}
	quit    chan struct{}
	iwg     sync.WaitGroup

	stats       counters
	droppedGone atomic.Uint64 // Dropped of subscriptions since removed
}

var _ aio.Bus = (*NATS)(nil)

// ConnectNATS connects to the NATS server of cfg.URL (nil: the zero
// NATSConfig) and returns the bus. It does I/O, so unlike gotio's New
// functions it can fail: when no server answers at first; after that the
// client reconnects by itself.
func ConnectNATS(cfg *NATSConfig) (*NATS, error) {
	if cfg == nil {
		cfg = &NATSConfig{}
	}
	c := *cfg
	cfg = &c
	if cfg.URL == "" {
		cfg.URL = nats.DefaultURL
	}
	if cfg.Name == "" {
		cfg.Name = "gotio"
	}
	if cfg.App == "" {
		cfg.App = defaultApp
	}
	if !validApp(cfg.App) {
		return nil, fmt.Errorf("cluster: app name %q: use letters, digits, '-' and '_'", cfg.App)
	}
	if cfg.ReconnectWait <= 0 {
		cfg.ReconnectWait = defaultReconnectWait
	}
	if cfg.MaxReconnects == 0 {
		cfg.MaxReconnects = -1
	}
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = defaultQueueLen
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	b := &NATS{cfg: *cfg, subj: newSubjects(cfg.App), log: cfg.Logger, seed: maphash.MakeSeed(),
		nodes: make(map[string]*natsNode), dirty: make(map[interestKey]*natsNode),
		wake: make(chan struct{}, 1), barrier: make(chan chan struct{}), quit: make(chan struct{})}
	opts := append(append([]nats.Option(nil), cfg.Options...),
		nats.Name(cfg.Name),
		nats.MaxReconnects(cfg.MaxReconnects),
		nats.ReconnectWait(cfg.ReconnectWait),
		// No reconnect buffer: a publish while disconnected fails at once
		// and is counted as lost, instead of being replayed later to
		// whichever nodes have subscribed again by then.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(b.onDisconnect),
		nats.ReconnectHandler(b.onReconnect),
		nats.ClosedHandler(func(*nats.Conn) { b.up.Store(false) }),
		nats.ErrorHandler(b.onAsyncError),
	)
	// Up before Connect returns, so that a disconnect reported right after
	// can only lower it.
	b.up.Store(true)
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("cluster: connect to NATS at %s: %w", cfg.URL, err)
	}
	b.nc = nc
	b.iwg.Add(1)
	go b.interests()
	return b, nil
}

// Conn returns the bus's NATS connection, for JetStream (SessionBucket
// uses it) and diagnostics. Do not close it: Close does.
func (b *NATS) Conn() *nats.Conn { return b.nc }

// App returns the application name scoping the bus's subjects.
func (b *NATS) App() string { return b.cfg.App }

// Connected reports whether the bus is connected to NATS, as the client's
// last connection event said.
func (b *NATS) Connected() bool { return b.up.Load() }

// Close detaches every node and closes the NATS connection. Stop the
// servers first (their stop detaches them); Close is safe to call twice.
func (b *NATS) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	for _, nn := range b.nodeList() {
		noteDetached(nn.node)
		b.detach(nn)
	}
	close(b.quit)
	b.iwg.Wait()
	b.nc.Close()
	return nil
}

func (b *NATS) nodeList() []*natsNode {
	b.mu.RLock()
	defer b.mu.RUnlock()
	nodes := make([]*natsNode, 0, len(b.nodes))
	for _, nn := range b.nodes {
		nodes = append(nodes, nn)
	}
	return nodes
}

func (b *NATS) onDisconnect(_ *nats.Conn, err error) {
	b.up.Store(false)
	if err == nil || b.closed.Load() {
		return // our own Close
	}
	b.stats.disconnects.Add(1)
	b.log.Warn().Err(err).Msg("cluster: disconnected from NATS; serving local traffic, cross-node sends are lost until reconnected")
}

func (b *NATS) onReconnect(nc *nats.Conn) {
	b.up.Store(true)
	b.stats.reconnects.Add(1)
	b.log.Info().Str("url", nc.ConnectedUrlRedacted()).Msg("cluster: reconnected to NATS")
}

func (b *NATS) onAsyncError(_ *nats.Conn, sub *nats.Subscription, err error) {
	ev := b.log.Warn().Err(err)
	if sub != nil {
		ev = ev.Str("subject", sub.Subject)
	}
	ev.Msg("cluster: NATS error")
}

// Publish sends m to the members of t on the other nodes: one envelope on
// t's subject. A publish the client cannot hand to NATS is counted in
// Stats.Lost and returned as an error.
func (b *NATS) Publish(from aio.Node, t aio.Target, m *codec.Message) error {
	if b.closed.Load() {
		b.stats.lost.Add(1)
		return ErrBusClosed
	}
	if len(t.Key) > maxEnvelopeString || len(m.Route) > maxEnvelopeString {
		b.stats.lost.Add(1)
		return fmt.Errorf("cluster: publish: key or route over %d bytes: %w", maxEnvelopeString, codec.ErrTooLarge)
	}
	pb := pubPool.Get().(*pubBuf)
	defer pubPool.Put(pb)
	pb.subject = b.subj.appendTarget(pb.subject[:0], t)
	subject := string(pb.subject)
	if !b.up.Load() {
		b.stats.lost.Add(1)
		return fmt.Errorf("cluster: publish to %s: %w", subject, ErrDisconnected)
	}
	pb.data = appendEnvelope(pb.data[:0], from.NodeID(), t, m)
	// nats.go copies data into its write buffer before Publish returns.
	if err := b.nc.Publish(subject, pb.data); err != nil {
		b.stats.lost.Add(1)
		if errors.Is(err, nats.ErrReconnectBufExceeded) {
			err = fmt.Errorf("%w (%w)", ErrDisconnected, err)
		}
		return fmt.Errorf("cluster: publish to %s: %w", subject, err)
	}
	b.stats.published.Add(1)
	return nil
}

type pubBuf struct{ subject, data []byte }

var pubPool = sync.Pool{New: func() any { return &pubBuf{subject: make([]byte, 0, 64), data: make([]byte, 0, 512)} }}

// Stats returns the bus's counters.
func (b *NATS) Stats() Stats {
	s := b.stats.snapshot()
	s.Dropped = b.droppedGone.Load()
	for _, nn := range b.nodeList() {
		nn.mu.Lock()
		for _, sub := range nn.subs {
			s.Dropped += dropped(sub)
		}
		for _, sub := range nn.fixed {
			s.Dropped += dropped(sub)
		}
		nn.mu.Unlock()
	}
	return s
}

func dropped(sub *nats.Subscription) uint64 {
	if d, err := sub.Dropped(); err == nil && d > 0 {
		return uint64(d)
	}
	return 0
}
