package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

const wait = 20 * time.Second

// syncBuffer is the client's terminal.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) waitFor(t *testing.T, want string, times int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for strings.Count(s.String(), want) < times {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q %d times:\n%s", want, times, s.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTerminal types into the terminal client, in each protocol, next to
// a Go member of the room: lines are sent, pushes printed, "@name text"
// is private, and a restart of its connector makes it join again.
func TestTerminal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	app, err := chatserver.Start(ctx, chatserver.Config{
		Gate:       "127.0.0.1:0",
		Connectors: []string{"127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"},
		Logger:     zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
	}()
	var mu sync.Mutex
	var heard []string
	alice, err := chatclient.Join(ctx, chatclient.Config{Gate: app.GateAddr(), Name: "alice", Room: "r1",
		OnPush: func(route string, body []byte) {
			var b struct{ From, Msg, Target, User string }
			_ = json.Unmarshal(body, &b)
			mu.Lock()
			heard = append(heard, route+" "+b.From+b.User+" "+b.Target+" "+b.Msg)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer alice.Close()
	aliceHeard := func(want string) {
		t.Helper()
		deadline := time.Now().Add(wait)
		for {
			mu.Lock()
			got := strings.Join(heard, "\n")
			mu.Unlock()
			if strings.Contains(got, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("alice never heard %q:\n%s", want, got)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	for _, proto := range chatclient.Protos {
		t.Run(string(proto), func(t *testing.T) {
			// A name off alice's connector, which is about to restart.
			name := "bob-" + string(proto)
			for k := 0; chatserver.Dispatch(name, 3) == chatserver.Dispatch("alice", 3); k++ {
				name = "bob-" + string(proto) + "-" + string(rune('a'+k))
			}
			in, typing := io.Pipe()
			out := &syncBuffer{}
			done := make(chan error, 1)
			go func() {
				done <- run(context.Background(), options{Gate: app.GateAddr(), Name: name, Room: "r1", Proto: proto, Retries: 50}, in, out)
			}()
			out.waitFor(t, "* joined r1", 1)
			if !strings.Contains(out.String(), "alice") {
				t.Fatalf("the room's users are not shown:\n%s", out)
			}
			io.WriteString(typing, "hello all\n")
			aliceHeard("onChat " + name + " * hello all")
			out.waitFor(t, "["+name+"] hello all", 1)
			io.WriteString(typing, "@alice just you\n")
			aliceHeard("onChat " + name + " alice just you")
			out.waitFor(t, "[you → alice] just you", 1)
			if err := alice.Send(ctx, name, "hi "+name); err != nil {
				t.Fatal(err)
			}
			out.waitFor(t, "[alice → you] hi "+name, 1)

			// Its connector restarts: it joins again through the gate.
			c := app.Connectors()[chatserver.Dispatch(name, 3)]
			if err := c.Restart(ctx); err != nil {
				t.Fatal(err)
			}
			out.waitFor(t, "* connection lost", 1)
			out.waitFor(t, "* joined r1", 2)
			io.WriteString(typing, "back\n")
			aliceHeard("onChat " + name + " * back")

			typing.Close() // end of input: the client leaves
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(wait):
				t.Fatal("the client did not end with its input")
			}
			aliceHeard("onLeave " + name)
		})
	}
}
