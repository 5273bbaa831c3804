package handler

import "github.com/gotio/gotio/aio"

// OnBeforeClose runs the router's session close hooks (OnSessionClose) for
// c; install it as the server's Config.OnBeforeClose:
//
//	cfg := aio.Config{Handler: router, OnBeforeClose: router.OnBeforeClose}
//
// An application with its own close hook calls this from it. A panicking
// hook is recovered, logged and counted; the other hooks still run.
func (r *Router) OnBeforeClose(c *aio.ChannelContext, reason error) {
	if t := r.tab.Load(); t != nil {
		s := SessionOf(c)
		for _, hook := range t.closeHooks {
			r.runHook(hook, s, reason)
		}
	}
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
