// Command client joins the lobby of the README's twenty-line server
// (examples/lobby/server): it says one line and prints what the lobby
// says, its own line included, as "onChat: …".
//
//	go run ./examples/lobby/client -text hello
//	go run ./examples/lobby/client -text hi -listen 1m   # stay and hear the others
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3010", "server address")
	text := flag.String("text", "hello", "what to say")
	listen := flag.Duration("listen", 0, "after our line came back, keep printing what the lobby says this long")
	flag.Parse()
	if err := run(*addr, *text, *listen); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run(addr, text string, listen time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ours := make(chan struct{}, 1)
	onPush := func(_ *client.Client, m *codec.Message) {
		if m.Route != "onChat" {
			return
		}
		fmt.Printf("onChat: %s\n", m.Body)
		if string(m.Body) == text {
			select {
			case ours <- struct{}{}:
			default:
			}
		}
	}
	c, err := client.Dial(ctx, addr, &client.Config{Codec: tcp.New(nil), Handler: onPush})
	if err != nil {
		return err
	}
	defer c.Close()
	// The server answers nothing: it joins us to the lobby and pushes
	// our line to everyone there, us included. So a notify, not a request.
	if err := c.Notify("chat", []byte(text)); err != nil {
		return err
	}
	select {
	case <-ours:
	case <-ctx.Done():
		return fmt.Errorf("our line never came back: %w", ctx.Err())
	}
	time.Sleep(listen)
	return nil
}
