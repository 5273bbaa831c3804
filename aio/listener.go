package aio

import (
	"time"

	"github.com/gotio/gotio/codec"
)

// Listener observes the life of a server's connections. aio calls its
// methods on the goroutine that caused the event (the connection's read
// goroutine, its flusher, the wheel), never with a gotio lock held; they
// must return quickly and must not block. Embed NopListener and override
// what you need.
type Listener interface {
	// OnConnected runs once a connection is accepted, before its first
	// read.
	OnConnected(c *ChannelContext)
	// OnReceived runs after n bytes were read from the socket.
	OnReceived(c *ChannelContext, n int)
	// OnDecoded runs for each decoded message, before the handler.
	OnDecoded(c *ChannelContext, m *codec.Message)
	// OnHandled runs after the handler returned, with its cost.
	OnHandled(c *ChannelContext, m *codec.Message, cost time.Duration)
	// OnSent runs after n bytes were written to the socket.
	OnSent(c *ChannelContext, n int)
	// OnBeforeClose runs once per connection, before its socket closes.
	OnBeforeClose(c *ChannelContext, reason error)
	// OnHeartbeatTimeout runs when c was silent longer than its heartbeat
	// timeout. Returning false vetoes the close; the connection gets a new
	// timeout period.
	OnHeartbeatTimeout(c *ChannelContext, silent time.Duration) (close bool)
}

// NopListener implements Listener with no-ops; embed it.
type NopListener struct{}

func (NopListener) OnConnected(*ChannelContext)                                    {}
func (NopListener) OnReceived(*ChannelContext, int)                                {}
func (NopListener) OnDecoded(*ChannelContext, *codec.Message)                      {}
func (NopListener) OnHandled(*ChannelContext, *codec.Message, time.Duration)       {}
func (NopListener) OnSent(*ChannelContext, int)                                    {}
func (NopListener) OnBeforeClose(*ChannelContext, error)                           {}
func (NopListener) OnHeartbeatTimeout(*ChannelContext, time.Duration) (close bool) { return true }
