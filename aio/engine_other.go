//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package aio

import "context"

const netpollAvailable = false

func newNetpollEngine(host, *settings) (engine, error) { return nil, errNoTransport }

func dialNetpoll(context.Context, string, *settings, host) (*conn, error) {
	return nil, errNoTransport
}
