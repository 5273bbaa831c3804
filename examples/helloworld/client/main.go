// Command client is the hello world client: it connects over gotio TCP,
// sends "hello", prints the reply ("received: hello") and exits.
//
//	go run ./examples/helloworld/client
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec/tcp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6789", "server address")
	text := flag.String("text", "hello", "what to send")
	flag.Parse()
	if err := run(*addr, *text); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run(addr, text string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, addr, &client.Config{Codec: tcp.New(nil)})
	if err != nil {
		return err
	}
	defer c.Close()
	resp, err := c.Request(ctx, "hello", []byte(text))
	if err != nil {
		return err
	}
	fmt.Println(string(resp.Body))
	return nil
}
