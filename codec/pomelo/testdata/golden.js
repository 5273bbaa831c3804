// golden.js writes the bytes a pomelo 2.2.7 server and a pomelo JS client
// put on the wire, built with the real npm packages pomelo-protocol@0.1.6
// and pomelo-protobuf@0.4.0. pomelo itself is not a test dependency: the
// few lines of its connector that decide bytes (components/dictionary.js,
// components/protobuf.js, connectors/commands/handshake.js and kick.js,
// connectors/common/coder.js, hybridsocket.js sendBatch) are restated below
// with their file names. pomelo_test.go compares gotio with every vector.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const zlib = require('zlib');
const Protocol = require('pomelo-protocol');
const protobuf = require('pomelo-protobuf');
const Package = Protocol.Package;
const Message = Protocol.Message;

const read = (f) => JSON.parse(fs.readFileSync(path.join(__dirname, f), 'utf8'));
const md5 = (s) => crypto.createHash('md5').update(s).digest('base64');
const hex = (b) => Buffer.from(b).toString('hex');

// --- components/dictionary.js: handler routes sorted, then the user dictionary.
const handlerRoutes = ['gate.gateHandler.queryEntry', 'connector.entryHandler.enter', 'chat.chatHandler.send', 'chat.chatHandler.typing'];
const userDict = ['onChat', 'onAdd', 'onLeave', 'onState'];
const routes = handlerRoutes.slice().sort();
const dict = {};
const abbrs = {};
let abbr;
for (let i = 0; i < routes.length; i++) {
  abbr = i + 1;
  abbrs[abbr] = routes[i];
  dict[routes[i]] = abbr;
}
abbr = routes.length + 1;
for (const r of userDict) {
  abbrs[abbr] = r;
  dict[r] = abbr;
  abbr++;
}
const dictVersion = md5(JSON.stringify(dict));

// --- components/protobuf.js
const serverProtos = protobuf.parse(read('serverProtos.json'));
const clientProtos = protobuf.parse(read('clientProtos.json'));
const protoVersion = md5(JSON.stringify(clientProtos) + JSON.stringify(serverProtos));

// --- connectors/commands/handshake.js (heartbeat, useDict, useProtobuf options)
function handshakeReply(msg, conf, resp) {
  if (!msg.sys) return Package.encode(Package.TYPE_HANDSHAKE, Buffer.from(JSON.stringify({ code: 500 })));
  const opts = { heartbeat: conf.heartbeat };
  if (conf.useDict) {
    if (!msg.sys.dictVersion || msg.sys.dictVersion !== dictVersion) {
      opts.dict = dict;
      opts.routeToCode = dict;
      opts.codeToRoute = abbrs;
      opts.dictVersion = dictVersion;
    }
    opts.useDict = true;
  }
  if (conf.useProtobuf) {
    if (!msg.sys.protoVersion || msg.sys.protoVersion !== protoVersion) {
      opts.protos = { server: serverProtos, client: clientProtos, version: protoVersion };
    }
    opts.useProto = true;
  }
  const res = { code: 200, sys: opts };
  if (resp) res.user = resp;
  return Package.encode(Package.TYPE_HANDSHAKE, Buffer.from(JSON.stringify(res)));
}

// --- connectors/common/coder.js, server side (encoder: serverProtos).
function serverSide() { protobuf.init({ encoderProtos: serverProtos, decoderProtos: clientProtos }); }
function encodeBody(route, body) {
  if (serverProtos[route]) return protobuf.encode(route, body);
  return Buffer.from(JSON.stringify(body), 'utf8');
}
function composeResponse(id, route, body) {
  return Package.encode(Package.TYPE_DATA, Message.encode(id, Message.TYPE_RESPONSE, 0, null, encodeBody(route, body)));
}
function composePush(route, body, useDict) {
  const b = encodeBody(route, body);
  let compress = 0;
  let r = route;
  if (useDict && dict[route]) { r = dict[route]; compress = 1; }
  return Package.encode(Package.TYPE_DATA, Message.encode(0, Message.TYPE_PUSH, compress, r, b));
}

// --- the pomelo JS client's request and notify (pomelo-jsclient-websocket).
function clientSide() { protobuf.init({ encoderProtos: clientProtos, decoderProtos: serverProtos }); }
function clientMessage(id, type, route, body, useDict, useProto) {
  let b;
  if (useProto && clientProtos[route]) b = protobuf.encode(route, body);
  else b = Protocol.strencode(JSON.stringify(body));
  let compress = 0;
  let r = route;
  if (useDict && dict[route]) { r = dict[route]; compress = 1; }
  return Package.encode(Package.TYPE_DATA, Message.encode(id, type, compress, r, b));
}

const out = { dictVersion: dictVersion, protoVersion: protoVersion, v: {} };
const put = (name, bytes, extra) => { out.v[name] = Object.assign({ hex: hex(bytes) }, extra || {}); };

