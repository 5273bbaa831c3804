// Command server is gotio's hello world, after t-io's: one port,
// 127.0.0.1:6789, that speaks gotio TCP, WebSocket, and serves a page whose
// WebSocket says hello. Every message gets "received: " and itself back.
//
//	go run ./examples/helloworld/server
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/examples/helloworld/hello"
	"github.com/gotio/gotio/examples/internal/exlog"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6789", "address to listen on")
	format := exlog.Flag(flag.CommandLine)
	flag.Parse()
	log, err := exlog.New(os.Stderr, *format, zerolog.InfoLevel)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helloworld:", err)
		os.Exit(2)
	}
	srv := hello.NewServer(log)
	if err := srv.Listen(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "helloworld:", err)
		os.Exit(1)
	}
	log.Info().Str("protocols", "gotio-tcp,websocket,http").Msgf("listening on %s", srv.Addr())
	fmt.Printf("hello world listening on %s\n  gotio TCP: go run ./examples/helloworld/client -addr %s\n  browser:   http://%s/\n", srv.Addr(), srv.Addr(), srv.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}
