package websocket

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/gotio/gotio/codec"
)

// acceptGUID is RFC 6455's fixed GUID, appended to the client's key to
// prove the server read the upgrade.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey returns the Sec-WebSocket-Accept answering key.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// decodeRequest reads the HTTP request a server connection starts with and
// either upgrades, serves it with Config.HTTP, or refuses it.
func (s *Stream) decodeRequest(in []byte, out codec.Output) (int, int, error) {
	cfg := &s.c.cfg
	end, status := scanHead(in, cfg.MaxHeaderBytes, cfg.MaxHeaders)
	switch {
	case status == http.StatusRequestHeaderFieldsTooLarge:
		return 0, 0, s.refuse(out, status, nil, "request header too large", codec.ErrTooLarge)
	case status != 0:
		return 0, 0, s.refuse(out, status, nil, "malformed request", codec.ErrProtocol)
	case end == 0:
		return 0, len(in) + 1, nil
	}
	req, err := http.ReadRequest(bufio.NewReaderSize(bytes.NewReader(in[:end]), end))
	if err != nil {
		return 0, 0, s.refuse(out, http.StatusBadRequest, nil, "malformed request", codec.ErrProtocol)
	}
	if s.info.RemoteAddr != nil {
		req.RemoteAddr = s.info.RemoteAddr.String()
	}
	if !hasToken(req.Header, "Upgrade", "websocket") {
		return s.serveHTTP(in, end, req, out)
	}
	if err := s.upgrade(req, out); err != nil {
		return 0, 0, err
	}
	return end, 0, nil
}

// upgrade validates an upgrade request, selects the route and answers 101,
// or refuses with the status that says why.
func (s *Stream) upgrade(req *http.Request, out codec.Output) error {
	bad := func(msg string) error {
		return s.refuse(out, http.StatusBadRequest, nil, msg, codec.ErrProtocol)
	}
	switch {
	case req.Method != http.MethodGet:
		return s.refuse(out, http.StatusMethodNotAllowed, http.Header{"Allow": {"GET"}},
			"websocket upgrade needs GET", codec.ErrProtocol)
	case !req.ProtoAtLeast(1, 1):
		return bad("websocket upgrade needs HTTP/1.1")
	case !hasToken(req.Header, "Connection", "upgrade"):
		return bad("Connection header lacks upgrade")
	case req.Host == "":
		return bad("missing Host header")
	case req.ContentLength != 0 || len(req.TransferEncoding) > 0:
		return bad("upgrade request with a body")
	}
	if v := req.Header.Values("Sec-WebSocket-Version"); len(v) != 1 || strings.TrimSpace(v[0]) != "13" {
		return s.refuse(out, http.StatusUpgradeRequired, http.Header{"Sec-WebSocket-Version": {"13"}},
			"unsupported websocket version", codec.ErrProtocol)
	}
	keys := req.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return bad("bad Sec-WebSocket-Key")
	}
	key := strings.TrimSpace(keys[0])
	if k, err := base64.StdEncoding.DecodeString(key); err != nil || len(k) != 16 {
		return bad("bad Sec-WebSocket-Key")
	}

	r := &Request{
		HTTP:         req,
		Path:         req.URL.Path,
		Origin:       req.Header.Get("Origin"),
		Subprotocols: tokens(req.Header, "Sec-WebSocket-Protocol"),
		RemoteAddr:   s.info.RemoteAddr,
		LocalAddr:    s.info.LocalAddr,
	}
	check := s.c.cfg.CheckOrigin
	if check == nil {
		check = sameOrigin
	}
	if !check(r) {
		return s.refuse(out, http.StatusForbidden, nil, "origin not allowed", codec.ErrProtocol)
	}
	route, pathMatched := s.c.selectRoute(r.Path, r.Subprotocols)
	if route < 0 {
		if !pathMatched {
			return s.refuse(out, http.StatusNotFound, nil, "no websocket service at this path", codec.ErrProtocol)
		}
		return bad("no supported subprotocol")
	}
	r.Subprotocol = s.c.routes[route].Subprotocol
	var extra http.Header
	if s.c.cfg.Accept != nil {
		status, h := s.c.cfg.Accept(r)
		if status != 0 && status != http.StatusSwitchingProtocols {
			return s.refuse(out, status, h, http.StatusText(status), codec.ErrProtocol)
		}
		extra = h
	}
	ext, dp := s.c.negotiateDeflate(req.Header)

	bp := getBuf()
	b := append((*bp)[:0], "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	b = append(b, acceptKey(key)...)
	b = append(b, "\r\n"...)
	if r.Subprotocol != "" {
		b = append(b, "Sec-WebSocket-Protocol: "...)
		b = append(b, r.Subprotocol...)
		b = append(b, "\r\n"...)
	}
	if ext != "" {
		b = append(b, "Sec-WebSocket-Extensions: "...)
		b = append(b, ext...)
		b = append(b, "\r\n"...)
	}
	b = appendHeader(b, extra)
	b = append(b, "\r\n"...)
	out.Reply(b)
	putBuf(bp, b)

	sess := s.start(route, r.Path, r.Subprotocol, dp)
	out.Handshaken(codec.Handshake{Protocol: s.Protocol(), Path: r.Path})
	return s.openInner(sess, out)
}

