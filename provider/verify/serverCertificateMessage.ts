import { createDecipheriv, createHmac, type CipherGCMTypes } from 'node:crypto';
import { MidtrustError } from '../errors';

/**
 * The certificates exactly as the server sent them, in its order, read from the TLS handshake
 * bytes received. Java judges the list as sent (order matters: an out-of-order chain takes the
 * builder route), and node's getPeerCertificate() re-orders it, drops certificates that do not
 * chain and adds issuers from node's own CA list — so the Certificate message is read directly:
 * - TLS 1.2: handshake records are plaintext until ChangeCipherSpec;
 * - TLS 1.3: the Certificate message is encrypted with the server handshake traffic key, which
 *   node hands to its own client through the `keylog` event (SERVER_HANDSHAKE_TRAFFIC_SECRET);
 *   the records are decrypted with node's AEAD ciphers (RFC 8446 §5.2, §7.1, §7.3).
 */

/** TLS 1.3 decryption input: the server handshake traffic secret and the negotiated suite. */
export interface Tls13Secret {
  readonly secret: Buffer;
  /** IANA name, as node's getCipher().standardName: TLS_AES_128_GCM_SHA256, … */
  readonly cipherSuite: string;
}

const RECORD = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23 } as const;
const HANDSHAKE_CERTIFICATE = 11;

const SUITES: Readonly<Record<string, { cipher: string; keyLength: number; hash: 'sha256' | 'sha384' }>> = {
  TLS_AES_128_GCM_SHA256: { cipher: 'aes-128-gcm', keyLength: 16, hash: 'sha256' },
  TLS_AES_256_GCM_SHA384: { cipher: 'aes-256-gcm', keyLength: 32, hash: 'sha384' },
  TLS_CHACHA20_POLY1305_SHA256: { cipher: 'chacha20-poly1305', keyLength: 32, hash: 'sha256' },
  TLS_AES_128_CCM_SHA256: { cipher: 'aes-128-ccm', keyLength: 16, hash: 'sha256' },
};

/**
 * Extracts the DER certificates of the server's Certificate message from the bytes the client
 * received (server → client direction, from the first byte of the TLS stream).
 *
 * @param tls13 the handshake secret when TLS 1.3 was negotiated; omit for TLS 1.2
 * @example
 * const ders = serverCertificates(received, { secret, cipherSuite: 'TLS_AES_256_GCM_SHA384' });
 */
export function serverCertificates(received: Uint8Array, tls13?: Tls13Secret): Uint8Array[] {
  const decrypt = tls13 ? recordDecryptor(tls13) : undefined;
  const handshake: Buffer[] = [];
  let p = 0;
  while (p + 5 <= received.length) {
    const type = received[p];
    const length = (received[p + 3] << 8) | received[p + 4];
    if (p + 5 + length > received.length) break;
    const header = received.subarray(p, p + 5);
    const fragment = received.subarray(p + 5, p + 5 + length);
    p += 5 + length;
    if (type === RECORD.HANDSHAKE) handshake.push(Buffer.from(fragment));
    else if (type === RECORD.ALERT) throw new MidtrustError('IO', 'the server sent a TLS alert before its certificate');
    else if (type === RECORD.CHANGE_CIPHER_SPEC) {
      if (!decrypt) break; // TLS 1.2: what follows is encrypted, and the Certificate came before
    } else if (type === RECORD.APPLICATION_DATA && decrypt) {
      const inner = decrypt(header, fragment);
      if (inner.type === RECORD.HANDSHAKE) handshake.push(inner.content);
      else if (inner.type === RECORD.ALERT) throw new MidtrustError('IO', 'the server sent a TLS alert before its certificate');
    }
    const found = certificateMessage(Buffer.concat(handshake), Boolean(tls13));
    if (found) return found;
  }
  throw new MidtrustError('IO', 'the server did not send a complete Certificate message');
}

/** Walks handshake messages; returns the certificates once the Certificate message is complete. */
function certificateMessage(stream: Buffer, tls13: boolean): Uint8Array[] | undefined {
  let p = 0;
  while (p + 4 <= stream.length) {
    const type = stream[p];
    const length = stream.readUIntBE(p + 1, 3);
    if (p + 4 + length > stream.length) return undefined;
    if (type === HANDSHAKE_CERTIFICATE) return parseCertificateList(stream.subarray(p + 4, p + 4 + length), tls13);
    p += 4 + length;
  }
  return undefined;
}

/** TLS 1.2: `certificate_list<0..2^24-1>` of `opaque<1..2^24-1>`; TLS 1.3 adds a request context and per-entry extensions. */
function parseCertificateList(body: Buffer, tls13: boolean): Uint8Array[] {
  const fail = (): never => {
    throw new MidtrustError('CORRUPT', 'the server\'s Certificate message is malformed');
  };
  let p = 0;
  if (tls13) p += 1 + (body[0] ?? fail());
  if (p + 3 > body.length) fail();
  const end = p + 3 + body.readUIntBE(p, 3);
  if (end > body.length) fail();
  p += 3;
  const out: Uint8Array[] = [];
  while (p < end) {
    if (p + 3 > end) fail();
    const len = body.readUIntBE(p, 3);
    if (p + 3 + len > end) fail();
    out.push(Uint8Array.from(body.subarray(p + 3, p + 3 + len)));
    p += 3 + len;
    if (tls13) {
      if (p + 2 > end) fail();
      p += 2 + body.readUInt16BE(p);
    }
  }
  return out;
}

/** Decrypts TLS 1.3 records in order with the server handshake traffic key. */
function recordDecryptor(t: Tls13Secret): (header: Uint8Array, fragment: Uint8Array) => { type: number; content: Buffer } {
  const suite = SUITES[t.cipherSuite];
  if (!suite) throw new MidtrustError('UNSUPPORTED', `cannot read the server's certificates under the TLS 1.3 cipher suite ${t.cipherSuite}`);
  const key = expandLabel(suite.hash, t.secret, 'key', suite.keyLength);
  const iv = expandLabel(suite.hash, t.secret, 'iv', 12);
  let sequence = 0n;
  return (header, fragment) => {
    const nonce = Buffer.from(iv);
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(sequence++);
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
    const tag = fragment.subarray(fragment.length - 16);
    const decipher = createDecipheriv(suite.cipher as CipherGCMTypes, key, nonce, { authTagLength: 16 });
    decipher.setAAD(header, { plaintextLength: fragment.length - 16 });
    decipher.setAuthTag(tag);
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(fragment.subarray(0, fragment.length - 16)), decipher.final()]);
    } catch (e) {
      throw new MidtrustError('IO', 'cannot decrypt the server\'s TLS 1.3 handshake (unexpected record)', { cause: e });
    }
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--; // TLSInnerPlaintext padding
    return { type: end > 0 ? plain[end - 1] : 0, content: plain.subarray(0, Math.max(0, end - 1)) };
  };
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
function expandLabel(hash: 'sha256' | 'sha384', secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  // HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) | info | i).
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac(hash, secret).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}
