// Package group records who is bound to what: users, groups, tokens and IP
// addresses to the connections that hold them (Index), and business ids to
// the one connection that owns each (Unique).
//
// The package is generic over the member type and knows nothing of
// connections, so package aio instantiates it with *ChannelContext and the
// tests with plain integers.
//
// Both types are built for many idle connections: their zero value is ready
// to use, they are safe for concurrent use, they are split into shards by a
// hash of the key (so unrelated keys never contend for one lock), a key
// whose last member leaves is deleted at once, and a key with one member
// stores it inline without allocating a set. Iteration (Index.Range,
// Index.Members) works on a snapshot taken under the shard's read lock and
// calls back with no lock held, so a callback may bind and unbind freely.
package group
