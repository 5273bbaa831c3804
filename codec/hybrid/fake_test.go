package hybrid_test

import (
	"github.com/gotio/gotio/codec"
)

// fakeCodec stands in for the pomelo and WebSocket codecs: its stream
// consumes whatever it is shown and reports it as one Raw message routed
// by the codec's name, so a test sees which codec got which bytes.
type fakeCodec struct {
	name  string
	infos []codec.ConnInfo // every ConnInfo NewStream was given
	// goodbye makes its streams Heartbeaters and Goodbyers.
	goodbye bool
}

func (f *fakeCodec) NewStream(info codec.ConnInfo) codec.Stream {
	f.infos = append(f.infos, info)
	s := &fakeStream{name: f.name}
	if f.goodbye {
		return &fakeGoodbyer{s}
	}
	return s
}

type fakeStream struct{ name string }

func (s *fakeStream) Decode(in []byte, out codec.Output) (int, int, error) {
	out.Message(&codec.Message{Kind: codec.Raw, Route: s.name, Body: in})
	return len(in), 0, nil
}

func (s *fakeStream) Encode(dst []byte, m *codec.Message) ([]byte, error) {
	return append(append(dst, s.name+":"...), m.Body...), nil
}

func (s *fakeStream) Format() string   { return s.name + "/fake" }
func (s *fakeStream) Protocol() string { return s.name }

type fakeGoodbyer struct{ *fakeStream }

func (s *fakeGoodbyer) Heartbeat(dst []byte) []byte { return append(dst, s.name+" heartbeat"...) }
func (s *fakeGoodbyer) Goodbye(dst []byte, f codec.Farewell) []byte {
	return append(dst, s.name+" goodbye "+f.Reason...)
}
