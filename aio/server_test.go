package aio_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/tcp"
)

func TestEcho(t *testing.T) {
	for _, tr := range transports {
		for _, workers := range []int{0, 8} {
			t.Run(fmt.Sprintf("%s/workers%d", tr, workers), func(t *testing.T) {
				s := startServer(t, aio.Config{Transport: tr, Workers: workers, Handler: aio.HandlerFunc(echo)})
				p := dial(t, s)
				for i := range 100 {
					p.send(fmt.Sprint("hello ", i))
				}
				for i := range 100 {
					p.mustRecv(fmt.Sprint("hello ", i))
				}
				big := strings.Repeat("x", 300_000)
				p.send(big)
				p.mustRecv(big)
				// The reply can arrive before its handler returned and was counted.
				waitFor(t, "101 handled", func() bool { return s.Stats().HandledPackets == 101 })
				if st := s.Stats(); st.DecodedPackets != 101 {
					t.Fatalf("stats: decoded %d, want 101", st.DecodedPackets)
				}
			})
		}
	}
}

// TestPartialFrames feeds frames split at every byte.
func TestPartialFrames(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			s := startServer(t, aio.Config{Transport: tr, Handler: aio.HandlerFunc(echo)})
			p := dial(t, s)
			frame := []byte{0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'}
			for i := range frame {
				if _, err := p.nc.Write(frame[i : i+1]); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Millisecond)
			}
			p.mustRecv("hello")
		})
	}
}

type closeRecorder struct {
	mu      sync.Mutex
	reasons map[uint64][]error
	closed  chan error
}

func newCloseRecorder() *closeRecorder {
	return &closeRecorder{reasons: map[uint64][]error{}, closed: make(chan error, 100)}
}

func (r *closeRecorder) OnBeforeClose(c *aio.ChannelContext, reason error) {
	r.mu.Lock()
	r.reasons[c.ID()] = append(r.reasons[c.ID()], reason)
	r.mu.Unlock()
	r.closed <- reason
}

func (r *closeRecorder) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.closed:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("no close")
		return nil
	}
}

func TestBadInputClosesAndServerKeepsServing(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			rec := newCloseRecorder()
			s := startServer(t, aio.Config{Transport: tr, Handler: aio.HandlerFunc(echo), OnBeforeClose: rec.OnBeforeClose, Codec: lengthCodec{max: 1000}})
			good := dial(t, s)
			bad := dial(t, s)
			bad.nc.Write([]byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3})
			bad.expectClosed(5 * time.Second)
			if err := rec.wait(t); !errors.Is(err, codec.ErrTooLarge) || !errors.Is(err, codec.ErrTooLarge) {
				t.Fatalf("reason %v, want frame too large", err)
			}
			good.send("still here")
			good.mustRecv("still here")
			st := s.Stats()
			if st.DecodeErrors != 1 || st.CloseReasons["frame_too_large"] != 1 {
				t.Fatalf("decode errors %d, reasons %v", st.DecodeErrors, st.CloseReasons)
			}
		})
	}
}

func TestTruncatedFrameTimesOut(t *testing.T) {
	rec := newCloseRecorder()
	s := startServer(t, aio.Config{ReadTimeout: 200 * time.Millisecond, OnBeforeClose: rec.OnBeforeClose})
	p := dial(t, s)
	p.nc.Write([]byte{0, 0, 0, 10, 'a'})
	p.expectClosed(5 * time.Second)
	if err := rec.wait(t); !errors.Is(err, aio.ErrSlowAttack) {
		t.Fatalf("reason %v, want read timeout", err)
	}
}

// trickle writes b one byte every gap, until the peer closes or stop.
func trickle(nc net.Conn, b []byte, gap time.Duration, stop <-chan struct{}) {
	for _, x := range b {
		if _, err := nc.Write([]byte{x}); err != nil {
			return
		}
		select {
		case <-stop:
			return
		case <-time.After(gap):
		}
	}
}

