package handler

import (
	"runtime/debug"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

var _ aio.Handler = (*Router)(nil)

// ServeMessage dispatches m, which arrived on c, to its handler: the aio.Handler
// method, called by aio for each decoded message. It never panics because
// of a handler: a panic is recovered, logged with its stack on the server's
// logger, counted, and a request is answered with code 500.
//
// Dispatch is a map lookup; the router allocates nothing of its own per
// message (the codec's encoding of a response and encoding/json in typed
// handlers do allocate).
func (r *Router) ServeMessage(c *aio.ChannelContext, m *codec.Message) {
	t := r.tab.Load()
	var e *entry
	if t != nil {
		switch m.Kind {
		case codec.Request, codec.Notify, codec.Push:
			e = t.routes[m.Route]
		default:
			e = t.fallback
		}
	}
	if e == nil {
		r.unrouted(c, m)
		return
	}
	ctx := getContext(r, c, m)
	body, panicked, err := r.call(e.h, ctx)
	if err != nil && !panicked {
		r.errors.Add(1)
		c.Server().Logger().Debug().Uint64("conn", c.ID()).Str("route", m.Route).
			Str("kind", m.Kind.String()).Err(err).Msg("handler: handler failed")
	}
	var serr error
	switch {
	case m.Kind == codec.Request && !ctx.done:
		if err != nil {
			serr = ctx.respondError(err)
		} else {
			serr = ctx.respond(body)
		}
	case m.Kind == codec.Raw && err == nil && body != nil:
		ctx.out = codec.Message{Kind: codec.Raw, Body: body, Binary: m.Binary}
		serr = ctx.send()
	}
	if serr != nil {
		c.Server().Logger().Debug().Uint64("conn", c.ID()).Str("route", m.Route).
			Err(serr).Msg("handler: reply not sent")
	}
	putContext(ctx)
}

// unrouted counts and answers a message no handler takes.
func (r *Router) unrouted(c *aio.ChannelContext, m *codec.Message) {
	r.notFound.Add(1)
	c.Server().Logger().Debug().Uint64("conn", c.ID()).Str("route", m.Route).
		Str("kind", m.Kind.String()).Msg("handler: no handler for message")
	if m.Kind != codec.Request {
		return
	}
	ctx := getContext(r, c, m)
	if err := ctx.respondNotFound(); err != nil {
		c.Server().Logger().Debug().Uint64("conn", c.ID()).Str("route", m.Route).
			Err(err).Msg("handler: reply not sent")
	}
	putContext(ctx)
}

// call runs h, turning a panic into errPanic.
func (r *Router) call(h Func, hc *Context) (body []byte, panicked bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.recovered(hc.c, hc.m.Route, p)
			body, panicked, err = nil, true, errPanic
		}
	}()
	body, err = h(hc, hc.m)
	return body, false, err
}

// recovered counts and logs a recovered panic.
func (r *Router) recovered(c *aio.ChannelContext, where string, p any) {
	r.panics.Add(1)
	c.Server().Logger().Error().Uint64("conn", c.ID()).Str("route", where).
		Interface("panic", p).Bytes("stack", debug.Stack()).Msg("handler: panic recovered")
}
