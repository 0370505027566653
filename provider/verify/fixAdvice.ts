/**
 * verify's Fix section made actionable, after the chain is judged (the judgement itself is
 * judgeChain's): the CA certificate the server does not send is looked for — by its subject, its
 * key identifier and its signature — in the JDKs and OS bundles of this machine and offered
 * pinned by SHA-256; the server-side fix is said for a server that sends no intermediate; after
 * an upgrade, a CA the strategy drops is named with the strategy/restore/external-truststore fix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { children, readTlv } from '../asn1/derReader';
import { Certificate } from '../certificate/certificate';
import { parseCertificateExtensions } from '../certificate/certificateExtensions';
import { parseCertificateInput } from '../certificate/certificateInput';
import { readRegularFileSync } from '../host/boundedRead';
import { READ_LIMITS } from '../host/readLimits';
import { readKeystore } from '../keystore/keystoreCodec';
import type { Keystore } from '../keystore/model';
import type { TrustSuggestion } from './judgeChain';
import type { EndpointVerdict } from './verifyEndpoint';

const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';

/** Where a missing CA is looked for: every JDK's cacerts, then the OS bundles (PEM files). */
export const DEFAULT_CA_SEARCH = ['/usr/lib/jvm/*/lib/security/cacerts', '/etc/ssl/certs/*.pem', '/etc/pki/tls/certs/ca-bundle.crt'];

/**
 * The authority key identifier of a certificate (the issuer's key id) as colon-separated hex,
 * or undefined when it has none.
 *
 * @example
 * authorityKeyId(leafDer); // '4a:1f:…'
 */
export function authorityKeyId(der: Uint8Array): string | undefined {
  const ext = parseCertificateExtensions(der).all.find((e) => e.oid === OID_AUTHORITY_KEY_IDENTIFIER);
  if (!ext) return undefined;
  try {
    const seq = readTlv(ext.value, 0, ext.value.length, 'AuthorityKeyIdentifier');
    const keyId = children(ext.value, seq, 'AuthorityKeyIdentifier').find((t) => t.tag === 0x80);
    if (!keyId) return undefined;
    return Buffer.from(ext.value.subarray(keyId.contentStart, keyId.end)).toString('hex').match(/../g)?.join(':');
  } catch {
    return undefined;
  }
}

/** A CA certificate found on this machine, and where. */
export interface FoundCa {
  readonly der: Uint8Array;
  readonly sha256: string;
  readonly subject: string;
  /** The file it came from (a PEM file, or a keystore with the alias). */
  readonly source: string;
  /** A PEM file holding only it, when there is one (for `--ca-file`). */
  readonly file?: string;
}

/** Expands the one `*` a search place may hold (a directory level). */
function expand(place: string): string[] {
  const star = place.indexOf('*');
  if (star < 0) return fs.existsSync(place) ? [place] : [];
  const dir = path.dirname(place.slice(0, star + 1));
  const [before, after] = path.relative(dir, place).split('*', 2);
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  const rest = after.split(path.sep);
  return names.filter((n) => n.startsWith(before) && n.endsWith(rest[0])).map((n) => path.join(dir, n, ...rest.slice(1))).filter((p) => fs.existsSync(p));
}

/** Every certificate of one place: a keystore (read without a password, as keytool -list does) or PEM. */
function certificatesIn(file: string): { der: Uint8Array; source: string; file?: string }[] {
  let bytes: Uint8Array;
  try {
    bytes = readRegularFileSync(file, { maxBytes: READ_LIMITS.keystore, what: 'a CA bundle' });
  } catch {
    return [];
  }
  if (/\.(pem|crt)$/i.test(file)) {
    try {
      const ders = parseCertificateInput(bytes, file);
      return ders.map((der) => ({ der, source: file, ...(ders.length === 1 ? { file } : {}) }));
    } catch {
      return [];
    }
  }
  let store: Keystore;
  try {
    store = readKeystore(bytes, {});
  } catch {
    return [];
  }
  return store.entries.filter((e) => e.kind === 'trustedCertificate' && e.certificates[0]).map((e) => ({ der: e.certificates[0], source: `${file} (alias ${e.alias})` }));
}

/**
 * The CA certificates in `places` that issued `issuedDer`: same name and key identifier
 * (OpenSSL's issuer check) and a signature that verifies. Each certificate once, first place first.
 */
export function findIssuerOnMachine(issuedDer: Uint8Array, places: readonly string[] = DEFAULT_CA_SEARCH): FoundCa[] {
  const issued = new X509Certificate(issuedDer);
  const found = new Map<string, FoundCa>();
  for (const file of places.flatMap(expand)) {
    for (const c of certificatesIn(file)) {
      let candidate: X509Certificate;
      try {
        candidate = new X509Certificate(c.der);
        if (candidate.subject !== issued.issuer || !issued.checkIssued(candidate) || !issued.verify(candidate.publicKey)) continue;
      } catch {
        continue;
      }
      const cert = Certificate.fromDer(c.der);
      const prior = found.get(cert.sha256);
      if (prior && (prior.file || !c.file)) continue;
      found.set(cert.sha256, { der: c.der, sha256: cert.sha256, subject: cert.facts.subject, source: prior?.source ?? c.source, ...(c.file ? { file: c.file } : {}) });
    }
  }
  return [...found.values()];
}

