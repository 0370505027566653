import { parseCertificateFacts, verifiesWithOwnKey, type CertificateFacts } from './certificateFacts';
import { sha1Hex, sha256Hex } from './fingerprint';

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
  private cachedSha256?: string;
  private cachedSha1?: string;
  private cachedFacts?: CertificateFacts;
  private cachedSelfSigned?: boolean;

  private constructor(readonly der: Uint8Array) {}

  static fromDer(der: Uint8Array): Certificate {
    return new Certificate(der);
  }

  get sha256(): string {
    return (this.cachedSha256 ??= sha256Hex(this.der));
  }

  get sha1(): string {
    return (this.cachedSha1 ??= sha1Hex(this.der));
  }

  /** Throws MidtrustError CORRUPT when the DER is not a readable certificate. */
  get facts(): CertificateFacts {
    return (this.cachedFacts ??= parseCertificateFacts(this.der));
  }

  /** Self-issued and its signature verifies with its own key (a root). */
  get selfSigned(): boolean {
    return (this.cachedSelfSigned ??= this.facts.selfIssued && verifiesWithOwnKey(this.der));
  }
}
