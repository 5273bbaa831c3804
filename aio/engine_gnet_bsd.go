//go:build gotio_gnet && (darwin || freebsd || netbsd || openbsd || dragonfly)

package aio

import "errors"

// gnetSelfListen: off Linux the gnet engine accepts through package net
// and enrolls each socket, also when the server listens by address
// (finding gnet's own descriptor of its listener needs /proc).
const gnetSelfListen = false

func gnetFindFd(int, uint64, uint64) (int, error) { return -1, errors.ErrUnsupported }

func gnetReplaceFd(int) error { return errors.ErrUnsupported }
