import { digest } from '../../digest';
import { WHITENER } from './jksConstants';

/**
 * The JKS/JCEKS integrity digest: SHA-1 over the password as UTF-16BE code units (Java's `char`s,
 * no BOM, no terminator), the phrase "Mighty Aphrodite", then every byte of the file before the
 * digest — fed as one buffer, not field by field.
 *
 * @example
 * jksDigest('changeit', bytes.subarray(0, bytes.length - 20)) // 20-byte Buffer
 */
export function jksDigest(password: string, body: Uint8Array): Buffer {
  const pw = Buffer.from(password, 'utf16le').swap16();
  // One buffer, one-shot: copying the file once is cheaper than a Hash object in a short run.
  return digest('sha1', Buffer.concat([pw, WHITENER, body]));
}
