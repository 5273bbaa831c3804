package chatserver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gotio/gotio/cluster"
)

// Roster is the list of a room's members that every connector sees, for
// the user list in enter's reply (chatofpomelo's channel.getMembers). The
// room's connections themselves are a gotio group on each connector; the
// roster only names who is in it, across connectors.
//
// A member is a name and the session that joined: when a user leaves and
// comes back at once, the old session's late Leave removes only its own
// entry.
type Roster interface {
	// Join adds m to room (once) and returns the members after it, m
	// included; fresh reports that m's name was not in the room before
	// (under another session).
	Join(ctx context.Context, room string, m Member) (members []Member, fresh bool, err error)
	// Leave removes m from room and returns the members that remain; still
	// reports whether the name is in the room under another session (then
	// nobody should hear "onLeave").
	Leave(ctx context.Context, room string, m Member) (members []Member, still bool, err error)
	// Users returns the names in room, in joining order, each once.
	Users(ctx context.Context, room string) ([]string, error)
}

// Member is one roster entry.
type Member struct {
	Name string           `json:"name"`
	Conn cluster.Location `json:"session"`
}

// names returns the distinct names of members in order.
func names(members []Member) []string {
	out := make([]string, 0, len(members))
	for _, m := range members {
		if !slices.Contains(out, m.Name) {
			out = append(out, m.Name)
		}
	}
	return out
}

// join returns members with m added once, whether that changed them, and
// whether m's name was new to them.
func join(members []Member, m Member) (next []Member, changed, fresh bool) {
	fresh = !slices.ContainsFunc(members, func(x Member) bool { return x.Name == m.Name })
	if slices.Contains(members, m) {
		return members, false, fresh
	}
	return append(slices.Clip(members), m), true, fresh
}

// leave returns members without m, and whether m's name remains.
func leave(members []Member, m Member) ([]Member, bool, bool) {
	i := slices.Index(members, m)
	if i < 0 {
		return members, false, slices.ContainsFunc(members, func(x Member) bool { return x.Name == m.Name })
	}
	members = slices.Delete(slices.Clone(members), i, i+1)
	return members, true, slices.ContainsFunc(members, func(x Member) bool { return x.Name == m.Name })
}

// MemoryRoster is the Roster of connectors in one process.
type MemoryRoster struct {
	mu    sync.Mutex
	rooms map[string][]Member
}

// NewMemoryRoster returns an empty in-memory roster.
func NewMemoryRoster() *MemoryRoster { return &MemoryRoster{rooms: make(map[string][]Member)} }

// Join adds m to room.
func (r *MemoryRoster) Join(_ context.Context, room string, m Member) ([]Member, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	members, _, fresh := join(r.rooms[room], m)
	r.rooms[room] = members
	return slices.Clone(members), fresh, nil
}

// Leave removes m from room.
func (r *MemoryRoster) Leave(_ context.Context, room string, m Member) ([]Member, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	members, _, still := leave(r.rooms[room], m)
	if len(members) == 0 {
		delete(r.rooms, room)
	} else {
		r.rooms[room] = members
	}
	return slices.Clone(members), still, nil
}

// Users returns the names in room.
func (r *MemoryRoster) Users(_ context.Context, room string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return names(r.rooms[room]), nil
}

// KVRoster keeps rooms in a NATS JetStream key-value bucket, one key per
// room holding its members as a JSON array, changed by compare-and-set on
// the key's revision, so connectors in any process see one list.
type KVRoster struct {
	kv jetstream.KeyValue
}

// RoomsBucket is the bucket of KVRoster.
const RoomsBucket = "gotio_chat_rooms"

// maxCAS bounds the compare-and-set retries of one change.
const maxCAS = 32

var errContention = errors.New("chat: roster: the room kept changing under the update")

// NewKVRoster opens (creating when needed) the rooms bucket over bus's
// NATS connection. Rooms are kept in memory on the NATS server: they
// describe live connections and are worthless after it restarts.
func NewKVRoster(ctx context.Context, bus *cluster.NATS) (*KVRoster, error) {
	js, err := jetstream.New(bus.Conn())
	if err != nil {
		return nil, fmt.Errorf("chat: roster: jetstream: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      RoomsBucket,
		Description: "gotio chat example: room → members",
		History:     1,
		Storage:     jetstream.MemoryStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("chat: roster bucket: %w", err)
	}
	return &KVRoster{kv: kv}, nil
}

// roomKey is a valid key for any room name: unpadded base64url.
func roomKey(room string) string {
	if room == "" {
		return "_"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(room))
}

// load returns room's members and the revision they were read at (0: the
// key does not exist).
func (r *KVRoster) load(ctx context.Context, key string) ([]Member, uint64, error) {
	e, err := r.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var members []Member
	if len(e.Value()) > 0 {
		if err := json.Unmarshal(e.Value(), &members); err != nil {
			return nil, 0, fmt.Errorf("chat: roster value of %s: %w", key, err)
		}
	}
	return members, e.Revision(), nil
}

// store writes members at key if it is still at rev; ok false means it
// changed meanwhile.
func (r *KVRoster) store(ctx context.Context, key string, members []Member, rev uint64) (bool, error) {
	var err error
	switch {
	case len(members) == 0 && rev != 0:
		err = r.kv.Delete(ctx, key, jetstream.LastRevision(rev))
	case len(members) == 0:
		return true, nil
	default:
		val, merr := json.Marshal(members)
		if merr != nil {
			return false, merr
		}
		if rev == 0 {
			_, err = r.kv.Create(ctx, key, val)
		} else {
			_, err = r.kv.Update(ctx, key, val, rev)
		}
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return false, nil
	}
	return err == nil, err
}

// update applies change to room's members until it wins the
// compare-and-set, and returns the members it stored (or found unchanged).
func (r *KVRoster) update(ctx context.Context, room string, change func([]Member) ([]Member, bool)) ([]Member, error) {
	key := roomKey(room)
	for range maxCAS {
		members, rev, err := r.load(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("chat: roster %q: %w", room, err)
		}
		next, changed := change(members)
		if !changed {
			return next, nil
		}
		ok, err := r.store(ctx, key, next, rev)
		if err != nil {
			return nil, fmt.Errorf("chat: roster %q: %w", room, err)
		}
		if ok {
			return next, nil
		}
	}
	return nil, fmt.Errorf("%w (room %q)", errContention, room)
}

// Join adds m to room.
func (r *KVRoster) Join(ctx context.Context, room string, m Member) ([]Member, bool, error) {
	var fresh bool
	members, err := r.update(ctx, room, func(members []Member) ([]Member, bool) {
		next, changed, f := join(members, m)
		fresh = f
		return next, changed
	})
	return members, fresh, err
}

// Leave removes m from room.
func (r *KVRoster) Leave(ctx context.Context, room string, m Member) ([]Member, bool, error) {
	var still bool
	members, err := r.update(ctx, room, func(members []Member) ([]Member, bool) {
		next, changed, s := leave(members, m)
		still = s
		return next, changed
	})
	return members, still, err
}

// Users returns the names in room.
func (r *KVRoster) Users(ctx context.Context, room string) ([]string, error) {
	members, _, err := r.load(ctx, roomKey(room))
	if err != nil {
		return nil, fmt.Errorf("chat: roster %q: %w", room, err)
	}
	return names(members), nil
}
