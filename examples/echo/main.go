// Command echo serves, on one port (127.0.0.1:9001), a WebSocket endpoint
// at / that echoes every text and binary message as it came, and gotio TCP
// echo: the server that conformance suites such as Autobahn|Testsuite are
// pointed at.
//
//	go run ./examples/echo [-addr 127.0.0.1:9001] [-deflate]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/examples/internal/exlog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "address to listen on")
	deflate := flag.Bool("deflate", false, "offer permessage-deflate")
	format := exlog.Flag(flag.CommandLine)
	flag.Parse()
	log, err := exlog.New(os.Stderr, *format, zerolog.InfoLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(2)
	}
	srv := newServer(*deflate, log)
	if err := srv.Listen(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
	fmt.Printf("echo server on %s: ws://%s/ and gotio TCP\n", srv.Addr(), srv.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}

// newServer returns the echo server: WebSocket (Plain messages, any
// origin, the codec's default limits, which take the 16 MiB messages
// conformance suites send) and gotio TCP, on gotio's defaults (aio's
// MaxFrameSize, 32 MiB, holds a 16 MiB message in one frame with its
// header), as a user's server would have them.
func newServer(deflate bool, log zerolog.Logger) *aio.Server {
	wsCfg := &websocket.Config{
		CheckOrigin: websocket.AnyOrigin,
	}
	if deflate {
		wsCfg.Deflate = &websocket.Deflate{ClientContext: true}
	}
	return aio.NewServer(&aio.Config{
		Codec: hybrid.New(&hybrid.Config{
			TCP:  tcp.New(nil),
			HTTP: websocket.New(wsCfg),
		}),
		Handler: aio.HandlerFunc(echo),
		Logger:  log,
	})
}

// echo sends every message back as it came: raw messages with their text or
// binary kind, requests as responses, notifies as pushes.
func echo(c *aio.ChannelContext, m *codec.Message) {
	out := *m
	switch m.Kind {
	case codec.Request:
		out.Kind = codec.Response
	case codec.Notify:
		out.Kind = codec.Push
	}
	_ = c.Send(&out)
}
