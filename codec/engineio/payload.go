package engineio

import "io"

// AppendPayload appends packets as one polling payload: each packet as
// AppendPollingPacket writes it, joined by Separator. On an error it
// returns dst as it came.
func AppendPayload(dst []byte, packets ...Packet) ([]byte, error) {
	start := len(dst)
	for i := range packets {
		if i > 0 {
			dst = append(dst, Separator)
		}
		var err error
		if dst, err = AppendPollingPacket(dst, &packets[i]); err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// PayloadDecoder splits a polling payload (a POST body, or a GET response
// on the client side) into its packets, in order. Use it as
//
//	d := engineio.NewPayloadDecoder(body)
//	for {
//		p, scratch, err = d.Next(scratch[:0])
//		if err == io.EOF { break }
//		if err != nil { ... }
//		...
//	}
//
// As engine.io-parser does, it treats the payload as a list split at every
// separator: an empty payload, or an empty packet between two separators,
// is an error (ErrEmptyPacket), and a bad packet ends the payload (the
// reference stops at its first "error" packet, and the server closes the
// session on it). A PayloadDecoder is not safe for concurrent use.
type PayloadDecoder struct {
	rest []byte
	done bool
}

// NewPayloadDecoder returns a decoder of payload.
func NewPayloadDecoder(payload []byte) PayloadDecoder {
	return PayloadDecoder{rest: payload}
}

// Reset makes d decode payload from the start.
func (d *PayloadDecoder) Reset(payload []byte) { *d = PayloadDecoder{rest: payload} }

// Next returns the next packet, decoded as ParseText does (base64 data is
// appended to dst, and out is dst extended). At the end of the payload it
// returns io.EOF; after an error it keeps returning io.EOF.
func (d *PayloadDecoder) Next(dst []byte) (p Packet, out []byte, err error) {
	if d.done {
		return Packet{}, dst, io.EOF
	}
	b := d.rest
	for i, c := range b {
		if c == Separator {
			b, d.rest = b[:i], b[i+1:]
			goto parse
		}
	}
	d.done, d.rest = true, nil
parse:
	p, out, err = ParseText(dst, b)
	if err != nil {
		d.done, d.rest = true, nil
	}
	return p, out, err
}
