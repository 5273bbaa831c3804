// sio.js — the chat page's client on socket.io-client (served at
// /js/socket.io.min.js from the npm package, no CDN): the same Pomelo
// interface chat.js uses (connect, request, notify, on, disconnect,
// onclose), so chat.js runs the same chatofpomelo flow over socket.io.
// Requests are events with acks; pushes (onAdd, onLeave, onChat) are
// events named as the pomelo routes.
(function (global) {
  'use strict';

  function Pomelo() {
    this.socket = null;
    this.handlers = {};
    this.closed = false;
    this.onclose = function () {};
  }

  Pomelo.prototype.on = function (route, fn) {
    this.handlers[route] = fn;
  };

  // connect takes chat.js's ws://host:port/ and opens socket.io (polling,
  // then the WebSocket upgrade) on the same host and port. chat.js runs
  // its own reconnect flow, so socket.io's is off.
  Pomelo.prototype.connect = function (url) {
    const self = this;
    const http = url.replace(/^ws(s?):/, 'http$1:');
    return new Promise(function (resolve, reject) {
      const s = global.io(http, { reconnection: false });
      self.socket = s;
      let ready = false;
      s.onAny(function (route, body) {
        const fn = self.handlers[route];
        if (fn) fn(body || {});
      });
      s.on('connect', function () {
        ready = true;
        resolve();
      });
      s.on('connect_error', function (err) {
        if (!ready) reject(err);
        self.fail(err.message);
      });
      s.on('disconnect', function (reason) {
        if (!ready) reject(new Error(reason));
        self.fail(reason);
      });
    });
  };

  Pomelo.prototype.request = function (route, body) {
    const s = this.socket;
    return new Promise(function (resolve, reject) {
      s.timeout(10000).emit(route, body, function (err, resp) {
        if (err) reject(err);
        else resolve(resp || {});
      });
    });
  };

  Pomelo.prototype.notify = function (route, body) {
    this.socket.emit(route, body);
  };

  // disconnect closes the connection; onclose is not called for it.
  Pomelo.prototype.disconnect = function () {
    this.onclose = function () {};
    this.fail('disconnected');
  };

  Pomelo.prototype.fail = function (reason) {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.disconnect();
    } catch (err) { /* closed already */ }
    this.onclose(reason);
  };

  global.Pomelo = Pomelo;
})(window);
