// parser.js runs the npm package engine.io-parser (the version engine.io@6
// depends on) over the table a Go test wrote (argv[2]) and prints what it
// encodes and decodes, for parser_interop_test.go to compare with gotio's
// codec/engineio byte for byte.
//
// Input:  { packets: [P], payloads: [[P]], texts: [string], bodies: [string] }
//         P = { type: "message", data?: string, bin?: hex }
// Output: { ws: [{hex, binary}], polling: [string], payloads: [string],
//           texts: [D], bodies: [[D]] }
//         D = { type, data?: string, bin?: hex }
'use strict';
const fs = require('fs');
const parser = require('engine.io-parser');

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const toPacket = (p) => {
  const out = { type: p.type };
  if (p.bin !== undefined) out.data = Buffer.from(p.bin, 'hex');
  else if (p.data !== undefined) out.data = p.data;
  return out;
};
const fromPacket = (p) => {
  const out = { type: p.type };
  if (Buffer.isBuffer(p.data)) out.bin = p.data.toString('hex');
  else if (p.data !== undefined) out.data = p.data;
  return out;
};
// engine.io-parser's encoders call back synchronously in Node.
const sync = (f) => { let r; f((x) => { r = x; }); return r; };

const result = { ws: [], polling: [], payloads: [], texts: [], bodies: [] };
for (const p of input.packets) {
  const ws = sync((cb) => parser.encodePacket(toPacket(p), true, cb));
  result.ws.push(typeof ws === 'string'
    ? { hex: Buffer.from(ws, 'utf8').toString('hex'), binary: false }
    : { hex: Buffer.from(ws).toString('hex'), binary: true });
  result.polling.push(sync((cb) => parser.encodePacket(toPacket(p), false, cb)));
}
for (const list of input.payloads) {
  result.payloads.push(sync((cb) => parser.encodePayload(list.map(toPacket), cb)));
}
for (const t of input.texts) result.texts.push(fromPacket(parser.decodePacket(t)));
for (const b of input.bodies) result.bodies.push(parser.decodePayload(b).map(fromPacket));
process.stdout.write(JSON.stringify(result));
