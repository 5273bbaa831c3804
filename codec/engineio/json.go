package engineio

import "github.com/gotio/gotio/codec/internal/jsjson"

// appendJSONString appends s as JavaScript's JSON.stringify writes a
// string (codec/internal/jsjson, shared with pomelo's codec).
func appendJSONString(dst []byte, s string) []byte { return jsjson.AppendString(dst, s) }
