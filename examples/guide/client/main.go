// Command client talks to the guide's server (docs/guide.md) as a device
// does: plain TCP and length-prefixed frames, no gotio on this side. It
// logs in, watches the dashboard, reports, then sends the header of a
// frame larger than the server accepts.
//
//	go run ./examples/guide/client
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7000", "server address")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	// Each command is answered "ok"; a report also comes back as a push,
	// since this client watches the dashboard.
	for _, cmd := range []struct {
		text    string
		replies int
	}{{"login sensor-1", 1}, {"watch", 1}, {"report temp=21.5", 2}} {
		fmt.Println(">", cmd.text)
		if err := writeFrame(conn, []byte(cmd.text)); err != nil {
			return err
		}
		for range cmd.replies {
			body, err := readFrame(conn)
			if err != nil {
				return err
			}
			fmt.Println("<", string(body))
		}
	}
	// The server refuses a frame over 64 KiB from its header alone.
	fmt.Println("> a frame header announcing 100000 bytes")
	if _, err := conn.Write(binary.BigEndian.AppendUint32(nil, 100000)); err != nil {
		return err
	}
	if _, err := readFrame(conn); err == nil {
		return fmt.Errorf("the server answered an oversized frame")
	}
	fmt.Println("< the server closed the connection")
	return nil
}

func writeFrame(w io.Writer, body []byte) error {
	_, err := w.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...))
	return err
}

func readFrame(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	body := make([]byte, binary.BigEndian.Uint32(head[:]))
	_, err := io.ReadFull(r, body)
	return body, err
}
