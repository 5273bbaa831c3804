//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package aio

import (
	"context"

	"github.com/rs/zerolog"
)

const netpollAvailable = false

func newNetpollEngine(host, *settings, *zerolog.Logger) (engine, error) { return nil, errNoTransport }

func dialNetpoll(context.Context, string, *settings, host) (*conn, error) {
	return nil, errNoTransport
}
