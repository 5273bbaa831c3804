// Command std is the benchmark server built on the standard library's net
// package: a goroutine per connection with a bufio.Reader, the way most Go
// servers start out.
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"

	"github.com/gotio/gotio/bench/internal/registry"
	"github.com/gotio/gotio/bench/internal/srvutil"
	"github.com/gotio/gotio/bench/internal/wire"
)

var conns registry.Set[net.Conn]

func main() {
	f := srvutil.Parse()
	if f.Proto != "tcp" {
		srvutil.Fatal(fmt.Errorf("std serves tcp only, not %q", f.Proto))
	}
	srvutil.Run(f, func() error {
		ln, err := net.Listen("tcp", f.Addr)
		if err != nil {
			return err
		}
		for {
			c, err := ln.Accept()
			if err != nil {
				return err
			}
			go serve(c)
		}
	})
}

func serve(c net.Conn) {
	conns.Add(c)
	defer func() {
		conns.Remove(c)
		c.Close()
	}()
	r := bufio.NewReader(c)
	var hdr [wire.HeaderLen]byte
	var payload, out []byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(hdr[:]))
		if n > wire.MaxPayload {
			return
		}
		if cap(payload) < n {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		if cnt, size, ok := wire.ParseBcast(payload); ok {
			broadcast(cnt, size)
			continue
		}
		out = wire.Append(out[:0], payload)
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

// broadcast writes each push to every connection, one write per delivery.
func broadcast(n, size int) {
	all := conns.Snapshot()
	for i := 0; i < n; i++ {
		frame := wire.PushFrame(i, size)
		for _, c := range all {
			c.Write(frame) // a failed write means a closed peer; the reader cleans up
		}
	}
}
