// client.js is a pomelo client built on the reference npm packages
// pomelo-protocol@0.1.6 and pomelo-protobuf@0.4.0, the way
// pomelo-jsclient-websocket is written: handshake, ack, heartbeats,
// requests and notifies with the dictionary and protos the server sent,
// pushes, and a kick. interop_test.go runs it against a gotio server:
//
//   node client.js tcp 127.0.0.1:PORT
//   node client.js ws  ws://127.0.0.1:PORT/
//
// It prints one line per step and PASS at the end; any failure exits 1.
'use strict';
const net = require('net');
const Protocol = require('pomelo-protocol');
const protobuf = require('pomelo-protobuf');
const Package = Protocol.Package;
const Message = Protocol.Message;

const [transport, addr] = process.argv.slice(2);
const fail = (msg) => { console.log('FAIL ' + msg); process.exit(1); };
setTimeout(() => fail('timed out'), 30000).unref();

let dict = {};
let abbrs = {};
let serverProtos = {};
let clientProtos = {};
let reqId = 0;
const routeMap = {};
const callbacks = {};
const waiters = {}; // push route -> resolve
let heartbeats = 0;
let onHeartbeat = null;
let onKick = null;
let send;

function sendPackage(type, body) { send(Package.encode(type, body)); }

function request(route, msg) {
  const id = ++reqId;
  routeMap[id] = route;
  return new Promise((resolve) => {
    callbacks[id] = resolve;
    sendMessage(id, Message.TYPE_REQUEST, route, msg);
  });
}

function notify(route, msg) { sendMessage(0, Message.TYPE_NOTIFY, route, msg); }

function sendMessage(id, type, route, msg) {
  let body;
  if (clientProtos[route]) body = protobuf.encode(route, msg);
  else body = Protocol.strencode(JSON.stringify(msg));
  let compress = 0;
  if (dict[route]) { route = dict[route]; compress = 1; }
  sendPackage(Package.TYPE_DATA, Message.encode(id, type, compress, route, body));
}

function push(route) { return new Promise((resolve) => { waiters[route] = resolve; }); }

function decodeBody(route, body) {
  if (serverProtos[route]) return protobuf.decode(route, body);
  return JSON.parse(Protocol.strdecode(body));
}

let handshakeDone;
const handshaken = new Promise((resolve) => { handshakeDone = resolve; });

function onPackage(pkg) {
  switch (pkg.type) {
    case Package.TYPE_HANDSHAKE: {
      const res = JSON.parse(Protocol.strdecode(pkg.body));
      if (res.code !== 200) fail('handshake refused: ' + res.code);
      const sys = res.sys;
      dict = sys.dict || {};
      for (const r in dict) abbrs[dict[r]] = r;
      if (sys.protos) {
        serverProtos = sys.protos.server || {};
        clientProtos = sys.protos.client || {};
        protobuf.init({ encoderProtos: clientProtos, decoderProtos: serverProtos });
      }
      console.log('handshake heartbeat=' + sys.heartbeat + ' dict=' + Object.keys(dict).length +
        ' useDict=' + sys.useDict + ' useProto=' + sys.useProto + ' user=' + JSON.stringify(res.user));
      if (!sys.useDict || !sys.useProto || !dict['chat.chatHandler.send'] || !serverProtos.onChat) fail('no dict or protos');
      sendPackage(Package.TYPE_HANDSHAKE_ACK);
      handshakeDone();
      break;
    }
    case Package.TYPE_HEARTBEAT:
      heartbeats++;
      if (onHeartbeat) { const f = onHeartbeat; onHeartbeat = null; f(); }
      break;
    case Package.TYPE_DATA: {
      const msg = Message.decode(pkg.body);
      if (msg.type === Message.TYPE_RESPONSE) {
        const route = routeMap[msg.id];
        delete routeMap[msg.id];
        const cb = callbacks[msg.id];
        delete callbacks[msg.id];
        if (!cb) fail('response to unknown id ' + msg.id);
        cb(decodeBody(route, msg.body));
      } else if (msg.type === Message.TYPE_PUSH) {
        let route = msg.route;
        if (msg.compressRoute) {
          if (!abbrs[route]) fail('unknown route code ' + route);
          route = abbrs[route];
        }
        const w = waiters[route];
        delete waiters[route];
        if (!w) fail('unexpected push ' + route);
        w({ body: decodeBody(route, msg.body), compressed: msg.compressRoute });
      } else fail('message type ' + msg.type);
      break;
    }
    case Package.TYPE_KICK:
      if (onKick) onKick(JSON.parse(Protocol.strdecode(pkg.body)));
      else fail('unexpected kick');
      break;
    default:
      fail('package type ' + pkg.type);
  }
}

