package pomelo

import (
	"encoding/json"
	"sync"
)

// Cache is what a client keeps from a server's handshake reply so that
// its next handshake need not carry it again: the route dictionary and the
// protobuf schemas, each with the version the server gave it. A client
// stream sends the versions as sys.dictVersion and sys.protoVersion; a
// server whose versions match leaves dict and protos out of its reply and
// the client uses what it kept. A Cache is never modified once saved.
type Cache struct {
	// DictVersion is the reply's sys.dictVersion; Dict its sys.dict
	// (route → code). Empty when the server sent no versioned dictionary.
	DictVersion string
	Dict        map[string]uint16
	// ProtoVersion is the reply's sys.protos.version; Protos the whole
	// sys.protos object, {"server":…,"client":…,"version":…}, as the
	// server wrote it (what pomelo's web client keeps in localStorage
	// under "protos"). Empty when the server sent no versioned schemas.
	ProtoVersion string
	Protos       json.RawMessage
}

// Store keeps a client's Cache between handshakes: across reconnects,
// and across processes for a store on disk. Load returns nil when it holds
// nothing (the handshake then carries everything); Save replaces what it
// holds. A Store is shared by every client stream of a Codec: its methods
// may be called concurrently. A Store that cannot load or save should
// behave as an empty one: the session works either way, the handshake is
// only bigger.
type Store interface {
	Load() *Cache
	Save(*Cache)
}

// MemoryStore is the in-memory Store, the default of a Codec whose
// Config.ClientStore is nil. Its zero value is empty and ready to use.
type MemoryStore struct {
	mu sync.Mutex
	c  *Cache
}

// Load returns the last Cache saved, nil before the first.
func (m *MemoryStore) Load() *Cache {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.c
}

// Save keeps c.
func (m *MemoryStore) Save(c *Cache) {
	m.mu.Lock()
	m.c = c
	m.mu.Unlock()
}
