package main

import (
	"flag"
	"log"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3010", "listen address")
	flag.Parse()
	srv := aio.NewServer(&aio.Config{
		Codec: tcp.New(nil),
		Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
			_ = c.BindGroup("lobby")                        // bind: user, group, token, business id
			c.Server().SendToGroup("lobby", &codec.Message{ // send: one, user, group, token, IP, all
				Kind: codec.Push, Route: "onChat", Body: m.Body,
			})
		}),
	})
	log.Println("listening on", *addr)
	log.Fatal(srv.ListenAndServe(*addr))
}
