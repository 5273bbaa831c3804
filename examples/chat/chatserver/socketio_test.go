package chatserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/gotio/gotio/examples/chat/chatclient"
	"github.com/gotio/gotio/examples/chat/chatserver"
	"github.com/gotio/gotio/internal/testenv"
)

// TestSocketIOClient runs chatofpomelo's flow from the npm
// socket.io-client (testdata/sio_chat.js, default options: polling, then
// the upgrade) against the chat: the gate and connector answer it on
// /socket.io/ of their usual ports, and it chats with a pomelo client in
// the same room.
func TestSocketIOClient(t *testing.T) {
	for _, bus := range buses {
		t.Run(bus, func(t *testing.T) {
			app := startApp(t, bus, nil)
			grace := mustJoin(t, app.GateAddr(), chatclient.PomeloTCP, "grace", "r1")
			replied := make(chan error, 1)
			go func() {
				if _, ok := grace.in.await(isChat("sio", "*", "hello from socket.io")); !ok {
					replied <- errors.New("grace never heard the socket.io client")
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), wait)
				defer cancel()
				replied <- grace.Send(ctx, "sio", "hi sio")
			}()
			host, port, _ := net.SplitHostPort(app.GateAddr())
			out := testenv.Node(t, 60*time.Second, "testdata/sio_chat.js", host, port, "sio", "r1")
			if err := <-replied; err != nil {
				t.Fatal(err)
			}
			type step struct {
				Step string          `json:"step"`
				Resp json.RawMessage `json:"resp"`
				Body json.RawMessage `json:"body"`
				Name string          `json:"name"`
			}
			steps := jsonLines[step](t, out)
			if len(steps) != 6 {
				t.Fatalf("node took %d steps:\n%s", len(steps), out)
			}
			chost, cport, _ := net.SplitHostPort(app.ConnectorAddrs()[chatserver.Dispatch("sio", 3)])
			for i, want := range []struct{ step, resp, body string }{
				{"queryEntry", `{"code":200,"host":"` + chost + `","port":` + cport + `}`, ""},
				{"enter", `{"users":["grace","sio"]}`, ""},
				{"send", `{"route":"chat.chatHandler.send"}`, ""},
				{"onChat", "", `{"msg":"hello from socket.io","from":"sio","target":"*"}`},
				{"reply", "", `{"msg":"hi sio","from":"grace","target":"sio"}`},
			} {
				s := steps[i]
				if s.Step != want.step {
					t.Fatalf("step %d is %s, want %s", i, s.Step, want.step)
				}
				if want.resp != "" && !jsonEqual(t, s.Resp, want.resp) {
					t.Errorf("%s answered %s, want %s", s.Step, s.Resp, want.resp)
				}
				if want.body != "" && !jsonEqual(t, s.Body, want.body) {
					t.Errorf("%s body %s, want %s", s.Step, s.Body, want.body)
				}
			}
			if steps[5].Name != "websocket" {
				t.Errorf("transport after the upgrade %q, want websocket", steps[5].Name)
			}
			// grace saw the newcomer arrive and leave, as for any protocol.
			if _, ok := grace.in.await(isPush(chatserver.RouteOnLeave, "sio")); !ok {
				t.Error("grace never saw the socket.io client leave")
			}
		})
	}
}

// TestSocketIOPage: the chat's socket.io page (sio.html, socket.io-client
// from its npm package) in headless chromium chats with a Go pomelo
// client in the same room.
func TestSocketIOPage(t *testing.T) {
	testenv.RequireChromium(t)
	app := startApp(t, "local", nil)
	grace := mustJoin(t, app.GateAddr(), chatclient.PomeloTCP, "grace", "r1")
	cmd, _, stderr := testenv.NodeCommand(t, "testdata/sio_page.js", "http://"+app.WebAddr()+"/sio.html")
	cmd.Stdout = nil
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	hang := time.AfterFunc(90*time.Second, func() { _ = cmd.Process.Kill() })
	defer hang.Stop()
	sc := bufio.NewScanner(out)
	expect := func(want string) {
		t.Helper()
		if !sc.Scan() || sc.Text() != want {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("page said %q, want %q; stderr:\n%s", sc.Text(), want, stderr)
		}
	}
	expect("ready")
	grace.in.waitFor(t, "sam's arrival", isPush(chatserver.RouteOnAdd, "sam"))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := grace.Send(ctx, "*", "hi sam"); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(in, "go-sent")
	expect("done")
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	grace.in.waitFor(t, "sam's answer", isChat("sam", "*", "hello grace"))
}
