// Command client joins the chat example from a terminal, in any of its
// protocols, the way chatofpomelo's clients do: queryEntry at the gate,
// enter at the connector it names, then chat. It prints what the room
// says and sends each line typed; "@alice text" is a private message to
// alice. When the connection drops it joins again through the gate.
//
//	go run ./examples/chat/client -name bob -room r1 -proto tcp|pomelo-tcp|ws|pomelo-ws
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
)

type options struct {
	Gate, Name, Room string
	Proto            chatclient.Proto
	// Retries bounds the attempts to join again after the connection
	// dropped; zero means forever.
	Retries int
}

func main() {
	var o options
	flag.StringVar(&o.Gate, "gate", "127.0.0.1:3014", "the gate's address")
	flag.StringVar(&o.Name, "name", "", "your name (required)")
	flag.StringVar(&o.Room, "room", "r1", "the room")
	proto := flag.String("proto", "tcp", "protocol: tcp, pomelo-tcp, ws or pomelo-ws")
	flag.Parse()
	o.Proto = chatclient.Proto(*proto)
	if o.Name == "" {
		fmt.Fprintln(os.Stderr, "client: -name is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdin, os.Stdout); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

// run joins, prints pushes to out and sends the lines of in until in ends
// or ctx does.
func run(ctx context.Context, o options, in io.Reader, out io.Writer) error {
	p := &printer{w: out, me: o.Name}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	cfg := chatclient.Config{Gate: o.Gate, Proto: o.Proto, Name: o.Name, Room: o.Room, OnPush: p.push, Logger: zerolog.Nop()}
	for attempt := 0; ; attempt++ {
		jctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		cl, err := chatclient.Join(jctx, cfg)
		cancel()
		switch {
		case err == nil:
			attempt = 0
			p.printf("* joined %s on %s over %s; in the room: %s\n", o.Room, cl.Addr(), o.Proto, strings.Join(cl.Users(), ", "))
			err = chat(ctx, cl, lines, p)
			cl.Close()
			if err == nil || ctx.Err() != nil {
				return err
			}
			p.printf("* connection lost: %v; joining again\n", err)
		case ctx.Err() != nil:
			return ctx.Err()
		case attempt == 0 && p.joins() == 0:
			return err // never joined: the user should see why at once
		case o.Retries > 0 && attempt >= o.Retries:
			return fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		default:
			p.printf("* cannot join yet: %v\n", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(5*time.Second, 200*time.Millisecond<<min(attempt, 5))):
		}
	}
}

// chat sends lines until they end (nil), ctx ends, or the connection
// drops (an error).
func chat(ctx context.Context, cl *chatclient.Client, lines <-chan string, p *printer) error {
	p.joined()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-cl.Done():
			return errors.New("disconnected")
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			target, text := "*", strings.TrimSpace(line)
			if strings.HasPrefix(text, "@") {
				name, rest, _ := strings.Cut(text[1:], " ")
				target, text = name, strings.TrimSpace(rest)
			}
			if text == "" {
				continue
			}
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := cl.Send(sctx, target, text)
			cancel()
			if err != nil {
				p.printf("* not sent: %v\n", err)
			} else if target != "*" {
				p.printf("[you → %s] %s\n", target, text)
			}
		}
	}
}

// printer writes what happens, one line at a time, from any goroutine.
type printer struct {
	mu sync.Mutex
	w  io.Writer
	me string
	n  int // joins so far
}

func (p *printer) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, args...)
}

func (p *printer) joined() {
	p.mu.Lock()
	p.n++
	p.mu.Unlock()
}

func (p *printer) joins() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// push prints onAdd, onLeave and onChat.
func (p *printer) push(route string, body []byte) {
	var b struct {
		User   string `json:"user"`
		Msg    string `json:"msg"`
		From   string `json:"from"`
		Target string `json:"target"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		p.printf("* %s: %s\n", route, body)
		return
	}
	switch route {
	case chatserver.RouteOnAdd:
		p.printf("* %s joined\n", b.User)
	case chatserver.RouteOnLeave:
		p.printf("* %s left\n", b.User)
	case chatserver.RouteOnChat:
		if b.Target == "*" {
			p.printf("[%s] %s\n", b.From, b.Msg)
		} else {
			p.printf("[%s → you] %s\n", b.From, b.Msg)
		}
	default:
		p.printf("* %s: %s\n", route, body)
	}
}