function onPackages(p) { (Array.isArray(p) ? p : [p]).forEach(onPackage); }

const expect = (what, cond) => { if (!cond) fail(what); console.log('ok ' + what); };

async function session() {
  await handshaken;
  // pomelo's server sends a heartbeat right after the ack.
  if (heartbeats === 0) await new Promise((r) => { onHeartbeat = r; });
  expect('heartbeat after the ack', heartbeats === 1);
  // A client heartbeat is answered at once.
  const answered = new Promise((r) => { onHeartbeat = r; });
  sendPackage(Package.TYPE_HEARTBEAT);
  await answered;
  expect('heartbeat answered', heartbeats === 2);

  const added = push('onAdd');
  const enter = await request('connector.entryHandler.enter', { username: 'alice', rid: 'room1' });
  expect('enter: protobuf request and response ' + JSON.stringify(enter), enter.users && enter.users.includes('alice'));
  const add = await added;
  expect('onAdd: protobuf push, compressed route', add.body.user === 'alice' && add.compressed);

  const chatted = push('onChat');
  const sent = await request('chat.chatHandler.send', { rid: 'room1', content: 'hi ünï 😀', from: 'alice', target: '*' });
  expect('send: JSON response ' + JSON.stringify(sent), sent.route === 'chat.chatHandler.send');
  const chat = await chatted;
  expect('onChat: ' + JSON.stringify(chat.body), chat.body.msg === 'hi ünï 😀' && chat.body.from === 'alice' && chat.compressed);

  const state = push('onState');
  notify('chat.chatHandler.typing', { on: true });
  const st = (await state).body;
  expect('onState: every type ' + JSON.stringify(st),
    st.u === 4000000000 && st.i === -7 && st.s === -2147483648 && st.f === 0.5 && st.d === -0.1 && st.name === 'ünï' &&
    JSON.stringify(st.ri) === '[-1,1,-300]' && JSON.stringify(st.rd) === '[0.25,-1e-7]' &&
    st.units.length === 2 && st.units[0].path[1].x === -5 && st.center.y === -10);

  const moved = await request('area.playerHandler.move', { x: 1.5, path: [[0, 0]], who: 'é' });
  expect('move: JSON both ways, text route ' + JSON.stringify(moved), moved.x === 1.5 && moved.who === 'é');

  const kicked = new Promise((r) => { onKick = r; });
  notify('kickme', {});
  const k = await kicked;
  expect('kicked: ' + JSON.stringify(k), typeof k.reason === 'string' && k.reason.includes('bye from gotio'));
  console.log('PASS');
  process.exit(0);
}

const hello = { sys: { type: 'js-' + transport, version: '0.0.1', rsa: {} }, user: { name: 'alice' } };

if (transport === 'tcp') {
  const [host, port] = addr.split(':');
  const sock = net.connect(Number(port), host);
  let buf = Buffer.alloc(0);
  send = (b) => sock.write(b);
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    // TCP has no message boundaries: cut whole packages.
    while (buf.length >= 4) {
      const len = (buf[1] << 16) | (buf[2] << 8) | buf[3];
      if (buf.length < 4 + len) break;
      onPackages(Package.decode(buf.subarray(0, 4 + len)));
      buf = buf.subarray(4 + len);
    }
  });
  sock.on('error', (e) => fail('socket: ' + e.message));
  sock.on('connect', () => sendPackage(Package.TYPE_HANDSHAKE, Protocol.strencode(JSON.stringify(hello))));
} else {
  const WebSocket = require('ws');
  const ws = new WebSocket(addr);
  ws.binaryType = 'nodebuffer';
  send = (b) => ws.send(b, { binary: true });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) fail('text message');
    onPackages(Package.decode(data));
  });
  ws.on('error', (e) => fail('ws: ' + e.message));
  ws.on('open', () => sendPackage(Package.TYPE_HANDSHAKE, Protocol.strencode(JSON.stringify(hello))));
}
session().catch((e) => fail(e.stack));