// sameOrigin is the default CheckOrigin: no Origin, or an Origin whose
// host is the Host header.
func sameOrigin(r *Request) bool {
	if r.Origin == "" {
		return true
	}
	u, err := url.Parse(r.Origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.HTTP.Host)
}

// scanHead finds the end of the HTTP head (start line and headers) at the
// front of in. It returns end > 0 past the blank line that ends it, end 0
// when more bytes are needed, and an HTTP status when the head is not HTTP
// (400) or breaks maxBytes or maxHeaders (431). The start line is judged
// as soon as it is whole, and its first bytes before that, so that a peer
// speaking something else is refused at once rather than at the limit.
func scanHead(in []byte, maxBytes, maxHeaders int) (end, status int) {
	if len(in) > 0 && (in[0] < 'A' || in[0] > 'Z') {
		return 0, http.StatusBadRequest
	}
	limit := min(len(in), maxBytes)
	for pos, lines := 0, 0; ; lines++ {
		i := bytes.IndexByte(in[pos:limit], '\n')
		if i < 0 {
			if lines == 0 && !textLine(in[:limit]) {
				return 0, http.StatusBadRequest
			}
			if len(in) >= maxBytes {
				return 0, http.StatusRequestHeaderFieldsTooLarge
			}
			return 0, 0
		}
		line := in[pos : pos+i]
		line = bytes.TrimSuffix(line, []byte{'\r'})
		switch {
		case lines == 0:
			if !textLine(line) || !validRequestLine(line) {
				return 0, http.StatusBadRequest
			}
		case len(line) == 0:
			return pos + i + 1, 0
		case lines > maxHeaders:
			return 0, http.StatusRequestHeaderFieldsTooLarge
		}
		pos += i + 1
	}
}

// textLine reports whether b holds no control bytes but tab and CR.
func textLine(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

// validRequestLine reports whether line looks like "METHOD target HTTP/x.y".
func validRequestLine(line []byte) bool {
	method, rest, ok := bytes.Cut(line, []byte{' '})
	if !ok || len(method) == 0 {
		return false
	}
	for _, c := range method {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	target, proto, ok := bytes.Cut(rest, []byte{' '})
	return ok && len(target) > 0 && validProto(proto)
}

func validProto(p []byte) bool {
	return len(p) == 8 && bytes.HasPrefix(p, []byte("HTTP/")) &&
		p[5] >= '0' && p[5] <= '9' && p[6] == '.' && p[7] >= '0' && p[7] <= '9'
}

// tokens returns the comma-separated tokens of every name header, trimmed,
// empty ones dropped.
func tokens(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// hasToken reports whether a name header lists token, ignoring case.
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// appendHeader appends h in wire form, sorted, newlines in values made
// spaces by http.Header.Write so that a value cannot inject a header.
func appendHeader(dst []byte, h http.Header) []byte {
	if len(h) == 0 {
		return dst
	}
	var buf bytes.Buffer
	_ = h.Write(&buf)
	return append(dst, buf.Bytes()...)
}
