// sioclient.js drives the npm socket.io-client@4 against a gotio server:
//   node sioclient.js <url> <polling|websocket> <scenario>
// "polling" keeps the client's defaults (long-polling, then the upgrade),
// "websocket" sets transports: ["websocket"]. Each scenario prints one
// JSON line per event worth checking, then {"end": …}; the Go test
// (sessions_test.go) plays the server side and checks the lines.
'use strict';
const { io } = require('socket.io-client');

const [url, mode, scenario] = process.argv.slice(2);
const base = mode === 'websocket' ? { transports: ['websocket'] } : {};
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const timer = setTimeout(() => { print({ end: 'timeout' }); process.exit(0); }, 20000);
const finish = (sock, why) => {
  clearTimeout(timer);
  print({ end: why || 'done' });
  if (sock) sock.disconnect();
  setTimeout(() => process.exit(0), 100);
};
const hexify = (v) => (Buffer.isBuffer(v) || v instanceof ArrayBuffer) ? 'hex:' + Buffer.from(v).toString('hex')
  : Array.isArray(v) ? v.map(hexify)
  : (v && typeof v === 'object') ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hexify(x)])) : v;
const ack = (sock, ...args) => new Promise((resolve) => sock.timeout(5000).emit(...args, (err, ...res) => resolve(err ? { err: String(err) } : res)));

if (scenario === 'basic') {
  const s = io(url, { ...base, auth: { token: 'good' }, reconnection: false });
  let pings = 0;
  s.io.on('ping', () => { pings++; });
  s.io.on('open', () => print({ open: s.io.engine.transport.name }));
  const events = [];
  s.onAny((name, ...args) => events.push([name, args.map((a) => Buffer.isBuffer(a) ? 'hex:' + a.toString('hex') : a)]));
  s.on('connect_error', (e) => { print({ connect_error: e.message }); finish(s, 'connect_error'); });
  s.on('connect', async () => {
    print({ connected: s.id, transport: s.io.engine.transport.name });
    print({ echo: await ack(s, 'echo', { a: 1, b: 'two' }) });
    print({ several: await ack(s, 'echo', 1, 'x') });
    s.emit('notify', 'no ack');
    print({ bin: (await ack(s, 'bin', Buffer.from([1, 2, 3]))).map((b) => Buffer.from(b).toString('hex')) });
    // Two buffers, one nested: the echo handler sends its body back.
    print({ bins: hexify(await ack(s, 'echo', Buffer.from([1, 2]), { x: Buffer.from([255]) })) });
    print({ join: await ack(s, 'join', 'r1') });
    // Wait for the room broadcast the Go side sends, then reply into the room.
    const until = Date.now() + 10000;
    while (!events.some((e) => e[0] === 'onChat') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    s.emit('say', { text: 'hi from socket.io' });
    if (mode !== 'websocket') {
      while (s.io.engine.transport.name !== 'websocket' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    }
    while (pings < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    print({ transport: s.io.engine.transport.name, pings, events });
    finish(s);
  });
} else if (scenario === 'refused') {
  const s = io(url, { ...base, auth: { token: 'bad' }, reconnection: false });
  s.on('connect', () => { print({ connected: s.id }); finish(s, 'connected'); });
  s.on('connect_error', (e) => { print({ connect_error: e.message, data: e.data }); finish(s); });
} else if (scenario === 'badnsp') {
  const s = io(url + '/nope', { ...base, auth: { token: 'good' }, reconnection: false });
  s.on('connect', () => { print({ connected: s.id }); finish(s, 'connected'); });
  s.on('connect_error', (e) => { print({ connect_error: e.message }); finish(s); });
} else if (scenario === 'admin') {
  const s = io(url + '/admin', { ...base, auth: { token: 'good' }, reconnection: false });
  s.on('connect_error', (e) => { print({ connect_error: e.message }); finish(s, 'connect_error'); });
  s.on('connect', async () => {
    print({ connected: s.id, echo: await ack(s, 'echo', 'in admin') });
    finish(s);
  });
} else if (scenario === 'reconnect') {
  // Stays connected, reconnecting with the library's backoff, until told
  // to stop by a "stop" event.
  const s = io(url, { ...base, auth: { token: 'good' }, reconnectionDelay: 100, reconnectionDelayMax: 300 });
  let n = 0;
  s.on('connect', () => { n++; print({ connected: n, id: s.id }); });
  s.on('disconnect', (reason) => print({ disconnect: reason }));
  s.on('stop', () => finish(s));
}

if (scenario === 'kick') {
  // Asks to be kicked; reports the disconnect reason and whether the
  // library came back (it must not after "io server disconnect").
  const s = io(url, { ...base, auth: { token: 'good' }, reconnectionDelay: 50, reconnectionDelayMax: 100 });
  let n = 0;
  s.on('connect', () => { n++; print({ connected: n }); if (n === 1) s.emit('kickme'); });
  s.on('disconnect', (reason) => {
    print({ disconnect: reason });
    setTimeout(() => { print({ connects: n }); finish(null); }, 500);
  });
}
