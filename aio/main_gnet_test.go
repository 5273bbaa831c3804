//go:build gotio_gnet && (linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package aio_test

import "github.com/gotio/gotio/aio"

// With the gotio_gnet build tag the suite runs on the gnet engine too.
func init() {
	transports = append(transports, aio.TransportGnet)
	idleTransports = append(idleTransports, aio.TransportGnet)
}
