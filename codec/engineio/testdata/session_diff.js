// session_diff.js runs one scripted engine.io session, by hand (node's
// http and the ws package), against the real npm engine.io@6 server (an
// echo server it starts on 127.0.0.1) and against the gotio server at
// argv[2], and prints both transcripts: {"ref":[…],"gotio":[…]}. Each step
// is {step, status, type, body} with the sid replaced by "<sid>" and the
// open packet's JSON left as it is. session_diff_test.go compares them.
'use strict';
const http = require('http');
const engine = require('engine.io');
const WebSocket = require('ws');

const request = (base, method, query, body, headers) => new Promise((resolve, reject) => {
  const u = new URL(base + '/engine.io/?' + query);
  const req = http.request({ host: u.hostname, port: u.port, method, path: u.pathname + u.search, headers: headers || {}, agent: false }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'] || '', body: Buffer.concat(chunks).toString('latin1') }));
  });
  req.on('error', reject);
  req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  if (body !== undefined) req.write(body);
  req.end();
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function session(base) {
  const out = [];
  let sid = '';
  const rec = (step, r) => out.push({ step, status: r.status, type: r.type.toLowerCase(), body: sid ? r.body.split(sid).join('<sid>') : r.body });
  const hs = await request(base, 'GET', 'EIO=4&transport=polling');
  sid = JSON.parse(hs.body.slice(1)).sid;
  rec('handshake', hs);
  const q = 'EIO=4&transport=polling&sid=' + sid;
  rec('post', await request(base, 'POST', q, '4hello\x1ebAQID\x1e4world', { 'Content-Type': 'text/plain;charset=UTF-8' }));
  await sleep(100);
  rec('poll echoes', await request(base, 'GET', q));
  // The upgrade: a GET parked, the probe, the noop, the upgrade.
  const parked = request(base, 'GET', q);
  await sleep(50);
  const ws = new WebSocket(base.replace('http', 'ws') + '/engine.io/?EIO=4&transport=websocket&sid=' + sid);
  const frames = [];
  let wake = () => {};
  ws.on('message', (d, isBinary) => { frames.push(isBinary ? 'binary:' + Buffer.from(d).toString('hex') : d.toString()); wake(); });
  const frame = async () => {
    const until = Date.now() + 3000;
    while (!frames.length && Date.now() < until) await new Promise((r) => { wake = r; setTimeout(r, 50); });
    return frames.shift() || '<none>';
  };
  await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
  ws.send('2probe');
  out.push({ step: 'probe', body: await frame() });
  rec('parked GET released', await parked);
  ws.send('5');
  ws.send('4after');
  ws.send(Buffer.from([9, 8, 7]));
  out.push({ step: 'ws echo text', body: await frame() });
  out.push({ step: 'ws echo binary', body: await frame() });
  rec('poll after upgrade', await request(base, 'GET', q));
  rec('post after upgrade', await request(base, 'POST', q, '4x', { 'Content-Type': 'text/plain;charset=UTF-8' }));
  ws.send('1');
  await sleep(100);
  rec('poll after close', await request(base, 'GET', q));
  ws.close();
  // A WebSocket-only session.
  const ws2 = new WebSocket(base.replace('http', 'ws') + '/engine.io/?EIO=4&transport=websocket');
  const f2 = [];
  ws2.on('message', (d) => f2.push(d.toString()));
  await new Promise((r, j) => { ws2.on('open', r); ws2.on('error', j); });
  await sleep(100);
  const open = f2.shift() || '';
  const sid2 = open.startsWith('0') ? JSON.parse(open.slice(1)).sid : '';
  out.push({ step: 'ws open', body: sid2 ? open.split(sid2).join('<sid>') : open });
  ws2.send('4ws only');
  await sleep(100);
  out.push({ step: 'ws only echo', body: f2.shift() || '<none>' });
  ws2.close();
  return out;
}

const httpServer = http.createServer();
const eio = engine.attach(httpServer, { pingInterval: 5000, pingTimeout: 5000, maxHttpBufferSize: 1e6 });
eio.on('connection', (socket) => socket.on('message', (d) => socket.send(typeof d === 'string' ? 'echo ' + d : Buffer.from(d).reverse())));
httpServer.listen(0, '127.0.0.1', async () => {
  const result = {};
  try {
    result.ref = await session('http://127.0.0.1:' + httpServer.address().port);
    result.gotio = await session(process.argv[2]);
  } catch (err) {
    result.error = String(err && err.stack || err);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  eio.close();
  httpServer.close();
  setTimeout(() => process.exit(0), 50);
});
