package chatserver

import (
	"hash/crc32"
	"net"
	"strconv"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/handler"
)

// queryRequest is gate.gateHandler.queryEntry's body.
type queryRequest struct {
	UID string `json:"uid"`
}

// queryReply is queryEntry's answer: {code:200, host, port}, or
// {code:500} without a uid or without connectors.
type queryReply struct {
	Code int    `json:"code"`
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
}

// Dispatch returns the index of the connector, of n, that serves uid:
// chatofpomelo's dispatcher, Math.abs(crc.crc32(uid)) % n, with the CRC-32
// (IEEE) of the uid's UTF-8 bytes read as a signed 32-bit integer.
func Dispatch(uid string, n int) int {
	if n <= 0 {
		return -1
	}
	v := int64(int32(crc32.ChecksumIEEE([]byte(uid))))
	if v < 0 {
		v = -v
	}
	return int(v % int64(n))
}

// gateRoutes is the gate's router: queryEntry only. entries returns the
// connectors' client addresses, in dispatch order.
func gateRoutes(entries func() []string) *handler.Router {
	r := handler.New()
	handler.Handle(r, RouteQueryEntry, func(c *handler.Context, req *queryRequest) (*queryReply, error) {
		list := entries()
		if req.UID == "" || len(list) == 0 {
			return &queryReply{Code: handler.CodeInternal}, nil
		}
		host, port, err := splitHostPort(list[Dispatch(req.UID, len(list))])
		if err != nil {
			return &queryReply{Code: handler.CodeInternal}, nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			// A connector listening on every interface is reached the
			// way this client reached the gate.
			host = localHost(c.Conn())
		}
		return &queryReply{Code: 200, Host: host, Port: port}, nil
	})
	return r
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return host, port, err
}

func localHost(c *aio.ChannelContext) string {
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, _ := net.SplitHostPort(c.LocalAddr().String())
	return host
}