// TestSlowSenderPasses: a frame sent a byte every 2 ms (the standard
// WebSocket suite's octet-wise chops) is legitimate: it completes.
func TestSlowSenderPasses(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			s := startServer(t, aio.Config{Transport: tr, Handler: aio.HandlerFunc(echo)})
			p := dial(t, s)
			body := strings.Repeat("x", 200)
			frame := append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
			trickle(p.nc, frame, 2*time.Millisecond, nil)
			p.mustRecv(body)
			if n := s.Stats().CloseReasons["slow_attack"]; n != 0 {
				t.Fatalf("%d slow-attack closes", n)
			}
		})
	}
}

// TestSlowlorisClosed: a byte every 3 s is under any minimum rate: the
// connection is closed with ErrSlowAttack once a rate window passed.
func TestSlowlorisClosed(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			rec := newCloseRecorder()
			s := startServer(t, aio.Config{Transport: tr, OnBeforeClose: rec.OnBeforeClose, RateWindow: time.Second})
			p := dial(t, s)
			stop := make(chan struct{})
			defer close(stop)
			go trickle(p.nc, append(binary.BigEndian.AppendUint32(nil, 100), strings.Repeat("y", 100)...), 3*time.Second, stop)
			start := time.Now()
			p.expectClosed(10 * time.Second)
			if err := rec.wait(t); !errors.Is(err, aio.ErrSlowAttack) {
				t.Fatalf("reason %v, want slow attack", err)
			}
			if d := time.Since(start); d > 8*time.Second {
				t.Fatalf("closed after %v, want within the rate window of the second byte", d)
			}
			if n := s.Stats().CloseReasons["slow_attack"]; n != 1 {
				t.Fatalf("slow_attack closes %d, want 1", n)
			}
		})
	}
}

// TestFrameDeadline: bytes that keep coming fast enough for the rate check
// but never make the unit whole are closed at FrameTimeout, counted as a
// slow attack (a header that never ends).
func TestFrameDeadline(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			t.Parallel()
			rec := newCloseRecorder()
			s := startServer(t, aio.Config{Transport: tr, OnBeforeClose: rec.OnBeforeClose,
				FrameTimeout: 400 * time.Millisecond, MinReadRate: 10, RateWindow: 200 * time.Millisecond})
			p := dial(t, s)
			stop := make(chan struct{})
			defer close(stop)
			go trickle(p.nc, append(binary.BigEndian.AppendUint32(nil, 1000), strings.Repeat("z", 1000)...), 10*time.Millisecond, stop)
			p.expectClosed(5 * time.Second)
			if err := rec.wait(t); !errors.Is(err, aio.ErrSlowAttack) {
				t.Fatalf("reason %v, want slow attack", err)
			}
		})
	}
}

func TestHeartbeat(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			rec := newCloseRecorder()
			s := startServer(t, aio.Config{Transport: tr, OnBeforeClose: rec.OnBeforeClose, HeartbeatTimeout: 300 * time.Millisecond, Handler: aio.HandlerFunc(echo)})
			talker := dial(t, s)   // sends every 50 ms: stays
			listener := dial(t, s) // only receives pushes: closed (sending to it proves nothing)
			talker.send("hi")
			talker.mustRecv("hi")
			listener.send("join")
			listener.mustRecv("join")
			var lc *aio.ChannelContext
			waitFor(t, "two conns", func() bool { return s.Count(aio.All()) == 2 })
			for _, c := range s.Conns(aio.All()) {
				if c.RemoteAddr().String() == listener.nc.LocalAddr().String() {
					lc = c
				}
			}
			stop := time.Now().Add(1200 * time.Millisecond)
			for time.Now().Before(stop) {
				talker.send("ping")
				talker.mustRecv("ping")
				if lc.Err() == nil {
					_ = lc.Send(&codec.Message{Body: []byte("push")})
				}
				time.Sleep(50 * time.Millisecond)
			}
			if lc.Err() == nil || !errors.Is(lc.Err(), aio.ErrHeartbeatTimeout) {
				t.Fatalf("receive-only conn: closed=%v reason=%v", lc.Err() != nil, lc.Err())
			}
			talker.send("alive")
			talker.mustRecv("alive")
			if s.Count(aio.All()) != 1 {
				t.Fatalf("conns %d, want the talker only", s.Count(aio.All()))
			}
			if s.Stats().HeartbeatTimeouts != 1 {
				t.Fatalf("heartbeat timeouts %d", s.Stats().HeartbeatTimeouts)
			}
		})
	}
}

