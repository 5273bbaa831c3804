package websocket

import (
	"encoding/binary"
	"errors"
	"unicode/utf8"

	"github.com/gotio/gotio/codec"
)

// decodeFrame decodes the frame at the front of in. It returns the bytes
// consumed (the whole frame or nothing) and, when in holds less than a
// frame, the bytes it needs. Every rule that can be judged from the header
// is judged before the payload is waited for.
func (s *Stream) decodeFrame(in []byte, out codec.Output) (int, int, error) {
	if len(in) < 2 {
		return 0, 2, nil
	}
	if err := s.checkStart(in[0], in[1], out); err != nil {
		return 0, 0, err
	}
	hs := headerSize(in[1])
	if len(in) < hs {
		return 0, hs, nil
	}
	var h frameHeader
	if !parseHeader(in, &h) {
		return 0, 0, s.fail(out, CloseProtocolError, "frame length over 2^63", codec.ErrProtocol)
	}
	if err := s.checkLength(&h, out); err != nil {
		return 0, 0, err
	}
	total := h.size + int(h.length)
	if len(in) < total {
		return 0, total, nil
	}
	payload := in[h.size:total]
	if h.masked {
		maskBytes(h.key, payload)
	}
	return total, 0, s.onFrame(&h, payload, out)
}

// checkStart judges the first two header bytes: opcode, fragmentation
// order, RSV bits, the control frame limits and masking.
func (s *Stream) checkStart(b0, b1 byte, out codec.Output) error {
	op := b0 & 0x0f
	switch op {
	case opContinuation:
		if s.frag == nil {
			return s.fail(out, CloseProtocolError, "continuation frame outside a message", codec.ErrProtocol)
		}
	case opText, opBinary:
		if s.frag != nil {
			return s.fail(out, CloseProtocolError, "new message inside a fragmented message", codec.ErrProtocol)
		}
	case opClose, opPing, opPong:
		if b0&finBit == 0 {
			return s.fail(out, CloseProtocolError, "fragmented control frame", codec.ErrProtocol)
		}
		if b1&0x7f > maxControlPayload {
			return s.fail(out, CloseProtocolError, "control frame over 125 bytes", codec.ErrProtocol)
		}
	default:
		return s.fail(out, CloseProtocolError, "reserved opcode", codec.ErrProtocol)
	}
	if rsv := b0 & rsvBits; rsv != 0 {
		// RSV1 marks a compressed message, on its first frame only.
		if rsv != rsv1Bit || !s.rs.deflate || (op != opText && op != opBinary) {
			return s.fail(out, CloseProtocolError, "reserved bits set", codec.ErrProtocol)
		}
	}
	if b1&maskBit == 0 {
		return s.fail(out, CloseProtocolError, "unmasked client frame", codec.ErrProtocol)
	}
	return nil
}

// checkLength refuses a data frame that would take its message over
// MaxMessageSize, or a fragment over a positive MaxFragments, before it is
// buffered.
func (s *Stream) checkLength(h *frameHeader, out codec.Output) error {
	if h.op >= opClose {
		return nil
	}
	limit := uint64(s.c.cfg.MaxMessageSize)
	if h.rsv&rsv1Bit != 0 || (s.frag != nil && s.fragComp) {
		// Incompressible data grows a little when deflated (stored
		// blocks, a flush per fragment): allow for it on the wire. The
		// limit proper applies to the decompressed message.
		limit += limit/16 + 64
	}
	if s.frag != nil {
		limit -= uint64(len(*s.frag))
		if lim := s.c.cfg.MaxFragments; lim > 0 && s.frags >= lim {
			return s.fail(out, CloseTooLarge, "too many fragments", codec.ErrTooLarge)
		}
	}
	if h.length > limit {
		return s.fail(out, CloseTooLarge, "message too big", codec.ErrTooLarge)
	}
	return nil
}

