// Package aio is gotio's server for long-lived connections, in the spirit
// of t-io: one ChannelContext per connection, bindings by user, group,
// token and business id, and a send to one, a user, a group, a token, an
// IP or everyone with one call — across nodes when Config.Bus is set.
// Heartbeats, limits, statistics, graceful shutdown and the event loop
// (netpoll; package net for TLS and other platforms; gnet behind a build
// tag) are built in. What travels on the wire is a codec's business
// (package codec and its protocols); the Go client is package aio/client.
//
//	srv := aio.NewServer(&aio.Config{
//		Codec: pomelo.New(nil),
//		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
//			_ = c.BindGroup("lobby")
//			c.Server().SendToGroup("lobby", &codec.Message{Kind: codec.Push, Route: "onChat", Body: m.Body})
//		}),
//	})
//	if err := srv.ListenAndServe(":3010"); !errors.Is(err, aio.ErrServerClosed) {
//		log.Fatal(err)
//	}
//
// Every method is safe from any goroutine. A handler runs on its
// connection's read goroutine (or on a worker, with Config.Workers), one
// message at a time per connection; nothing gotio runs there waits for the
// same connection's flush, and no gotio lock is held while user code runs.
// docs/architecture.md writes the whole threading contract down.
//
// A connection closes for one reason, which ChannelContext.Err returns and
// errors.Is tells apart: ErrHeartbeatTimeout, ErrKicked, ErrSlowConsumer,
// ErrServerClosed and the others below, or codec's ErrPeerClosed,
// ErrProtocol and ErrTooLarge.
package aio
