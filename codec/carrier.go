package codec

// A session is one logical connection whose transport changes under it: an
// engine.io session starts on HTTP long-polling (many requests, on several
// TCP connections) and moves to a WebSocket. The TCP connections are its
// carriers. The interfaces below are what a codec that carries sessions
// (codec/engineio) asks of the server (package aio implements them), so
// that the codec never imports aio.

// Carrier is one accepted server connection as its stream sees it, handed
// to NewStream in ConnInfo.Carrier (nil on clients). Every method is safe
// from any goroutine and never blocks.
type Carrier interface {
	// OpenSession registers a new session named id, served by st (which
	// also implements MessageDecoder), as a connection of the server: the
	// application sees it, with its own bindings, attributes, statistics,
	// heartbeat and close reason. Its addresses are this carrier's. It
	// fails when the server refuses it (a limit, a shutdown) or id is
	// taken. The session's bytes wait in its queue until a Sink is
	// attached.
	OpenSession(id string, st Stream) (Session, error)
	// Session returns the open session named id, nil when there is none.
	Session(id string) Session
	// Write queues b, already in this connection's wire form (an HTTP
	// response), on this connection; b is copied.
	Write(b []byte) error
	// Send encodes m with this connection's stream (a WebSocket frame
	// around the inner stream's bytes) and queues it.
	Send(m *Message) error
	// OnClose sets fn to run once when this connection closes (nil
	// clears it). fn runs on the close path: it must not block.
	OnClose(fn func(reason error))
	// Close closes this connection gracefully: what is queued is written
	// first.
	Close(reason error)
}

// Session is a logical connection as its carriers see it. Every method is
// safe from any goroutine.
type Session interface {
	// ID is the name the session was opened with.
	ID() string
	// Stream returns the stream the session was opened with.
	Stream() Stream
	// Deliver decodes one message of the session's peer with the
	// session's stream (MessageDecoder), in order with every other
	// Deliver, and hands what it decodes to the application. data is
	// valid during the call only. A decode error closes the session.
	Deliver(data []byte, binary bool) error
	// Alive tells the session's heartbeat that the peer answered (an
	// engine.io pong): only Alive, not other traffic, proves a session
	// alive.
	Alive()
	// Attach makes s the session's sink: what the session queued, and
	// what it sends later, goes to s. It replaces the current sink.
	Attach(s Sink)
	// Detach removes s if it is the current sink.
	Detach(s Sink)
	// Close closes the session for reason (nil: closed by the
	// application).
	Close(reason error)
	// Closed reports whether the session is closing or closed.
	Closed() bool
}

// Sink is where a session's bytes go: a parked HTTP poll, or a WebSocket.
type Sink interface {
	// Write takes units the session's stream encoded, in order.
	// written false means the sink took nothing and takes nothing more
	// (a poll already answered, a carrier that closed): the session
	// detaches it and waits for another. keep false means the sink is
	// used up after this write (a poll answer): the session detaches it.
	// Write must not block.
	Write(units [][]byte) (written, keep bool)
	// Close tells the sink the session ended; it runs once, without
	// blocking.
	Close()
}

// MessageDecoder is implemented by streams that take whole messages with
// their binary flag rather than a byte stream: the inner stream of a
// WebSocket route (codec/websocket gives it each message with its frame
// type), and a session's stream (Session.Deliver).
type MessageDecoder interface {
	// DecodeMessage decodes one whole message. data is valid during the
	// call only. An error closes the connection.
	DecodeMessage(data []byte, binary bool, out Output) error
}
