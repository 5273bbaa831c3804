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

// ErrClosed is returned by a bus used after Close.
var ErrClosed = errors.New("cluster: bus closed")

// NATS is a Bus over NATS. Create it with NewNATS and give it to one or
// more aio.Servers (Config.Bus); Close it after they stopped.
//
// Each attached node subscribes to the subject of a user, group or token
// only while it holds local members of it, to the everyone subject, to
// the business-id wildcard, and to its own control subject (kicks and
// probes of a unique login). The connection reconnects on its own; nats.go
// subscribes again to everything held when it is back.
//
// All methods are safe for concurrent use.
type NATS struct {
	cfg  NATSConfig
	nc   *nats.Conn
	subj subjects
	log  zerolog.Logger

	mu     sync.Mutex
	nodes  map[string]*natsNode
	closed atomic.Bool

	locks       keyLocks[interestKey]
	stats       counters
	droppedGone atomic.Uint64 // Dropped of subscriptions since removed
	seed        maphash.Seed
}

var _ aio.Bus = (*NATS)(nil)

// NewNATS connects to the NATS server of cfg.URL and returns the bus. It
// fails when no server answers at first; after that the client
// reconnects by itself.
func NewNATS(cfg NATSConfig) (*NATS, error) {
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
	b := &NATS{cfg: cfg, subj: newSubjects(cfg.App), log: cfg.Logger,
		nodes: make(map[string]*natsNode), seed: maphash.MakeSeed()}
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
		nats.ErrorHandler(b.onAsyncError),
	)
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("cluster: connect to NATS at %s: %w", cfg.URL, err)
	}
	b.nc = nc
	return b, nil
}

// Conn returns the bus's NATS connection, for JetStream (SessionBucket
// uses it) and diagnostics. Do not close it: Close does.
func (b *NATS) Conn() *nats.Conn { return b.nc }

// App returns the application name scoping the bus's subjects.
func (b *NATS) App() string { return b.cfg.App }

// Close detaches every node and closes the NATS connection. Stop the
// servers first (their stop detaches them); Close is safe to call twice.
func (b *NATS) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	b.mu.Lock()
	nodes := make([]*natsNode, 0, len(b.nodes))
	for _, nn := range b.nodes {
		nodes = append(nodes, nn)
	}
	b.mu.Unlock()
	for _, nn := range nodes {
		b.detach(nn)
	}
	b.nc.Close()
	return nil
}

func (b *NATS) onDisconnect(_ *nats.Conn, err error) {
	if err == nil || b.closed.Load() {
		return // our own Close
	}
	b.stats.disconnects.Add(1)
	b.log.Warn().Err(err).Msg("cluster: disconnected from NATS; serving local traffic, cross-node sends are lost until reconnected")
}

