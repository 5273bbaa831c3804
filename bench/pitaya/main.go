// Command pitaya is the pomelo-workload peer built on topfreegames/pitaya
// v3, standalone (no etcd, no NATS): a TCP acceptor speaking pomelo, a
// "room" component whose join binds the session and adds it to an
// in-memory group, and whose bcast notify pushes n "onPush" messages to
// the group with GroupBroadcast.
//
// It lives in its own module so that pitaya's large dependency tree never
// changes the versions the other benchmark servers (and gotio) build with.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"
	pitaya "github.com/topfreegames/pitaya/v3/pkg"
	"github.com/topfreegames/pitaya/v3/pkg/acceptor"
	"github.com/topfreegames/pitaya/v3/pkg/component"
	"github.com/topfreegames/pitaya/v3/pkg/config"
	"github.com/topfreegames/pitaya/v3/pkg/groups"
	"github.com/topfreegames/pitaya/v3/pkg/logger"
	logruswrapper "github.com/topfreegames/pitaya/v3/pkg/logger/logrus"
)

const (
	serverType = "bench"
	group      = "room"
)

// Room is the benchmark's component.
type Room struct {
	component.Base
	app pitaya.Pitaya
}

// JoinResponse answers room.join.
type JoinResponse struct {
	Code int `json:"code"`
}

// BcastRequest is the body of the room.bcast notify.
type BcastRequest struct {
	N    int `json:"n"`
	Size int `json:"size"`
}

// Push is one broadcast message.
type Push struct {
	Seq int    `json:"seq"`
	Pad string `json:"pad"`
}

// Join binds the session to a user id and adds it to the group.
func (r *Room) Join(ctx context.Context, _ []byte) (*JoinResponse, error) {
	s := r.app.GetSessionFromCtx(ctx)
	uid := strconv.FormatInt(s.ID(), 10)
	if err := s.Bind(ctx, uid); err != nil {
		return nil, err
	}
	if err := r.app.GroupAddMember(ctx, group, uid); err != nil {
		return nil, err
	}
	s.OnClose(func() { r.app.GroupRemoveMember(context.Background(), group, uid) })
	return &JoinResponse{Code: 200}, nil
}

// Bcast pushes req.N messages of about req.Size body bytes to the group.
func (r *Room) Bcast(ctx context.Context, req *BcastRequest) {
	pad := ""
	if req.Size > 24 {
		pad = strings.Repeat("x", req.Size-24)
	}
	for i := 0; i < req.N; i++ {
		if err := r.app.GroupBroadcast(ctx, serverType, group, "onPush", &Push{Seq: i, Pad: pad}); err != nil {
			fmt.Fprintln(os.Stderr, "pitaya bench: broadcast:", err)
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "listen address")
	proto := flag.String("proto", "pomelo", "protocol (pomelo only)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *proto != "pomelo" {
		fmt.Fprintf(os.Stderr, "pitaya serves pomelo only, not %q\n", *proto)
		os.Exit(1)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
	}
	l := logrus.New()
	l.Level = logrus.ErrorLevel
	logger.SetLogger(logruswrapper.NewWithFieldLogger(l.WithField("source", "pitaya")))

	conf := config.NewDefaultPitayaConfig()
	// Pomelo bodies travel uncompressed; pitaya's gzip flag is its own
	// extension, and gotio's pomelo codec does not compress either.
	conf.Handler.Messages.Compression = false
	b := pitaya.NewDefaultBuilder(true, serverType, pitaya.Standalone, map[string]string{}, *conf)
	b.AddAcceptor(acceptor.NewTCPAcceptor(*addr))
	b.Groups = groups.NewMemoryGroupService(b.Config.Groups.Memory)
	app := b.Build()
	if err := app.GroupCreate(context.Background(), group); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	app.Register(&Room{app: app}, component.WithName("room"), component.WithNameFunc(strings.ToLower))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go app.Start()
	<-sig
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	os.Exit(0)
}
