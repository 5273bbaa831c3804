package pomelo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
)

// ErrRefused reports a handshake that was refused: by the server's
// OnHandshake (server side) or in the server's reply (client side). It
// wraps codec.ErrProtocol on the server, codec.ErrPeerClosed on the client.
var ErrRefused = errors.New("pomelo: handshake refused")

// handshake handles a client's handshake package on a server stream: it
// decides, and replies with pomelo's reply or with {"code": …} and an
// error that closes the connection.
func (s *serverStream) handshake(body []byte, out codec.Output) error {
	c := s.c
	info, ok := parseHello(body)
	if !ok {
		out.Reply(codeReply(CodeError))
		return fmt.Errorf("pomelo: handshake without sys: %w: %w", ErrRefused, codec.ErrProtocol)
	}
	info.RemoteAddr, info.LocalAddr = s.info.RemoteAddr, s.info.LocalAddr
	if min, ok := c.minVersions.check(info.Type, info.Version); !ok {
		c.oldClients.Add(1)
		out.Reply(codeReply(CodeOldClient))
		return fmt.Errorf("%w with code %d: %w: %s %q, minimum %q: %w",
			ErrRefused, CodeOldClient, ErrOldClient, info.Type, info.Version, min, codec.ErrProtocol)
	}
	code, user := CodeOK, any(nil)
	if c.onHandshake != nil {
		code, user = c.onHandshake(&info)
		if code == 0 {
			code = CodeOK
		}
	}
	var userJSON []byte
	if code == CodeOK && user != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // JSON.stringify does not escape <, >, &
		if err := enc.Encode(user); err != nil {
			out.Reply(codeReply(CodeError))
			return fmt.Errorf("pomelo: handshake user reply: %v: %w", err, codec.ErrProtocol)
		}
		userJSON = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	if code == CodeOldClient {
		c.oldClients.Add(1)
		out.Reply(codeReply(code))
		return fmt.Errorf("%w with code %d: %w: %s %q: %w", ErrRefused, code, ErrOldClient, info.Type, info.Version, codec.ErrProtocol)
	}
	if code != CodeOK {
		out.Reply(codeReply(code))
		return fmt.Errorf("%w with code %d: %w", ErrRefused, code, codec.ErrProtocol)
	}
	withDict := c.dict != nil && (info.DictVersion == "" || info.DictVersion != c.dict.version)
	withProtos := c.useProto && (info.ProtoVersion == "" || info.ProtoVersion != c.protoVersion)
	sys := c.sys[b2i(withDict)][b2i(withProtos)]
	dst, start := beginPackage(make([]byte, 0, HeaderLen+len(sys)+len(userJSON)+32), TypeHandshake)
	dst = append(dst, `{"code":200,"sys":`...)
	dst = append(dst, sys...)
	if userJSON != nil {
		dst = append(dst, `,"user":`...)
		dst = append(dst, userJSON...)
	}
	dst = append(dst, '}')
	dst, err := endPackage(dst, start)
	if err != nil {
		out.Reply(codeReply(CodeError))
		return err
	}
	out.Reply(dst)
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// codeReply is the handshake package pomelo sends when it refuses.
func codeReply(code int) []byte {
	b := strconv.AppendInt([]byte{TypeHandshake, 0, 0, 0, '{', '"', 'c', 'o', 'd', 'e', '"', ':'}, int64(code), 10)
	b = append(b, '}')
	n := len(b) - HeaderLen
	b[2], b[3] = byte(n>>8), byte(n)
	return b
}

// parseHello reads a client's handshake JSON. ok is false when pomelo
// would answer 500: not JSON, or no sys object.
func parseHello(body []byte) (info HandshakeInfo, ok bool) {
	var h struct {
		Sys  json.RawMessage `json:"sys"`
		User json.RawMessage `json:"user"`
	}
	if json.Unmarshal(body, &h) != nil {
		return info, false
	}
	var sys struct {
		Type         json.RawMessage `json:"type"`
		Version      json.RawMessage `json:"version"`
		ProtoVersion json.RawMessage `json:"protoVersion"`
		DictVersion  json.RawMessage `json:"dictVersion"`
		RSA          json.RawMessage `json:"rsa"`
	}
	if len(h.Sys) == 0 || h.Sys[0] != '{' || json.Unmarshal(h.Sys, &sys) != nil {
		return info, false
	}
	info.Type = rawString(sys.Type)
	info.Version = rawString(sys.Version)
	info.ProtoVersion = rawString(sys.ProtoVersion)
	info.DictVersion = rawString(sys.DictVersion)
	info.RSA = sys.RSA
	info.Sys = h.Sys
	if len(h.User) > 0 && string(h.User) != "null" {
		info.User = h.User
	}
	return info, true
}

// rawString returns a JSON string's value, a number's text, or "" for
// anything else: pomelo compares versions with ===, so only a string can
// match.
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
		return string(raw)
	}
	return ""
}

// hello is a client's handshake body.
type hello struct {
	Sys struct {
		Type         string `json:"type"`
		Version      string `json:"version"`
		DictVersion  string `json:"dictVersion,omitempty"`
		ProtoVersion string `json:"protoVersion,omitempty"`
	} `json:"sys"`
	User json.RawMessage `json:"user"`
}

