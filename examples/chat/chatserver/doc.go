// Package chatserver is gotio's chat example, NetEase's chatofpomelo on
// gotio: a gate that tells each user which connector to use, connectors
// where users enter rooms and chat, and a web page. Every port speaks
// gotio TCP, pomelo over TCP, pomelo over WebSocket and a plain WebSocket
// JSON envelope at once, so clients of all four chat in one room.
//
// The routes, payloads and pushes are chatofpomelo's:
//
//	gate.gateHandler.queryEntry  {uid}                      → {code:200, host, port} | {code:500}
//	connector.entryHandler.enter {username, rid}            → {users:[…]} | {code:500, error:true}
//	chat.chatHandler.send        {rid, content, from, target} → {route}
//	pushes onAdd {user}, onLeave {user}, onChat {msg, from, target}
//
// A room is a gotio group on each connector; a send to it reaches the
// members on the other connectors through the cluster bus (cluster.Local
// in one process, cluster.NATS across processes). Unique login per
// name*rid is a cluster.Directory; the room's user list is a Roster that
// every connector sees; a RoomLock lets one enter or leave of a room run
// at a time across connectors, so that everyone hears of everyone exactly
// once. docs/chat.md describes the wire and the topology.
package chatserver
