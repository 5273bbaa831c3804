package aio

import "github.com/gotio/gotio/codec"

// Handler handles the messages of connections. It is the one thing every
// application implements (package handler offers a route-based router).
//
// In HandlerInline mode ServeMessage runs on the connection's read goroutine; in
// HandlerQueued mode on a worker of a bounded pool. Either way the messages
// of one connection are handled one at a time, in arrival order; different
// connections are handled concurrently.
//
// m and m.Body are valid only until ServeMessage returns: copy what you keep.
type Handler interface {
	ServeMessage(c *ChannelContext, m *codec.Message)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(c *ChannelContext, m *codec.Message)

// ServeMessage calls f(c, m).
func (f HandlerFunc) ServeMessage(c *ChannelContext, m *codec.Message) { f(c, m) }

// HandlerMode chooses where ServeMessage runs.
type HandlerMode uint8

const (
	// HandlerInline runs Handle on the read goroutine: lowest latency,
	// and a slow handler delays only its own connection.
	HandlerInline HandlerMode = iota
	// HandlerQueued copies each message onto its connection's queue,
	// served by a bounded pool of workers (t-io's queue mode): a slow
	// handler never holds the event loop's goroutine.
	HandlerQueued
)
