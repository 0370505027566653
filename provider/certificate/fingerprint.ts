import { digestHex } from '../digest';

/** SHA-256 of a certificate's DER, lowercase hex without colons: half of an entry's identity. */
export function sha256Hex(der: Uint8Array): string {
  return digestHex('sha256', der);
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
