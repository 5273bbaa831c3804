// oldclient.js sends a pomelo handshake with the reference npm package
// pomelo-protocol@0.1.6 and reports what the server answered and how the
// connection ended. version_socket_test.go runs it against a gotio server:
//
//   node oldclient.js 127.0.0.1:PORT TYPE VERSION
//
// It prints "code=<code>", then "end" when the server half-closed the
// connection (a FIN, not a reset), then "closed hadError=<bool>".
'use strict';
const net = require('net');
const Protocol = require('pomelo-protocol');
const Package = Protocol.Package;

const [addr, type, version] = process.argv.slice(2);
const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
setTimeout(() => { console.log('FAIL timed out'); process.exit(1); }, 10000).unref();

const sock = net.connect(port, host, () => {
  const hello = { sys: { type: type, version: version, rsa: {} }, user: {} };
  sock.write(Package.encode(Package.TYPE_HANDSHAKE, Protocol.strencode(JSON.stringify(hello))));
});
let buf = Buffer.alloc(0);
sock.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  while (buf.length >= 4) {
    const len = (buf[1] << 16) | (buf[2] << 8) | buf[3];
    if (buf.length < 4 + len) return;
    const pkgs = Package.decode(buf.subarray(0, 4 + len));
    buf = buf.subarray(4 + len);
    for (const p of [].concat(pkgs)) {
      if (p.type !== Package.TYPE_HANDSHAKE) { console.log('package type ' + p.type); continue; }
      const res = JSON.parse(Protocol.strdecode(p.body));
      console.log('code=' + res.code + ' keys=' + Object.keys(res).join(','));
      if (res.code === 200) sock.end(); // accepted: nothing more to check
    }
  }
});
sock.on('end', () => console.log('end'));
sock.on('error', (err) => console.log('error ' + err.code));
sock.on('close', (hadError) => console.log('closed hadError=' + hadError));
