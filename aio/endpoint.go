package aio

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/stat"
)

// endpoint is what the connections of one Server or one Client share: the
// core's settings, the logger, the statistics, the timing wheel, the worker
// pool of queued handlers and the coarse clock.
type endpoint struct {
	set     settings
	logger  zerolog.Logger
	stats   stat.Server
	wheel   *wheel
	workers *workerPool
	// clock is the time in unix nanos, refreshed every wheel tick: reads
	// and writes stamp connections with it instead of asking the system
	// clock per message (liveness needs no better than a tick).
	clock atomic.Int64
	// active counts connections whose close path has not finished.
	active sync.WaitGroup

	startOnce sync.Once
	stopOnce  sync.Once
}

func newEndpoint(set settings, logger zerolog.Logger) *endpoint {
	ep := &endpoint{set: set, logger: logger}
	ep.clock.Store(time.Now().UnixNano())
	ep.wheel = newWheel(ep)
	if set.queued {
		ep.workers = newWorkerPool(set.workers)
	}
	return ep
}

// start starts the wheel and the workers, once.
func (ep *endpoint) start() {
	ep.startOnce.Do(func() {
		ep.wheel.start()
		if ep.workers != nil {
			ep.workers.start()
		}
	})
}

// stop ends the wheel and the workers, once. A worker stuck in a handler
// is waited for until ctx ends; it is then left to finish alone (and
// logged), so stop itself never hangs.
func (ep *endpoint) stop(ctx context.Context) {
	ep.startOnce.Do(func() {}) // an endpoint that never started has nothing to start now
	ep.stopOnce.Do(func() {
		ep.wheel.stop()
		if ep.workers != nil && !ep.workers.stop(ctx) {
			ep.logger.Warn().Msg("aio: handlers still running after the close deadline; left to finish")
		}
	})
}

// waitActive waits until every connection finished its close path, or ctx
// ends; it reports whether they all did.
func (ep *endpoint) waitActive(ctx context.Context) bool { return waitOrDone(ctx, &ep.active) }

// closeWait bounds the waits of Server.Close (and aio/client's Close), which take
// no context: a handler stuck longer is left behind (and logged).
const closeWait = 5 * time.Second

// now returns the coarse clock.
func (ep *endpoint) now() int64 { return ep.clock.Load() }
