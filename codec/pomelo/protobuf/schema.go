// Package protobuf implements pomelo-protobuf, the protobuf dialect of
// NetEase pomelo, byte for byte as the npm package pomelo-protobuf@0.4.0
// writes and reads it. It is not standard protobuf:
//
//   - schemas are JSON files (clientProtos.json, serverProtos.json) that map
//     a route to a message: "required uInt32 id": 1, "message Item": {…},
//     "repeated Item items": 2; a top-level "message Name" key declares a
//     message every route of that file can use;
//   - the types are uInt32, int32, sInt32 (int32 is zig-zag encoded like
//     sInt32), float, double, string and messages; there is no bool, no
//     64-bit type and no bytes;
//   - a repeated number is written as one tag, an element count and the
//     elements, not as a packed length-delimited field;
//   - fields are written in the order of the JSON object's keys, not in
//     tag order.
//
// A Schema transcodes between JSON, the form gotio's codec.Message.Body
// carries, and those bytes, without reflection. It is built on
// google.golang.org/protobuf/encoding/protowire.
package protobuf

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gotio/gotio/codec/internal/jsjson"
	"google.golang.org/protobuf/encoding/protowire"
)

// ErrSchema reports a schema file that pomelo-protobuf would misread: a
// misspelt type, a type that is not declared where pomelo looks for it, a
// tag used twice, a malformed key.
var ErrSchema = errors.New("protobuf: bad schema")

// ErrNoRoute reports a route the schema has no message for.
var ErrNoRoute = errors.New("protobuf: no message for route")

type option uint8

const (
	required option = iota
	optional
	repeated
)

var optionNames = [...]string{"required", "optional", "repeated"}

type kind uint8

const (
	kUInt32 kind = iota
	kSInt32
	kInt32
	kFloat
	kDouble
	kString
	kMessage
)

// simpleKinds are pomelo-protobuf's scalar types by the names schemas use
// (its util.isSimpleType also lists uInt64 and sInt64, which its encoder
// cannot write, so they are refused here).
var simpleKinds = map[string]kind{
	"uInt32": kUInt32,
	"sInt32": kSInt32,
	"int32":  kInt32,
	"float":  kFloat,
	"double": kDouble,
	"string": kString,
}

// objectProtoNames are the properties every JavaScript object inherits.
// pomelo-protobuf looks a field's wire type up in a plain object, so a
// message type with one of these names gets wire type 0, not 2.
var objectProtoNames = map[string]bool{
	"constructor": true, "hasOwnProperty": true, "isPrototypeOf": true,
	"propertyIsEnumerable": true, "toLocaleString": true, "toString": true,
	"valueOf": true, "__defineGetter__": true, "__defineSetter__": true,
	"__lookupGetter__": true, "__lookupSetter__": true,
}

// reservedNames cannot name a field or a message: pomelo-protobuf's parsed
// form uses them itself, or JavaScript gives them a meaning.
var reservedNames = map[string]bool{"__messages": true, "__tags": true, "__proto__": true}

type field struct {
	name   string
	option option
	typ    string // as the schema spells it
	kind   kind
	tag    uint32
	msg    *message // kMessage
	key    []byte   // the tag varint pomelo-protobuf writes
	jsKey  []byte   // `"name":`, for decoding into JSON
	index  int      // position in message.fields
}

type message struct {
	fields   []*field // JavaScript property order
	byName   map[string]*field
	byTag    map[uint32]*field
	nested   []namedMessage // JavaScript property order
	required []*field
	// indexNames is set when a field name is an array index: JavaScript
	// enumerates such keys of the body first, in numeric order.
	indexNames bool
}

type namedMessage struct {
	name string
	msg  *message
}

// Schema is one pomelo-protobuf schema file: the messages of the routes
// one side writes (serverProtos.json: server to client; clientProtos.json:
// client to server). It is immutable and safe for concurrent use.
type Schema struct {
	keys  []string // top-level keys, JavaScript order
	byKey map[string]*message
	json  []byte // the parsed form, as JSON.stringify(protobuf.parse(file))
}

