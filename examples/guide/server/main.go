// Command server is the guide's device server (docs/guide.md): devices log
// in and report over the length codec; whoever watches the dashboard
// hears every report.
//
//	go run ./examples/guide/server
package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/examples/guide/length"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "listen address")
	flag.Parse()
	// A log for people: colour only when stderr is a terminal.
	fi, err := os.Stderr.Stat()
	colour := err == nil && fi.Mode()&os.ModeCharDevice != 0
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, NoColor: !colour, TimeFormat: "15:04:05"}).
		Level(zerolog.InfoLevel).With().Timestamp().Logger()

	srv := aio.NewServer(&aio.Config{
		Codec: length.Codec{Max: 64 << 10},
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			cmd, arg, _ := strings.Cut(string(m.Body), " ")
			switch cmd {
			case "login":
				_ = c.BindUser(arg)
				_ = c.BindGroup("devices")
			case "watch":
				_ = c.BindGroup("dashboard")
			case "report":
				// Everyone watching the dashboard hears it, encoded once.
				c.Server().SendToGroup("dashboard", &codec.Message{Kind: codec.Push, Body: m.Body})
			default:
				_ = c.Send(&codec.Message{Body: []byte("unknown command " + cmd)})
				return
			}
			_ = c.Send(&codec.Message{Body: []byte("ok")})
		}),
		Logger:           log,         // aio logs refused frames and other abnormal closes at info
		HeartbeatTimeout: time.Minute, // silent devices are closed
		WriteQueueBytes:  256 << 10,   // a dashboard that stops reading is closed, not buffered forever
	})
	if err := srv.Listen(*addr); err != nil {
		log.Fatal().Err(err).Msg("cannot listen")
	}
	log.Info().Msgf("listening on %s", srv.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	log.Info().Msg("stopped")
}
