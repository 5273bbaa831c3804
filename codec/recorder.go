package codec

// Recorder is an Output that keeps everything it is given, for tests and
// tools that drive a Stream without a socket.
type Recorder struct {
	Messages   []Message
	Replies    []byte
	Handshakes []Handshake
}

// Message records a copy of m.
func (r *Recorder) Message(m *Message) {
	c := *m
	c.Body = append([]byte(nil), m.Body...)
	r.Messages = append(r.Messages, c)
}

// Reply appends b to Replies.
func (r *Recorder) Reply(b []byte) { r.Replies = append(r.Replies, b...) }

// Handshaken records h.
func (r *Recorder) Handshaken(h Handshake) { r.Handshakes = append(r.Handshakes, h) }

// Reset forgets everything recorded.
func (r *Recorder) Reset() { *r = Recorder{} }

// DecodeAll feeds in to s until it is consumed or s needs more bytes, and
// returns the number of bytes consumed. It is a test helper: aio does the
// same against a socket.
func DecodeAll(s Stream, in []byte, out Output) (int, error) {
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
