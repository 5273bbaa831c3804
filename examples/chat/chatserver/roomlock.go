package chatserver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gotio/gotio/cluster"
)

// RoomLock serializes the changes of a room's membership across every
// connector: one enter or leave of a room at a time, so that each one
// sees the room as the one before left it. Under it a newcomer joins the
// room's group and the roster, gets its answer, and only then is the room
// told (see Connector.enter); nobody can enter or leave in between.
type RoomLock interface {
	// Lock waits until it holds room's lock or ctx ends, and returns the
	// function that releases it.
	Lock(ctx context.Context, room string) (unlock func(), err error)
}

// MemoryRoomLock is the RoomLock of connectors in one process: a mutex per
// room, kept while someone holds or waits for it.
type MemoryRoomLock struct {
	mu    sync.Mutex
	rooms map[string]*roomMutex
}

type roomMutex struct {
	held chan struct{} // a token in it: held
	refs int           // holders and waiters
}

// NewMemoryRoomLock returns an in-process RoomLock.
func NewMemoryRoomLock() *MemoryRoomLock {
	return &MemoryRoomLock{rooms: make(map[string]*roomMutex)}
}

// Lock waits for room's mutex or ctx's end.
func (l *MemoryRoomLock) Lock(ctx context.Context, room string) (func(), error) {
	l.mu.Lock()
	rm := l.rooms[room]
	if rm == nil {
		rm = &roomMutex{held: make(chan struct{}, 1)}
		l.rooms[room] = rm
	}
	rm.refs++
	l.mu.Unlock()
	select {
	case rm.held <- struct{}{}:
		var once sync.Once
		return func() {
			once.Do(func() {
				<-rm.held
				l.release(room, rm)
			})
		}, nil
	case <-ctx.Done():
		l.release(room, rm)
		return nil, fmt.Errorf("chat: room %q lock: %w", room, ctx.Err())
	}
}

func (l *MemoryRoomLock) release(room string, rm *roomMutex) {
	l.mu.Lock()
	if rm.refs--; rm.refs == 0 {
		delete(l.rooms, room)
	}
	l.mu.Unlock()
}

// KVRoomLock is the RoomLock of connectors on one NATS: a room is locked
// while a key of the locks bucket exists, created with compare-and-set
// (Create fails while another holder's key is there) and deleted at its
// own revision. A holder that dies with the lock held loses it when the
// bucket's TTL removes the key.
type KVRoomLock struct {
	kv jetstream.KeyValue
}

// RoomLocksBucket is the bucket of KVRoomLock.
const RoomLocksBucket = "gotio_chat_room_locks"

// NewKVRoomLock opens (creating when needed) the locks bucket over bus's
// NATS connection. ttl bounds how long a dead holder keeps a room locked;
// it must exceed the longest hold (a few roster operations).
func NewKVRoomLock(ctx context.Context, bus *cluster.NATS, ttl time.Duration) (*KVRoomLock, error) {
	js, err := jetstream.New(bus.Conn())
	if err != nil {
		return nil, fmt.Errorf("chat: room locks: jetstream: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      RoomLocksBucket,
		Description: "gotio chat example: a room's membership is changing",
		History:     1,
		TTL:         ttl,
		Storage:     jetstream.MemoryStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("chat: room locks bucket: %w", err)
	}
	return &KVRoomLock{kv: kv}, nil
}

// The waits between attempts to take a held lock: short, since a hold is
// a few round trips to NATS, and jittered so that waiters spread out.
const (
	lockRetryMin = 500 * time.Microsecond
	lockRetryMax = 10 * time.Millisecond
)

// Lock takes room's key, retrying while another holder has it.
func (l *KVRoomLock) Lock(ctx context.Context, room string) (func(), error) {
	key := roomKey(room)
	delay := lockRetryMin
	for {
		rev, err := l.kv.Create(ctx, key, nil)
		if err == nil {
			return func() {
				// Not ctx: the hold's context may have ended, the key must
				// still go.
				dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = l.kv.Delete(dctx, key, jetstream.LastRevision(rev))
			}, nil
		}
		if !held(err) {
			return nil, fmt.Errorf("chat: room %q lock: %w", room, err)
		}
		wait := delay/2 + rand.N(delay)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, fmt.Errorf("chat: room %q lock: %w", room, ctx.Err())
		}
		delay = min(2*delay, lockRetryMax)
	}
}

// held reports whether Create failed because the key exists: someone else
// holds the lock (or took it between our look and our write).
func held(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, jetstream.ErrKeyExists) ||
		errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}
