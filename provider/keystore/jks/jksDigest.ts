import { createHash } from 'node:crypto';
import { WHITENER } from './jksConstants';

/**
 * The JKS/JCEKS integrity digest: SHA-1 over the password as UTF-16BE code units, the phrase
 * "Mighty Aphrodite", then every byte of the file before the digest.
 */
export function jksDigest(password: string, body: Uint8Array): Buffer {
  const pw = Buffer.alloc(password.length * 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  return createHash('sha1').update(pw).update(WHITENER).update(body).digest();
}
