package cluster_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/internal/testcodec"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

// node is one aio.Server of a test cluster running a small chat protocol
// over the length codec, one text command per frame:
//
//	login <user>       → "ok login kicked=<bool>" | "rejected" | "err …"
//	logout             → "ok logout"
//	join|leave <group> → "ok join" | "ok leave"
//	to <user> <text>   → SendToUser(user, "msg <text>"), then "ok to"
//	group <g> <text>   → SendToGroup(g, "msg <text>"), then "ok group"
//	all <text>         → SendToAll("msg <text>"), then "ok all"
//	ip <ip> <text>     → SendToIP(ip, "msg <text>"), then "ok ip"
//
// The connection's user logs out of the directory when it closes.
type node struct {
	t    testing.TB
	name string // the server's NodeID
	srv  *aio.Server
	dir  cluster.Directory
	// busErrs counts the bus errors the node's sends returned.
	busErrs atomic.Int64
}

// sent records what a send returned.
func (n *node) sent(_ int, err error) {
	if err != nil {
		n.busErrs.Add(1)
	}
}

func startNode(t testing.TB, name string, bus aio.Bus, dir cluster.Directory) *node {
	t.Helper()
	n := &node{t: t, name: name, dir: dir}
	n.srv = aio.NewServer(&aio.Config{
		Codec:         testcodec.Length{Max: 1 << 20},
		Handler:       n,
		OnBeforeClose: n.OnBeforeClose,
		Bus:           bus,
		NodeID:        name,
	})
	if err := n.srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.srv.Close() })
	return n
}

func push(text string) *codec.Message {
	return &codec.Message{Kind: codec.Push, Route: "onChat", Body: []byte("msg " + text)}
}

func reply(c *aio.ChannelContext, s string) {
	_ = c.Send(&codec.Message{Kind: codec.Raw, Body: []byte(s)})
}

func (n *node) ServeMessage(c *aio.ChannelContext, m *codec.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd, arg, _ := strings.Cut(string(m.Body), " ")
	switch cmd {
	case "login":
		ok, kicked, err := n.dir.Login(ctx, arg, cluster.LocationOf(c))
		switch {
		case err != nil:
			reply(c, "err "+err.Error())
		case !ok:
			reply(c, "rejected")
		default:
			if err := c.BindUser(arg); err != nil {
				reply(c, "err "+err.Error())
				return
			}
			reply(c, fmt.Sprintf("ok login kicked=%v", kicked))
		}
	case "logout":
		user := c.User()
		c.BindUser("")
		if err := n.dir.Logout(ctx, user, cluster.LocationOf(c)); err != nil {
			reply(c, "err "+err.Error())
			return
		}
		reply(c, "ok logout")
	case "join":
		if err := c.BindGroup(arg); err != nil {
			reply(c, "err "+err.Error())
			return
		}
		reply(c, "ok join")
	case "leave":
		c.UnbindGroup(arg)
		reply(c, "ok leave")
	case "to":
		user, text, _ := strings.Cut(arg, " ")
		n.sent(n.srv.SendToUser(user, push(text)))
		reply(c, "ok to")
	case "group":
		g, text, _ := strings.Cut(arg, " ")
		n.sent(n.srv.SendToGroup(g, push(text)))
		reply(c, "ok group")
	case "all":
		n.sent(n.srv.SendToAll(push(arg)))
		reply(c, "ok all")
	case "ip":
		ip, text, _ := strings.Cut(arg, " ")
		n.sent(n.srv.SendToIP(ip, push(text)))
		reply(c, "ok ip")
	default:
		reply(c, "err unknown command")
	}
}

func (n *node) OnBeforeClose(c *aio.ChannelContext, _ error) {
	if user := c.User(); user != "" && n.dir != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.dir.Logout(ctx, user, cluster.LocationOf(c))
	}
}

// peer is a raw client of the test protocol.
type peer struct {
	t     testing.TB
	nc    net.Conn
	r     *bufio.Reader
	inbox []string // pushes read while waiting for a reply
}

func dial(t testing.TB, n *node) *peer {
	t.Helper()
	nc, err := net.DialTimeout("tcp", n.srv.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &peer{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// exampleDial is dial for examples, which have no testing.TB.
func exampleDial(s *aio.Server) *peer {
	nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		panic(err)
	}
	return &peer{nc: nc, r: bufio.NewReader(nc)}
}

func (p *peer) send(body string) error {
	_, err := p.nc.Write(testcodec.AppendFrame(nil, []byte(body)))
	return err
}

// recv reads one frame within d.
func (p *peer) recv(d time.Duration) (string, error) { return testcodec.ReadFrame(p.nc, p.r, d) }

// call sends a command and returns its reply; pushes read meanwhile go to
// the inbox. A closed connection returns the read error.
func (p *peer) call(cmd string) (string, error) {
	if err := p.send(cmd); err != nil {
		return "", err
	}
	for range 10000 {
		f, err := p.recv(10 * time.Second)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(f, "msg ") {
			p.inbox = append(p.inbox, f)
			continue
		}
		return f, nil
	}
	return "", errors.New("no reply among 10000 frames")
}

func (p *peer) mustCall(cmd, want string) {
	p.t.Helper()
	got, err := p.call(cmd)
	if err != nil {
		p.t.Fatalf("%q: %v", cmd, err)
	}
	if got != want {
		p.t.Fatalf("%q: reply %q, want %q", cmd, got, want)
	}
}

// countUntil reads pushes until "msg <fence>" and returns how many times
// "msg <text>" arrived before it (inbox included).
func (p *peer) countUntil(text, fence string) int {
	p.t.Helper()
	count := 0
	for _, f := range p.inbox {
		if f == "msg "+text {
			count++
		}
		if f == "msg "+fence {
			p.inbox = nil
			return count
		}
	}
	p.inbox = nil
	for range 10000 {
		f, err := p.recv(10 * time.Second)
		if err != nil {
			p.t.Fatalf("waiting for %q: %v", fence, err)
		}
		switch f {
		case "msg " + text:
			count++
		case "msg " + fence:
			return count
		}
	}
	p.t.Fatalf("no %q among 10000 frames", fence)
	return 0
}

// waitMsg reads until the push "msg <text>" (inbox included).
func (p *peer) waitMsg(text string) {
	p.t.Helper()
	if i := slices.Index(p.inbox, "msg "+text); i >= 0 {
		p.inbox = slices.Delete(p.inbox, i, i+1)
		return
	}
	for range 10000 {
		f, err := p.recv(10 * time.Second)
		if err != nil {
			p.t.Fatalf("waiting for %q: %v", text, err)
		}
		if f == "msg "+text {
			return
		}
	}
	p.t.Fatalf("no %q among 10000 frames", text)
}

// expectClosed waits until the server closed the connection.
func (p *peer) expectClosed() {
	p.t.Helper()
	_ = p.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, p.r); err != nil {
		p.t.Fatalf("connection not closed by the server: %v", err)
	}
}

// quiet reports whether nothing arrives within d (a bounded check for
// late duplicates, never a timing assertion: silence is the expected case).
func (p *peer) quiet(d time.Duration) (string, bool) {
	f, err := p.recv(d)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "", true
	}
	return f, false
}

// waitFor is testenv.WaitFor.
var waitFor = testenv.WaitFor
