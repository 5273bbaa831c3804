package websocket

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gotio/gotio/codec"
)

// ErrHTTPServed is wrapped by the error Decode returns after it answered a
// request that was not an upgrade (with Config.HTTP, or 404 without it).
// It wraps codec.ErrPeerClosed: the exchange ended normally, and the
// connection closes once the response is written.
var ErrHTTPServed = fmt.Errorf("websocket: plain HTTP request served: %w", codec.ErrPeerClosed)

// HandshakeError is the error Decode returns when it refused an HTTP
// request. It unwraps to Err, which wraps codec.ErrProtocol, or
// codec.ErrTooLarge for a request over MaxHeaderBytes or MaxBodyBytes.
type HandshakeError struct {
	// Status is the HTTP status sent with the refusal.
	Status int
	// Reason says why.
	Reason string
	Err    error
}

// Error describes the refusal.
func (e *HandshakeError) Error() string {
	return fmt.Sprintf("websocket: handshake: %d %s: %v", e.Status, e.Reason, e.Err)
}

// Unwrap returns Err.
func (e *HandshakeError) Unwrap() error { return e.Err }

// refuse answers an HTTP request with status and a short text body, and
// returns the HandshakeError Decode returns.
func (s *Stream) refuse(out codec.Output, status int, h http.Header, msg string, err error) error {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	bp := getBuf()
	b := appendResponse((*bp)[:0], status, h, []byte(msg+"\n"), true)
	out.Reply(b)
	putBuf(bp, b)
	return &HandshakeError{Status: status, Reason: msg, Err: err}
}

// serveHTTP runs Config.HTTP for a request that is not an upgrade, its head
// being in[:end], and answers with what it wrote.
func (s *Stream) serveHTTP(in []byte, end int, req *http.Request, out codec.Output) (int, int, error) {
	h := s.c.cfg.HTTP
	if h == nil {
		s.refuse(out, http.StatusNotFound, nil, "not found", nil)
		return end, 0, fmt.Errorf("websocket: %s %s: 404: %w", req.Method, req.URL.Path, ErrHTTPServed)
	}
	if len(req.TransferEncoding) > 0 {
		return 0, 0, s.refuse(out, http.StatusLengthRequired, nil, "length required", codec.ErrProtocol)
	}
	if req.ContentLength > int64(s.c.cfg.MaxBodyBytes) {
		return 0, 0, s.refuse(out, http.StatusRequestEntityTooLarge, nil, "request body too large", codec.ErrTooLarge)
	}
	total := end + int(req.ContentLength)
	if len(in) < total {
		return 0, total, nil
	}
	req.Body = http.NoBody
	if req.ContentLength > 0 {
		req.Body = bodyReader{bytes.NewReader(in[end:total])}
	}
	w := &responseWriter{header: http.Header{}}
	if err := runHandler(h, w, req); err != nil {
		s.refuse(out, http.StatusInternalServerError, nil, "internal server error", nil)
		return total, 0, fmt.Errorf("websocket: %s %s: %w", req.Method, req.URL.Path, err)
	}
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	body := w.body.Bytes()
	if len(body) > 0 && w.header.Get("Content-Type") == "" {
		w.header.Set("Content-Type", http.DetectContentType(body))
	}
	bp := getBuf()
	b := appendResponse((*bp)[:0], status, w.header, body, req.Method != http.MethodHead)
	out.Reply(b)
	putBuf(bp, b)
	return total, 0, fmt.Errorf("websocket: %s %s: %d: %w", req.Method, req.URL.Path, status, ErrHTTPServed)
}

// runHandler calls h, turning a panic into an error: a handler's bug must
// not take the event loop down with it.
func runHandler(h http.Handler, w http.ResponseWriter, req *http.Request) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				err = errors.New("websocket: http handler aborted")
				return
			}
			err = fmt.Errorf("websocket: http handler panicked: %v", p)
		}
	}()
	h.ServeHTTP(w, req)
	return nil
}

// appendResponse appends an HTTP/1.1 response that closes the connection.
// withBody false (HEAD) sends Content-Length without the body.
func appendResponse(dst []byte, status int, h http.Header, body []byte, withBody bool) []byte {
	text := http.StatusText(status)
	if text == "" {
		text = "Status " + strconv.Itoa(status)
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, text...)
	dst = append(dst, "\r\n"...)
	h = h.Clone()
	h.Del("Connection")
	h.Del("Transfer-Encoding")
	h.Del("Content-Length")
	if h.Get("Date") == "" {
		h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	noBody := status < 200 || status == http.StatusNoContent || status == http.StatusNotModified
	if !noBody {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	h.Set("Connection", "close")
	dst = appendHeader(dst, h)
	dst = append(dst, "\r\n"...)
	if withBody && !noBody {
		dst = append(dst, body...)
	}
	return dst
}

// responseWriter buffers what an http.Handler writes.
type responseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}

// bodyReader is a request body over bytes already read.
type bodyReader struct{ *bytes.Reader }

func (bodyReader) Close() error { return nil }
