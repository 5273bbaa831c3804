package handler

import (
	"sync"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// Context is what a handler knows about the message it handles: the
// connection, the message, the server, and helpers to answer and push.
//
// A Context is valid only until the handler returns (the router reuses
// it); it must not be kept or used from another goroutine. What outlives
// the call is ctx.Session() and ctx.Conn(), which stay valid.
type Context struct {
	r    *Router
	c    *aio.ChannelContext
	m    *codec.Message
	out  codec.Message // the response or raw reply, kept here so it does not escape per call
	buf  []byte        // scratch for error bodies
	done bool          // the request was answered
}

var contextPool = sync.Pool{New: func() any { return new(Context) }}

func getContext(r *Router, c *aio.ChannelContext, m *codec.Message) *Context {
	ctx := contextPool.Get().(*Context)
	ctx.r, ctx.c, ctx.m = r, c, m
	return ctx
}

func putContext(ctx *Context) {
	buf := ctx.buf[:0]
	if cap(buf) > 4<<10 {
		buf = nil
	}
	*ctx = Context{buf: buf}
	contextPool.Put(ctx)
}

// Conn returns the connection the message came on.
func (ctx *Context) Conn() *aio.ChannelContext { return ctx.c }

// Server returns the server of the connection.
func (ctx *Context) Server() *aio.Server { return ctx.c.Server() }

// Message returns the message being handled. Its Body is valid only until
// the handler returns.
func (ctx *Context) Message() *codec.Message { return ctx.m }

// Route returns the message's route.
func (ctx *Context) Route() string { return ctx.m.Route }

// Session returns the connection's session: its uid, settings, pushes and
// kick. The session may be kept after the handler returns.
func (ctx *Context) Session() *Session { return SessionOf(ctx.c) }

// Logger returns the server's logger.
func (ctx *Context) Logger() *zerolog.Logger { return ctx.c.Server().Logger() }

// Respond answers the request now with v encoded as JSON (a []byte or
// json.RawMessage is sent as it is), instead of with what the handler
// returns: the router sends nothing more for this request. It fails with
// ErrNotRequest for a notify, push or raw message, with ErrResponded when
// the request was answered already, and with the encoding or send error.
func (ctx *Context) Respond(v any) error {
	if ctx.m.Kind != codec.Request {
		return ErrNotRequest
	}
	if ctx.done {
		return ErrResponded
	}
	body, err := marshal(v)
	if err != nil {
		return err
	}
	return ctx.respond(body)
}

// Push sends v, encoded as JSON, to this connection as a push on route
// (pomelo's "onChat"-style events).
func (ctx *Context) Push(route string, v any) error { return ctx.Session().Push(route, v) }

// respond sends the response to the request, once.
func (ctx *Context) respond(body []byte) error {
	ctx.done = true
	if body == nil {
		body = emptyObject
	}
	ctx.out = codec.Message{Kind: codec.Response, ID: ctx.m.ID, Route: ctx.m.Route, Body: body}
	return ctx.send()
}

// respondError sends the error response for err.
func (ctx *Context) respondError(err error) error {
	code, msg := errorOf(err)
	ctx.buf = appendErrorBody(ctx.buf[:0], code, msg)
	return ctx.respond(ctx.buf)
}

// respondNotFound answers a request for a route without a handler.
func (ctx *Context) respondNotFound() error {
	ctx.buf = appendNotFoundBody(ctx.buf[:0], ctx.m.Route)
	return ctx.respond(ctx.buf)
}

// send queues ctx.out on the connection; the codec encodes it at once, so
// ctx.out and its body are free again when send returns.
func (ctx *Context) send() error {
	err := ctx.c.Send(&ctx.out)
	ctx.out = codec.Message{}
	return err
}

var emptyObject = []byte("{}")
