// server.js starts the npm engine.io@6 server on 127.0.0.1 (an ephemeral
// port), sends it the requests of the table below with Node's http client,
// and prints each answer's status, Content-Type and body, for
// server_interop_test.go to compare with this package's open packet and
// error bodies. Nothing but this process talks to the server; it exits
// when done.
'use strict';
const http = require('http');
const engine = require('engine.io');

const httpServer = http.createServer();
const eio = engine.attach(httpServer, {
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
  allowRequest: (req, cb) => {
    if (req.url.includes('refuse=1')) return cb('no "guests"', false);
    cb(null, true);
  },
});

const request = (port, method, path, headers, body) => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port, method, path, headers: headers || {}, agent: false }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({
      status: res.statusCode,
      type: res.headers['content-type'] || '',
      body: Buffer.concat(chunks).toString('utf8'),
    }));
  });
  req.on('error', reject);
  req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  if (body !== undefined) req.write(body);
  req.end();
});

httpServer.listen(0, '127.0.0.1', async () => {
  const port = httpServer.address().port;
  const out = {};
  try {
    out.handshake = await request(port, 'GET', '/engine.io/?EIO=4&transport=polling');
    const sid = JSON.parse(out.handshake.body.slice(1)).sid;
    out.sid = sid;
    out.unknownTransport = await request(port, 'GET', '/engine.io/?EIO=4&transport=carrier-pigeon');
    out.noTransport = await request(port, 'GET', '/engine.io/?EIO=4');
    out.unknownSID = await request(port, 'GET', '/engine.io/?EIO=4&transport=polling&sid=nope');
    out.badMethod = await request(port, 'POST', '/engine.io/?EIO=4&transport=polling', { 'Content-Type': 'text/plain' }, '4hi');
    out.websocketWithoutUpgrade = await request(port, 'GET', '/engine.io/?EIO=4&transport=websocket');
    out.forbidden = await request(port, 'GET', '/engine.io/?EIO=4&transport=polling&refuse=1');
    out.eio3 = await request(port, 'GET', '/engine.io/?EIO=3&transport=polling');
    out.post = await request(port, 'POST', `/engine.io/?EIO=4&transport=polling&sid=${sid}`, { 'Content-Type': 'text/plain;charset=UTF-8' }, '4hello\x1e4world');
    // A second GET while one is parked: refused, and the session closes
    // (the parked GET is answered with whatever closing writes).
    const parked = request(port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    await new Promise((r) => setTimeout(r, 50));
    out.getOverlap = await request(port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    out.parked = await parked.catch((err) => ({ status: 0, type: '', body: String(err) }));
    out.afterOverlap = await request(port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    // A POST body past maxHttpBufferSize.
    const h2 = await request(port, 'GET', '/engine.io/?EIO=4&transport=polling');
    const sid2 = JSON.parse(h2.body.slice(1)).sid;
    out.tooLarge = await request(port, 'POST', `/engine.io/?EIO=4&transport=polling&sid=${sid2}`, { 'Content-Type': 'text/plain;charset=UTF-8' }, '4' + 'x'.repeat(1e6 + 1))
      .catch((err) => ({ status: 0, type: '', body: String(err) }));
    out.afterTooLarge = await request(port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid2}`);
  } catch (err) {
    out.error = String(err);
  }
  process.stdout.write(JSON.stringify(out));
  eio.close();
  httpServer.close();
  process.exit(0);
});
