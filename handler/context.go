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
// the call is Session() and Conn(), which stay valid.
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

func putContext(c *Context) {
	buf := c.buf[:0]
	if cap(buf) > 4<<10 {
		buf = nil
	}
	*c = Context{buf: buf}
	contextPool.Put(c)
}

// Conn returns the connection the message came on.
func (hc *Context) Conn() *aio.ChannelContext { return hc.c }

// Server returns the server of the connection.
func (hc *Context) Server() *aio.Server { return hc.c.Server() }

// Message returns the message being handled. Its Body is valid only until
// the handler returns.
func (hc *Context) Message() *codec.Message { return hc.m }

// Route returns the message's route.
func (hc *Context) Route() string { return hc.m.Route }

// Session returns the connection's session: its uid, settings, pushes and
// kick. The session may be kept after the handler returns.
func (hc *Context) Session() *Session { return SessionOf(hc.c) }

// Logger returns the server's logger.
func (hc *Context) Logger() *zerolog.Logger { return hc.c.Server().Logger() }

// Respond answers the request now with v encoded as JSON (a []byte or
// json.RawMessage is sent as it is), instead of with what the handler
// returns: the router sends nothing more for this request. It fails with
// ErrNotRequest for a notify, push or raw message, with ErrResponded when
// the request was answered already, and with the encoding or send error.
func (hc *Context) Respond(v any) error {
	if hc.m.Kind != codec.Request {
		return ErrNotRequest
	}
	if hc.done {
		return ErrResponded
	}
	body, err := marshal(v)
	if err != nil {
		return err
	}
	return hc.respond(body)
}

// Push sends v, encoded as JSON, to this connection as a push on route
// (pomelo's "onChat"-style events).
func (hc *Context) Push(route string, v any) error { return hc.Session().Push(route, v) }

// respond sends the response to the request, once.
func (hc *Context) respond(body []byte) error {
	hc.done = true
	if body == nil {
		body = emptyObject
	}
	hc.out = codec.Message{Kind: codec.Response, ID: hc.m.ID, Route: hc.m.Route, Body: body}
	return hc.send()
}

// respondError sends the error response for err.
func (hc *Context) respondError(err error) error {
	code, msg := errorOf(err)
	hc.buf = appendErrorBody(hc.buf[:0], code, msg)
	return hc.respond(hc.buf)
}

// respondNotFound answers a request for a route without a handler.
func (hc *Context) respondNotFound() error {
	hc.buf = appendNotFoundBody(hc.buf[:0], hc.m.Route)
	return hc.respond(hc.buf)
}

// send queues ctx.out on the connection; the codec encodes it at once, so
// ctx.out and its body are free again when send returns.
func (hc *Context) send() error {
	err := hc.c.Send(&hc.out)
	hc.out = codec.Message{}
	return err
}

var emptyObject = []byte("{}")
