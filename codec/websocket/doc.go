// Package websocket implements RFC 6455 WebSocket as a gotio codec: the
// server side of the HTTP upgrade, frames, fragmentation, ping and pong,
// the close handshake and permessage-deflate (RFC 7692), all inside the
// event loop as a pure codec.Stream — no goroutine, no net/http hijack, no
// I/O. docs/protocol-websocket.md describes the behaviour in full.
//
// A WebSocket connection carries an inner codec in its messages, chosen
// per connection by Config.Routes from the request path and the
// subprotocols the client offers: Plain (text and binary messages as Raw
// codec.Messages), JSON (an envelope around requests, notifies, responses
// and pushes), or any codec.Codec, such as pomelo's. Each whole message is
// given to the inner stream's Decode until consumed; each inner Encode (and
// each inner reply) leaves as one message.
//
// The same port can serve plain HTTP (Config.HTTP) for the page that opens
// the WebSocket. Package aio/wsmount mounts the same codec on an existing
// net/http server.
//
// The codec is server-side only. Go clients dial WebSocket with client.Dial
// and aio/client.Config.WebSocket, which uses gorilla/websocket, with
// client.Config.Codec set to the inner codec (JSON, Plain, pomelo's); a
// client stream of this codec (codec.ConnInfo.Client, as client.Dial over TCP
// makes) fails with an error wrapping codec.ErrUnsupported.
//
// Decode unmasks frames in place: it writes to the bytes it consumes.
package websocket
