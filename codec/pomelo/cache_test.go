package pomelo

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/codectest"
)

// TestClientCacheStream: a client stream saves what a full reply gave,
// the next stream announces the versions and takes what a short reply
// (pomelo's reply_cached: no dict, no protos) left out from the store.
func TestClientCacheStream(t *testing.T) {
	g := golden(t)
	store := new(MemoryStore)
	c := mustNew(t, &Config{ClientStore: store})
	open := func() codec.Stream {
		s := c.NewStream(codec.ConnInfo{Client: true})
		hello, err := s.(codec.Opener).Open(nil)
		if err != nil {
			t.Fatal(err)
		}
		var h struct{ Sys map[string]any }
		if err := json.Unmarshal(hello[4:], &h); err != nil {
			t.Fatal(err)
		}
		if got, want := h.Sys["dictVersion"] != nil, store.Load() != nil; got != want {
			t.Fatalf("hello %s with a cache %v", hello[4:], want)
		}
		return s
	}
	var rec codectest.Recorder
	full := open()
	decodeAll(t, full, g.bytes(t, "reply_full"), &rec)
	saved := store.Load()
	if saved == nil || saved.DictVersion == "" || saved.ProtoVersion == "" || len(saved.Dict) == 0 || !bytes.Contains(saved.Protos, []byte(`"server"`)) {
		t.Fatalf("saved %+v", saved)
	}
	short := open()
	rec.Reset()
	decodeAll(t, short, append(g.bytes(t, "reply_cached"), g.bytes(t, "push_all")...), &rec)
	if store.Load() != saved {
		t.Fatal("a reply without dict and protos replaced the cache")
	}
	if full.Format() != short.Format() || full.Format() == "" {
		t.Fatalf("formats %q and %q differ for the same dictionary and schemas", full.Format(), short.Format())
	}
	// push_all is onState by dictionary code with a protobuf body: both
	// came from the cache.
	if len(rec.Messages) != 1 || rec.Messages[0].Route != "onState" || !bytes.HasPrefix(rec.Messages[0].Body, []byte(`{"u":`)) {
		t.Fatalf("push through the cache: %+v", rec.Messages)
	}
	enc, err := short.Encode(nil, &codec.Message{Kind: codec.Request, ID: 1, Route: "chat.chatHandler.send", Body: []byte(`{"rid":"r","content":"c","from":"f","target":"*"}`)})
	if err != nil || enc[4]&1 == 0 {
		t.Fatalf("request through the cached dictionary: %v %x", err, enc)
	}

	// Without a cache the same short reply leaves the stream without a
	// dictionary: the push is a protocol error, not a guess.
	bare := mustNew(t, &Config{ClientStore: nilStore{}}).NewStream(codec.ConnInfo{Client: true})
	if _, err := bare.(codec.Opener).Open(nil); err != nil {
		t.Fatal(err)
	}
	rec.Reset()
	if _, err := codectest.DecodeAll(bare, append(g.bytes(t, "reply_cached"), g.bytes(t, "push_all")...), &rec); !errors.Is(err, codec.ErrProtocol) || !strings.Contains(err.Error(), "dictionary") {
		t.Fatalf("short reply without a cache: %v", err)
	}
}

type nilStore struct{}

func (nilStore) Load() *Cache { return nil }
func (nilStore) Save(*Cache)  {}

// FuzzCachedReply feeds arbitrary server bytes to a client stream that
// announced a cache, so that replies may lean on it. Decoding never
// panics and errors wrap a codec sentinel.
func FuzzCachedReply(f *testing.F) {
	g := golden(f)
	for _, name := range []string{"reply_cached", "reply_full", "reply_plain", "reply_501"} {
		f.Add(g.bytes(f, name))
	}
	f.Add(append(g.bytes(f, "reply_cached"), g.bytes(f, "push_all")...))
	seed := new(MemoryStore)
	c := mustNew(f, &Config{ClientStore: seed})
	s := c.NewStream(codec.ConnInfo{Client: true})
	_, _ = s.(codec.Opener).Open(nil)
	var rec codectest.Recorder
	decodeAll(f, s, g.bytes(f, "reply_full"), &rec)
	cached := seed.Load()
	f.Fuzz(func(t *testing.T, in []byte) {
		store := new(MemoryStore)
		store.Save(cached)
		s := mustNew(t, &Config{ClientStore: store}).NewStream(codec.ConnInfo{Client: true})
		_, _ = s.(codec.Opener).Open(nil)
		var rec codectest.Recorder
		if _, err := codectest.DecodeAll(s, in, &rec); err != nil && !fuzzSentinel(err) {
			t.Fatalf("error %v wraps no codec sentinel", err)
		}
	})
}
