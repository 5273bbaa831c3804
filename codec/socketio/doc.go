// Package socketio is the packet layer of the Socket.IO protocol, revision
// 5, as socketio/socket.io-protocol specifies it and the npm package
// socket.io-parser@4.2 (the default parser of socket.io@4 and
// socket.io-client@4) implements it: the seven packet types, namespaces,
// acknowledgement ids, JSON payloads and binary attachments (placeholders
// in the JSON, the bytes in the engine.io binary messages that follow), and
// the mapping of events and acks onto gotio's codec.Message.
//
// Each Socket.IO packet travels as the data of one Engine.IO message
// packet (see codec/engineio): "42[\"chat\",\"hi\"]" is an engine.io
// message ("4") carrying the socket.io EVENT "2[\"chat\",\"hi\"]".
//
// Wire form of a packet, as AppendPacket writes and ParsePacket reads it:
//
//	<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
//
//	0                                   CONNECT to "/"
//	0/admin,{"token":"123"}             CONNECT to "/admin" with an auth payload
//	0{"sid":"oSO0OpakMV_3jnilAAAA"}     the server's answer
//	4{"message":"Not authorized"}       CONNECT_ERROR
//	1/admin,                            DISCONNECT from "/admin"
//	212["foo"]                          EVENT "foo", ack id 12
//	3/admin,13["bar"]                   ACK 13 in "/admin"
//	51-["baz",{"_placeholder":true,"num":0}]   BINARY_EVENT, one attachment follows
//
// Like every gotio codec the package is pure: no I/O, no goroutines.
// NewServer returns the server: Socket.IO namespaces, auth, events and acks
// on codec/engineio's sessions, mapped onto codec.Message so that one
// handler serves socket.io clients beside every other protocol; see
// docs/protocol-socketio.md.
package socketio
