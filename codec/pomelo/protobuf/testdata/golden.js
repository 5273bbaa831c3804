// golden.js prints what the reference npm package pomelo-protobuf@0.4.0
// makes of testdata/*.json: each schema's parsed form, the proto version of
// the chat schemas, and for each case in cases.json the bytes encode()
// writes and the JSON that decode() reads back from them. protobuf_test.go
// runs it and compares gotio's bytes with these, byte for byte.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const protobuf = require('pomelo-protobuf');

const read = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, name), 'utf8'));

const files = ['serverProtos.json', 'clientProtos.json', 'all.json'];
const parsed = {};
const out = { parsed: {}, cases: [] };
for (const f of files) {
  parsed[f] = protobuf.parse(read(f));
  out.parsed[f] = JSON.stringify(parsed[f]);
}
// pomelo's components/protobuf.js: md5 of client + server, base64.
out.version = crypto.createHash('md5')
  .update(JSON.stringify(parsed['clientProtos.json']) + JSON.stringify(parsed['serverProtos.json']))
  .digest('base64');

for (const c of read('cases.json')) {
  const protos = parsed[c.schema];
  protobuf.init({ encoderProtos: protos, decoderProtos: protos });
  const buf = protobuf.encode(c.route, JSON.parse(c.body));
  const hex = buf ? buf.toString('hex') : '';
  const decoded = buf ? JSON.stringify(protobuf.decode(c.route, buf)) : '{}';
  out.cases.push({ hex: hex, decoded: decoded });
}
process.stdout.write(JSON.stringify(out));
