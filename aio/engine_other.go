//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package aio

import (
	"context"
	"net"
)

const netpollAvailable = false

func newNetpollEngine(*Server) (engine, error) { return nil, errNoTransport }

var _ = context.Background
var _ net.Addr
