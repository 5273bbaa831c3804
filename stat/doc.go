// Package stat counts what a gotio server does: server-wide counters
// (Server), per-connection counters (Conn), per-IP counters over time
// windows (IPStats), and their exposition on a Prometheus /metrics endpoint
// (NewCollector, Handler).
//
// Counters are sync/atomic values updated on the hot path without locks;
// Snapshot methods copy them into plain values for reading, logging and
// exposition. The package imports nothing else of gotio, so every layer may
// use it.
//
// # Prometheus metrics
//
// NewCollector exposes a Snapshot under these names (namespace "gotio").
// Labels carry low-cardinality values only: protocol names and close
// reasons, never users, ids or IP addresses.
//
//	gotio_server_connections_active            gauge    open connections
//	gotio_server_connections_accepted_total    counter  connections accepted
//	gotio_sessions_active                      gauge    open sessions (engine.io) that may outlive a transport
//	gotio_connections_active{protocol}         gauge    open connections that identified their protocol
//	gotio_connections_accepted_total{protocol} counter  connections that identified their protocol
//	gotio_connections_rejected_total           counter  connections refused by limits
//	gotio_connections_closed_total{reason}     counter  connections closed, by close reason
//	gotio_messages_received_total{protocol}    counter  messages decoded
//	gotio_messages_sent_total{protocol}        counter  messages sent
//	gotio_protocol_bytes_received_total{protocol} counter
//	gotio_protocol_bytes_sent_total{protocol}  counter
//	gotio_bytes_received_total                 counter  bytes read from sockets
//	gotio_bytes_sent_total                     counter  bytes written to sockets
//	gotio_reads_total                          counter  socket reads
//	gotio_writes_total                         counter  socket writes
//	gotio_packets_decoded_total                counter
//	gotio_packets_handled_total                counter
//	gotio_packets_sent_total                   counter
//	gotio_handle_seconds_total                 counter  time spent in handlers
//	gotio_heartbeat_timeouts_total             counter
//	gotio_decode_errors_total                  counter
//	gotio_rate_limited_total                   counter  messages refused by a rate limit
//	gotio_bus_errors_total                     counter  cluster bus publish failures
//
// The server-wide connection figures count every connection from accept;
// the per-protocol ones count a connection once its codec names its
// protocol, which on a hybrid port happens after the first bytes arrive.
package stat
