import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer;

/**
 * One-shot hashing where node has it (crypto.hash, node >= 20.12), else a Hash object: a short
 * CLI run hashes every certificate of a store, and a Hash object per call costs several times the
 * hashing itself there (and ~30% in the PKCS#12 KDF's 10,000-round loop).
 */
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/**
 * The digest of `data` with a node hash algorithm ('sha1', 'sha256', ...).
 *
 * @example
 * digest('sha256', der).toString('hex') // 64 hex digits
 */
export function digest(algorithm: string, data: Uint8Array): Buffer {
  return oneShot ? oneShot(algorithm, data, 'buffer') : crypto.createHash(algorithm).update(data).digest();
}

/** The digest of `data` as lowercase hex. */
export function digestHex(algorithm: string, data: Uint8Array): string {
  return digest(algorithm, data).toString('hex');
}