type vetoListener struct {
	vetoes atomic.Int32
}

func (v *vetoListener) OnHeartbeatTimeout(*aio.ChannelContext, time.Duration) bool {
	return v.vetoes.Add(1) > 2
}

func TestHeartbeatVeto(t *testing.T) {
	v := &vetoListener{}
	s := startServer(t, aio.Config{OnHeartbeatTimeout: v.OnHeartbeatTimeout, HeartbeatTimeout: 100 * time.Millisecond})
	p := dial(t, s)
	p.send("x")
	p.expectClosed(10 * time.Second)
	if v.vetoes.Load() != 3 {
		t.Fatalf("heartbeat timeout listener called %d times, want 3 (two vetoes)", v.vetoes.Load())
	}
}

func TestHandshakeTimeout(t *testing.T) {
	rec := newCloseRecorder()
	s := startServer(t, aio.Config{OnBeforeClose: rec.OnBeforeClose, HandshakeTimeout: 200 * time.Millisecond})
	p := dial(t, s)
	p.expectClosed(5 * time.Second)
	if err := rec.wait(t); !errors.Is(err, aio.ErrHandshakeTimeout) {
		t.Fatalf("reason %v", err)
	}
}

func TestSlowConsumer(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			rec := newCloseRecorder()
			s := startServer(t, aio.Config{Transport: tr, OnBeforeClose: rec.OnBeforeClose, WriteQueueBytes: 64 << 10, Handler: aio.HandlerFunc(echo)})
			p := dial(t, s) // never reads
			p.send("hi")
			var c *aio.ChannelContext
			waitFor(t, "conn", func() bool {
				cs := s.Conns(aio.All())
				c = nil
				if len(cs) == 1 {
					c = cs[0]
				}
				return c != nil
			})
			chunk := &codec.Message{Body: make([]byte, 16<<10)}
			var err error
			for i := 0; i < 100_000 && err == nil; i++ {
				err = c.Send(chunk)
			}
			if !errors.Is(err, aio.ErrSlowConsumer) && !errors.Is(err, aio.ErrClosed) {
				t.Fatalf("send error %v, want slow consumer", err)
			}
			if r := rec.wait(t); !errors.Is(r, aio.ErrSlowConsumer) {
				t.Fatalf("reason %v", r)
			}
			if err := c.Send(chunk); !errors.Is(err, aio.ErrClosed) {
				t.Fatalf("send after close: %v", err)
			}
		})
	}
}

func TestSendSync(t *testing.T) {
	s := startServer(t, aio.Config{})
	p := dial(t, s)
	p.send("x")
	waitFor(t, "conn", func() bool { return s.Count(aio.All()) == 1 })
	c := s.Conns(aio.All())[0]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.SendSync(ctx, &codec.Message{Body: []byte("sync")}); err != nil {
		t.Fatal(err)
	}
	if c.Stats().SentBytes != 8 {
		t.Fatalf("sent bytes %d after SendSync returned", c.Stats().SentBytes)
	}
	p.mustRecv("sync")
	c.Close(nil)
	p.expectClosed(5 * time.Second)
	if err := c.SendSync(ctx, &codec.Message{Body: []byte("late")}); !errors.Is(err, aio.ErrClosed) {
		t.Fatalf("SendSync after close: %v", err)
	}
}

