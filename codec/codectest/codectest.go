// Package codectest holds what tests of codecs share: a Recorder that
// keeps what a Stream's Decode reports, and DecodeAll, which feeds a
// stream bytes the way aio does from a socket.
package codectest

import "github.com/gotio/gotio/codec"

// Recorder is a codec.Output that keeps everything it is given, for tests and
// tools that drive a Stream without a socket.
type Recorder struct {
	Messages   []codec.Message
	Replies    []byte
	Handshakes []codec.Handshake
}

// Message records a copy of m.
func (r *Recorder) Message(m *codec.Message) {
	c := *m
	c.Body = append([]byte(nil), m.Body...)
	r.Messages = append(r.Messages, c)
}

// Reply appends b to Replies.
func (r *Recorder) Reply(b []byte) { r.Replies = append(r.Replies, b...) }

// Handshaken records h.
func (r *Recorder) Handshaken(h codec.Handshake) { r.Handshakes = append(r.Handshakes, h) }

// Reset forgets everything recorded.
func (r *Recorder) Reset() { *r = Recorder{} }

// DecodeAll feeds in to s until it is consumed or s needs more bytes, and
// returns the number of bytes consumed. It is a test helper: aio does the
// same against a socket.
func DecodeAll(s codec.Stream, in []byte, out codec.Output) (int, error) {
	total := 0
	for len(in) > 0 {
		n, _, err := s.Decode(in, out)
		if err != nil {
			return total + n, err
		}
		if n == 0 {
			return total, nil
		}
		total += n
		in = in[n:]
	}
	return total, nil
}
