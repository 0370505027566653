import { parseCertificateExtensions, type CertificateExtensions } from './certificateExtensions';
import { parseCertificateFacts, type CertificateFacts } from './certificateFacts';
import { sha1Hex, sha256Hex } from './fingerprint';

// One Certificate per DER bytes object (see fromDer).
const byDer = new WeakMap<Uint8Array, Certificate>();

/**
 * A certificate whose fingerprints and facts are computed on first use and cached: listing a
 * store hashes every certificate but parses only those a question is about.
 *
 * @example
 * const cert = Certificate.fromDer(entry.certificates[0]);
 * cert.sha256;            // hash only
 * cert.facts.notAfter;    // parsed now, once
 */
export class Certificate {
  #sha256?: string;
  #sha1?: string;
  #facts?: CertificateFacts;
  #extensions?: CertificateExtensions;

  private constructor(readonly der: Uint8Array) {}

  /**
   * Wraps DER bytes (not copied, not parsed). The same bytes object gives the same Certificate,
   * so its fingerprint and facts are computed once however many rules ask (the bytes of a read
   * store are never changed).
   */
  static fromDer(der: Uint8Array): Certificate {
    let c = byDer.get(der);
    if (!c) {
      c = new Certificate(der);
      byDer.set(der, c);
    }
    return c;
  }

  /** SHA-256 of the DER, lowercase hex: the identity midtrust uses. */
  get sha256(): string {
    return (this.#sha256 ??= sha256Hex(this.der));
  }

  /** SHA-1 of the DER, lowercase hex. */
  get sha1(): string {
    return (this.#sha1 ??= sha1Hex(this.der));
  }

  /** Parsed on first access; throws MidtrustError CORRUPT when the DER is not a readable certificate. */
  get facts(): CertificateFacts {
    return (this.#facts ??= parseCertificateFacts(this.der));
  }

  /** KeyUsage, ExtendedKeyUsage and criticality, parsed on first access (trust verdicts need them; listings do not). */
  get extensions(): CertificateExtensions {
    return (this.#extensions ??= parseCertificateExtensions(this.der));
  }

  /** Self-issued and its signature verifies with its own key (a root); see CertificateFacts.selfSigned. */
  get selfSigned(): boolean {
    return this.facts.selfSigned;
  }
}
