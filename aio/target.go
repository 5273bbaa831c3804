package aio

import "github.com/gotio/gotio/internal/target"

// Target names who a send or a lookup is for: a user's connections, a
// group's members, a token's or a business id's connections, those from
// an IP, or everyone. Build one with User, Group, Token, BsID, IP or All;
// the zero Target names no one.
type Target struct {
	// Kind is what Key names. Its String is "user", "group", "token",
	// "bsid", "ip" or "all"; a Bus reads it to route the send.
	Kind target.Kind
	// Key is the user, group, token, business id or IP; "" for All.
	Key string
}

// User names the connections bound to user.
func User(user string) Target { return Target{Kind: target.User, Key: user} }

// Group names the members of group.
func Group(group string) Target { return Target{Kind: target.Group, Key: group} }

// Token names the connections bound to token.
func Token(token string) Target { return Target{Kind: target.Token, Key: token} }

// BsID names the connection bound to a business id.
func BsID(id string) Target { return Target{Kind: target.BsID, Key: id} }

// IP names the connections from ip.
func IP(ip string) Target { return Target{Kind: target.IP, Key: ip} }

// All names every open connection.
func All() Target { return Target{Kind: target.All} }
