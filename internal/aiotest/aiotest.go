// Package aiotest holds what the tests of several gotio packages share to
// run an aio server: the transports every test covers, and a server on a
// loopback port that closes when the test ends.
package aiotest

import (
	"testing"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
)

// Transports are the engines the tests run on: netpoll's event loop and
// package net's goroutine per connection (gnet has its own matrix, behind
// the gotio_gnet build tag).
var Transports = []aio.Transport{aio.TransportNetpoll, aio.TransportStd}

// Start serves cfg (nil: the zero Config, codec/tcp) on an ephemeral
// loopback port until the test ends.
func Start(t testing.TB, cfg *aio.Config) *aio.Server {
	t.Helper()
	s := aio.NewServer(cfg)
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// RPC is a handler for client tests: it answers each request with its own
// body (a request on route "never.answered" gets no answer) and pushes each
// notify back on route "echo." + its route.
func RPC(c *aio.ChannelContext, m *codec.Message) {
	switch m.Kind {
	case codec.Request:
		if m.Route == "never.answered" {
			return
		}
		_ = c.Send(&codec.Message{Kind: codec.Response, ID: m.ID, Route: m.Route, Body: m.Body})
	case codec.Notify:
		_ = c.Send(&codec.Message{Kind: codec.Push, Route: "echo." + m.Route, Body: m.Body})
	}
}

// KeyCount returns how many keys of a kind s has bound (kind is its Target
// constructor, as Server.Keys takes it).
func KeyCount(s *aio.Server, kind func(string) aio.Target) int {
	_, n := s.Keys(kind, 0, 1)
	return n
}
