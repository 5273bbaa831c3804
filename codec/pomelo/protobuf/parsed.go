package protobuf

import (
	"fmt"

	"github.com/gotio/gotio/codec/internal/jsjson"
)

// UnmarshalJSON reads a schema in pomelo-protobuf's parsed form, the one
// MarshalJSON writes and a pomelo server sends in its handshake
// (sys.protos.server and sys.protos.client): each field an object
// {"option", "type", "tag"}, nested messages under "__messages". The
// "__tags" index is rebuilt, not trusted. The same checks as Parse apply.
func (s *Schema) UnmarshalJSON(data []byte) error {
	v, err := jsjson.Parse(data)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSchema, err)
	}
	if v.Kind != jsjson.Object {
		return fmt.Errorf("%w: top level is not an object", ErrSchema)
	}
	n := Schema{byKey: map[string]*message{}}
	for _, m := range v.Members {
		if reservedNames[m.Key] {
			return fmt.Errorf("%w: reserved key %q", ErrSchema, m.Key)
		}
		msg, err := parseParsed(m.Val, m.Key, 0)
		if err != nil {
			return err
		}
		n.keys = append(n.keys, m.Key)
		n.byKey[m.Key] = msg
	}
	if err := n.resolve(); err != nil {
		return err
	}
	*s = n
	return nil
}

func parseParsed(v jsjson.Value, path string, depth int) (*message, error) {
	if v.Kind != jsjson.Object {
		return nil, fmt.Errorf("%w: %s: not an object", ErrSchema, path)
	}
	if depth > 32 {
		return nil, fmt.Errorf("%w: %s: messages nested too deeply", ErrSchema, path)
	}
	m := newMessage()
	for _, mem := range v.Members {
		switch mem.Key {
		case "__tags":
			continue
		case "__messages":
			if mem.Val.Kind != jsjson.Object {
				return nil, fmt.Errorf("%w: %s: __messages is not an object", ErrSchema, path)
			}
			for _, nm := range mem.Val.Members {
				if reservedNames[nm.Key] || nm.Key == "" {
					return nil, fmt.Errorf("%w: %s: bad message name %q", ErrSchema, path, nm.Key)
				}
				msg, err := parseParsed(nm.Val, path+"."+nm.Key, depth+1)
				if err != nil {
					return nil, err
				}
				m.nested = append(m.nested, namedMessage{nm.Key, msg})
			}
			continue
		}
		f := &field{name: mem.Key}
		if mem.Val.Kind != jsjson.Object {
			return nil, fmt.Errorf("%w: %s.%s: not a field object", ErrSchema, path, mem.Key)
		}
		var haveOpt, haveType, haveTag bool
		for _, p := range mem.Val.Members {
			switch p.Key {
			case "option":
				switch p.Val.Str {
				case "required":
					f.option = required
				case "optional":
					f.option = optional
				case "repeated":
					f.option = repeated
				default:
					return nil, fmt.Errorf("%w: %s.%s: bad option %q", ErrSchema, path, mem.Key, p.Val.Str)
				}
				haveOpt = p.Val.Kind == jsjson.String
			case "type":
				f.typ, haveType = p.Val.Str, p.Val.Kind == jsjson.String && p.Val.Str != ""
			case "tag":
				tag, err := tagOf(p.Val)
				if err != nil {
					return nil, fmt.Errorf("%w: %s.%s: %w", ErrSchema, path, mem.Key, err)
				}
				f.tag, haveTag = tag, true
			}
		}
		if !haveOpt || !haveType || !haveTag {
			return nil, fmt.Errorf("%w: %s.%s: field needs option, type and tag", ErrSchema, path, mem.Key)
		}
		if err := m.add(f, path); err != nil {
			return nil, err
		}
	}
	return m, nil
}
