// Checks the page's own pomelo-protobuf (web/pomelo.js) against the npm
// pomelo-protobuf@0.4.0 it must agree with, byte for byte, on every type
// the dialect has: the chat's schemas and a schema with nested and
// repeated messages, zig-zag integers, floats and doubles.
// Prints "ok N" with the number of cases checked.
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const protobuf = require('pomelo-protobuf');

global.window = {};
require(path.join(__dirname, '../web/pomelo.js'));
const mine = global.window.PomeloProtobuf;

const read = (f) => JSON.parse(fs.readFileSync(path.join(__dirname, '../protos', f), 'utf8'));
const extra = {
  'message Point': { 'required sInt32 x': 1, 'required sInt32 y': 2 },
  onState: {
    'required uInt32 u': 1,
    'required int32 i': 2,
    'required sInt32 s': 3,
    'required float f': 4,
    'required double d': 5,
    'required string name': 6,
    'repeated uInt32 ru': 7,
    'repeated sInt32 rs': 8,
    'repeated double rd': 9,
    'repeated string tags': 10,
    'message Unit': { 'required string id': 1, 'required Point at': 2, 'repeated Point path': 3 },
    'repeated Unit units': 11,
    'optional Point center': 12,
  },
};
const server = protobuf.parse(Object.assign({}, read('serverProtos.json'), extra));
const client = protobuf.parse(read('clientProtos.json'));

const cases = [
  [server, 'onChat', { msg: 'hello, 世界 🌍', from: 'alice', target: '*' }],
  [server, 'onAdd', { user: 'bob' }],
  [server, 'onLeave', { user: '' }],
  [client, 'chat.chatHandler.send', { rid: 'r1', content: 'x'.repeat(300), from: 'eve', target: 'bob' }],
  [client, 'connector.entryHandler.enter', { username: 'grace', rid: 'room 42' }],
  [client, 'gate.gateHandler.queryEntry', { uid: 'dave' }],
  [server, 'onState', {
    u: 4294967295, i: -2147483648, s: -1, f: 1.5, d: -0.1, name: 'ünï',
    ru: [0, 1, 300, 70000], rs: [-3, 0, 3], rd: [1e300, -2.5], tags: ['a', 'bc'],
    units: [{ id: 'u1', at: { x: -5, y: 7 }, path: [{ x: 1, y: -1 }, { x: 0, y: 0 }] }],
    center: { x: 123456, y: -654321 },
  }],
  [server, 'onState', { u: 0, i: 0, s: 0, f: 0, d: 0, name: '' }],
];

for (const [protos, route, msg] of cases) {
  protobuf.init({ encoderProtos: protos, decoderProtos: protos });
  const want = protobuf.encode(route, msg);
  const got = Buffer.from(mine.encode(protos, route, msg));
  assert.strictEqual(got.toString('hex'), want.toString('hex'), 'encode ' + route);
  assert.deepStrictEqual(mine.decode(protos, route, new Uint8Array(want)), protobuf.decode(route, want), 'decode ' + route);
}
// A required field missing is refused, as the npm encoder refuses it.
assert.throws(() => mine.encode(client, 'gate.gateHandler.queryEntry', {}));
console.log('ok ' + cases.length);
