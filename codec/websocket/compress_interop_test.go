package websocket_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/websocket"
)

// TestGorillaCompressionChoices negotiates permessage-deflate with
// gorilla and checks on the wire which of the server's messages are
// compressed (RSV1): a big one is, one sent with NoCompress is not, one
// under Deflate.MinSize is not; gorilla reads each back intact.
func TestGorillaCompressionChoices(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := aio.NewServer(&aio.Config{
				Codec: websocket.New(&websocket.Config{Deflate: &websocket.Deflate{}}),
				Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
					out := *m
					out.NoCompress = bytes.HasPrefix(m.Body, []byte("raw:"))
					_ = c.Send(&out)
				}),
				Transport: tr,
			})
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			dial, taps := tapDialer()
			d := gorilla.Dialer{HandshakeTimeout: 5 * time.Second, EnableCompression: true, NetDialContext: dial}
			conn, resp, err := d.Dial(wsURL(s, "/"), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			defer conn.Close()
			if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.Contains(ext, "permessage-deflate") {
				t.Fatalf("deflate not negotiated: %q", ext)
			}
			tap := <-taps
			big := strings.Repeat("compressible text ", 100)
			cases := []struct {
				msg        string
				compressed bool
			}{
				{big, true},
				{"raw:" + big, false},
				{strings.Repeat("s", websocket.DefaultDeflateMinSize-1), false},
				{strings.Repeat("s", websocket.DefaultDeflateMinSize), true},
				{"raw:" + big, false},
			}
			for i, c := range cases {
				_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if err := conn.WriteMessage(gorilla.TextMessage, []byte(c.msg)); err != nil {
					t.Fatal(err)
				}
				_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, got, err := conn.ReadMessage()
				if err != nil || string(got) != c.msg {
					t.Fatalf("case %d: echo %d bytes, %v", i, len(got), err)
				}
			}
			read, _ := tap.taken()
			frames := splitFrames(afterHead(read))
			if len(frames) != len(cases) {
				t.Fatalf("server sent %d frames, want %d", len(frames), len(cases))
			}
			for i, c := range cases {
				if frames[i].rsv1 != c.compressed {
					t.Fatalf("case %d (%d bytes): compressed=%v, want %v", i, len(c.msg), frames[i].rsv1, c.compressed)
				}
				if c.compressed && frames[i].size >= len(c.msg) {
					t.Fatalf("case %d: compressed to %d of %d bytes", i, frames[i].size, len(c.msg))
				}
			}
		})
	}
}
