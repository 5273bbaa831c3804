package websocket

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gotio/gotio/codec"
)

// deflateParams is what permessage-deflate negotiation settled.
type deflateParams struct {
	on bool
	// huffman is set when the client limits the server's window under
	// 2^15 (server_max_window_bits): compress/flate cannot shrink its
	// window, so messages to it are Huffman-coded only, without
	// back-references, which every window allows.
	huffman       bool
	clientContext bool
	window        int // log2 of the client window kept, with clientContext
}

func (c *Codec) initDeflate(d Deflate) {
	c.level = d.Level
	if c.level == 0 || c.level < flate.HuffmanOnly || c.level > flate.BestCompression {
		c.level = DefaultDeflateLevel
	}
	c.minSize = d.MinSize
	switch {
	case c.minSize == 0:
		c.minSize = DefaultDeflateMinSize
	case c.minSize < 0:
		c.minSize = 0
	}
	c.window = d.ClientWindowBits
	switch {
	case c.window == 0:
		c.window = DefaultClientWindow
	case c.window < 9:
		c.window = 9
	case c.window > 15:
		c.window = 15
	}
	c.deflateTag = ".deflate" + strconv.Itoa(c.level) + "-" + strconv.Itoa(c.minSize)
	c.huffmanTag = ".deflate" + strconv.Itoa(flate.HuffmanOnly) + "-" + strconv.Itoa(c.minSize)
}

// negotiateDeflate picks the first permessage-deflate offer in the
// request's Sec-WebSocket-Extensions that this server accepts, and returns
// the extension header to answer with. It declines (returns "") offers it
// cannot honour: malformed ones, and ones keeping the client's context
// when Deflate.ClientContext is off. An offer limiting the server's window
// (server_max_window_bits under 15) is accepted with Huffman-only
// compression, which needs no window: compress/flate always uses 32 KiB.
func (c *Codec) negotiateDeflate(h http.Header) (string, deflateParams) {
	if c.cfg.Deflate == nil {
		return "", deflateParams{}
	}
	for _, v := range h.Values("Sec-WebSocket-Extensions") {
		for _, offer := range strings.Split(v, ",") {
			if resp, p, ok := c.acceptOffer(offer); ok {
				return resp, p
			}
		}
	}
	return "", deflateParams{}
}

