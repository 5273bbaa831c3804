package handler

import "github.com/gotio/gotio/aio"

// Listener returns the aio.Listener that runs the router's session close
// hooks; install it as the server's Config.Listener. Every event goes on
// to next, so an application keeps its own listener by passing it here
// (nil means none):
//
//	cfg := aio.Config{Handler: router, Listener: router.Listener(myListener)}
//
// The hooks run in OnBeforeClose, once per connection, before next's
// OnBeforeClose. A panicking hook is recovered, logged and counted; the
// other hooks still run.
func (r *Router) Listener(next aio.Listener) aio.Listener {
	if next == nil {
		next = aio.NopListener{}
	}
	return &sessionListener{Listener: next, r: r}
}

// sessionListener forwards every event to the embedded listener and runs
// the close hooks first.
type sessionListener struct {
	aio.Listener
	r *Router
}

func (l *sessionListener) OnBeforeClose(c *aio.ChannelContext, reason error) {
	if t := l.r.tab.Load(); t != nil {
		s := SessionOf(c)
		for _, hook := range t.closeHooks {
			l.r.runHook(hook, s, reason)
		}
	}
	l.Listener.OnBeforeClose(c, reason)
}

// runHook runs one close hook, recovering a panic.
func (r *Router) runHook(hook func(*Session, error), s *Session, reason error) {
	defer func() {
		if p := recover(); p != nil {
			r.recovered(s.Conn(), "session close hook", p)
		}
	}()
	hook(s, reason)
}
