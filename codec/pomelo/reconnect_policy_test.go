package pomelo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/aio/client"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/pomelo"
)

// TestClientEndsOnRefusalAndKick: a gotio client told 501 by a pomelo
// server fails its Dial at once with codec.ErrPeerRefused, and a kicked one ends
// without reconnecting; a server shutdown brings it back.
func TestClientEndsOnRefusalAndKick(t *testing.T) {
	srvCodec := pomelo.New(&pomelo.Config{MinClientVersion: map[string]string{"*": "2.0"}})
	s := aio.NewServer(&aio.Config{Codec: srvCodec, Handler: aio.HandlerFunc(func(c *aio.ChannelContext, m *codec.Message) {
		if m.Route == "kickme" {
			c.Kick("duplicate login")
		}
	})})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	old := pomelo.New(&pomelo.Config{ClientVersion: "1.9"})
	_, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: old, DialTimeout: 15 * time.Second,
		Reconnect: &client.Reconnect{Initial: time.Millisecond}})
	if !errors.Is(err, codec.ErrPeerRefused) || !errors.Is(err, pomelo.ErrOldClient) {
		t.Fatalf("old client's dial: %v; want ErrRefused and ErrOldClient", err)
	}

	current := pomelo.New(&pomelo.Config{ClientVersion: "2.1"})
	cl, err := client.Dial(ctx, s.Addr().String(), &client.Config{Codec: current,
		Reconnect: &client.Reconnect{Initial: time.Millisecond, Max: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_ = cl.Notify("kickme", []byte(`{}`))
	select {
	case <-cl.Done():
	case <-ctx.Done():
		t.Fatal("kicked pomelo client did not end")
	}
	if !errors.Is(cl.Err(), aio.ErrKicked) || cl.Reconnects() != 0 {
		t.Fatalf("kicked client: err %v, reconnects %d", cl.Err(), cl.Reconnects())
	}
}
