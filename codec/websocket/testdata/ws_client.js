// Interop client for codec/websocket, run by node_test.go:
//   node ws_client.js <ws-url> <mode>
// mode: "plain" (no compression), "deflate-noctx" (permessage-deflate,
// client_no_context_takeover), "deflate-ctx" (ws's default offer: the client
// keeps its compression context). It echoes text and binary at several
// sizes, fragmented messages with a ping between fragments, pings, a
// close code, and a kick; it prints one line per check and exits non-zero
// on the first failure.
'use strict';
const WebSocket = require('ws');

const [url, mode] = process.argv.slice(2);
const windowBits = mode.startsWith('deflate-window') ? Number(mode.slice('deflate-window'.length)) : 0;
const deflate = mode === 'plain' ? false
  : mode === 'deflate-noctx' ? { clientNoContextTakeover: true, threshold: 0 }
  : windowBits ? { clientNoContextTakeover: true, serverMaxWindowBits: windowBits, threshold: 0 }
  : { threshold: 0 };

function fail(msg) {
  console.error('FAIL ' + msg);
  process.exit(1);
}
setTimeout(() => fail('timeout'), 50000).unref();

function open(path) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url + path, { perMessageDeflate: deflate, maxPayload: 4 << 20 });
    ws.once('upgrade', (res) => { ws.negotiated = res.headers['sec-websocket-extensions'] || ''; });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function next(ws) {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data, isBinary })));
}

function closed(ws) {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

function payload(n, binary) {
  const b = Buffer.alloc(n);
  if (binary) {
    for (let i = 0; i < n; i++) b[i] = (i * 7919 + (i >> 8)) & 0xff;
    return b;
  }
  const text = 'gotio and ws, ascii only. ';
  for (let i = 0; i < n; i++) b[i] = text.charCodeAt(i % text.length);
  return b;
}

async function main() {
  const ws = await open('/echo');
  const negotiated = ws.negotiated;
  if (deflate && !negotiated.includes('permessage-deflate')) fail('deflate not negotiated: ' + negotiated);
  if (mode === 'deflate-noctx' && !negotiated.includes('client_no_context_takeover')) fail('context kept: ' + negotiated);
  if (mode === 'deflate-ctx' && !negotiated.includes('client_max_window_bits=12')) fail('window not limited: ' + negotiated);
  if (!deflate && negotiated !== '') fail('unexpected extensions: ' + negotiated);
  if (windowBits && !negotiated.includes('server_max_window_bits=' + windowBits)) fail('window not accepted: ' + negotiated);
  console.log('ok extensions ' + JSON.stringify(negotiated));

  // Repeats 3000 bytes apart: with a 32 KiB window the server's deflate
  // would refer back past a small window.
  const block = payload(3000, true);
  const far = Buffer.concat([block, block, block, block]);
  const farEcho = next(ws);
  ws.send(far, { binary: true });
  if (!Buffer.from((await farEcho).data).equals(far)) fail('far repeats echo');
  console.log('ok far repeats');

  for (const n of [0, 125, 126, 65535, 65536, 1 << 20]) {
    for (const binary of [false, true]) {
      const want = payload(n, binary);
      const got = next(ws);
      ws.send(binary ? want : want.toString(), { binary });
      const { data, isBinary } = await got;
      if (isBinary !== binary || !Buffer.from(data).equals(want)) fail(`echo ${n} binary=${binary}`);
    }
  }
  console.log('ok echo sizes');

  // A text message in three fragments, "€" split across two, a ping between.
  const euro = Buffer.from('€');
  const pong = new Promise((resolve) => ws.once('pong', (d) => resolve(d.toString())));
  const frag = next(ws);
  ws.send(Buffer.concat([Buffer.from('price '), euro.subarray(0, 1)]), { binary: false, fin: false });
  ws.ping('between');
  ws.send(euro.subarray(1, 2), { binary: false, fin: false });
  ws.send(Buffer.concat([euro.subarray(2), Buffer.from('5')]), { binary: false, fin: true });
  if ((await pong) !== 'between') fail('pong between fragments');
  const f = await frag;
  if (f.isBinary || f.data.toString() !== 'price €5') fail('fragmented echo: ' + f.data.toString());
  console.log('ok fragments');

  const big = payload(70000, true);
  const bigEcho = next(ws);
  ws.send(big.subarray(0, 30000), { binary: true, fin: false });
  ws.send(big.subarray(30000), { binary: true, fin: true });
  if (!Buffer.from((await bigEcho).data).equals(big)) fail('fragmented binary echo');
  console.log('ok fragmented binary');

  const pong2 = new Promise((resolve) => ws.once('pong', (d) => resolve(d.toString())));
  ws.ping('hello');
  if ((await pong2) !== 'hello') fail('pong payload');
  console.log('ok ping');

  const c = closed(ws);
  ws.close(4001, 'bye');
  const { code, reason } = await c;
  if (code !== 4001) fail('close echo code ' + code + ' ' + reason);
  console.log('ok close');

  const k = await open('/echo');
  const kc = closed(k);
  k.send('kick-me');
  const kicked = await kc;
  if (kicked.code !== 4000 || !kicked.reason.includes('kicked by test')) fail('kick ' + JSON.stringify(kicked));
  console.log('ok kick');
  console.log('PASS');
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