// Handshake.
const helloJS = { sys: { type: 'js-websocket', version: '0.0.1', rsa: {} }, user: { token: 't<1>' } };
const helloCached = { sys: { type: 'js-websocket', version: '0.0.1', dictVersion: dictVersion, protoVersion: protoVersion }, user: {} };
const helloGotio = { sys: { type: 'gotio-go', version: '1.0.0' }, user: {} };
for (const [name, h] of [['hello_js', helloJS], ['hello_cached', helloCached], ['hello_gotio', helloGotio]]) {
  put(name, Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode(JSON.stringify(h))));
}
put('hello_nosys', Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode(JSON.stringify({ user: {} }))));
const full = { heartbeat: 3, useDict: true, useProtobuf: true };
put('reply_full', handshakeReply(helloJS, full, { uid: 'u1', note: '<&>' }));
put('reply_cached', handshakeReply(helloCached, full, null));
put('reply_plain', handshakeReply(helloJS, {}, null));
put('reply_500', handshakeReply({}, full, null));
put('reply_501', Package.encode(Package.TYPE_HANDSHAKE, Buffer.from(JSON.stringify({ code: 501 }))));
put('ack', Package.encode(Package.TYPE_HANDSHAKE_ACK));
put('heartbeat', Package.encode(Package.TYPE_HEARTBEAT));

// Client to server.
clientSide();
const move = { x: 1.5, y: -2, path: [[0, 0], [1, 1]], who: 'héllo "w"' };
put('req_json', clientMessage(1, Message.TYPE_REQUEST, 'area.playerHandler.move', move, true, true), { id: 1, route: 'area.playerHandler.move', body: JSON.stringify(move) });
const chat = { rid: 'room1', content: 'hi 😀', from: 'alice', target: '*' };
put('req_code_pb', clientMessage(2, Message.TYPE_REQUEST, 'chat.chatHandler.send', chat, true, true), { id: 2, route: 'chat.chatHandler.send', body: JSON.stringify(chat) });
const entry = { uid: 'alice' };
put('req_str_pb', clientMessage(300, Message.TYPE_REQUEST, 'gate.gateHandler.queryEntry', entry, false, true), { id: 300, route: 'gate.gateHandler.queryEntry', body: JSON.stringify(entry) });
put('req_big_id', clientMessage(0x0fffffff, Message.TYPE_REQUEST, 'area.playerHandler.move', {}, true, true), { id: 0x0fffffff, route: 'area.playerHandler.move', body: '{}' });
const typing = { on: true };
put('notify_code', clientMessage(0, Message.TYPE_NOTIFY, 'chat.chatHandler.typing', typing, true, true), { route: 'chat.chatHandler.typing', body: JSON.stringify(typing) });
put('notify_str', clientMessage(0, Message.TYPE_NOTIFY, 'area.playerHandler.stop', typing, true, true), { route: 'area.playerHandler.stop', body: JSON.stringify(typing) });
const zbody = JSON.stringify({ big: 'x'.repeat(300) });
put('req_zlib', Package.encode(Package.TYPE_DATA, Message.encode(5, Message.TYPE_REQUEST, 0, 'area.playerHandler.move', zlib.deflateSync(Buffer.from(zbody)), 1)), { id: 5, route: 'area.playerHandler.move', body: zbody });
put('req_gzip', Package.encode(Package.TYPE_DATA, Message.encode(6, Message.TYPE_REQUEST, 0, 'area.playerHandler.move', zlib.gzipSync(Buffer.from(zbody)), 1)), { id: 6, route: 'area.playerHandler.move', body: zbody });

// Server to client.
serverSide();
const ok = { code: 200, ok: true };
put('resp_json', composeResponse(1, 'area.playerHandler.move', ok), { id: 1, route: 'area.playerHandler.move', body: JSON.stringify(ok) });
const users = { users: ['alice', 'bob', ''] };
put('resp_pb', composeResponse(300, 'connector.entryHandler.enter', users), { id: 300, route: 'connector.entryHandler.enter', body: JSON.stringify(users) });
const sys = { text: 'hi', n: 1 };
put('push_json', composePush('onSystem', sys, true), { route: 'onSystem', body: JSON.stringify(sys) });
const onChat = { msg: 'hello', from: 'alice', target: '*' };
put('push_pb_code', composePush('onChat', onChat, true), { route: 'onChat', body: JSON.stringify(onChat) });
put('push_pb_str', composePush('onChat', onChat, false), { route: 'onChat', body: JSON.stringify(onChat) });
const tick = { n: 123456 };
put('push_pb_nodict', composePush('onTick', tick, true), { route: 'onTick', body: JSON.stringify(tick) });
const state = {
  u: 4000000000, i: -7, s: -2147483648, f: 0.5, d: -0.1, name: 'ünï',
  ru: [1, 300], ri: [-1, 1, -300], rd: [0.25, -1e-7], tags: ['a', 'b'],
  units: [{ id: 'u1', at: { x: -1, y: 1 }, path: [{ x: 0, y: 0 }, { x: -5, y: 5 }] }, { id: 'u2', at: { x: 0, y: 0 } }],
  center: { x: 10, y: -10 },
};
put('push_all', composePush('onState', state, true), { route: 'onState', body: JSON.stringify(state) });
put('kick', Package.encode(Package.TYPE_KICK, Buffer.from(JSON.stringify({ reason: 'maintenance' }))), { reason: 'maintenance' });
const odd = 'bye "now"\n\u2028 ✓';
put('kick_odd', Package.encode(Package.TYPE_KICK, Buffer.from(JSON.stringify({ reason: odd }))), { reason: odd });
put('kick_default', Package.encode(Package.TYPE_KICK, Buffer.from(JSON.stringify({ reason: 'kick' }))), { reason: 'kick' });
// hybridsocket.js sendBatch: packages back to back in one write.
put('batch', Buffer.concat([composePush('onSystem', sys, true), composePush('onChat', onChat, true), Package.encode(Package.TYPE_HEARTBEAT)]));

process.stdout.write(JSON.stringify(out));
