/**
 * A tiny LDAP server on 127.0.0.1 for StartTLS tests: it answers an anonymous bind (JNDI sends
 * one when it connects) and the StartTLS extended operation with success, then runs TLS on the
 * same connection with the given certificate chain. Nothing else of LDAP is needed to judge trust.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

const START_TLS_OID = '1.3.6.1.4.1.1466.20037';

function tlv(tag: number, body: Buffer): Buffer {
  if (body.length < 0x80) return Buffer.concat([Buffer.from([tag, body.length]), body]);
  return Buffer.concat([Buffer.from([tag, 0x82, body.length >> 8, body.length & 0xff]), body]);
}

/** LDAPMessage { messageID, <op> { resultCode success, matchedDN "", diagnosticMessage "" [, extra] } }. */
function response(messageId: Buffer, op: number, extra: Buffer = Buffer.alloc(0)): Buffer {
  const result = Buffer.concat([Buffer.from([0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]), extra]);
  return tlv(0x30, Buffer.concat([tlv(0x02, messageId), tlv(op, result)]));
}

/** One complete BER element at the start of `b` (short and two-byte lengths), or undefined. */
function element(b: Buffer): { tag: number; body: Buffer; end: number } | undefined {
  if (b.length < 2) return undefined;
  let len = b[1];
  let p = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (b.length < 2 + n) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[2 + i];
    p = 2 + n;
  }
  if (b.length < p + len) return undefined;
  return { tag: b[0], body: b.subarray(p, p + len), end: p + len };
}

export interface LdapStartTlsServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts the server with `key` and `certChainPem` (leaf first, then the chain to send). */
export function startLdapStartTlsServer(key: string, certChainPem: string): Promise<LdapStartTlsServer> {
  const context = tls.createSecureContext({ key, cert: certChainPem });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let message = element(buffered); message; message = element(buffered)) {
        buffered = buffered.subarray(message.end);
        const id = element(message.body);
        if (!id) return void socket.destroy();
        const op = message.body[id.end];
        if (op === 0x60) socket.write(response(id.body, 0x61)); // bind
        else if (op === 0x42) return void socket.end(); // unbind
        else if (op === 0x77) {
          socket.off('data', onData);
          socket.write(response(id.body, 0x78, tlv(0x8a, Buffer.from(START_TLS_OID, 'latin1'))));
          const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
          secure.on('error', () => socket.destroy());
          secure.on('data', () => undefined); // JNDI may send an unbind over TLS; nothing to answer
          secure.on('end', () => secure.end());
          return;
        } else return void socket.destroy();
      }
    };
    socket.on('data', onData);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        stop: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
