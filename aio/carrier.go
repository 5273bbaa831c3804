package aio

import "github.com/gotio/gotio/codec"

// carrier is a server connection as a stream that carries sessions sees it
// (codec.Carrier): an HTTP connection of engine.io that holds a poll, takes
// a POST or carries a session's WebSocket. It stays an ordinary
// ChannelContext (its protocol says what it is: "engine.io-http",
// "engine.io-ws"); its stream encodes no application message, so sends to
// many skip it.
type carrier ChannelContext

var _ codec.Carrier = (*carrier)(nil)

func (k *carrier) ctx() *ChannelContext { return (*ChannelContext)(k) }

// OpenSession opens a session carried first by this connection.
func (k *carrier) OpenSession(id string, st codec.Stream) (codec.Session, error) {
	cc, err := k.srv.openSession(k.ctx(), id, st)
	if err != nil {
		return nil, err
	}
	return (*session)(cc), nil
}

// Session looks an open session up by id.
func (k *carrier) Session(id string) codec.Session {
	cc := k.srv.sessions.get(id)
	if cc == nil || cc.isClosed() {
		return nil
	}
	return (*session)(cc)
}

// Write queues protocol bytes; they go out even while the connection
// closes gracefully (a poll answered with the close packet).
func (k *carrier) Write(b []byte) error {
	ob := getBuf()
	ob.b = append(ob.b[:0], b...)
	err := k.conn.enqueue(ob, nil, true, 1)
	ob.release()
	return err
}

func (k *carrier) Send(m *codec.Message) error { return k.conn.send(m) }

func (k *carrier) Close(reason error) { k.conn.close(reason) }

type carrierCloseKey struct{}

func (k *carrier) OnClose(fn func(reason error)) {
	if fn == nil {
		k.conn.del(carrierCloseKey{})
		return
	}
	k.conn.set(carrierCloseKey{}, fn)
}

// carrierClosing runs a closing connection's OnClose function, if any, on
// its close path.
func carrierClosing(c *ChannelContext, reason error) {
	if fn, ok := c.conn.get(carrierCloseKey{}).(func(error)); ok {
		fn(reason)
	}
}