func TestCloseExactlyOnce(t *testing.T) {
	rec := newCloseRecorder()
	s := startServer(t, aio.Config{OnBeforeClose: rec.OnBeforeClose})
	p := dial(t, s)
	p.send("x")
	waitFor(t, "conn", func() bool { return s.Count(aio.All()) == 1 })
	c := s.Conns(aio.All())[0]
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 3 {
			case 0:
				c.Close(aio.ErrKicked)
			case 1:
				c.Remove(nil)
			default:
				p.nc.Close()
			}
		}()
	}
	wg.Wait()
	rec.wait(t)
	time.Sleep(50 * time.Millisecond)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if n := len(rec.reasons[c.ID()]); n != 1 {
		t.Fatalf("OnBeforeClose ran %d times", n)
	}
	if s.Stats().Closed != 1 {
		t.Fatalf("closed counter %d", s.Stats().Closed)
	}
}

func TestShutdownSaysGoodbyeAndLeavesNothing(t *testing.T) {
	for _, tr := range transports {
		t.Run(string(tr), func(t *testing.T) {
			cfg := aio.Config{Transport: tr, Codec: goodbyeCodec{}, Handler: aio.HandlerFunc(echo)}
			s := aio.NewServer(&cfg)
			if err := s.Listen("127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			var peers []*peer
			for range 20 {
				p := dial(t, s)
				p.send("hi")
				p.mustRecv("hi")
				peers = append(peers, p)
			}
			for _, c := range s.Conns(aio.All()) {
				for i := range 100 {
					if err := c.Send(&codec.Message{Body: []byte(fmt.Sprint("queued ", i))}); err != nil {
						t.Fatal(err)
					}
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			for _, p := range peers {
				for i := range 100 {
					p.mustRecv(fmt.Sprint("queued ", i))
				}
				p.mustRecv("bye: server_shutdown")
				p.expectClosed(5 * time.Second)
			}
			if nc, err := net.DialTimeout("tcp", s.Addr().String(), time.Second); err == nil {
				p := &peer{t: t, nc: nc, r: bufio.NewReader(nc)}
				p.expectClosed(5 * time.Second)
			}
		})
	}
}

// goodbyeCodec is the length codec with a goodbye frame.
type goodbyeCodec struct{}

func (goodbyeCodec) NewStream(info codec.ConnInfo) codec.Stream {
	return goodbyeStream{lengthCodec{}.NewStream(info).(*lengthStream)}
}

type goodbyeStream struct{ *lengthStream }

func (g goodbyeStream) Goodbye(dst []byte, f codec.Farewell) []byte {
	b, _ := g.Encode(dst, &codec.Message{Body: []byte("bye: " + f.Reason)})
	return b
}

func TestCloseWithoutServe(t *testing.T) {
	s := aio.NewServer(&aio.Config{Codec: lengthCodec{}})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(listenLoopback(t)); !errors.Is(err, aio.ErrServerClosed) {
		t.Fatalf("Serve after Close: %v", err)
	}
}

// TestCodecHeartbeatTimeoutReschedules checks that a connection whose
// codec announces a heartbeat shorter than the server's is closed at its
// own timeout, not at the server-wide one.
func TestCodecHeartbeatTimeoutReschedules(t *testing.T) {
	rec := newCloseRecorder()
	s := startServer(t, aio.Config{OnBeforeClose: rec.OnBeforeClose, Codec: tcp.New(&tcp.Config{HeartbeatInterval: 100 * time.Millisecond})})
	nc, err := dialRaw(s)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write(tcp.AppendHandshake(nil))
	select {
	case err := <-rec.closed:
		if !errors.Is(err, aio.ErrHeartbeatTimeout) {
			t.Fatalf("reason %v", err)
		}
	case <-time.After(8 * time.Second): // the server-wide timeout is 2 minutes, the handshake deadline 10 s
		t.Fatal("the codec's 200 ms heartbeat timeout was not applied")
	}
}
