package cluster

import (
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/target"
)

// natsNode is one attached node: its subscriptions and delivery workers.
type natsNode struct {
	id    string
	node  aio.Node
	conns connFinder
	queue []chan *nats.Msg

	mu       sync.Mutex // guards what follows
	detached bool
	subs     map[aio.Target]*nats.Subscription // interest subscriptions
	fixed    []*nats.Subscription              // all, bsid and ip wildcards, control

	done chan struct{}
	wg   sync.WaitGroup
}

// Attach joins n: it starts n's delivery workers and subscribes to the
// everyone subject, the business-id wildcard and n's control subject.
func (b *NATS) Attach(n aio.Node) error {
	if b.closed.Load() {
		return ErrBusClosed
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
	for _, subject := range []string{b.subj.target(aio.All()), b.subj.bsidWildcard(), b.subj.ipWildcard()} {
		sub, err := b.nc.ChanSubscribe(subject, b.queueFor(nn, subject))
		if err != nil {
			b.detach(nn)
			return fmt.Errorf("cluster: subscribe %s: %w", subject, err)
		}
		nn.mu.Lock()
		nn.fixed = append(nn.fixed, sub)
		nn.mu.Unlock()
	}
	sub, err := b.nc.Subscribe(b.subj.node(nn.id), func(m *nats.Msg) { b.control(nn, m) })
	if err != nil {
		b.detach(nn)
		return fmt.Errorf("cluster: subscribe control subject: %w", err)
	}
	nn.mu.Lock()
	nn.fixed = append(nn.fixed, sub)
	nn.mu.Unlock()
	noteAttached(n)
	b.log.Debug().Str("node", nn.id).Str("app", b.cfg.App).Msg("cluster: node attached")
	return nil
}

// Detach unsubscribes everything n held and stops its workers.
func (b *NATS) Detach(n aio.Node) error {
	if nn := b.attachedNode(n); nn != nil {
		noteDetached(n)
		b.detach(nn)
	}
	return nil
}

// attachedNode returns n's state, nil when n is not attached.
func (b *NATS) attachedNode(n aio.Node) *natsNode {
	b.mu.RLock()
	nn := b.nodes[n.NodeID()]
	b.mu.RUnlock()
	if nn == nil || nn.node != n {
		return nil
	}
	return nn
}

func (b *NATS) detach(nn *natsNode) {
	nn.mu.Lock()
	if nn.detached {
		nn.mu.Unlock()
		return
	}
	nn.detached = true
	subs, fixed := nn.subs, nn.fixed
	nn.subs, nn.fixed = nil, nil
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
	b.droppedGone.Add(dropped(sub))
	_ = sub.Unsubscribe()
}

// queueFor returns the worker queue serving subject on nn.
func (b *NATS) queueFor(nn *natsNode, subject string) chan *nats.Msg {
	return nn.queue[maphash.String(b.seed, subject)%uint64(len(nn.queue))]
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
	if t.Kind != target.All {
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
	w.msg = codec.Message{Kind: e.kind, ID: e.id, Route: w.route(e.route), Body: e.body, Binary: e.binary, NoCompress: e.noComp}
	n := nn.node.Deliver(t, &w.msg)
	w.msg.Body = nil
	b.stats.received.Add(1)
	b.stats.delivered.Add(uint64(n))
}