// newHello reads the client side of cfg into the handshake body it sends.
func newHello(cfg *Config) (*hello, error) {
	h := &hello{User: []byte("{}")}
	h.Sys.Type, h.Sys.Version = cfg.ClientType, cfg.ClientVersion
	if h.Sys.Type == "" {
		h.Sys.Type = "gotio-go"
	}
	if h.Sys.Version == "" {
		h.Sys.Version = "1.0.0"
	}
	if cfg.ClientUser != nil {
		var err error
		if h.User, err = json.Marshal(cfg.ClientUser); err != nil {
			return nil, fmt.Errorf("pomelo: ClientUser: %w", err)
		}
	}
	return h, nil
}

// appendTo appends a client's handshake package, with the versions of
// cached when it holds any.
func (h hello) appendTo(dst []byte, cached *Cache) ([]byte, error) {
	if cached != nil {
		h.Sys.DictVersion, h.Sys.ProtoVersion = cached.DictVersion, cached.ProtoVersion
	}
	body, err := json.Marshal(h)
	if err != nil {
		return dst, err
	}
	return AppendPackage(dst, TypeHandshake, body)
}

// clientSession is what a client stream learned from the handshake reply.
// It never changes once stored.
type clientSession struct {
	dict                       map[string]uint16
	abbrs                      map[uint16]string
	serverProtos, clientProtos *protobuf.Schema // decode pushes/responses, encode requests
	heartbeat                  float64          // seconds, as announced
	format                     string
}

// parseReply reads a server's handshake reply on a client stream. cached
// is what the stream's hello announced; what the reply leaves out because
// the versions matched is taken from it. save is the Cache to store when
// the reply brought a versioned dictionary or schemas, nil otherwise.
func (c *Codec) parseReply(body []byte, cached *Cache) (sess *clientSession, code int, user json.RawMessage, save *Cache, err error) {
	var r struct {
		Code int `json:"code"`
		Sys  struct {
			Heartbeat   float64         `json:"heartbeat"`
			Dict        map[string]int  `json:"dict"`
			RouteToCode map[string]int  `json:"routeToCode"`
			DictVersion string          `json:"dictVersion"`
			UseDict     bool            `json:"useDict"`
			Protos      json.RawMessage `json:"protos"`
			UseProto    bool            `json:"useProto"`
		} `json:"sys"`
		User json.RawMessage `json:"user"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, 0, nil, nil, fmt.Errorf("pomelo: handshake reply: %v: %w", err, codec.ErrProtocol)
	}
	if r.Code != CodeOK {
		return nil, r.Code, r.User, nil, nil
	}
	if cached == nil {
		cached = &Cache{}
	}
	next := *cached
	sess = &clientSession{heartbeat: r.Sys.Heartbeat}
	sent := r.Sys.Dict
	if sent == nil {
		sent = r.Sys.RouteToCode
	}
	var dict map[string]uint16
	switch {
	case sent != nil:
		dict = make(map[string]uint16, len(sent))
		for route, code := range sent {
			if code <= 0 || code > 0xFFFF {
				return nil, 0, nil, nil, fmt.Errorf("pomelo: handshake reply: route %q has code %d: %w", route, code, codec.ErrProtocol)
			}
			dict[route] = uint16(code)
		}
		if r.Sys.DictVersion != "" && r.Sys.DictVersion != cached.DictVersion {
			next.DictVersion, next.Dict = r.Sys.DictVersion, dict
			save = &next
		}
	case r.Sys.UseDict && cached.DictVersion != "":
		dict = cached.Dict // the server has the version we sent
	}
	if len(dict) > 0 {
		sess.dict = dict
		sess.abbrs = make(map[uint16]string, len(dict))
		for route, code := range dict {
			sess.abbrs[code] = route
		}
	}
	protos := r.Sys.Protos
	if string(protos) == "null" {
		protos = nil
	}
	switch {
	case protos != nil:
		var v struct {
			Version string `json:"version"`
		}
		_ = json.Unmarshal(protos, &v)
		if v.Version != "" && v.Version != cached.ProtoVersion {
			next.ProtoVersion, next.Protos = v.Version, append(json.RawMessage(nil), protos...)
			save = &next
		}
	case r.Sys.UseProto && cached.ProtoVersion != "":
		protos = cached.Protos
	}
	if protos != nil {
		var p struct {
			Server json.RawMessage `json:"server"`
			Client json.RawMessage `json:"client"`
		}
		if err := json.Unmarshal(protos, &p); err != nil {
			return nil, 0, nil, nil, fmt.Errorf("pomelo: handshake reply protos: %v: %w", err, codec.ErrProtocol)
		}
		for _, side := range []struct {
			raw json.RawMessage
			dst **protobuf.Schema
		}{{p.Server, &sess.serverProtos}, {p.Client, &sess.clientProtos}} {
			if len(side.raw) == 0 || string(side.raw) == "null" {
				continue
			}
			s := new(protobuf.Schema)
			if err := s.UnmarshalJSON(side.raw); err != nil {
				return nil, 0, nil, nil, fmt.Errorf("pomelo: handshake reply protos: %v: %w", err, codec.ErrProtocol)
			}
			*side.dst = s
		}
	}
	// The format sums up what decides this stream's bytes: the same
	// dictionary and schemas give the same format whether they came in
	// the reply or from the cache.
	dictJSON, _ := json.Marshal(sess.dict)
	h := strconv.AppendFloat(nil, sess.heartbeat, 'g', -1, 64)
	h = append(append(append(h, 0), dictJSON...), 0)
	h = append(append(append(h, protos...), 0), c.fprint...)
	sess.format = c.protocol + "-client:" + fingerprintBytes(h)
	return sess, r.Code, r.User, save, nil
}
