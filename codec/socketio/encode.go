package socketio

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gotio/gotio/codec"
)

// AppendPacket appends the text form of p: type, attachment count (binary
// types), namespace and ',' (when not "/"), ack id, then p.Data as it is.
// The caller gives Data as compact JSON valid for the type; the
// attachments of a binary packet travel after it, each as an engine.io
// binary message. On an error AppendPacket appends nothing.
func AppendPacket(dst []byte, p *Packet) ([]byte, error) {
	if !p.Type.Valid() {
		return dst, fmt.Errorf("socketio: encode %v: %w", p.Type, codec.ErrUnsupported)
	}
	if p.Type.IsBinary() && p.NumAttachments < 1 {
		return dst, fmt.Errorf("socketio: %v without attachments: %w", p.Type, codec.ErrUnsupported)
	}
	if err := checkNamespace(p.Namespace); err != nil {
		return dst, err
	}
	if p.HasID && p.ID > maxID {
		return dst, fmt.Errorf("socketio: ack id %d past 2^53-1: %w", p.ID, codec.ErrUnsupported)
	}
	dst = append(dst, '0'+byte(p.Type))
	if p.Type.IsBinary() {
		dst = strconv.AppendInt(dst, int64(p.NumAttachments), 10)
		dst = append(dst, '-')
	}
	dst = appendNamespace(dst, p.Namespace)
	if p.HasID {
		dst = strconv.AppendUint(dst, p.ID, 10)
	}
	return append(dst, p.Data...), nil
}

func checkNamespace(nsp string) error {
	if nsp == "" || nsp == MainNamespace {
		return nil
	}
	if nsp[0] != '/' {
		return fmt.Errorf("%w: %q", ErrNamespace, nsp)
	}
	for i := 0; i < len(nsp); i++ {
		if nsp[i] == ',' {
			return fmt.Errorf("%w: %q", ErrNamespace, nsp)
		}
	}
	return nil
}

func appendNamespace(dst []byte, nsp string) []byte {
	if nsp == "" || nsp == MainNamespace {
		return dst
	}
	dst = append(dst, nsp...)
	return append(dst, ',')
}

// Header says where an event or ack goes: its namespace ("" or "/" for
// the main one) and its ack id, if it has one.
type Header struct {
	Namespace string
	ID        uint64
	HasID     bool
}

// Arg is one argument of an event or ack: a JSON value, or, when Binary is
// non-nil, a binary attachment.
type Arg struct {
	JSON   []byte
	Binary []byte
}

// AppendEvent appends an EVENT carrying name and args, as socket.io-parser's
// Encoder writes it: ["name",arg,…]. When some args are binary it writes a
// BINARY_EVENT instead, each binary arg replaced by the placeholder
// {"_placeholder":true,"num":i} (i counting binary args from 0); the caller
// then sends those args' bytes, in order, as engine.io binary messages.
// JSON args are copied as they are and must be valid JSON. A reserved name
// ("connect", "disconnect", …) is refused, as socket.io's emit refuses it.
func AppendEvent(dst []byte, h Header, name string, args ...Arg) ([]byte, error) {
	if IsReserved(name) {
		return dst, fmt.Errorf("socketio: %q is a reserved event name: %w", name, codec.ErrUnsupported)
	}
	return appendArgs(dst, Event, h, name, true, args)
}

// AppendAck appends an ACK answering ack id h.ID with args: [arg,…], or a
// BINARY_ACK when some args are binary (see AppendEvent).
func AppendAck(dst []byte, h Header, args ...Arg) ([]byte, error) {
	if !h.HasID {
		return dst, fmt.Errorf("socketio: ACK without an id: %w", codec.ErrUnsupported)
	}
	return appendArgs(dst, Ack, h, "", false, args)
}

func appendArgs(dst []byte, t Type, h Header, name string, named bool, args []Arg) ([]byte, error) {
	n := 0
	for i := range args {
		if args[i].Binary != nil {
			n++
		} else if len(args[i].JSON) == 0 {
			return dst, fmt.Errorf("socketio: %v argument %d is empty: %w", t, i, codec.ErrUnsupported)
		}
	}
	if n > 0 {
		t += BinaryEvent - Event // Event→BinaryEvent, Ack→BinaryAck
	}
	dst, err := AppendPacket(dst, &Packet{Type: t, Namespace: h.Namespace, ID: h.ID, HasID: h.HasID, NumAttachments: n})
	if err != nil {
		return dst, err
	}
	dst = append(dst, '[')
	if named {
		dst = appendJSONString(dst, name)
	}
	num := 0
	for i := range args {
		if named || i > 0 {
			dst = append(dst, ',')
		}
		if args[i].Binary != nil {
			dst = appendPlaceholder(dst, num)
			num++
		} else {
			dst = append(dst, args[i].JSON...)
		}
	}
	return append(dst, ']'), nil
}

// appendPlaceholder appends socket.io-parser's placeholder for attachment
// num.
func appendPlaceholder(dst []byte, num int) []byte {
	dst = append(dst, `{"_placeholder":true,"num":`...)
	dst = strconv.AppendInt(dst, int64(num), 10)
	return append(dst, '}')
}

// AppendConnect appends the server's answer granting namespace nsp to the
// client: CONNECT with {"sid":sid}.
func AppendConnect(dst []byte, nsp, sid string) ([]byte, error) {
	if err := checkNamespace(nsp); err != nil {
		return dst, err
	}
	dst = append(dst, '0'+byte(Connect))
	dst = appendNamespace(dst, nsp)
	dst = append(dst, `{"sid":`...)
	dst = appendJSONString(dst, sid)
	return append(dst, '}'), nil
}

// AppendConnectError appends the server's refusal of namespace nsp:
// CONNECT_ERROR with {"message":message}, as socket.io@4 writes it for an
// unknown namespace ("Invalid namespace") or a middleware's error, and
// {"message":message,"data":data} when data (JSON, the middleware error's
// data) is not empty.
func AppendConnectError(dst []byte, nsp, message string, data []byte) ([]byte, error) {
	if err := checkNamespace(nsp); err != nil {
		return dst, err
	}
	if len(data) > 0 && !json.Valid(data) {
		return dst, fmt.Errorf("socketio: CONNECT_ERROR data is not JSON: %w", codec.ErrUnsupported)
	}
	dst = append(dst, '0'+byte(ConnectError))
	dst = appendNamespace(dst, nsp)
	dst = append(dst, `{"message":`...)
	dst = appendJSONString(dst, message)
	if len(data) > 0 {
		dst = append(dst, `,"data":`...)
		dst = append(dst, data...)
	}
	return append(dst, '}'), nil
}

// AppendDisconnect appends a DISCONNECT from namespace nsp.
func AppendDisconnect(dst []byte, nsp string) ([]byte, error) {
	return AppendPacket(dst, &Packet{Type: Disconnect, Namespace: nsp})
}
