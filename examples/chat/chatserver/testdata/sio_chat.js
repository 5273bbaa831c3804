// chatofpomelo's flow on the npm socket.io-client@4, with its default
// options (long-polling first, then the WebSocket upgrade): queryEntry at
// the gate, enter at the connector, send, onChat back, a private reply
// from a Go client in the room. Requests are events with acks; pushes are
// events named as the pomelo routes. Each step prints one JSON line for
// socketio_test.go.
//
// Usage: node sio_chat.js GATE_HOST GATE_PORT NAME ROOM
'use strict';
const { io } = require('socket.io-client');

const [gateHost, gatePort, name, room] = process.argv.slice(2);
const print = (o) => console.log(JSON.stringify(o));
const fail = (err) => { console.error(err); process.exit(1); };
setTimeout(() => fail(new Error('timed out')), 30000).unref();

const request = (s, route, body) => new Promise((resolve, reject) =>
  s.timeout(10000).emit(route, body, (err, resp) => (err ? reject(err) : resolve(resp))));

const connect = (host, port) => new Promise((resolve, reject) => {
  const s = io(`http://${host}:${port}`, { reconnection: false });
  s.on('connect', () => resolve(s));
  s.on('connect_error', reject);
});

const pushes = [];
const waitPush = (route, pred) => new Promise((resolve) => {
  const look = () => {
    const i = pushes.findIndex((p) => p.route === route && pred(p.body));
    if (i >= 0) return resolve(pushes.splice(i, 1)[0].body);
    setTimeout(look, 10);
  };
  look();
});

(async () => {
  const gate = await connect(gateHost, gatePort);
  const entry = await request(gate, 'gate.gateHandler.queryEntry', { uid: name });
  print({ step: 'queryEntry', resp: entry });
  gate.disconnect();

  const c = await connect(entry.host, entry.port);
  c.onAny((route, body) => pushes.push({ route, body }));
  const enter = await request(c, 'connector.entryHandler.enter', { username: name, rid: room });
  print({ step: 'enter', resp: enter });
  const send = await request(c, 'chat.chatHandler.send', { rid: room, content: 'hello from socket.io', from: name, target: '*' });
  print({ step: 'send', resp: send });
  print({ step: 'onChat', body: await waitPush('onChat', (b) => b.from === name) });
  print({ step: 'reply', body: await waitPush('onChat', (b) => b.from === 'grace') });
  // The transport after the upgrade: the session moved from polling.
  print({ step: 'transport', name: c.io.engine.transport.name });
  c.disconnect();
  setTimeout(() => process.exit(0), 100);
})().catch(fail);
