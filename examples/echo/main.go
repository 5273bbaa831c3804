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

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/hybrid"
	"github.com/gotio/gotio/codec/tcp"
	"github.com/gotio/gotio/codec/websocket"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "address to listen on")
	deflate := flag.Bool("deflate", false, "offer permessage-deflate")
	flag.Parse()
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).Level(zerolog.InfoLevel).With().Timestamp().Logger()
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
// conformance suites send) and gotio TCP. aio's MaxFrameSize is raised to
// 32 MiB so that a 16 MiB message in one frame (16 MiB plus its header)
// fits aio's buffer.
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
		Handler:      aio.HandlerFunc(echo),
		Logger:       log,
		MaxFrameSize: 32 << 20,
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
