// Package cluster carries gotio's sends beyond one machine: SendToUser,
// SendToGroup and SendToAll on one aio.Server reach the members held by
// every other server on the same bus.
//
// Two buses implement aio.Bus side by side, the way centrifuge offers a
// memory and a Redis broker:
//
//   - Local (NewLocal) joins several aio.Servers in one process. Zero
//     setup; sends are delivered synchronously on the sender's goroutine.
//   - NATS (ConnectNATS) joins servers over a NATS server or cluster. A node
//     subscribes to a user's or group's subject only while it holds
//     members of it (interest-based routing), so a send travels only to
//     the nodes that need it. StartEmbedded runs a NATS server inside the
//     process, so one machine needs nothing installed.
//
// Delivery on the local node stays aio's direct write; only the part for
// other nodes goes through the bus, as one encoded envelope per send.
// Across nodes the guarantee is at-most-once, in order per publisher and
// subject; what a node knows it could not hand to NATS is counted in
// Stats().Lost. docs/cluster.md has the subjects, guarantees and topology.
//
// A Directory keeps one session per user across nodes (unique login):
// LocalDirectory in memory for the Local bus, KVDirectory in a NATS
// JetStream key-value bucket for the NATS bus. Its Policy either rejects
// the newcomer (chatofpomelo's rule) or kicks the old session, wherever it
// lives.
package cluster
