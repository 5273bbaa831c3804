package socketio

import "fmt"

// Decoder turns the engine.io messages of one connection into Socket.IO
// packets, collecting the attachments a BINARY_EVENT or BINARY_ACK
// announces from the binary messages that follow it, as socket.io-parser's
// Decoder does. One Decoder serves one connection; it is not safe for
// concurrent use.
//
// While it awaits attachments the Decoder holds copies of the packet's
// JSON and of the attachments received so far: at most MaxAttachments
// engine.io messages, each bounded by the engine.io layer's maxPayload.
// It holds nothing between packets: an idle Decoder is two words.
type Decoder struct {
	// MaxAttachments is the most attachments one packet may announce;
	// more is ErrTooManyAttachments. Zero means DefaultMaxAttachments
	// (10, socket.io-parser's default).
	MaxAttachments int

	// pending exists only while a binary packet awaits its attachments,
	// so an idle Decoder is two words.
	pending *pendingPacket
}

type pendingPacket struct {
	p    Packet
	data []byte
	bufs [][]byte
}

// Text decodes the data of an engine.io text message. It returns the
// packet and done == true when the packet is complete; a binary packet is
// complete only when its attachments have arrived through Binary, and Text
// returns done == false for it. The packet's Data aliases b until the
// next call.
func (d *Decoder) Text(b []byte) (p Packet, done bool, err error) {
	if d.pending != nil {
		d.Reset()
		return Packet{}, false, ErrUnexpectedText
	}
	p, err = ParsePacket(b, d.MaxAttachments)
	if err != nil {
		return Packet{}, false, err
	}
	if !p.Type.IsBinary() {
		return p, true, nil
	}
	pp := &pendingPacket{data: append([]byte(nil), p.Data...), bufs: make([][]byte, 0, p.NumAttachments)}
	p.Data = pp.data
	pp.p = p
	d.pending = pp
	return Packet{}, false, nil
}

// Binary decodes the data of an engine.io binary message: the next
// attachment of the pending binary packet. It returns the packet, with
// Attachments filled in, and done == true with the last one; binary data
// while no binary packet is pending is ErrUnexpectedBinary. The returned
// packet's Data and Attachments stay valid until the next call.
func (d *Decoder) Binary(b []byte) (p Packet, done bool, err error) {
	pp := d.pending
	if pp == nil {
		return Packet{}, false, ErrUnexpectedBinary
	}
	pp.bufs = append(pp.bufs, append([]byte(nil), b...))
	if len(pp.bufs) < pp.p.NumAttachments {
		return Packet{}, false, nil
	}
	p = pp.p
	p.Attachments = pp.bufs
	// Hand the buffers to the caller and hold nothing: the next binary
	// packet allocates its own.
	d.pending = nil
	return p, true, nil
}

// Awaiting returns the number of attachments the pending binary packet
// still waits for, zero when none is pending.
func (d *Decoder) Awaiting() int {
	if d.pending == nil {
		return 0
	}
	return d.pending.p.NumAttachments - len(d.pending.bufs)
}

// Reset drops a pending binary packet and its attachments.
func (d *Decoder) Reset() { d.pending = nil }

// String describes the decoder's state, for logs.
func (d *Decoder) String() string {
	if n := d.Awaiting(); n > 0 {
		return fmt.Sprintf("socketio: %v awaiting %d of %d attachments", d.pending.p.Type, n, d.pending.p.NumAttachments)
	}
	return "socketio: idle"
}
