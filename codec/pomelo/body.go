package pomelo

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"sync"

	"github.com/gotio/gotio/codec"
	"github.com/gotio/gotio/codec/pomelo/protobuf"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// bodyCodec is one side's body format by route: a pomelo-protobuf schema,
// Go protobuf messages, or JSON (neither).
type bodyCodec struct {
	schema *protobuf.Schema
	msgs   map[string]protoreflect.MessageType
}

// encode appends route's wire body for the JSON body to dst.
func (b bodyCodec) encode(dst []byte, route string, body []byte) ([]byte, error) {
	if len(body) == 0 {
		return dst, nil // nothing to transcode; peers read an empty body as {}
	}
	if b.schema.Has(route) {
		return b.schema.Encode(dst, route, body)
	}
	if mt, ok := b.msgs[route]; ok {
		m := mt.New().Interface()
		if err := protojson.Unmarshal(body, m); err != nil {
			return dst, fmt.Errorf("protojson: %w", err)
		}
		// Deterministic: map entries in key order, the same bytes each time.
		return proto.MarshalOptions{Deterministic: true}.MarshalAppend(dst, m)
	}
	return append(dst, body...), nil
}

// transcoded reports whether route's bodies are not JSON on the wire.
func (b bodyCodec) transcoded(route string) bool {
	if b.schema.Has(route) {
		return true
	}
	_, ok := b.msgs[route]
	return ok
}

// decode appends route's body as JSON to dst.
func (b bodyCodec) decode(dst []byte, route string, body []byte) ([]byte, error) {
	if b.schema.Has(route) {
		return b.schema.Decode(dst, route, body)
	}
	mt := b.msgs[route]
	m := mt.New().Interface()
	if err := proto.Unmarshal(body, m); err != nil {
		return dst, err
	}
	return protojson.MarshalOptions{}.MarshalAppend(dst, m)
}

// scratch holds decoded bodies (inflated, transcoded) while Output.Message
// runs: pooled, so that an idle connection holds none.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooled keeps one huge body from pinning its buffer in the pool.
const maxPooled = 64 << 10

func getScratch() *[]byte { return scratchPool.Get().(*[]byte) }

func putScratch(b *[]byte) {
	if cap(*b) > maxPooled {
		return
	}
	*b = (*b)[:0]
	scratchPool.Put(b)
}

// Decompressors, pooled: each holds tens of KiB of window and tables.
var (
	zlibPool sync.Pool // io.ReadCloser implementing zlib.Resetter
	gzipPool sync.Pool // *gzip.Reader
)

// inflate appends the decompressed body to dst, refusing more than max
// bytes. pitaya compresses with zlib; a gzip header (1f 8b) is honoured.
func inflate(dst, src []byte, max int) ([]byte, error) {
	var r io.Reader
	if len(src) >= 2 && src[0] == 0x1f && src[1] == 0x8b {
		zr, _ := gzipPool.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(bytes.NewReader(src))
		} else {
			err = zr.Reset(bytes.NewReader(src))
		}
		if err != nil {
			return dst, fmt.Errorf("pomelo: gzip body: %v: %w", err, codec.ErrProtocol)
		}
		defer gzipPool.Put(zr)
		r = zr
	} else {
		zr, _ := zlibPool.Get().(io.ReadCloser)
		var err error
		if zr == nil {
			zr, err = zlib.NewReader(bytes.NewReader(src))
		} else {
			err = zr.(zlib.Resetter).Reset(bytes.NewReader(src), nil)
		}
		if err != nil {
			return dst, fmt.Errorf("pomelo: zlib body: %v: %w", err, codec.ErrProtocol)
		}
		defer zlibPool.Put(zr)
		r = zr
	}
	start := len(dst)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		room := min(cap(dst)-len(dst), max+1-(len(dst)-start))
		n, err := r.Read(dst[len(dst) : len(dst)+room])
		dst = dst[:len(dst)+n]
		if len(dst)-start > max {
			return dst[:start], fmt.Errorf("pomelo: compressed body inflates past %d bytes: %w", max, codec.ErrTooLarge)
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst[:start], fmt.Errorf("pomelo: compressed body: %v: %w", err, codec.ErrProtocol)
		}
	}
}