func (c *Codec) acceptOffer(offer string) (string, deflateParams, bool) {
	parts := strings.Split(offer, ";")
	if !strings.EqualFold(strings.TrimSpace(parts[0]), "permessage-deflate") {
		return "", deflateParams{}, false
	}
	var (
		seen        = map[string]bool{}
		clientNoCtx bool
		clientBits  = -1 // offered without value: 15; absent: -1
		serverBits  = -1 // absent: -1
	)
	for _, param := range parts[1:] {
		name, value, hasValue := strings.Cut(strings.TrimSpace(param), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.Trim(strings.TrimSpace(value), `"`)
		if seen[name] {
			return "", deflateParams{}, false
		}
		seen[name] = true
		switch name {
		case "server_no_context_takeover":
			if hasValue {
				return "", deflateParams{}, false
			}
		case "client_no_context_takeover":
			if hasValue {
				return "", deflateParams{}, false
			}
			clientNoCtx = true
		case "server_max_window_bits":
			bits, ok := windowBits(value)
			if !ok {
				return "", deflateParams{}, false
			}
			serverBits = bits
		case "client_max_window_bits":
			clientBits = 15
			if hasValue {
				bits, ok := windowBits(value)
				if !ok {
					return "", deflateParams{}, false
				}
				clientBits = bits
			}
		default:
			return "", deflateParams{}, false
		}
	}
	resp := "permessage-deflate; server_no_context_takeover"
	p := deflateParams{on: true}
	if serverBits > 0 {
		// RFC 7692 7.1.2.1: accepted by answering with the same value.
		resp += "; server_max_window_bits=" + strconv.Itoa(serverBits)
		p.huffman = serverBits < 15
	}
	if clientNoCtx {
		return resp + "; client_no_context_takeover", p, true
	}
	if !c.cfg.Deflate.ClientContext {
		return "", deflateParams{}, false
	}
	p.clientContext, p.window = true, 15
	if clientBits > 0 {
		p.window = min(c.window, clientBits)
		resp += "; client_max_window_bits=" + strconv.Itoa(p.window)
	}
	// zlib turns a window of 2^8 into 2^9: keep the larger one.
	p.window = max(p.window, 9)
	return resp, p, true
}

func windowBits(v string) (int, bool) {
	if len(v) == 0 || len(v) > 2 || v[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 8 || n > 15 {
		return 0, false
	}
	return n, true
}

// compressor is a pooled flate writer that appends to a slice.
type compressor struct {
	fw *flate.Writer
	w  appendWriter
}

type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// syncMarker ends a flushed deflate stream; RFC 7692 drops it from the
// wire and the receiver puts it back.
var syncMarker = []byte{0x00, 0x00, 0xff, 0xff}

// compressTail compresses dst[body:] in place, Huffman-only when huffman
// is set. It reports false, leaving dst as it was, when compression would
// not make the payload smaller.
func (c *Codec) compressTail(dst []byte, body int, huffman bool) ([]byte, bool) {
	sp := getBuf()
	raw := append((*sp)[:0], dst[body:]...)
	pool, level := &c.compressors, c.level
	if huffman {
		pool, level = &c.huffman, flate.HuffmanOnly
	}
	cp, _ := pool.Get().(*compressor)
	if cp == nil {
		cp = &compressor{}
		cp.fw, _ = flate.NewWriter(&cp.w, level) // the level was checked
	}
	cp.w.b = dst[:body]
	cp.fw.Reset(&cp.w)
	_, _ = cp.fw.Write(raw) // appendWriter never fails
	_ = cp.fw.Flush()
	out := cp.w.b
	cp.w.b = nil
	pool.Put(cp)
	out = bytes.TrimSuffix(out, syncMarker)
	ok := len(out)-body < len(raw)
	if !ok {
		out = append(out[:body], raw...)
	}
	putBuf(sp, raw)
	return out, ok
}

// deflateTail follows a message's compressed bytes: the sync marker RFC
// 7692 removed, then an empty final block, so that the reader ends with
// io.EOF rather than waiting for more.
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// tailReader reads b, then deflateTail. It is a flate.Reader (it has
// ReadByte), so flate reads it without a bufio.Reader of its own.
type tailReader struct {
	b    []byte
	tail int
}

func (r *tailReader) Read(p []byte) (int, error) {
	if len(r.b) > 0 {
		n := copy(p, r.b)
		r.b = r.b[n:]
		return n, nil
	}
	if r.tail == len(deflateTail) {
		return 0, io.EOF
	}
	n := copy(p, deflateTail[r.tail:])
	r.tail += n
	return n, nil
}

func (r *tailReader) ReadByte() (byte, error) {
	if len(r.b) > 0 {
		c := r.b[0]
		r.b = r.b[1:]
		return c, nil
	}
	if r.tail == len(deflateTail) {
		return 0, io.EOF
	}
	c := deflateTail[r.tail]
	r.tail++
	return c, nil
}

type decompressor struct {
	fr  io.ReadCloser
	src tailReader
}

// decompressors pools flate readers (about 40 KiB each, most of it the
// window): a connection borrows one per compressed message.
var decompressors sync.Pool

var errInflateTooLarge = fmt.Errorf("websocket: decompressed message too big: %w", codec.ErrTooLarge)

// inflate appends the decompressed payload to dst, refusing more than
// MaxMessageSize bytes. With client context takeover it reads with the
// connection's window and updates it.
func (s *Stream) inflate(dst, payload []byte) ([]byte, error) {
	limit := s.c.cfg.MaxMessageSize
	d, _ := decompressors.Get().(*decompressor)
	if d == nil {
		d = &decompressor{}
	}
	d.src = tailReader{b: payload}
	if d.fr == nil {
		d.fr = flate.NewReaderDict(&d.src, s.dict)
	} else {
		_ = d.fr.(flate.Resetter).Reset(&d.src, s.dict)
	}
	start := len(dst)
	var err error
	for {
		if len(dst) == cap(dst) {
			if len(dst)-start > limit {
				err = errInflateTooLarge
				break
			}
			// Grow by doubling, but never past one byte over the limit:
			// a compression bomb costs at most the limit.
			dst = slices.Grow(dst, min(max(cap(dst), 512), limit+1-(len(dst)-start)))
		}
		n, rerr := d.fr.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst)-start > limit {
			err = errInflateTooLarge
			break
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = fmt.Errorf("websocket: inflate: %v: %w", rerr, codec.ErrProtocol)
			break
		}
	}
	d.src = tailReader{}
	decompressors.Put(d)
	if err == nil && s.rs.clientContext {
		s.remember(dst[start:])
	}
	return dst, err
}

// remember keeps the last 2^window bytes the client compressed: the
// dictionary of its next compressed message.
func (s *Stream) remember(out []byte) {
	w := 1 << s.rs.window
	if s.dict == nil {
		s.dict = make([]byte, 0, w)
	}
	if len(out) >= w {
		s.dict = append(s.dict[:0], out[len(out)-w:]...)
		return
	}
	if keep := w - len(out); len(s.dict) > keep {
		copy(s.dict, s.dict[len(s.dict)-keep:])
		s.dict = s.dict[:keep]
	}
	s.dict = append(s.dict, out...)
}
