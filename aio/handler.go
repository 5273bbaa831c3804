package aio

import "github.com/gotio/gotio/codec"

// Handler handles the messages of connections. It is the one thing every
// application implements (package handler offers a route-based router).
//
// ServeMessage runs on the connection's read goroutine, or, with
// Config.Workers set, on a worker of that bounded pool. Either way the
// messages of one connection are handled one at a time, in arrival order;
// different connections are handled concurrently.
//
// m and m.Body are valid only until ServeMessage returns: copy what you keep.
type Handler interface {
	ServeMessage(c *ChannelContext, m *codec.Message)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(c *ChannelContext, m *codec.Message)

// ServeMessage calls f(c, m).
func (f HandlerFunc) ServeMessage(c *ChannelContext, m *codec.Message) { f(c, m) }
