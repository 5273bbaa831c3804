// server.js starts the npm socket.io@4 server on 127.0.0.1 (an ephemeral
// port) and talks to it with a raw engine.io-client@6 socket (WebSocket
// only), sending socket.io packets by hand and recording every engine.io
// message the server sends back, text as a string and binary as
// {"bin": hex}. server_interop_test.go compares them with what this
// package writes for the same packets. It exits when done.
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { Socket } = require('engine.io-client');

const httpServer = http.createServer();
const io = new Server(httpServer, { transports: ['websocket'] });
io.on('connection', (socket) => {
  socket.on('echo', (...args) => {
    const ack = args.pop();
    ack(...args);
  });
  socket.on('bin', (ack) => ack('bar', Buffer.from([1, 2, 3, 4])));
  socket.on('push', () => {
    socket.emit('onChat', { msg: 'hi', from: 'a', target: '*' });
    socket.emit('baz', Buffer.from([1, 2]), Buffer.from([3, 4]));
  });
});
const auth = io.of('/auth');
auth.use((socket, next) => {
  if (socket.handshake.auth.token === 'good') return next();
  const err = new Error('Not authorized');
  err.data = { retry: false };
  next(err);
});
auth.on('connection', () => {});

const steps = [
  '0',
  '0/nope,',
  '0/auth,{"token":"bad"}',
  '0/auth,{"token":"good"}',
  '21["echo",{"a":1}]',
  '22["echo",1,"two",[3]]',
  '23["echo"]',
  '24["bin"]',
  '2["push"]',
];
const expected = [1, 1, 1, 1, 1, 1, 1, 2, 4]; // messages each step answers with

httpServer.listen(0, '127.0.0.1', () => {
  const port = httpServer.address().port;
  const socket = new Socket(`ws://127.0.0.1:${port}`, { path: '/socket.io/', transports: ['websocket'] });
  const out = { steps: [] };
  let i = -1;
  let got = [];
  const finish = (err) => {
    if (err) out.error = String(err);
    process.stdout.write(JSON.stringify(out));
    socket.close();
    io.close();
    process.exit(0);
  };
  const next = () => {
    if (i >= 0) out.steps.push({ sent: steps[i], got });
    i++;
    got = [];
    if (i === steps.length) return finish();
    socket.send(steps[i]);
  };
  socket.on('open', next);
  socket.on('message', (data) => {
    got.push(typeof data === 'string' ? data : { bin: Buffer.from(data).toString('hex') });
    if (got.length === expected[i]) next();
  });
  socket.on('error', finish);
  setTimeout(() => finish(new Error(`timeout at step ${i}`)), 10000);
});
