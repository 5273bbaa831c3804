package handler

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gotio/gotio/codec"
)

// Func handles one message routed to it. For a request, the body it
// returns is the response's body (nil means {}), and an error is answered
// with an error response instead (see Error). For a notify or a push the
// body is discarded. For a raw message given to the fallback, a non-nil
// body is sent back as a raw message.
//
// m is c.Message(); m.Body is valid only until the function returns.
type Func func(c *Context, m *codec.Message) ([]byte, error)

// Middleware wraps the handler of every route (and the fallback): code
// before next is a before-filter, code after it an after-filter that sees
// the body and error. A middleware that does not call next answers in its
// place (an auth check returning an Error, say).
type Middleware func(next Func) Func

// Router dispatches messages to handlers by route, the way pomelo's
// handler service does: it implements aio.Handler, so it is a server's
// Config.Handler. Routes are any strings; pomelo's are
// "serverType.handler.method" ("connector.entryHandler.enter").
//
// Requests, notifies and pushes are routed by Message.Route. A request
// always gets exactly one response, with the request's ID and Route: the
// handler's body, or an error body {"code":500,"error":"…"} when the
// handler failed, panicked, or the route has none ("fail to find handler
// for <route>", pomelo's words). A notify or push never gets one. Raw
// messages (and responses, which a server does not expect) go to the
// Fallback handler, or are dropped and counted when there is none.
//
// The router is codec-neutral: it sees the common codec.Message, so the
// same routes serve gotio TCP, WebSocket JSON and pomelo clients. Bodies
// are JSON; codec/pomelo transcodes protobuf bodies to and from JSON.
//
// The zero value is an empty router ready to use. Routes, middleware,
// hooks and the fallback may be registered at any time, also while serving
// (registration copies the table; dispatch never locks), and all methods
// are safe for concurrent use. A Router must not be copied after first use.
type Router struct {
	mu  sync.Mutex // serialises registrations
	tab atomic.Pointer[table]

	notFound atomic.Uint64
	errors   atomic.Uint64
	panics   atomic.Uint64
}

// table is an immutable snapshot of the registrations; each change builds
// a new one.
type table struct {
	routes     map[string]*entry
	mw         []Middleware
	fallback   *entry
	closeHooks []func(*Session, error)
}

// entry is one route's handler as registered (fn) and wrapped in the
// middleware (h).
type entry struct {
	fn, h Func
}

// New returns an empty Router; the zero Router is the same.
func New() *Router { return new(Router) }

// Stats are a router's counters since it was made.
type Stats struct {
	// NotFound counts messages no handler took: requests, notifies and
	// pushes of unknown routes, and raw messages without a fallback.
	NotFound uint64
	// Errors counts handlers (and middleware) that returned an error,
	// including requests whose body did not decode.
	Errors uint64
	// Panics counts panics recovered in handlers, middleware and session
	// close hooks.
	Panics uint64
}

// Stats returns the router's counters. Safe from any goroutine.
func (r *Router) Stats() Stats {
	return Stats{NotFound: r.notFound.Load(), Errors: r.errors.Load(), Panics: r.panics.Load()}
}

// HandleFunc registers fn for route. It panics when route is empty, fn is
// nil, or route has a handler already: those are programming errors, found
// at start-up.
func (r *Router) HandleFunc(route string, fn Func) {
	if route == "" {
		panic("handler: empty route")
	}
	if fn == nil {
		panic("handler: nil handler for route " + route)
	}
	r.update(func(t *table) {
		if _, dup := t.routes[route]; dup {
			panic("handler: route registered twice: " + route)
		}
		t.routes[route] = &entry{fn: fn}
	})
}

// Use appends middleware. The first middleware added is the outermost: it
// runs first and sees the final result. Middleware applies to every route
// and the fallback, also those registered before Use.
func (r *Router) Use(mw ...Middleware) {
	for _, m := range mw {
		if m == nil {
			panic("handler: nil middleware")
		}
	}
	r.update(func(t *table) { t.mw = append(t.mw, mw...) })
}

// Fallback sets the handler of raw messages (plain WebSocket text and
// binary, gotio TCP raw frames) and of responses a peer sends; nil removes
// it. When it returns a non-nil body for a raw message, the body goes back
// as a raw message of the same kind (text or binary).
func (r *Router) Fallback(fn Func) {
	r.update(func(t *table) {
		t.fallback = nil
		if fn != nil {
			t.fallback = &entry{fn: fn}
		}
	})
}

// OnSessionClose adds a hook that runs once for each connection, when it
// closes, with the close reason (errors.Is(reason, aio.ErrKicked), …). The
// hooks run from Router.OnBeforeClose, which must be the server's
// Config.OnBeforeClose (or called from it). They run before the connection loses its
// bindings, so s.UID() still answers; they must not block.
func (r *Router) OnSessionClose(fn func(s *Session, reason error)) {
	if fn == nil {
		panic("handler: nil session close hook")
	}
	r.update(func(t *table) { t.closeHooks = append(t.closeHooks, fn) })
}

// Routes returns the registered routes, sorted. codec/pomelo numbers its
// route dictionary in this order, from 1.
func (r *Router) Routes() []string {
	t := r.tab.Load()
	if t == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(t.routes))
}

// update applies change to a copy of the table and publishes the copy.
func (r *Router) update(change func(t *table)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := &table{routes: make(map[string]*entry)}
	if old := r.tab.Load(); old != nil {
		for k, e := range old.routes {
			next.routes[k] = &entry{fn: e.fn}
		}
		next.mw = slices.Clone(old.mw)
		if old.fallback != nil {
			next.fallback = &entry{fn: old.fallback.fn}
		}
		next.closeHooks = slices.Clone(old.closeHooks)
	}
	change(next)
	for _, e := range next.routes {
		e.h = next.wrap(e.fn)
	}
	if next.fallback != nil {
		next.fallback.h = next.wrap(next.fallback.fn)
	}
	r.tab.Store(next)
}

// wrap applies the middleware to h, the first one outermost.
func (t *table) wrap(h Func) Func {
	for i := len(t.mw) - 1; i >= 0; i-- {
		h = t.mw[i](h)
	}
	return h
}
