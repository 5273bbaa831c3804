package engineio

import (
	"sync"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// fakeCarrier stands in for aio's carrier: sessions in a map, writes
// counted, sinks answered at once with whatever is queued.
type fakeCarrier struct {
	mu       sync.Mutex
	sessions map[string]*fakeSession
	written  int
	closed   bool
}

func (k *fakeCarrier) OpenSession(id string, st codec.Stream) (codec.Session, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sessions == nil {
		k.sessions = map[string]*fakeSession{}
	}
	s := &fakeSession{id: id, st: st}
	k.sessions[id] = s
	return s, nil
}

func (k *fakeCarrier) Session(id string) codec.Session {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s := k.sessions[id]; s != nil && !s.closed {
		return s
	}
	return nil
}

func (k *fakeCarrier) Write(b []byte) error {
	k.mu.Lock()
	k.written += len(b)
	k.mu.Unlock()
	return nil
}
func (k *fakeCarrier) Send(*codec.Message) error { return nil }
func (k *fakeCarrier) OnClose(func(error))       {}
func (k *fakeCarrier) Close(error)               { k.mu.Lock(); k.closed = true; k.mu.Unlock() }

type fakeSession struct {
	id     string
	st     codec.Stream
	closed bool
	msgs   int
}

func (s *fakeSession) ID() string           { return s.id }
func (s *fakeSession) Stream() codec.Stream { return s.st }
func (s *fakeSession) Deliver(data []byte, binary bool) error {
	s.msgs++
	return s.st.(codec.MessageDecoder).DecodeMessage(data, binary, &codectest.Recorder{})
}
func (s *fakeSession) Alive()               {}
func (s *fakeSession) Attach(sk codec.Sink) { sk.Write(nil) }
func (s *fakeSession) Detach(codec.Sink)    {}
func (s *fakeSession) Close(error)          { s.closed = true }
func (s *fakeSession) Closed() bool         { return s.closed }

// FuzzCarrier feeds HTTP bytes to a carrier stream, split in two reads:
// whatever they are, it answers or refuses them without panicking,
// consumes no more than it was given, and asks for more only beyond what
// it holds.
//
//	go test -run=NONE -fuzz=FuzzCarrier ./codec/engineio
func FuzzCarrier(f *testing.F) {
	for _, seed := range []string{
		"GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /engine.io/?EIO=4&transport=polling&sid=S HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n4hello",
		"GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
		"OPTIONS /engine.io/ HTTP/1.1\r\nHost: x\r\nOrigin: http://y\r\n\r\n",
		"GET /engine.io/?EIO=3&transport=polling HTTP/1.1\r\n\r\n",
		"POST /engine.io/?EIO=4&transport=polling&sid=S HTTP/1.1\r\nContent-Length: 9\r\n\r\n4a\x1e\x1e2\x1ebAQ",
		"GET /other HTTP/1.1\r\n\r\n",
		"POST /engine.io/?EIO=4&transport=polling&sid=S HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n4hello\r\n3;x=y\r\n\x1e4a\r\n0\r\nT: v\r\n\r\n",
	} {
		f.Add([]byte(seed), 20)
	}
	f.Fuzz(func(t *testing.T, in []byte, cut int) {
		k := &fakeCarrier{}
		st := New(&Config{MaxPayload: 1 << 10}).NewStream(codec.ConnInfo{Carrier: k})
		// A session named S, for the requests that name it.
		_, _ = k.OpenSession("S", &session{c: New(nil), sid: "S", ps: &pollState{}})
		k.sessions["S"].st.(*session).sess = k.sessions["S"]
		if cut < 0 || cut > len(in) {
			cut = len(in)
		}
		var rec codectest.Recorder
		held := append([]byte(nil), in[:cut]...)
		for _, more := range [][]byte{nil, in[cut:]} {
			held = append(held, more...)
			n, need, err := st.Decode(held, &rec)
			if n < 0 || n > len(held) {
				t.Fatalf("consumed %d of %d", n, len(held))
			}
			if err != nil {
				return
			}
			if n == 0 && need <= len(held) && len(held) > 0 {
				t.Fatalf("no progress: need %d with %d held", need, len(held))
			}
			held = held[n:]
		}
	})
}
