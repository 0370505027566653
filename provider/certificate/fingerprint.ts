import { digestHex } from '../digest';

/**
 * Hashes already computed, by the identity of the DER array. Certificate bytes are never changed
 * after they are read (the keystore model treats them as immutable), and the plan, the rules and
 * the upgrade model each ask for the fingerprint of the same array: a report over 500 hosts ×
 * 150 certificates asked four times per certificate.
 */
const sha256Cache = new WeakMap<Uint8Array, string>();

/** SHA-256 of a certificate's DER, lowercase hex without colons: half of an entry's identity. */
export function sha256Hex(der: Uint8Array): string {
  let hex = sha256Cache.get(der);
  if (hex === undefined) {
    hex = digestHex('sha256', der);
    sha256Cache.set(der, hex);
  }
  return hex;
}

/** SHA-1 of the DER, lowercase hex (what older tools print; never used for identity). */
export function sha1Hex(der: Uint8Array): string {
  return digestHex('sha1', der);
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
