// pomelo.js — a small pomelo client for browsers, written for gotio's chat
// example: plain JavaScript, no build step, no npm. It speaks NetEase
// pomelo's hybrid protocol over WebSocket as pomelo's own JS client does:
//
//   package  type (1 handshake, 2 ack, 3 heartbeat, 4 data, 5 kick),
//            3-byte big-endian length, body
//   message  flag (bit 0 route compressed, bits 1-3 type: 0 request,
//            1 notify, 2 response, 3 push), id (base-128 varint: request,
//            response), route (2-byte dictionary code, or 1-byte length +
//            UTF-8: request, notify, push), body
//
// The server's handshake reply gives the heartbeat interval, the route
// dictionary and the pomelo-protobuf schemas (in pomelo-protobuf's parsed
// form); bodies of routes with a schema travel as pomelo-protobuf, the
// others as JSON. docs/protocol-pomelo.md has the bytes.
//
// Like pomelo's own web client, it keeps the schemas in localStorage
// ("protos": the reply's protos object, with its version) and sends
// their version as sys.protoVersion; it keeps the dictionary the same way
// ("pomelo.dict": {version, dict}) and sends sys.dictVersion. A server
// holding the same versions leaves them out of its reply, and the page
// uses what it kept (docs/protocol-pomelo.md, "Cached dictionary and
// protos").
(function (global) {
  'use strict';

  const PKG_HANDSHAKE = 1, PKG_ACK = 2, PKG_HEARTBEAT = 3, PKG_DATA = 4, PKG_KICK = 5;
  const MSG_REQUEST = 0, MSG_NOTIFY = 1, MSG_RESPONSE = 2, MSG_PUSH = 3;
  const utf8 = new TextEncoder();
  const text = new TextDecoder();

  // ---- package layer

  function encodePackage(type, body) {
    const len = body ? body.length : 0;
    const b = new Uint8Array(4 + len);
    b[0] = type;
    b[1] = (len >> 16) & 0xff;
    b[2] = (len >> 8) & 0xff;
    b[3] = len & 0xff;
    if (body) b.set(body, 4);
    return b;
  }

  // decodePackages splits one WebSocket message into its packages: a
  // server may batch several in one message.
  function decodePackages(bytes) {
    const out = [];
    let off = 0;
    while (off < bytes.length) {
      if (off + 4 > bytes.length) throw new Error('pomelo: truncated package header');
      const type = bytes[off];
      const len = (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3];
      if (off + 4 + len > bytes.length) throw new Error('pomelo: truncated package body');
      out.push({ type: type, body: bytes.subarray(off + 4, off + 4 + len) });
      off += 4 + len;
    }
    return out;
  }

  // ---- message layer

  function encodeMessage(id, type, route, code, body) {
    const w = new Writer();
    w.byte((type << 1) | (code ? 1 : 0));
    if (type === MSG_REQUEST) w.varint(id);
    if (code) {
      w.byte((code >> 8) & 0xff);
      w.byte(code & 0xff);
    } else {
      const r = utf8.encode(route);
      if (r.length > 255) throw new Error('pomelo: route longer than 255 bytes');
      w.byte(r.length);
      w.bytes(r);
    }
    w.bytes(body);
    return w.finish();
  }

  function decodeMessage(bytes) {
    const r = new Reader(bytes);
    const flag = r.byte();
    const type = (flag >> 1) & 0x7;
    const m = { type: type, id: 0, route: null, code: 0, body: null };
    if (flag & 0x10) throw new Error('pomelo: compressed bodies are not supported here');
    if (type === MSG_RESPONSE || type === MSG_REQUEST) m.id = r.varint();
    if (type === MSG_PUSH || type === MSG_REQUEST || type === MSG_NOTIFY) {
      if (flag & 1) {
        m.code = (r.byte() << 8) | r.byte();
      } else {
        const n = r.byte();
        m.route = text.decode(r.take(n));
      }
    }
    m.body = r.rest();
    return m;
  }

  // ---- bytes

  function Writer() {
    this.buf = new Uint8Array(64);
    this.len = 0;
  }
  Writer.prototype.room = function (n) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  };
  Writer.prototype.byte = function (b) {
    this.room(1);
    this.buf[this.len++] = b;
  };
  Writer.prototype.bytes = function (bs) {
    if (!bs) return;
    this.room(bs.length);
    this.buf.set(bs, this.len);
    this.len += bs.length;
  };
  // varint writes a non-negative integer base-128, low group first, as
  // pomelo does with division (so it is exact up to 2^53).
  Writer.prototype.varint = function (n) {
    n = Math.floor(Number(n));
    if (!(n >= 0)) throw new Error('pomelo: not an unsigned integer: ' + n);
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n !== 0) b += 128;
      this.byte(b);
    } while (n !== 0);
  };
  Writer.prototype.fixed = function (n, float) {
    const b = new Uint8Array(float ? 4 : 8);
    const v = new DataView(b.buffer);
    if (float) v.setFloat32(0, n, true);
    else v.setFloat64(0, n, true);
    this.bytes(b);
  };
  Writer.prototype.finish = function () {
    return this.buf.slice(0, this.len);
  };

  function Reader(bytes) {
    this.b = bytes;
    this.off = 0;
  }
  Reader.prototype.byte = function () {
    if (this.off >= this.b.length) throw new Error('pomelo: message ends early');
    return this.b[this.off++];
  };
  Reader.prototype.take = function (n) {
    if (this.off + n > this.b.length) throw new Error('pomelo: message ends early');
    const out = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  };
  Reader.prototype.varint = function () {
    let n = 0, mul = 1, b;
    do {
      b = this.byte();
      n += (b & 0x7f) * mul;
      mul *= 128;
    } while (b >= 128);
    return n;
  };
  Reader.prototype.fixed = function (float) {
    const b = this.take(float ? 4 : 8);
    const v = new DataView(b.buffer, b.byteOffset, b.length);
    return float ? v.getFloat32(0, true) : v.getFloat64(0, true);
  };
  Reader.prototype.rest = function () {
    return this.take(this.b.length - this.off);
  };
  Reader.prototype.done = function () {
    return this.off >= this.b.length;
  };

  // ---- pomelo-protobuf, on the parsed schema form the handshake carries:
  // {field: {option, type, tag}, __messages: {nested}, __tags: {tag: field}}

  const WIRE = { uInt32: 0, sInt32: 0, int32: 0, double: 1, string: 2, float: 5 };
  const SIMPLE = { uInt32: 1, sInt32: 1, int32: 1, uInt64: 1, sInt64: 1, float: 1, double: 1 };

  function nested(root, proto, type) {
    return (proto.__messages && proto.__messages[type]) || root['message ' + type];
  }

  function encodeValue(w, root, proto, type, value) {
    switch (type) {
      case 'uInt32': w.varint(value); break;
      case 'int32':
      case 'sInt32': {
        const n = Math.trunc(Number(value));
        w.varint(n < 0 ? -n * 2 - 1 : n * 2);
        break;
      }
      case 'float': w.fixed(value, true); break;
      case 'double': w.fixed(value, false); break;
      case 'string': {
        const s = utf8.encode(String(value));
        w.varint(s.length);
        w.bytes(s);
        break;
      }
      default: {
        const m = nested(root, proto, type);
        if (!m) throw new Error('pomelo-protobuf: unknown type ' + type);
        const inner = new Writer();
        encodeFields(inner, root, m, value);
        const b = inner.finish();
        w.varint(b.length);
        w.bytes(b);
      }
    }
  }

  function encodeFields(w, root, proto, obj) {
    for (const name in proto) {
      const f = proto[name];
      if (name.startsWith('__') || f.option !== 'required') continue;
      if (obj[name] === undefined) throw new Error('pomelo-protobuf: required field ' + name + ' missing');
    }
    for (const name in obj) {
      const f = proto[name];
      if (!f || name.startsWith('__') || obj[name] === undefined) continue;
      const key = (f.tag << 3) | (WIRE[f.type] === undefined ? 2 : WIRE[f.type]);
      if (f.option === 'repeated') {
        const list = obj[name] || [];
        if (!list.length) continue;
        if (SIMPLE[f.type]) {
          w.varint(key);
          w.varint(list.length);
          for (const v of list) encodeValue(w, root, proto, f.type, v);
        } else {
          for (const v of list) {
            w.varint(key);
            encodeValue(w, root, proto, f.type, v);
          }
        }
      } else {
        w.varint(key);
        encodeValue(w, root, proto, f.type, obj[name]);
      }
    }
  }

  function decodeValue(r, root, proto, type) {
    switch (type) {
      case 'uInt32': return r.varint();
      case 'int32':
      case 'sInt32': {
        const n = r.varint();
        return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
      }
      case 'float': return r.fixed(true);
      case 'double': return r.fixed(false);
      case 'string': return text.decode(r.take(r.varint()));
      default: {
        const m = nested(root, proto, type);
        if (!m) throw new Error('pomelo-protobuf: unknown type ' + type);
        return decodeFields(new Reader(r.take(r.varint())), root, m);
      }
    }
  }

  function decodeFields(r, root, proto) {
    const obj = {};
    while (!r.done()) {
      const tag = r.varint() >> 3;
      const name = proto.__tags && proto.__tags[tag];
      if (!name) throw new Error('pomelo-protobuf: unknown tag ' + tag);
      const f = proto[name];
      if (f.option === 'repeated') {
        const list = obj[name] || (obj[name] = []);
        if (SIMPLE[f.type]) {
          for (let n = r.varint(); n > 0; n--) list.push(decodeValue(r, root, proto, f.type));
        } else {
          list.push(decodeValue(r, root, proto, f.type));
        }
      } else {
        obj[name] = decodeValue(r, root, proto, f.type);
      }
    }
    return obj;
  }

  const Protobuf = {
    encode: function (root, route, obj) {
      const w = new Writer();
      encodeFields(w, root, root[route], obj);
      return w.finish();
    },
    decode: function (root, route, bytes) {
      return decodeFields(new Reader(bytes), root, root[route]);
    },
  };

  // ---- the cache: what earlier handshakes gave, in localStorage

  const Cache = {
    load: function (key) {
      try {
        const v = JSON.parse(global.localStorage.getItem(key));
        return v && typeof v === 'object' && typeof v.version === 'string' && v.version ? v : null;
      } catch (err) {
        return null; // no storage (private mode, a sandboxed frame) or junk in it
      }
    },
    save: function (key, value) {
      try {
        global.localStorage.setItem(key, JSON.stringify(value));
      } catch (err) { /* full or unavailable: the next handshake is just bigger */ }
    },
  };
  const PROTOS_KEY = 'protos', DICT_KEY = 'pomelo.dict';

  // ---- the client

  // Pomelo is one connection to a pomelo server. connect resolves once
  // the handshake is done; request resolves with the response body;
  // on(route, fn) receives pushes; onclose(reason) reports the end of the
  // connection, whoever ended it.
  function Pomelo() {
    this.ws = null;
    this.nextId = 1;
    this.pending = {};
    this.handlers = {};
    this.dict = {};
    this.abbrs = {};
    this.serverProtos = {};
    this.clientProtos = {};
    this.cachedDict = null;
    this.cachedProtos = null;
    this.heartbeat = 0;
    this.lastRecv = 0;
    this.timers = [];
    this.closed = false;
    this.onclose = function () {};
  }

  Pomelo.prototype.on = function (route, fn) {
    this.handlers[route] = fn;
  };

  Pomelo.prototype.connect = function (url) {
    const self = this;
    return new Promise(function (resolve, reject) {
      let ready = false;
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      self.ws = ws;
      ws.onopen = function () {
        const hello = { sys: { type: 'js-websocket', version: '0.0.1' }, user: {} };
        self.cachedDict = Cache.load(DICT_KEY);
        self.cachedProtos = Cache.load(PROTOS_KEY);
        if (self.cachedDict) hello.sys.dictVersion = self.cachedDict.version;
        if (self.cachedProtos) hello.sys.protoVersion = self.cachedProtos.version;
        ws.send(encodePackage(PKG_HANDSHAKE, utf8.encode(JSON.stringify(hello))));
      };
      ws.onmessage = function (ev) {
        self.lastRecv = Date.now();
        let pkgs;
        try {
          pkgs = decodePackages(new Uint8Array(ev.data));
        } catch (err) {
          self.fail('protocol error: ' + err.message);
          return;
        }
        for (const p of pkgs) {
          if (p.type === PKG_HANDSHAKE && !ready) {
            const reply = JSON.parse(text.decode(p.body));
            if (reply.code !== 200) {
              self.fail('handshake refused with code ' + reply.code);
              return;
            }
            self.handshake(reply.sys || {});
            ws.send(encodePackage(PKG_ACK));
            ready = true;
            resolve(self);
          } else {
            self.process(p);
          }
        }
      };
      ws.onclose = function (ev) {
        if (!ready) reject(new Error('connection closed before the handshake (' + ev.code + ')'));
        self.fail(ev.reason || 'connection closed');
      };
      ws.onerror = function () {};
    });
  };

  Pomelo.prototype.handshake = function (sys) {
    this.heartbeat = (sys.heartbeat || 0) * 1000;
    // A reply carries the dictionary and protos, or says useDict/useProto
    // and leaves out those whose version we announced.
    let dict = sys.dict || sys.routeToCode;
    if (dict) {
      if (sys.dictVersion) Cache.save(DICT_KEY, { version: sys.dictVersion, dict: dict });
    } else if (sys.useDict && this.cachedDict) {
      dict = this.cachedDict.dict || {};
    }
    dict = dict || {};
    for (const route in dict) {
      this.dict[route] = dict[route];
      this.abbrs[dict[route]] = route;
    }
    let protos = sys.protos;
    if (protos) {
      if (protos.version) Cache.save(PROTOS_KEY, protos);
    } else if (sys.useProto && this.cachedProtos) {
      protos = this.cachedProtos;
    }
    if (protos) {
      this.serverProtos = protos.server || {};
      this.clientProtos = protos.client || {};
    }
    if (this.heartbeat > 0) {
      // The server answers each heartbeat at once: a connection that
      // heard nothing for two intervals (and a little) is dead.
      const self = this;
      this.timers.push(setInterval(function () {
        if (Date.now() - self.lastRecv > 2 * self.heartbeat + 1000) self.fail('heartbeat timeout');
      }, Math.max(250, this.heartbeat / 4)));
    }
  };

  Pomelo.prototype.process = function (p) {
    switch (p.type) {
      case PKG_HEARTBEAT:
        if (this.heartbeat > 0) {
          const self = this;
          this.timers.push(setTimeout(function () {
            if (!self.closed) self.ws.send(encodePackage(PKG_HEARTBEAT));
          }, this.heartbeat));
        }
        break;
      case PKG_DATA: {
        let m;
        try {
          m = decodeMessage(p.body);
        } catch (err) {
          this.fail('protocol error: ' + err.message);
          return;
        }
        if (m.type === MSG_RESPONSE) {
          const req = this.pending[m.id];
          if (!req) return;
          delete this.pending[m.id];
          req.resolve(this.decodeBody(req.route, m.body));
        } else if (m.type === MSG_PUSH) {
          const route = m.code ? this.abbrs[m.code] : m.route;
          const fn = this.handlers[route];
          if (fn) fn(this.decodeBody(route, m.body));
        }
        break;
      }
      case PKG_KICK: {
        let reason = 'kicked';
        try {
          reason = JSON.parse(text.decode(p.body)).reason || reason;
        } catch (err) { /* keep the default */ }
        this.fail('kicked: ' + reason);
        break;
      }
    }
  };

  Pomelo.prototype.decodeBody = function (route, body) {
    if (route && this.serverProtos[route]) return Protobuf.decode(this.serverProtos, route, body);
    if (!body.length) return {};
    return JSON.parse(text.decode(body));
  };

  Pomelo.prototype.encodeBody = function (route, body) {
    if (this.clientProtos[route]) return Protobuf.encode(this.clientProtos, route, body);
    return utf8.encode(JSON.stringify(body));
  };

  Pomelo.prototype.send = function (id, type, route, body) {
    if (this.closed) throw new Error('not connected');
    const msg = encodeMessage(id, type, route, this.dict[route] || 0, this.encodeBody(route, body || {}));
    this.ws.send(encodePackage(PKG_DATA, msg));
  };

  Pomelo.prototype.request = function (route, body) {
    const self = this;
    return new Promise(function (resolve, reject) {
      const id = self.nextId++;
      self.pending[id] = { route: route, resolve: resolve, reject: reject };
      try {
        self.send(id, MSG_REQUEST, route, body);
      } catch (err) {
        delete self.pending[id];
        reject(err);
      }
    });
  };

  Pomelo.prototype.notify = function (route, body) {
    this.send(0, MSG_NOTIFY, route, body);
  };

  // disconnect closes the connection; onclose is not called for it.
  Pomelo.prototype.disconnect = function () {
    this.onclose = function () {};
    this.fail('disconnected');
  };

  Pomelo.prototype.fail = function (reason) {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    this.timers = [];
    for (const id in this.pending) this.pending[id].reject(new Error(reason));
    this.pending = {};
    try {
      this.ws.close();
    } catch (err) { /* closed already */ }
    this.onclose(reason);
  };

  global.Pomelo = Pomelo;
  global.PomeloProtobuf = Protobuf;
})(window);