func (b *NATS) onReconnect(nc *nats.Conn) {
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

// natsNode is one attached node: its subscriptions and delivery workers.
type natsNode struct {
	id    string
	node  aio.Node
	conns connFinder
	queue []chan *nats.Msg

	mu       sync.Mutex // guards what follows
	detached bool
	subs     map[aio.Target]*nats.Subscription // interest subscriptions
	fixed    []*nats.Subscription              // all, bsid wildcard, control

	done chan struct{}
	wg   sync.WaitGroup
}

// Attach joins n: it starts n's delivery workers and subscribes to the
// everyone subject, the business-id wildcard and n's control subject.
func (b *NATS) Attach(n aio.Node) error {
	if b.closed.Load() {
		return ErrClosed
	}
	nn := &natsNode{id: n.NodeID(), node: n, subs: make(map[aio.Target]*nats.Subscription), done: make(chan struct{})}
	nn.conns, _ = n.(connFinder)
	nn.queue = make([]chan *nats.Msg, b.cfg.Workers)
	for i := range nn.queue {
		nn.queue[i] = make(chan *nats.Msg, b.cfg.QueueLen)
	}
	b.mu.Lock()
	if _, dup := b.nodes[nn.id]; dup {
		b.mu.Unlock()
		return ErrDuplicateNode
	}
	b.nodes[nn.id] = nn
	b.mu.Unlock()
	for _, q := range nn.queue {
		nn.wg.Add(1)
		go b.work(nn, q)
	}
	for _, subject := range []string{b.subj.target(aio.Target{Kind: aio.TargetAll}), b.subj.bsidWildcard()} {
		sub, err := b.nc.ChanSubscribe(subject, b.queueFor(nn, subject))
		if err != nil {
			b.detach(nn)
			return fmt.Errorf("cluster: subscribe %s: %w", subject, err)
		}
		nn.fixed = append(nn.fixed, sub)
	}
	sub, err := b.nc.Subscribe(b.subj.node(nn.id), func(m *nats.Msg) { b.control(nn, m) })
	if err != nil {
		b.detach(nn)
		return fmt.Errorf("cluster: subscribe control subject: %w", err)
	}
	nn.fixed = append(nn.fixed, sub)
	b.log.Debug().Str("node", nn.id).Str("app", b.cfg.App).Msg("cluster: node attached")
	return nil
}

// Detach unsubscribes everything n held and stops its workers.
func (b *NATS) Detach(n aio.Node) error {
	b.mu.Lock()
	nn := b.nodes[n.NodeID()]
	b.mu.Unlock()
	if nn == nil || nn.node != n {
		return nil
	}
	b.detach(nn)
	return nil
}

func (b *NATS) detach(nn *natsNode) {
	nn.mu.Lock()
	if nn.detached {
		nn.mu.Unlock()
		return
	}
	nn.detached = true
	subs := nn.subs
	nn.subs = nil
	fixed := nn.fixed
	nn.fixed = nil
	nn.mu.Unlock()
	for _, sub := range subs {
		b.unsubscribe(sub)
		b.stats.interests.Add(-1)
	}
	for _, sub := range fixed {
		b.unsubscribe(sub)
	}
	close(nn.done)
	nn.wg.Wait()
	b.mu.Lock()
	if b.nodes[nn.id] == nn {
		delete(b.nodes, nn.id)
	}
	b.mu.Unlock()
}

func (b *NATS) unsubscribe(sub *nats.Subscription) {
	if d, err := sub.Dropped(); err == nil && d > 0 {
		b.droppedGone.Add(uint64(d))
	}
	_ = sub.Unsubscribe()
}

// queueFor returns the worker queue serving subject on nn.
func (b *NATS) queueFor(nn *natsNode, subject string) chan *nats.Msg {
	return nn.queue[maphash.String(b.seed, subject)%uint64(len(nn.queue))]
}

// Publish sends m to the members of t on the other nodes: one envelope on
// t's subject. A publish the client cannot hand to NATS is counted in
// Stats.Lost and returned as an error.
func (b *NATS) Publish(from aio.Node, t aio.Target, m *codec.Message) error {
	if b.closed.Load() {
		b.stats.lost.Add(1)
		return ErrClosed
	}
	pb := pubPool.Get().(*pubBuf)
	defer pubPool.Put(pb)
	pb.subject = b.subj.appendTarget(pb.subject[:0], t)
	subject := string(pb.subject)
	if !b.nc.IsConnected() {
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

// InterestChanged re-reads n.Holds(t) and subscribes to or unsubscribes
// from t's subject to match. Calls for one node and target are
// serialized, so the last to run always leaves the subscription matching
// the current answer.
func (b *NATS) InterestChanged(n aio.Node, t aio.Target) {
	if !interestKind(t.Kind) {
		return
	}
	b.mu.Lock()
	nn := b.nodes[n.NodeID()]
	b.mu.Unlock()
	if nn == nil || nn.node != n {
		return
	}
	k := interestKey{node: nn.id, target: t}
	kl := b.locks.lock(k)
	defer b.locks.unlock(k, kl)
	held := n.Holds(t)
	nn.mu.Lock()
	if nn.detached {
		nn.mu.Unlock()
		return
	}
	sub := nn.subs[t]
	if held == (sub != nil) {
		nn.mu.Unlock()
		return
	}
	if !held {
		delete(nn.subs, t)
		nn.mu.Unlock()
		b.unsubscribe(sub)
		b.stats.interests.Add(-1)
		return
	}
	nn.mu.Unlock()
	subject := b.subj.target(t)
	// Subscribing while disconnected is fine: nats.go sends every
	// subscription it holds when the connection is back.
	sub, err := b.nc.ChanSubscribe(subject, b.queueFor(nn, subject))
	if err != nil {
		b.log.Error().Err(err).Str("subject", subject).Msg("cluster: subscribe failed")
		return
	}
	nn.mu.Lock()
	if nn.detached {
		nn.mu.Unlock()
		_ = sub.Unsubscribe()
		return
	}
	nn.subs[t] = sub
	nn.mu.Unlock()
	b.stats.interests.Add(1)
}

// Subscribed reports whether node id holds a subscription for t, for
// tests and diagnostics.
func (b *NATS) Subscribed(id string, t aio.Target) bool {
	b.mu.Lock()
	nn := b.nodes[id]
	b.mu.Unlock()
	if nn == nil {
		return false
	}
	nn.mu.Lock()
	defer nn.mu.Unlock()
	return nn.subs[t] != nil
}

// Flush waits until the NATS server has processed everything this client
// sent so far (subscriptions included), or until timeout. A test uses it
// to know a node's interest is registered before another node publishes.
func (b *NATS) Flush(timeout time.Duration) error {
	if err := b.nc.FlushTimeout(timeout); err != nil {
		return fmt.Errorf("cluster: flush: %w", err)
	}
	return nil
}

// Stats returns the bus's counters.
func (b *NATS) Stats() Stats {
	s := b.stats.snapshot()
	s.Dropped = b.droppedGone.Load()
	b.mu.Lock()
	nodes := make([]*natsNode, 0, len(b.nodes))
	for _, nn := range b.nodes {
		nodes = append(nodes, nn)
	}
	b.mu.Unlock()
	for _, nn := range nodes {
		nn.mu.Lock()
		for _, sub := range nn.subs {
			if d, err := sub.Dropped(); err == nil {
				s.Dropped += uint64(d)
			}
		}
		for _, sub := range nn.fixed {
			if d, err := sub.Dropped(); err == nil {
				s.Dropped += uint64(d)
			}
		}
		nn.mu.Unlock()
	}
	return s
}

// work hands received messages to nn until it is detached.
func (b *NATS) work(nn *natsNode, q chan *nats.Msg) {
	defer nn.wg.Done()
	var w worker
	for {
		select {
		case m := <-q:
			b.deliver(nn, &w, m)
		case <-nn.done:
			return
		}
	}
}

// worker is one delivery goroutine's scratch state.
type worker struct {
	env     envelope
	msg     codec.Message
	subject []byte
	routes  map[string]string // interned routes: few, and they recur
}

const maxInternedRoutes = 1024

func (w *worker) route(b []byte) string {
	if r, ok := w.routes[string(b)]; ok {
		return r
	}
	r := string(b)
	if w.routes == nil {
		w.routes = make(map[string]string)
	}
	if len(w.routes) < maxInternedRoutes {
		w.routes[r] = r
	}
	return r
}

func (b *NATS) deliver(nn *natsNode, w *worker, m *nats.Msg) {
	e := &w.env
	if err := decodeEnvelope(m.Data, e); err != nil {
		b.stats.malformed.Add(1)
		b.log.Debug().Err(err).Str("subject", m.Subject).Msg("cluster: malformed envelope dropped")
		return
	}
	if string(e.origin) == nn.id {
		b.stats.echoes.Add(1) // aio delivered it locally already
		return
	}
	t := aio.Target{Kind: e.target}
	if t.Kind != aio.TargetAll {
		t.Key = string(e.key)
	}
	// The envelope must name the subject it came on: a message reaches the
	// members of the subject's target only.
	w.subject = b.subj.appendTarget(w.subject[:0], t)
	if string(w.subject) != m.Subject {
		b.stats.malformed.Add(1)
		b.log.Debug().Str("subject", m.Subject).Msg("cluster: envelope target does not match its subject")
		return
	}
	w.msg = codec.Message{Kind: e.kind, ID: e.id, Route: w.route(e.route), Body: e.body, Binary: e.binary}
	n := nn.node.Deliver(t, &w.msg)
	w.msg.Body = nil
	b.stats.received.Add(1)
	b.stats.delivered.Add(uint64(n))
}
