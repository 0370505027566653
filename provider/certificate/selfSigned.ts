import { X509Certificate } from 'node:crypto';

/**
 * Whether a certificate's signature verifies with its own public key. Real cryptography (node's
 * X509Certificate builds the whole object, ~0.5 ms), so it is asked only when a rule needs it,
 * never on the listing path. Algorithms OpenSSL 3 refuses (MD2) count as "does not verify".
 *
 * @example
 * verifiesWithOwnKey(rootDer) // true
 */
export function verifiesWithOwnKey(der: Uint8Array): boolean {
  try {
    const x = new X509Certificate(der);
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}