/** What the advice may use beyond the verdict. */
export interface FixAdviceOptions {
  /** Where to look for the missing CA (default {@link DEFAULT_CA_SEARCH}). */
  readonly searchPlaces?: readonly string[];
  /** After an upgrade: the store now, and what the upgrade loses (by SHA-256) under `strategy`. */
  readonly upgrade?: { readonly before: Keystore; readonly lostSha256: ReadonlySet<string>; readonly strategy: string };
}

/** The presented certificate whose issuer is missing: the top of what the server sent that is not self-signed. */
function missingIssuerOf(v: EndpointVerdict): Uint8Array | undefined {
  const codes = new Set(v.judgement.problems.map((p) => p.code));
  if (!codes.has('ROOT_NOT_TRUSTED') && !codes.has('ISSUER_NOT_SENT')) return undefined;
  const wanted = v.judgement.suggestions.find((s) => !s.sha256)?.subject;
  if (!wanted) return undefined;
  return [...v.presented.certificates].reverse().find((der) => {
    try {
      return Certificate.fromDer(der).facts.issuer === wanted;
    } catch {
      return false;
    }
  });
}

/**
 * The verdict with its Fix made actionable (see the module comment); the judgement's problems
 * and path are untouched. A trusted verdict comes back as it is.
 *
 * @example
 * const advised = adviseFix(await verifyEndpoint(target, { store, policy }));
 */
export function adviseFix(v: EndpointVerdict, opts: FixAdviceOptions = {}): EndpointVerdict {
  if (v.trusted) return v;
  const issued = missingIssuerOf(v);
  if (!issued) return v;
  const keyId = authorityKeyId(issued);
  const before: TrustSuggestion[] = [];
  const notes: string[] = [];
  const codes = new Set(v.judgement.problems.map((p) => p.code));
  // After an upgrade: the CA is trusted now, and the strategy drops it.
  const dropped = opts.upgrade ? findIssuerIn(issued, opts.upgrade.before).filter((c) => opts.upgrade?.lostSha256.has(c.sha256)) : [];
  for (const c of dropped) {
    before.push({
      subject: c.subject,
      sha256: c.sha256,
      der: c.der,
      reason: `trusted now as ${c.alias}, but ${opts.upgrade?.strategy} drops it at the upgrade: keep it with migrate_delta or an external truststore outside the MID home, or put it back right after the upgrade (midtrust restore, or re-apply the desired state)`,
    });
  }
  if (dropped.length === 0) {
    if (codes.has('ISSUER_NOT_SENT')) {
      before.push({ subject: Certificate.fromDer(issued).facts.issuer, reason: 'on the server (the fix that works for every client): configure it to send its intermediate CA certificate(s) with its own — a fullchain.pem, the web server\'s chain file, the chain of its keystore entry' });
    }
    for (const c of findIssuerOnMachine(issued, opts.searchPlaces)) {
      before.push({ subject: c.subject, sha256: c.sha256, der: c.der, reason: `found on this machine in ${c.source}: add this CA, pinned by its SHA-256` });
    }
  }
  if (keyId) notes.push(`the missing issuer's key identifier (the server certificate's authority key id): ${keyId}`);
  if (before.length === 0 && notes.length === 0) return v;
  const rest = v.judgement.suggestions.map((s) => (dropped.length && !s.sha256 ? { ...s, reason: 'or add it again from its CA' } : s));
  return {
    ...v,
    judgement: { ...v.judgement, suggestions: [...before, ...rest], notes: [...v.judgement.notes, ...notes] },
  };
}

/** The trusted certificates of `store` that issued `issuedDer` (name, key id, signature). */
function findIssuerIn(issuedDer: Uint8Array, store: Keystore): { der: Uint8Array; sha256: string; subject: string; alias: string }[] {
  const issued = new X509Certificate(issuedDer);
  const out: { der: Uint8Array; sha256: string; subject: string; alias: string }[] = [];
  for (const e of store.entries) {
    if (e.kind !== 'trustedCertificate' || !e.certificates[0]) continue;
    try {
      const candidate = new X509Certificate(e.certificates[0]);
      if (candidate.subject !== issued.issuer || !issued.checkIssued(candidate) || !issued.verify(candidate.publicKey)) continue;
    } catch {
      continue;
    }
    const cert = Certificate.fromDer(e.certificates[0]);
    out.push({ der: e.certificates[0], sha256: cert.sha256, subject: cert.facts.subject, alias: e.alias });
  }
  return out;
}
