package websocket

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gotio/gotio/codec"
)

var errBadDial = fmt.Errorf("websocket: Dial.Host and Dial.Path must hold no spaces or control characters: %w", codec.ErrUnsupported)

// Open writes a client stream's upgrade request (Config.Dial); a server
// stream writes nothing. A client stream reads the server's 101 before any
// frame, and never offers permessage-deflate.
func (s *Stream) Open(dst []byte) ([]byte, error) {
	if !s.client {
		return dst, nil
	}
	d := s.c.cfg.Dial
	if d == nil {
		d = &Dial{}
	}
	host, path := d.Host, d.Path
	if host == "" && s.info.RemoteAddr != nil {
		host = s.info.RemoteAddr.String()
	}
	if path == "" {
		path = "/"
	}
	if !token(host) || !token(path) {
		return dst, errBadDial
	}
	var k [16]byte
	_, _ = rand.Read(k[:]) // crypto/rand.Read does not fail
	key := base64.StdEncoding.EncodeToString(k[:])
	s.accept = acceptKey(key)
	dst = append(dst, "GET "...)
	dst = append(dst, path...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, host...)
	dst = append(dst, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "...)
	dst = append(dst, key...)
	dst = append(dst, "\r\n"...)
	if len(d.Subprotocols) > 0 {
		dst = append(dst, "Sec-WebSocket-Protocol: "...)
		dst = append(dst, strings.Join(d.Subprotocols, ", ")...)
		dst = append(dst, "\r\n"...)
	}
	dst = appendHeader(dst, d.Header)
	return append(dst, "\r\n"...), nil
}

// token reports whether s is non-empty and free of spaces and controls.
func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// decodeResponse reads the server's reply to the upgrade request.
func (s *Stream) decodeResponse(in []byte, out codec.Output) (int, int, error) {
	cfg := &s.c.cfg
	end, status := scanHead(in, cfg.MaxHeaderBytes, cfg.MaxHeaders, validStatusLine)
	switch {
	case status != 0:
		return 0, 0, &HandshakeError{Reason: "malformed upgrade reply", Err: codec.ErrProtocol}
	case end == 0:
		return 0, len(in) + 1, nil
	case s.accept == "":
		return 0, 0, &HandshakeError{Reason: "reply before the request (Open not called)", Err: codec.ErrProtocol}
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(bytes.NewReader(in[:end]), end), nil)
	if err != nil {
		return 0, 0, &HandshakeError{Reason: "malformed upgrade reply", Err: codec.ErrProtocol}
	}
	fail := func(reason string) (int, int, error) {
		return 0, 0, &HandshakeError{Status: resp.StatusCode, Reason: reason, Err: codec.ErrProtocol}
	}
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		return fail("upgrade refused")
	case !hasToken(resp.Header, "Upgrade", "websocket"):
		return fail("reply lacks Upgrade: websocket")
	case !hasToken(resp.Header, "Connection", "upgrade"):
		return fail("reply lacks Connection: upgrade")
	case resp.Header.Get("Sec-WebSocket-Accept") != s.accept:
		return fail("wrong Sec-WebSocket-Accept")
	case resp.Header.Get("Sec-WebSocket-Extensions") != "":
		return fail("extension not offered")
	}
	d := s.c.cfg.Dial
	if d == nil {
		d = &Dial{}
	}
	sub := resp.Header.Get("Sec-WebSocket-Protocol")
	if sub != "" && !slices.Contains(d.Subprotocols, sub) {
		return fail("subprotocol not offered")
	}
	path := d.Path
	if path == "" {
		path = "/"
	}
	var offered []string
	if sub != "" {
		offered = []string{sub}
	}
	route, _ := s.c.selectRoute(path, offered)
	if route < 0 {
		return fail("no route for the selected subprotocol")
	}
	sess := s.start(route, path, sub, deflateParams{})
	out.Handshaken(codec.Handshake{Protocol: s.Protocol(), Path: path})
	if err := s.openInner(sess, out); err != nil {
		return 0, 0, err
	}
	return end, 0, nil
}