// onFrame acts on a whole, unmasked frame.
func (s *Stream) onFrame(h *frameHeader, payload []byte, out codec.Output) error {
	switch h.op {
	case opPing:
		if !s.closeSent.Load() {
			s.replyControl(out, opPong, payload)
		}
		return nil
	case opPong:
		return nil // unsolicited or not, a pong needs no answer
	case opClose:
		return s.onClose(payload, out)
	case opText, opBinary:
		compressed := h.rsv&rsv1Bit != 0
		if h.fin {
			return s.onMessage(h.op == opBinary, compressed, payload, false, out)
		}
		s.frag = getBuf()
		*s.frag = append((*s.frag)[:0], payload...)
		s.fragOp, s.fragComp, s.frags, s.fragValid = h.op, compressed, 1, 0
		return s.checkFragmentUTF8(false, out)
	}
	// opContinuation: checkStart made sure a message is in flight.
	*s.frag = append(*s.frag, payload...)
	s.frags++
	if err := s.checkFragmentUTF8(h.fin, out); err != nil {
		return err
	}
	if !h.fin {
		return nil
	}
	err := s.onMessage(s.fragOp == opBinary, s.fragComp, *s.frag, true, out)
	s.dropFragments()
	return err
}

// checkFragmentUTF8 validates the text received so far of an uncompressed
// fragmented text message, from where the last check stopped; fin says the
// message must now end on a whole character.
func (s *Stream) checkFragmentUTF8(fin bool, out codec.Output) error {
	if s.fragOp != opText || s.fragComp {
		return nil
	}
	b := *s.frag
	tail, ok := validUTF8Prefix(b[s.fragValid:])
	if !ok || (fin && tail != 0) {
		return s.fail(out, CloseInvalidPayload, "invalid UTF-8 in text message", codec.ErrProtocol)
	}
	s.fragValid = len(b) - tail
	return nil
}

// dropFragments forgets the fragmented message in flight.
func (s *Stream) dropFragments() {
	if s.frag != nil {
		putBuf(s.frag, *s.frag)
		s.frag = nil
	}
	s.fragOp, s.fragComp, s.frags, s.fragValid = 0, false, 0, 0
}

// onMessage handles a whole message: decompress, validate text, deliver.
// validated says the text was checked fragment by fragment.
func (s *Stream) onMessage(binary, compressed bool, payload []byte, validated bool, out codec.Output) error {
	var bp *[]byte
	if compressed {
		bp = getBuf()
		b, err := s.inflate((*bp)[:0], payload)
		if err != nil {
			putBuf(bp, b)
			if errors.Is(err, codec.ErrTooLarge) {
				return s.fail(out, CloseTooLarge, "message too big", err)
			}
			return s.fail(out, CloseInvalidPayload, "invalid compressed data", err)
		}
		payload, validated = b, false
		defer putBuf(bp, b)
	}
	if !binary && !validated && !utf8.Valid(payload) {
		return s.fail(out, CloseInvalidPayload, "invalid UTF-8 in text message", codec.ErrProtocol)
	}
	return s.deliver(payload, binary, out)
}

// onClose answers the peer's close frame and ends the session.
func (s *Stream) onClose(payload []byte, out codec.Output) error {
	code, reason := CloseNoStatus, ""
	switch {
	case len(payload) == 1:
		return s.fail(out, CloseProtocolError, "close frame with a 1-byte body", codec.ErrProtocol)
	case len(payload) >= 2:
		code = int(binary.BigEndian.Uint16(payload))
		if !validCloseCode(code) {
			return s.fail(out, CloseProtocolError, "invalid close code", codec.ErrProtocol)
		}
		if !utf8.Valid(payload[2:]) {
			return s.fail(out, CloseInvalidPayload, "invalid UTF-8 in close reason", codec.ErrProtocol)
		}
		reason = string(payload[2:])
	}
	if !s.closeSent.Swap(true) {
		echo := code
		if echo == CloseNoStatus {
			echo = 0 // answer a bare close with a bare close
		}
		bp := getBuf()
		b := appendClose((*bp)[:0], echo, "")
		out.Reply(b)
		putBuf(bp, b)
	}
	return &CloseError{Code: code, Reason: reason, Err: codec.ErrPeerClosed}
}
