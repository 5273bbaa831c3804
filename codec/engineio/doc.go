// Package engineio is the packet layer of the Engine.IO protocol, revision
// 4 (EIO=4), as socketio/engine.io-protocol specifies it and the npm
// package engine.io-parser@5 implements it: packet types, the text and
// binary encodings of a packet on WebSocket and on HTTP long-polling, the
// polling payload (packets joined by the record separator 0x1e), the open
// packet of the handshake, and the JSON error bodies an engine.io server
// answers a bad HTTP request with.
//
// Like every gotio codec it is pure: no I/O, no goroutines, no timers.
// Encoders append to a caller's slice; decoders alias their input where
// they can and append to a caller's slice where they must (base64).
//
// New returns the server: a codec whose streams serve the HTTP connections
// of its path (long-polling and the WebSocket upgrade) and open one session
// per handshake through codec.Carrier, so that aio serves each engine.io
// session as one ChannelContext across many HTTP requests and a WebSocket.
// Serve it behind codec/hybrid (Config.Paths); see
// docs/protocol-engineio.md.
//
// Wire forms of one packet:
//
//	type     id  WebSocket frame        polling (in a payload)
//	open     0   text "0{...}"          "0{...}"
//	close    1   text "1"               "1"
//	ping     2   text "2" / "2probe"    "2"
//	pong     3   text "3" / "3probe"    "3"
//	message  4   text "4hello"          "4hello"
//	message  4   binary <01 02 03>      "bAQID"
//	upgrade  5   text "5"               —
//	noop     6   text "6"               "6"
package engineio
