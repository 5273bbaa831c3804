// client.js drives the npm engine.io-client@6 against a gotio server:
//   node client.js <url> <polling|websocket> [pings]
// "polling" uses the client's defaults (long-polling first, then the
// upgrade to WebSocket); "websocket" sets transports: ["websocket"]. It
// sends a text and a binary message, waits for their echoes (and for the
// upgrade in polling mode), sends once more after the upgrade, asks the
// server for a push, counts the server's pings, and prints what it saw
// as one JSON object. The Go test (session_interop_test.go) serves the
// echoes and checks the record.
'use strict';
const { Socket } = require('engine.io-client');

const [url, mode, wantPings] = [process.argv[2], process.argv[3], Number(process.argv[4] || 2)];
const out = { transports: [], messages: [], pings: 0, upgraded: false, errors: [] };
const opts = mode === 'websocket' ? { transports: ['websocket'] } : {};
const socket = new Socket(url, opts);
const timer = setTimeout(() => finish('timeout'), 15000);

function finish(why) {
  clearTimeout(timer);
  out.end = why;
  socket.close();
  process.stdout.write(JSON.stringify(out) + '\n');
  setTimeout(() => process.exit(0), 50);
}

let step = 0;
function next() {
  const need = mode === 'websocket' ? 3 : 4; // echo text, echo binary, (upgrade), push
  if (++step === need) {
    socket.send('after ' + socket.transport.name);
  }
}

socket.on('open', () => {
  out.sid = socket.id;
  out.transports.push(socket.transport.name);
  socket.send('hello');
  socket.send(Buffer.from([1, 2, 3]));
  socket.send('push me');
});
socket.on('upgrade', (t) => { out.upgraded = true; out.transports.push(t.name); next(); });
socket.on('ping', () => { out.pings++; maybeDone(); });
socket.on('message', (data) => {
  if (typeof data === 'string') {
    out.messages.push(data);
  } else {
    out.messages.push('binary:' + Buffer.from(data).toString('hex'));
  }
  if (data === 'echo after ' + socket.transport.name) { out.afterDone = true; maybeDone(); return; }
  next();
});
socket.on('error', (e) => out.errors.push(String(e && e.message || e)));
socket.on('close', (reason) => { if (!out.end) { out.closed = reason; } });

function maybeDone() {
  if (out.afterDone && out.pings >= wantPings) finish('done');
}
