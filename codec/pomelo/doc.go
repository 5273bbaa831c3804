// Package pomelo implements NetEase pomelo's hybrid-connector protocol,
// wire-exact with pomelo 2.2.7 and its npm packages pomelo-protocol@0.1.6
// and pomelo-protobuf@0.4.0, so that pomelo's JavaScript, Unity and C
// clients (and pitaya's Go client, tested in gotio's interop module) talk
// to a gotio server, and gotio's aio client talks to a pomelo server.
// docs/protocol-pomelo.md specifies the wire byte by byte.
//
// Two layers. A package is
//
//	type     1 byte: 1 handshake, 2 handshake ack, 3 heartbeat, 4 data, 5 kick
//	length   3 bytes, big-endian: the body's length
//	body
//
// and a data package's body is a message:
//
//	flag     1 byte: bit 0 route compressed, bits 1-3 type (0 request,
//	         1 notify, 2 response, 3 push), bit 4 body compressed
//	id       base-128 varint (request, response)
//	route    2-byte dictionary code, or 1-byte length + text (request, notify, push)
//	body     JSON, or pomelo-protobuf / standard protobuf per route
//
// A session: the client sends a handshake ({"sys":{…},"user":{…}}); the
// server answers with heartbeat interval, route dictionary and protobuf
// schemas (Config.OnHandshake decides); the client acknowledges; the server
// sends a heartbeat and data flows. Either side may send several packages
// in one write.
//
// Codec is the codec/ plugin. New serves pomelo over TCP (a pomelo TCP
// client's first byte is 0x01, what codec/hybrid dispatches on); NewWS
// serves pomelo over WebSocket as codec/websocket's inner codec (each
// binary message carries whole packages). NewStream gives a server stream,
// or with codec.ConnInfo.Client a client stream that implements
// codec.Opener and codec.Heartbeater. Both implement codec.Goodbyer: a
// server says goodbye with a kick package.
//
// codec.Message.Body is JSON on both ends of the codec. Routes with a
// pomelo-protobuf schema (Config.ServerProtos, Config.ClientProtos, see
// package protobuf) or a Go protobuf message (Config.ServerMessages,
// Config.ClientMessages) are transcoded to and from their wire form.
//
// Config.MinClientVersion refuses old clients with pomelo's code 501. A
// client stream keeps the dictionary and schemas of its handshakes in a
// Store (Config.ClientStore, in memory by default) and announces their
// versions, so that later handshakes, reconnects included, are small.
package pomelo
