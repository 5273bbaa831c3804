// Command zinx is the benchmark server built on aceld/zinx: its TCP server
// with a length-field frame decoder and a data pack for the benchmark's
// frames, a router for message ID 1, and zinx's default worker pool.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"

	"github.com/aceld/zinx/zconf"
	"github.com/aceld/zinx/ziface"
	"github.com/aceld/zinx/znet"
	"github.com/aceld/zinx/zpack"

	"github.com/gotio/gotio/bench/internal/srvutil"
	"github.com/gotio/gotio/bench/internal/wire"
)

const msgID = 1

// decoder splits the stream at 4-byte big-endian length prefixes and
// strips them, then routes every frame to msgID.
type decoder struct{}

func (decoder) GetLengthField() *ziface.LengthField {
	return &ziface.LengthField{
		Order:               binary.BigEndian,
		MaxFrameLength:      wire.HeaderLen + wire.MaxPayload,
		LengthFieldOffset:   0,
		LengthFieldLength:   wire.HeaderLen,
		InitialBytesToStrip: wire.HeaderLen,
	}
}

func (decoder) Intercept(chain ziface.IChain) ziface.IcResp {
	m := chain.GetIMessage()
	if m != nil {
		m.SetMsgID(msgID)
	}
	return chain.ProceedWithIMessage(m, nil)
}

// pack writes messages as the benchmark's frames.
type pack struct{}

func (pack) GetHeadLen() uint32 { return wire.HeaderLen }

func (pack) Pack(m ziface.IMessage) ([]byte, error) {
	return wire.Append(make([]byte, 0, wire.HeaderLen+len(m.GetData())), m.GetData()), nil
}

func (pack) Unpack(b []byte) (ziface.IMessage, error) {
	if len(b) < wire.HeaderLen {
		return nil, errors.New("zinx bench: short header")
	}
	return zpack.NewMsgPackage(msgID, nil), nil
}

type echo struct{ znet.BaseRouter }

func (*echo) Handle(req ziface.IRequest) {
	data := req.GetData()
	if cnt, size, ok := wire.ParseBcast(data); ok {
		broadcast(req.GetConnection(), cnt, size)
		return
	}
	req.GetConnection().SendMsg(msgID, data)
}

var server ziface.IServer

func main() {
	f := srvutil.Parse()
	if f.Proto != "tcp" {
		srvutil.Fatal(fmt.Errorf("zinx serves tcp only, not %q", f.Proto))
	}
	host, port, err := net.SplitHostPort(f.Addr)
	if err != nil {
		srvutil.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		srvutil.Fatal(err)
	}
	cfg := &zconf.Config{
		Name:              "bench",
		Host:              host,
		TCPPort:           p,
		Mode:              zconf.ServerModeTcp,
		MaxConn:           math.MaxInt32,
		MaxPacketSize:     wire.HeaderLen + wire.MaxPayload,
		LogIsolationLevel: 3, // errors only
	}
	server = znet.NewUserConfServer(cfg, znet.WithPacket(pack{}))
	server.SetDecoder(decoder{})
	server.AddRouter(msgID, &echo{})
	srvutil.Run(f, func() error {
		server.Serve()
		return nil
	})
}

// broadcast sends each push to every connection with SendMsg, one write
// per delivery.
func broadcast(_ ziface.IConnection, n, size int) {
	var all []ziface.IConnection
	server.GetConnMgr().Range(func(_ uint64, c ziface.IConnection, _ interface{}) error {
		all = append(all, c)
		return nil
	}, nil)
	for i := 0; i < n; i++ {
		p := wire.PushPayload(i, size)
		for _, c := range all {
			c.SendMsg(msgID, p)
		}
	}
}
