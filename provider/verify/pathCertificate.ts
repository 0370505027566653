import { X509Certificate, type KeyObject } from 'node:crypto';
import type { Certificate } from '../certificate/certificate';
import { certificateNameBytes, type CertificateNameBytes } from '../certificate/certificateNameBytes';
import type { CertificateFacts } from '../certificate/certificateFacts';
import type { KeyFacts } from './algorithmConstraints';
import { canonicalName } from './pathConstraints';

/**
 * A certificate as path building sees it: midtrust's lazy facts and extensions, plus node's
 * X509Certificate (OpenSSL) for everything cryptographic — signature verification, issuer
 * matching (name and key identifiers), host names. node's object costs ~0.5 ms, so it is built
 * only for the few certificates a path actually touches.
 */
export class PathCertificate {
  #x509?: X509Certificate;
  #spki?: Buffer;
  #names?: CertificateNameBytes;
  #verified?: Map<string, boolean>;
  #subjectBytes?: string;
  #issuerBytes?: string;
  #subjectKey?: string;
  #issuerKey?: string;

  constructor(readonly certificate: Certificate) {}

  get sha256(): string {
    return this.certificate.sha256;
  }

  get facts(): CertificateFacts {
    return this.certificate.facts;
  }

  /** node's parsed certificate; throws when OpenSSL cannot read it. */
  get x509(): X509Certificate {
    return (this.#x509 ??= new X509Certificate(this.certificate.der));
  }

  get publicKey(): KeyObject {
    return this.x509.publicKey;
  }

  /** SubjectPublicKeyInfo DER, to compare keys ("same name and same key" is trusted like the anchor itself). */
  get spki(): Buffer {
    return (this.#spki ??= this.publicKey.export({ type: 'spki', format: 'der' }));
  }

  /** Subject Name DER as hex: the cheap first lookup key (names chain by their bytes in practice). */
  get subjectBytes(): string {
    return (this.#subjectBytes ??= Buffer.from((this.#names ??= certificateNameBytes(this.certificate.der)).subject).toString('hex'));
  }

  get issuerBytes(): string {
    return (this.#issuerBytes ??= Buffer.from((this.#names ??= certificateNameBytes(this.certificate.der)).issuer).toString('hex'));
  }

  /**
   * Canonical subject, for looking up candidates by name (X500Principal.equals is case- and
   * space-insensitive). Made from the name's own bytes: the name lookup falls back to this for
   * every anchor of the store, which must not parse 145 whole certificates.
   */
  get subjectKey(): string {
    return (this.#subjectKey ??= canonicalName((this.#names ??= certificateNameBytes(this.certificate.der)).subject));
  }

  get issuerKey(): string {
    return (this.#issuerKey ??= canonicalName((this.#names ??= certificateNameBytes(this.certificate.der)).issuer));
  }

  get keyFacts(): KeyFacts {
    const f = this.facts;
    return { algorithm: f.keyAlgorithm, ...(f.keySize !== undefined ? { size: f.keySize } : {}), ...(f.namedCurve ? { curve: f.namedCurve } : {}) };
  }

  /** OpenSSL's issuer test (names, key identifiers, issuer's keyCertSign) — no signature. */
  isIssuedBy(issuer: PathCertificate): boolean {
    try {
      return this.x509.checkIssued(issuer.x509);
    } catch {
      return false;
    }
  }

  /** Whether `key` verifies this certificate's signature (OpenSSL; algorithms it refuses count as "no"). */
  verifiesWith(key: KeyObject): boolean {
    try {
      return this.x509.verify(key);
    } catch {
      return false;
    }
  }

  /** Whether `issuer`'s key verifies this certificate's signature; checked once per issuer key. */
  verifiedBy(issuer: PathCertificate): boolean {
    let key: string;
    try {
      key = issuer.spki.toString('base64');
    } catch {
      return false;
    }
    const known = (this.#verified ??= new Map()).get(key);
    if (known !== undefined) return known;
    const ok = this.verifiesWith(issuer.publicKey);
    this.#verified.set(key, ok);
    return ok;
  }

  /** The keyIdentifier of the AuthorityKeyIdentifier extension, hex; undefined when absent. */
  get authorityKeyId(): string | undefined {
    const ext = this.certificate.extensions.all.find((e) => e.oid === '2.5.29.35');
    if (!ext) return undefined;
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }
    const v = ext.value;
    let p = 1;
    p += v[p] & 0x80 ? 1 + (v[p] & 0x7f) : 1;
    if (v[p] !== 0x80) return undefined;
    const len = v[p + 1];
    return len < 0x80 ? Buffer.from(v.subarray(p + 2, p + 2 + len)).toString('hex') : undefined;
  }

  /** The SubjectKeyIdentifier, hex; undefined when absent. */
  get subjectKeyId(): string | undefined {
    const v = this.certificate.extensions.all.find((e) => e.oid === '2.5.29.14')?.value;
    // SubjectKeyIdentifier ::= OCTET STRING
    if (!v || v[0] !== 0x04 || v[1] >= 0x80) return undefined;
    return Buffer.from(v.subarray(2, 2 + v[1])).toString('hex');
  }

  /** Self-issued (subject = issuer), as Java's X509CertImpl.isSelfIssued. */
  get selfIssued(): boolean {
    return this.facts.selfIssued;
  }
}
