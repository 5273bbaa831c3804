package pomelo

import (
	"encoding/hex"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
	"github.com/gotio/gotio/internal/testenv"
)

// The routes testdata/golden.js builds its dictionary from.
var (
	testHandlerRoutes = []string{"gate.gateHandler.queryEntry", "connector.entryHandler.enter", "chat.chatHandler.send", "chat.chatHandler.typing"}
	testPushRoutes    = []string{"onChat", "onAdd", "onLeave", "onState"}
)

type vector struct {
	Hex    string `json:"hex"`
	ID     uint64 `json:"id"`
	Route  string `json:"route"`
	Body   string `json:"body"`
	Reason string `json:"reason"`
}

type goldenFile struct {
	DictVersion  string            `json:"dictVersion"`
	ProtoVersion string            `json:"protoVersion"`
	V            map[string]vector `json:"v"`
}

var (
	goldenOnce sync.Once
	goldenData goldenFile
	goldenErr  error
	goldenOut  []byte
)

// golden runs testdata/golden.js once per test binary.
func golden(t testing.TB) *goldenFile {
	t.Helper()
	goldenOnce.Do(func() {
		goldenOut = testenv.Node(t, time.Minute, "testdata/golden.js")
		goldenErr = json.Unmarshal(goldenOut, &goldenData)
	})
	if goldenOut == nil {
		t.Fatal("testdata/golden.js failed in an earlier test")
	}
	if goldenErr != nil {
		t.Fatal(goldenErr)
	}
	return &goldenData
}

// bytes returns vector name's wire bytes.
func (g *goldenFile) bytes(t testing.TB, name string) []byte {
	t.Helper()
	v, ok := g.V[name]
	if !ok {
		t.Fatalf("golden.js wrote no vector %q", name)
	}
	b, err := hex.DecodeString(v.Hex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadProtos(t testing.TB, name string) *protobuf.Schema {
	t.Helper()
	s, err := protobuf.Load("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type testUser struct {
	UID  string `json:"uid"`
	Note string `json:"note"`
}

// chatConfig is golden.js's server: 3-second heartbeat, dictionary,
// protobuf, a user reply.
func chatConfig(t testing.TB) *Config {
	t.Helper()
	d, err := NewDict(testHandlerRoutes, testPushRoutes...)
	if err != nil {
		t.Fatal(err)
	}
	return &Config{
		Heartbeat:    3 * time.Second,
		Dict:         d,
		ServerProtos: loadProtos(t, "serverProtos.json"),
		ClientProtos: loadProtos(t, "clientProtos.json"),
		OnHandshake: func(info *HandshakeInfo) (int, any) {
			if info.Type == "js-websocket" && info.DictVersion == "" {
				return CodeOK, testUser{UID: "u1", Note: "<&>"}
			}
			return CodeOK, nil
		},
	}
}

func mustNew(t testing.TB, cfg *Config) *Codec {
	t.Helper()
	c := New(cfg)
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	return c
}

// decodeAll decodes in and fails the test on an error or leftover bytes.
func decodeAll(t testing.TB, s codec.Stream, in []byte, rec *codectest.Recorder) {
	t.Helper()
	n, err := codectest.DecodeAll(s, in, rec)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if n != len(in) {
		t.Fatalf("Decode consumed %d of %d bytes", n, len(in))
	}
}

// handshaken returns a server stream of c past the handshake and ack of a
// pomelo JS client that holds no versions.
func handshaken(t testing.TB, c *Codec, g *goldenFile) codec.Stream {
	t.Helper()
	s := c.NewStream(codec.ConnInfo{})
	var rec codectest.Recorder
	decodeAll(t, s, append(g.bytes(t, "hello_js"), g.bytes(t, "ack")...), &rec)
	if len(rec.Handshakes) != 1 {
		t.Fatalf("handshake not completed: %+v", rec)
	}
	return s
}

// feedBytewise delivers in one byte at a time the way aio does: the
// buffer grows until Decode consumes, and Decode must ask for more bytes
// than it holds whenever it consumes nothing.
func feedBytewise(t testing.TB, s codec.Stream, in []byte, out codec.Output) error {
	t.Helper()
	var buf []byte
	for _, b := range in {
		buf = append(buf, b)
		for len(buf) > 0 {
			n, need, err := s.Decode(buf, out)
			if err != nil {
				return err
			}
			if n == 0 {
				if need <= len(buf) {
					t.Fatalf("Decode consumed nothing of %d bytes and asked for %d", len(buf), need)
				}
				break
			}
			buf = buf[n:]
		}
	}
	if len(buf) != 0 {
		t.Fatalf("%d bytes left undecoded", len(buf))
	}
	return nil
}
