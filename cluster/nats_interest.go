package cluster

import (
	"fmt"
	"time"

	"github.com/gotio/gotio/aio"
)

// InterestChanged records that n's membership of t may have changed; the
// bus's interest goroutine then re-reads n.Holds(t) and subscribes to or
// unsubscribes from t's subject to match. It never waits for NATS: aio
// calls it with the connection's lock held.
//
// Race-free by construction: changes are applied by one goroutine, and a
// key marked while it is being applied is applied again, so the last
// application reads the membership after the last change.
func (b *NATS) InterestChanged(n aio.Node, t aio.Target) {
	if !interestKind(t.Kind) {
		return
	}
	nn := b.attachedNode(n)
	if nn == nil {
		return
	}
	b.imu.Lock()
	b.dirty[interestKey{node: nn.id, target: t}] = nn
	b.imu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default: // already woken: it will see this key
	}
}

// interests is the goroutine that applies interest changes.
func (b *NATS) interests() {
	defer b.iwg.Done()
	for {
		select {
		case <-b.wake:
			b.applyDirty()
		case done := <-b.barrier:
			b.applyDirty()
			close(done)
		case <-b.quit:
			return
		}
	}
}

func (b *NATS) applyDirty() {
	b.imu.Lock()
	dirty := b.dirty
	b.dirty = make(map[interestKey]*natsNode, len(dirty))
	b.imu.Unlock()
	for k, nn := range dirty {
		b.apply(nn, k.target)
	}
}

// apply makes nn's subscription to t match nn.node.Holds(t). Only the
// interest goroutine calls it, and only it and detach change nn.subs.
func (b *NATS) apply(nn *natsNode, t aio.Target) {
	held := nn.node.Holds(t)
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
		// Counted under the lock, as detach counts: whoever removes a
		// subscription from nn.subs counts it, before anyone can look.
		b.stats.interests.Add(-1)
		nn.mu.Unlock()
		b.unsubscribe(sub)
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
	b.stats.interests.Add(1)
	nn.mu.Unlock()
}

// Subscribed reports whether node id holds a subscription for t, for
// tests and diagnostics.
func (b *NATS) Subscribed(id string, t aio.Target) bool {
	b.mu.RLock()
	nn := b.nodes[id]
	b.mu.RUnlock()
	if nn == nil {
		return false
	}
	nn.mu.Lock()
	defer nn.mu.Unlock()
	return nn.subs[t] != nil
}

// Flush waits until the interest changes reported so far are applied and
// the NATS server has processed everything this client sent (those
// subscriptions included), or until timeout. A test uses it to know a
// node's interest is in force before another node publishes.
func (b *NATS) Flush(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	done := make(chan struct{})
	select {
	case b.barrier <- done:
	case <-b.quit:
		return ErrBusClosed
	case <-timer.C:
		return fmt.Errorf("cluster: flush: interest changes: %w", errFlushTimeout)
	}
	select {
	case <-done:
	case <-timer.C:
		return fmt.Errorf("cluster: flush: interest changes: %w", errFlushTimeout)
	}
	if err := b.nc.FlushTimeout(time.Until(deadline)); err != nil {
		return fmt.Errorf("cluster: flush: %w", err)
	}
	return nil
}
