package hybrid_test

import (
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/hybrid"
)

// TestPaths: HTTP requests go to the route of their path's prefix, others
// to HTTP; the choice waits for the whole request target, byte by byte.
func TestPaths(t *testing.T) {
	for _, tc := range []struct{ req, want string }{
		{"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n", "eio"},
		{"POST /socket.io/x HTTP/1.1\r\n", "eio"},
		{"OPTIONS /engine.io/ HTTP/1.1\r\n", "eio2"},
		{"GET /socket.io HTTP/1.1\r\n", "ws"}, // no trailing slash: not the prefix
		{"GET / HTTP/1.1\r\n", "ws"},
		{"GET /index.html?x=/socket.io/ HTTP/1.1\r\n", "ws"},
	} {
		eio, eio2, ws := &fakeCodec{name: "eio"}, &fakeCodec{name: "eio2"}, &fakeCodec{name: "ws"}
		h := hybrid.New(&hybrid.Config{HTTP: ws, Paths: []hybrid.PathRoute{{Prefix: "/socket.io/", Codec: eio}, {Prefix: "/engine.io/", Codec: eio2}}})
		s := h.NewStream(codec.ConnInfo{})
		var rec codectest.Recorder
		// Until the path's end is seen, the stream asks for more.
		sp := strings.IndexByte(tc.req, ' ') + 1
		end := sp + strings.IndexAny(tc.req[sp:], " ?")
		for i := 1; i < end; i++ {
			n, need, err := s.Decode([]byte(tc.req[:i]), &rec)
			if n != 0 || err != nil || need <= i {
				t.Fatalf("%q at %d bytes: n=%d need=%d err=%v", tc.req, i, n, need, err)
			}
		}
		n, _, err := s.Decode([]byte(tc.req), &rec)
		if err != nil || n != len(tc.req) {
			t.Fatalf("%q: n=%d err=%v", tc.req, n, err)
		}
		if got := s.Protocol(); got != tc.want {
			t.Errorf("%q went to %q, want %q", tc.req, got, tc.want)
		}
	}
}
