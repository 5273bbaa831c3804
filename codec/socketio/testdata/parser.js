// parser.js runs the npm package socket.io-parser (the version socket.io@4
// and socket.io-client@4 depend on) over the table a Go test wrote
// (argv[2]) and prints what its Encoder writes and its Decoder finds, for
// parser_interop_test.go to compare with gotio's codec/socketio.
//
// Binary values travel in the table as {"$bin": "<hex>"}.
//
// Input:  { encode: [{type, nsp, id?, data?}], decode: [[part]] }
//         part = a string (an engine.io text message) or {bin: hex}
// Output: { encode: [[part]], decode: [{packets: [{type, nsp, id?, data?}], error?}] }
'use strict';
const fs = require('fs');
const { Encoder, Decoder } = require('socket.io-parser');

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const revive = (v) => {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === 'object') {
    if (typeof v.$bin === 'string' && Object.keys(v).length === 1) return Buffer.from(v.$bin, 'hex');
    const o = {};
    for (const k of Object.keys(v)) o[k] = revive(v[k]);
    return o;
  }
  return v;
};
const mark = (v) => {
  if (Buffer.isBuffer(v)) return { $bin: v.toString('hex') };
  if (Array.isArray(v)) return v.map(mark);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = mark(v[k]);
    return o;
  }
  return v;
};

const result = { encode: [], decode: [] };
const encoder = new Encoder();
for (const e of input.encode) {
  const p = { type: e.type, nsp: e.nsp };
  if (e.id !== undefined) p.id = e.id;
  if (e.data !== undefined) p.data = revive(e.data);
  result.encode.push(encoder.encode(p).map((x) => (typeof x === 'string' ? x : { bin: Buffer.from(x).toString('hex') })));
}
for (const parts of input.decode) {
  const decoder = new Decoder();
  const packets = [];
  decoder.on('decoded', (p) => {
    const out = { type: p.type, nsp: p.nsp };
    if (p.id !== undefined) out.id = p.id;
    if (p.data !== undefined) out.data = mark(p.data);
    packets.push(out);
  });
  const r = { packets };
  try {
    for (const part of parts) decoder.add(typeof part === 'string' ? part : Buffer.from(part.bin, 'hex'));
  } catch (err) {
    r.error = err.message;
  }
  decoder.destroy();
  result.decode.push(r);
}
process.stdout.write(JSON.stringify(result));
