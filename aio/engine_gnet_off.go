//go:build !(gotio_gnet && (linux || darwin || freebsd || netbsd || openbsd || dragonfly))

package aio

import "errors"

var errNoGnet = errors.New("aio: TransportGnet is not built in: build with -tags gotio_gnet (Linux, macOS, BSD)")

func newGnetEngine(*Server, *settings) (engine, error) { return nil, errNoGnet }
