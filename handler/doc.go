// Package handler routes messages to handlers by route, pomelo-style, and
// gives handlers pomelo's sessions. Its Router is an aio.Handler:
//
//	r := handler.New()
//	handler.Handle(r, "connector.entryHandler.enter", enter) // typed, JSON bodies
//	handler.HandleNotify(r, "chat.chatHandler.typing", typing)
//	r.HandleFunc("chat.chatHandler.raw", raw)                // bytes in, bytes out
//	r.Use(logRequests)                                       // before/after filters
//	r.OnSessionClose(onUserLeave)
//	srv := aio.NewServer(&aio.Config{Codec: c, Handler: r, OnBeforeClose: r.OnBeforeClose})
//
// # Requests, notifies, errors
//
// A request gets exactly one response, carrying the request's ID and
// Route (pomelo's protobuf codec finds the response schema by route). A
// notify gets none. Failures follow pomelo's convention, a JSON body with
// a code:
//
//	{"code":500,"error":"fail to find handler for chat.nope"}   unknown route
//	{"code":500,"error":"bad request body for …: json: …"}      body not JSON for the type
//	{"code":403,"error":"not your room"}                        handler returned handler.Error{Code: 403, …}
//	{"code":500,"error":"…"}                                    any other error: its text
//	{"code":500,"error":"internal server error"}                handler panicked (logged with its stack)
//
// A handler's error text reaches the client; return a handler.Error to
// choose what the client reads. Router.Stats counts unknown routes,
// errors and panics.
//
// # Codecs
//
// The router sees only codec.Message, so one router serves gotio TCP,
// WebSocket clients speaking JSON and pomelo clients alike. Bodies are
// JSON by convention; codec/pomelo transcodes protobuf bodies to and from
// JSON itself and builds its route dictionary from Router.Routes.
//
// # Sessions
//
// A Session is pomelo's session over an aio.ChannelContext: Bind a uid,
// Set and Get settings, Push to it, Kick it; KickUser kicks all of a
// user's connections; Router.OnSessionClose hooks run when a connection
// closes (install Router.OnBeforeClose as the server's OnBeforeClose). Pomelo's
// session.push (syncing settings to the frontend) has no counterpart: a
// gotio node holds its sessions itself.
package handler
