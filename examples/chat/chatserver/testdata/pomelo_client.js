// A pomelo WebSocket client built on the real npm packages — pomelo-protocol
// for packages and messages, pomelo-protobuf for bodies, ws for the socket —
// wired the way pomelo's JS client (pomelo-jsclient-websocket) wires them.
// It runs chatofpomelo's flow against the chat example: queryEntry at the
// gate, enter at the connector, send, and onChat back. Each step prints one
// JSON line for node_test.go.
//
// Usage: node pomelo_client.js GATE_HOST GATE_PORT NAME ROOM
'use strict';
const Protocol = require('pomelo-protocol');
const protobuf = require('pomelo-protobuf');
const WebSocket = require('ws');
const { Package, Message } = Protocol;

const [gateHost, gatePort, name, room] = process.argv.slice(2);
const print = (o) => console.log(JSON.stringify(o));

class Client {
  constructor() {
    this.nextId = 1;
    this.pending = {};
    this.routes = {};
    this.pushes = []; // every push so far: {route, body, wire}
    this.waiters = [];
    this.dict = {};
    this.abbrs = {};
    this.protos = { server: {}, client: {} };
    this.timers = [];
  }

  connect(host, port) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket('ws://' + host + ':' + port + '/');
      this.ws = ws;
      ws.binaryType = 'nodebuffer';
      ws.on('open', () => {
        const hello = { sys: { type: 'js-websocket', version: '0.0.1' }, user: {} };
        ws.send(Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode(JSON.stringify(hello))));
      });
      ws.on('error', reject);
      ws.on('close', () => reject(new Error('closed before the handshake')));
      ws.on('message', (data) => {
        let pkgs = Package.decode(data);
        if (!Array.isArray(pkgs)) pkgs = [pkgs];
        for (const p of pkgs) {
          switch (p.type) {
            case Package.TYPE_HANDSHAKE: {
              const reply = JSON.parse(Protocol.strdecode(p.body));
              if (reply.code !== 200) return reject(new Error('handshake code ' + reply.code));
              const sys = reply.sys;
              this.heartbeat = sys.heartbeat * 1000;
              if (sys.dict) {
                this.dict = sys.dict;
                for (const r in sys.dict) this.abbrs[sys.dict[r]] = r;
              }
              if (sys.protos) {
                this.protos = sys.protos;
                protobuf.init({ encoderProtos: sys.protos.client, decoderProtos: sys.protos.server });
              }
              ws.send(Package.encode(Package.TYPE_HANDSHAKE_ACK));
              resolve(this);
              break;
            }
            case Package.TYPE_HEARTBEAT:
              this.timers.push(setTimeout(() => ws.send(Package.encode(Package.TYPE_HEARTBEAT)), this.heartbeat));
              break;
            case Package.TYPE_DATA:
              this.data(Message.decode(p.body));
              break;
            case Package.TYPE_KICK:
              console.error('kicked: ' + Protocol.strdecode(p.body));
              break;
          }
        }
      });
    });
  }

  // data is pomelo-jsclient-websocket's decode: the route of a response
  // is its request's, a compressed push route is looked up, and a body is
  // pomelo-protobuf when the server's protos have the route.
  data(msg) {
    if (msg.type === Message.TYPE_RESPONSE) {
      const route = this.routes[msg.id];
      const body = this.body(route, msg.body);
      const cb = this.pending[msg.id];
      delete this.pending[msg.id];
      delete this.routes[msg.id];
      if (cb) cb(body);
      return;
    }
    const route = msg.compressRoute ? this.abbrs[msg.route] : msg.route;
    const p = {
      route,
      body: this.body(route, msg.body),
      wire: { compressed: !!msg.compressRoute, protobuf: !!this.protos.server[route], raw: Buffer.from(msg.body).toString('hex') },
    };
    this.pushes.push(p);
    for (const w of this.waiters.slice()) w(p);
  }

  body(route, bytes) {
    if (this.protos.server[route]) return protobuf.decode(route, bytes);
    return JSON.parse(Protocol.strdecode(bytes));
  }

  request(route, msg) {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending[id] = resolve;
      this.routes[id] = route;
      const body = this.protos.client[route] ? protobuf.encode(route, msg) : Protocol.strencode(JSON.stringify(msg));
      const code = this.dict[route];
      const m = Message.encode(id, Message.TYPE_REQUEST, !!code, code || route, body);
      this.ws.send(Package.encode(Package.TYPE_DATA, m));
    });
  }

  close() {
    for (const t of this.timers) clearTimeout(t);
    this.ws.removeAllListeners('close');
    this.ws.close();
  }
}

// waitPush resolves with the first push on route, received so far or
// later, whose body matches: pushes may arrive together, before the
// script asks for them.
function waitPush(client, route, match) {
  const ok = (p) => p.route === route && match(p.body);
  const seen = client.pushes.find(ok);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const waiter = (p) => {
      if (!ok(p)) return;
      clearTimeout(timer);
      client.waiters = client.waiters.filter((w) => w !== waiter);
      resolve(p);
    };
    const timer = setTimeout(() => reject(new Error('no ' + route + ' push')), 20000);
    client.waiters.push(waiter);
  });
}

(async () => {
  const gate = await new Client().connect(gateHost, gatePort);
  const entry = await gate.request('gate.gateHandler.queryEntry', { uid: name });
  print({ step: 'queryEntry', resp: entry, dict: Object.keys(gate.dict).length });
  gate.close();

  const c = await new Client().connect(entry.host, entry.port);
  const enter = await c.request('connector.entryHandler.enter', { username: name, rid: room });
  print({ step: 'enter', resp: enter, dictOnChat: c.dict.onChat });

  const own = waitPush(c, 'onChat', (b) => b.from === name);
  const send = await c.request('chat.chatHandler.send', { rid: room, content: 'hello from node', from: name, target: '*' });
  print({ step: 'send', resp: send });
  const got = await own;
  print({ step: 'onChat', body: got.body, wire: got.wire });

  // grace, the Go client of the test, answers "hello from node" in private.
  const reply = await waitPush(c, 'onChat', (b) => b.from === 'grace');
  print({ step: 'reply', body: reply.body, wire: reply.wire });
  c.close();
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
