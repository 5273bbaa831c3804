// Package target holds the kinds of aio.Target: what the key of a send or
// a lookup names. They are internal so that aio's surface is its
// constructors (aio.User, aio.Group, aio.Token, aio.BsID, aio.IP, aio.All);
// package cluster, which carries targets between nodes, reads them here,
// and anyone else by Kind's String.
package target

// Kind says what a Target's key names. Its values travel between nodes
// (cluster's envelope): new kinds are added at the end.
type Kind uint8

// The kinds.
const (
	User Kind = iota + 1
	Group
	Token
	BsID
	All
	IP
)

var names = [...]string{"", "user", "group", "token", "bsid", "all", "ip"}

// String returns the kind's name: "user", "group", "token", "bsid", "all"
// or "ip"; "" for the zero Kind, which names nothing.
func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return "unknown"
}