// Load reads and parses a schema file.
func Load(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("protobuf: %w", err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Parse parses a schema in the source form pomelo's serverProtos.json and
// clientProtos.json use. Where pomelo-protobuf silently skips or misreads
// an entry (a key that is not "required|optional|repeated <type> <name>"
// or "message <Name>", a duplicate tag, a type it cannot resolve, such as
// uint32 for uInt32 or bool), Parse returns an error wrapping ErrSchema.
func Parse(data []byte) (*Schema, error) {
	v, err := jsjson.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSchema, err)
	}
	if v.Kind != jsjson.Object {
		return nil, fmt.Errorf("%w: top level is not an object", ErrSchema)
	}
	s := &Schema{byKey: map[string]*message{}}
	for _, m := range v.Members {
		if reservedNames[m.Key] {
			return nil, fmt.Errorf("%w: reserved key %q", ErrSchema, m.Key)
		}
		msg, err := parseSource(m.Val, m.Key, 0)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, m.Key)
		s.byKey[m.Key] = msg
	}
	if err := s.resolve(); err != nil {
		return nil, err
	}
	return s, nil
}

// parseSource mirrors pomelo-protobuf's parser.parseObject, with errors
// where it would skip.
func parseSource(v jsjson.Value, path string, depth int) (*message, error) {
	if v.Kind != jsjson.Object {
		return nil, fmt.Errorf("%w: %s: not an object", ErrSchema, path)
	}
	if depth > 32 {
		return nil, fmt.Errorf("%w: %s: messages nested too deeply", ErrSchema, path)
	}
	m := newMessage()
	for _, mem := range v.Members {
		params := strings.Split(mem.Key, " ")
		switch params[0] {
		case "message":
			if len(params) != 2 || params[1] == "" {
				return nil, fmt.Errorf("%w: %s: key %q is not \"message <Name>\"", ErrSchema, path, mem.Key)
			}
			name := params[1]
			if reservedNames[name] {
				return nil, fmt.Errorf("%w: %s: reserved message name %q", ErrSchema, path, name)
			}
			nm, err := parseSource(mem.Val, path+"."+name, depth+1)
			if err != nil {
				return nil, err
			}
			m.nested = append(m.nested, namedMessage{name, nm})
		case "required", "optional", "repeated":
			if len(params) != 3 || params[1] == "" || params[2] == "" {
				return nil, fmt.Errorf("%w: %s: key %q is not \"%s <type> <name>\"", ErrSchema, path, mem.Key, params[0])
			}
			tag, err := tagOf(mem.Val)
			if err != nil {
				return nil, fmt.Errorf("%w: %s.%s: %w", ErrSchema, path, params[2], err)
			}
			opt := required
			switch params[0] {
			case "optional":
				opt = optional
			case "repeated":
				opt = repeated
			}
			if err := m.add(&field{name: params[2], option: opt, typ: params[1], tag: tag}, path); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: %s: key %q is not a field or a message", ErrSchema, path, mem.Key)
		}
	}
	return m, nil
}

// tagOf checks a tag: a whole number that pomelo-protobuf's 32-bit
// (tag<<3)|type keeps positive.
func tagOf(v jsjson.Value) (uint32, error) {
	if v.Kind != jsjson.Number || v.Num != float64(uint32(v.Num)) || v.Num < 1 || v.Num >= 1<<28 {
		return 0, errors.New("tag is not a whole number from 1 to 2^28-1")
	}
	return uint32(v.Num), nil
}

func newMessage() *message {
	return &message{byName: map[string]*field{}, byTag: map[uint32]*field{}}
}

func (m *message) add(f *field, path string) error {
	if reservedNames[f.name] {
		return fmt.Errorf("%w: %s: reserved field name %q", ErrSchema, path, f.name)
	}
	if _, dup := m.byName[f.name]; dup {
		return fmt.Errorf("%w: %s: field %q declared twice", ErrSchema, path, f.name)
	}
	if other, dup := m.byTag[f.tag]; dup {
		return fmt.Errorf("%w: %s: tag %d used by %q and %q", ErrSchema, path, f.tag, other.name, f.name)
	}
	m.byName[f.name] = f
	m.byTag[f.tag] = f
	m.fields = append(m.fields, f)
	return nil
}

// resolve binds every field to its type the way pomelo-protobuf looks
// types up at run time: a scalar name, else a message declared inside the
// field's own message, else a top-level "message Name" of the same file.
// It also puts fields in JavaScript property order and precomputes keys.
func (s *Schema) resolve() error {
	for _, k := range s.keys {
		if err := s.resolveMessage(s.byKey[k], k, 0); err != nil {
			return err
		}
	}
	s.json = s.appendJSON(nil)
	return nil
}

