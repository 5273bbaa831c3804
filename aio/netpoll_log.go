//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package aio

import (
	"bytes"
	"sync/atomic"

	"github.com/rs/zerolog"
)

// netpoll logs through a process-wide log.Logger of its own. aio routes
// those lines into zerolog (the one logger of gotio) instead of letting
// them reach stderr in another format: into the logger of the server or
// client that last started a netpoll engine, at debug level for what a
// peer causes and is already a close reason here (resets, refused
// accepts), at warn for the rest.
var netpollLogger atomic.Pointer[zerolog.Logger]

// netpollLogWriter is the io.Writer netpoll's logger writes to.
type netpollLogWriter struct{}

func (netpollLogWriter) Write(p []byte) (int, error) {
	l := netpollLogger.Load()
	if l == nil {
		return len(p), nil
	}
	line := bytes.TrimSpace(p)
	// log.LstdFlags' "2006/01/02 15:04:05 " and netpoll's own prefix.
	if len(line) > 20 && line[4] == '/' && line[7] == '/' && line[10] == ' ' {
		line = line[20:]
	}
	line = bytes.TrimPrefix(line, []byte("NETPOLL: "))
	ev := l.Warn()
	if bytes.Contains(line, []byte("reset by peer")) || bytes.Contains(line, []byte("accept conn failed")) ||
		bytes.Contains(line, []byte("broken pipe")) || bytes.Contains(line, []byte("detach")) {
		ev = l.Debug()
	}
	ev.Str("from", "netpoll").Msg(string(line))
	return len(p), nil
}

// routeNetpollLogs makes l the receiver of netpoll's log lines.
func routeNetpollLogs(l *zerolog.Logger) { netpollLogger.Store(l) }
