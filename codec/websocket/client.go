package websocket

import (
	"fmt"

	"github.com/gotio/gotio/codec"
)

// errClientSide is what a client stream (codec.ConnInfo.Client) fails
// with: this package frames the server side only.
var errClientSide = fmt.Errorf("websocket: codec/websocket frames the server side only; "+
	"a Go client dials WebSocket with aio/client.Config.WebSocket (gorilla/websocket) "+
	"and Codec set to the inner codec (websocket.JSON, pomelo's): %w", codec.ErrUnsupported)

// clientStream is what NewStream returns for a client connection: every
// call that would speak WebSocket fails with errClientSide. It is a
// codec.Opener, so aio's Dial fails at once, before any byte is written.
type clientStream struct{}

var _ codec.Opener = clientStream{}

func (clientStream) Open(dst []byte) ([]byte, error) { return dst, errClientSide }

func (clientStream) Decode([]byte, codec.Output) (int, int, error) { return 0, 0, errClientSide }

func (clientStream) Encode(dst []byte, _ *codec.Message) ([]byte, error) {
	return dst, errClientSide
}

func (clientStream) Format() string   { return "" }
func (clientStream) Protocol() string { return "ws" }