func (s *Schema) resolveMessage(m *message, path string, depth int) error {
	jsjson.SortKeys(m.fields, func(f *field) string { return f.name })
	jsjson.SortKeys(m.nested, func(n namedMessage) string { return n.name })
	m.required = m.required[:0]
	for i, f := range m.fields {
		f.index = i
		if jsjson.IsArrayIndex(f.name) {
			m.indexNames = true
		}
		wire := protowire.BytesType
		if k, ok := simpleKinds[f.typ]; ok {
			f.kind = k
			switch k {
			case kUInt32, kSInt32, kInt32:
				wire = protowire.VarintType
			case kDouble:
				wire = protowire.Fixed64Type
			case kFloat:
				wire = protowire.Fixed32Type
			}
		} else {
			f.kind = kMessage
			f.msg = m.lookupNested(f.typ)
			if f.msg == nil {
				f.msg = s.byKey["message "+f.typ]
			}
			if f.msg == nil {
				hint := ""
				if strings.EqualFold(f.typ, "uint32") || strings.EqualFold(f.typ, "sint32") {
					hint = " (pomelo-protobuf spells it uInt32 / sInt32)"
				} else if f.typ == "bool" || strings.HasSuffix(strings.ToLower(f.typ), "int64") {
					hint = " (pomelo-protobuf has no such type)"
				}
				return fmt.Errorf("%w: %s.%s: unknown type %q%s", ErrSchema, path, f.name, f.typ, hint)
			}
			if objectProtoNames[f.typ] || f.typ == "__proto__" {
				wire = protowire.VarintType
			}
		}
		f.key = protowire.AppendVarint(nil, uint64(f.tag)<<3|uint64(wire))
		f.jsKey = append(jsjson.AppendString(nil, f.name), ':')
		if f.option == required {
			m.required = append(m.required, f)
		}
	}
	for _, n := range m.nested {
		if err := s.resolveMessage(n.msg, path+"."+n.name, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (m *message) lookupNested(name string) *message {
	for _, n := range m.nested {
		if n.name == name {
			return n.msg
		}
	}
	return nil
}

// Has reports whether the schema has a message for route, as pomelo's
// connector checks protos[route] before it encodes or decodes.
func (s *Schema) Has(route string) bool {
	if s == nil {
		return false
	}
	_, ok := s.byKey[route]
	return ok
}

// Routes returns the schema's top-level keys in file order (JavaScript
// property order), "message Name" declarations included.
func (s *Schema) Routes() []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s.keys...)
}

// MarshalJSON returns the schema in pomelo-protobuf's parsed form, byte for
// byte JSON.stringify(protobuf.parse(file)): what a pomelo server sends in
// its handshake and hashes into the proto version.
func (s *Schema) MarshalJSON() ([]byte, error) {
	if s == nil {
		return []byte("{}"), nil
	}
	return append([]byte(nil), s.json...), nil
}

func (s *Schema) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for i, k := range s.keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsjson.AppendString(dst, k)
		dst = append(dst, ':')
		dst = s.byKey[k].appendJSON(dst)
	}
	return append(dst, '}')
}

func (m *message) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for _, f := range m.fields {
		dst = jsjson.AppendString(dst, f.name)
		dst = append(dst, `:{"option":`...)
		dst = jsjson.AppendString(dst, optionNames[f.option])
		dst = append(dst, `,"type":`...)
		dst = jsjson.AppendString(dst, f.typ)
		dst = append(dst, `,"tag":`...)
		dst = strconv.AppendUint(dst, uint64(f.tag), 10)
		dst = append(dst, "},"...)
	}
	dst = append(dst, `"__messages":{`...)
	for i, n := range m.nested {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsjson.AppendString(dst, n.name)
		dst = append(dst, ':')
		dst = n.msg.appendJSON(dst)
	}
	dst = append(dst, `},"__tags":{`...)
	tags := make([]*field, len(m.fields))
	copy(tags, m.fields)
	sortByTag(tags)
	for i, f := range tags {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = strconv.AppendUint(dst, uint64(f.tag), 10)
		dst = append(dst, `":`...)
		dst = jsjson.AppendString(dst, f.name)
	}
	return append(dst, "}}"...)
}

func sortByTag(fs []*field) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].tag < fs[j-1].tag; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// Version returns the proto version a pomelo server announces: the base64
// md5 of JSON.stringify(clientProtos) + JSON.stringify(serverProtos). A
// nil schema counts as {}; with both nil it is "".
func Version(client, server *Schema) string {
	if client == nil && server == nil {
		return ""
	}
	h := md5.New()
	c, _ := client.MarshalJSON()
	sv, _ := server.MarshalJSON()
	h.Write(c)
	h.Write(sv)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
