package chatserver_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotio/gotio/cluster"
	"github.com/gotio/gotio/examples/chat/chatserver"
)

// roomLocks returns two RoomLocks that contend for the same rooms, as two
// connectors' do: one MemoryRoomLock twice, or two KVRoomLocks on two NATS
// connections to one server.
func roomLocks(t *testing.T, bus string, ttl time.Duration) (a, b chatserver.RoomLock) {
	t.Helper()
	if bus == "local" {
		l := chatserver.NewMemoryRoomLock()
		return l, l
	}
	e, err := cluster.StartEmbedded(cluster.EmbeddedConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Shutdown)
	var locks [2]chatserver.RoomLock
	for i := range locks {
		n, err := cluster.ConnectNATS(&cluster.NATSConfig{URL: e.URL, App: "chat"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		l, err := chatserver.NewKVRoomLock(ctx, n, ttl)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		locks[i] = l
	}
	return locks[0], locks[1]
}

// TestRoomLock: holders of one room exclude each other (a counter inside
// the hold never sees two), other rooms do not wait, a waiter gives up
// when its context ends, and over NATS a holder that never unlocks loses
// the room after the TTL, and its late unlock frees nothing.
func TestRoomLock(t *testing.T) {
	for _, bus := range buses {
		t.Run(bus, func(t *testing.T) {
			const ttl = 2 * time.Second
			a, b := roomLocks(t, bus, ttl)
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()

			var inside, worst atomic.Int32
			var wg sync.WaitGroup
			for i := range 8 {
				l := a
				if i%2 == 1 {
					l = b
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 5 {
						unlock, err := l.Lock(ctx, "r1")
						if err != nil {
							t.Error(err)
							return
						}
						if n := inside.Add(1); n > worst.Load() {
							worst.Store(n)
						}
						time.Sleep(time.Millisecond)
						inside.Add(-1)
						unlock()
					}
				}()
			}
			wg.Wait()
			if w := worst.Load(); w != 1 {
				t.Fatalf("%d holders of r1 at once", w)
			}

			unlock, err := a.Lock(ctx, "r1")
			if err != nil {
				t.Fatal(err)
			}
			// Another room is free.
			other, err := b.Lock(ctx, "r2")
			if err != nil {
				t.Fatal(err)
			}
			other()
			// r1 is not: a waiter gives up with its context.
			short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
			_, err = b.Lock(short, "r1")
			cancelShort()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("lock of a held room: %v, want DeadlineExceeded", err)
			}
			if bus == "local" {
				unlock()
				return
			}
			// The holder dies without unlocking: the key expires.
			start := time.Now()
			unlock2, err := b.Lock(ctx, "r1")
			if err != nil {
				t.Fatal(err)
			}
			if waited := time.Since(start); waited < ttl/2 {
				t.Errorf("took a held room after %v, before its TTL (%v)", waited, ttl)
			}
			// The late unlock of the expired holder frees nothing.
			unlock()
			short, cancelShort = context.WithTimeout(ctx, 100*time.Millisecond)
			_, err = a.Lock(short, "r1")
			cancelShort()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("after a stale unlock: %v, want DeadlineExceeded", err)
			}
			unlock2()
			again, err := a.Lock(ctx, "r1")
			if err != nil {
				t.Fatal(err)
			}
			again()
		})
	}
}
