//go:build gotio_gnet && linux

package aio

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// gnetSelfListen: on Linux the gnet engine binds and accepts itself when
// the server listens by address (gnetEngine.listen).
const gnetSelfListen = true

// gnetFindFd returns the descriptor other than dup that refers to the
// socket dev/ino: gnet's own descriptor of the listener dup duplicates.
func gnetFindFd(dup int, dev, ino uint64) (int, error) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return -1, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return -1, err
	}
	found := -1
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil || fd == dup {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil || uint64(st.Dev) != dev || uint64(st.Ino) != ino {
			continue
		}
		if found >= 0 {
			return -1, fmt.Errorf("two descriptors of the listener (%d, %d)", found, fd)
		}
		found = fd
	}
	if found < 0 {
		return -1, fmt.Errorf("no descriptor of the listener besides %d", dup)
	}
	return found, nil
}

// gnetReplaceFd makes fd, in one step, refer to a placeholder instead of
// what it refers to: a non-blocking Unix socket listening on an
// autobound abstract address, so that an accept on fd in progress finds
// nothing (EAGAIN) rather than an error that would stop gnet's engine.
func gnetReplaceFd(fd int) error {
	p, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("aio: gnet: placeholder socket: %w", err)
	}
	defer unix.Close(p)
	// An empty name autobinds an abstract address.
	if err := unix.Bind(p, &unix.SockaddrUnix{}); err != nil {
		return fmt.Errorf("aio: gnet: placeholder bind: %w", err)
	}
	if err := unix.Listen(p, 1); err != nil {
		return fmt.Errorf("aio: gnet: placeholder listen: %w", err)
	}
	if err := unix.Dup3(p, fd, unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("aio: gnet: replacing the listener's descriptor: %w", err)
	}
	return nil
}
