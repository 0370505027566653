import * as crypto from 'node:crypto';

/**
 * One-shot hashing (node >= 20.12): a listing hashes every certificate of a store, and a Hash
 * object per certificate costs several times more in a short CLI run than the hashing itself.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;
const hex = (algorithm: string, der: Uint8Array): string => (oneShot ? oneShot(algorithm, der, 'hex') : crypto.createHash(algorithm).update(der).digest('hex'));

/** SHA-256 of a certificate's DER, lowercase hex without colons: half of an entry's identity. */
export function sha256Hex(der: Uint8Array): string {
  return hex('sha256', der);
}

/** SHA-1 of the DER, lowercase hex (what older tools print; never used for identity). */
export function sha1Hex(der: Uint8Array): string {
  return hex('sha1', der);
}

/**
 * keytool's spelling of a fingerprint: uppercase pairs joined by colons.
 *
 * @example
 * formatFingerprint('ab01') // 'AB:01'
 */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}
