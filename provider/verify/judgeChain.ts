import { Certificate } from '../certificate/certificate';
import { MidtrustError } from '../errors';
import { KEY_USAGE_BITS } from '../certificate/certificateExtensions';
import type { ConstraintContext } from './algorithmConstraints';
import { JDK16_EC_CURVES, type JdkTrustPolicy } from './jdkTrustPolicy';
import { PathCertificate } from './pathCertificate';
import type { TrustAnchor } from './trustAnchors';
import { hasPolicyMappings, nameConstraintViolation, policyViolation } from './pathConstraints';
import { checkEndpointIdentity, type EndpointIdentity, type IdentityResult } from './endpointIdentity';

/** Stable codes of the JSON contract's `problems[].code`. */
export type TrustProblemCode =
  | 'EMPTY_CHAIN'
  | 'UNREADABLE_CERTIFICATE'
  | 'ROOT_NOT_TRUSTED'
  | 'ISSUER_NOT_SENT'
  | 'SELF_SIGNED_NOT_TRUSTED'
  | 'ANCHOR_KEY_MISMATCH'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'BAD_SIGNATURE'
  | 'NOT_A_CA'
  | 'PATH_TOO_LONG'
  | 'CA_KEY_USAGE'
  | 'ANCHOR_NOT_CA'
  | 'DISABLED_ALGORITHM'
  | 'UNKNOWN_CRITICAL_EXTENSION'
  | 'KEY_USAGE'
  | 'EXTENDED_KEY_USAGE'
  | 'NETSCAPE_CERT_TYPE'
  | 'HOSTNAME_MISMATCH'
  | 'CHAIN_TOO_LONG'
  | 'HANDSHAKE_REFUSED'
  | 'UNSUPPORTED_ALGORITHM'
  | 'NAME_CONSTRAINTS'
  | 'CERTIFICATE_POLICY';

/** Why the JVM would refuse the endpoint, worded with the fix. */
export interface TrustProblem {
  readonly code: TrustProblemCode;
  readonly message: string;
  /** The certificate it is about, when it is one. */
  readonly sha256?: string;
}

/** A CA whose addition to the store would make the path (`sha256` and `der` only when the server sent it). */
export interface TrustSuggestion {
  readonly subject: string;
  readonly sha256?: string;
  readonly reason: string;
  /** The presented certificate itself, for `--write-desired`: only what the server actually sent. */
  readonly der?: Uint8Array;
}

/**
 * How the JVM reached its verdict (sun.security.validator.PKIXValidator.engineValidate):
 * `pinned` — the server's own certificate is in the store (accepted as is: no dates, no usage);
 * `validated` — the presented chain, in order, up to a trusted certificate or a trusted issuer;
 * `built` — the chain was out of order or ended elsewhere, so a path was searched through every
 * presented certificate and anchor (CertPathBuilder); `none` — no certificate could be read.
 */
export type TrustRoute = 'pinned' | 'validated' | 'built' | 'none';

/** The verdict on one presented chain. */
export interface ChainJudgement {
  readonly trusted: boolean;
  readonly route: TrustRoute;
  /** The anchor of the accepted path (or of the closest failed attempt). */
  readonly anchor?: TrustAnchor;
  /** Leaf first, without the anchor: the accepted path, or the closest failed attempt. */
  readonly path: readonly Certificate[];
  readonly problems: readonly TrustProblem[];
  readonly suggestions: readonly TrustSuggestion[];
  readonly identity: IdentityResult;
  /** Things worth knowing that do not change the verdict (unchecked name constraints, …). */
  readonly notes: readonly string[];
}

/** What besides the chain the verdict depends on. */
export interface JudgeOptions {
  readonly anchors: readonly TrustAnchor[];
  readonly policy: JdkTrustPolicy;
  readonly now: Date;
  /**
   * The authType SunJSSE gives the trust manager: "UNKNOWN" for TLS 1.3, the key exchange of the
   * cipher suite for TLS 1.2 ("ECDHE_RSA", "RSA", …). It decides which KeyUsage bit the server
   * certificate needs.
   */
  readonly authType: string;
  /** The host-name check the client makes (HTTPS, LDAP), or undefined for a bare TLS socket. */
  readonly identity?: EndpointIdentity;
  /** Bounds of the path search (default {@link DEFAULT_PATH_SEARCH_LIMITS}). */
  readonly limits?: PathSearchLimits;
  /** Epoch milliseconds after which judging stops with an error (the verify's deadline). */
  readonly deadline?: number;
  /**
   * Why the server refused a handshake offering what the JVM offers (its cipher suites, groups
   * and signature algorithms), when it did: the JVM's handshake fails before trust is judged.
   */
  readonly jvmHandshakeRefused?: string;
}

/** Signature algorithms SunJSSE accepts in certificates (SignatureScheme, signature_algorithms_cert). */
const TLS_CERT_SIGNATURES = new Set(
  [
    'SHA256withECDSA', 'SHA384withECDSA', 'SHA512withECDSA', 'Ed25519', 'Ed448', 'RSASSA-PSS', 'SHA256withRSA', 'SHA384withRSA', 'SHA512withRSA',
    'SHA256withDSA', 'SHA224withECDSA', 'SHA224withRSA', 'SHA224withDSA', 'SHA1withECDSA', 'SHA1withRSA', 'SHA1withDSA', 'MD5withRSA',
  ].map((s) => s.toUpperCase()),
);

/**
 * Whether SunJSSE of `javaVersion` accepts `signatureAlgorithm` in a server's certificates. After
 * JDK 21 the DSA schemes are no longer accepted in TLS 1.3 certificates (authType "UNKNOWN")
 * (observed: Temurin 25 fails a DSA-signed chain over TLS 1.3 with "Algorithm constraints check
 * failed" and accepts it over TLS 1.2; Java 17 accepts both); 21 is judged like 17 until a JDK 21
 * oracle says otherwise.
 */
function tlsAcceptsCertSignature(signatureAlgorithm: string, javaVersion: number, authType: string): boolean {
  const upper = signatureAlgorithm.toUpperCase();
  if (javaVersion > 21 && authType === 'UNKNOWN' && upper.endsWith('WITHDSA')) return false;
  return TLS_CERT_SIGNATURES.has(upper);
}
/** Critical extensions Java's PKIX checkers process; any other critical extension fails the path. */
const HANDLED_CRITICAL = new Set(['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.17', '2.5.29.30', '2.5.29.32', '2.5.29.33', '2.5.29.36', '2.5.29.54']);
const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const EKU_ANY = '2.5.29.37.0';
/** Server-Gated-Cryptography purposes Java still accepts for TLS servers (Microsoft, Netscape). */
const EKU_SGC = ['1.3.6.1.4.1.311.10.3.3', '2.16.840.1.113730.4.1'];
const KU_FOR_AUTH_TYPE: ReadonlyArray<[readonly string[], number, string]> = [
  [['DHE_DSS', 'DHE_RSA', 'ECDHE_ECDSA', 'ECDHE_RSA', 'RSA_EXPORT', 'UNKNOWN'], KEY_USAGE_BITS.digitalSignature, 'digitalSignature'],
  [['RSA'], KEY_USAGE_BITS.keyEncipherment, 'keyEncipherment'],
  [['DH_DSS', 'DH_RSA', 'ECDH_ECDSA', 'ECDH_RSA'], KEY_USAGE_BITS.keyAgreement, 'keyAgreement'],
];
/** CertPathBuilder's default maxPathLength (non-self-issued intermediates). */
const MAX_INTERMEDIATES = 5;

interface Attempt {
  readonly path: PathCertificate[];
  readonly anchor: TrustAnchor;
  readonly problems: TrustProblem[];
}

/**
 * Judges a presented chain as the JVM's default trust manager does for a TLS client: SunJSSE's
 * X509TrustManagerImpl over PKIXValidator with the store's entries as anchors, no AIA fetching,
 * no revocation (the JDK default), then the end-entity checks for a TLS server and the host-name
 * check of HTTPS or LDAP. Every problem of the closest path is reported, not only the first one
 * Java stops at, so the fix is complete; the verdict is the JVM's.
 *
 * Signatures and issuer matching are OpenSSL's (node's X509Certificate); nothing here verifies a
 * signature by hand.
 *
 * @example
 * const j = judgeChain(presentedDers, { anchors: trustAnchorsOf(store), policy, now: new Date(), authType: 'UNKNOWN' });
 * j.trusted; j.anchor?.alias; j.problems.map((p) => p.code)
 */
export function judgeChain(presented: readonly Uint8Array[], opts: JudgeOptions): ChainJudgement {
  const notes: string[] = [];
  if (presented.length === 0) {
    if (opts.jvmHandshakeRefused) {
      return failed('none', [{ code: 'HANDSHAKE_REFUSED', message: `the server refuses the handshake the JVM offers (and any other node can offer): ${opts.jvmHandshakeRefused}, so its certificate chain cannot be seen. The MID logs an SSLHandshakeException before trust is judged, whatever the store holds; a server key on a curve Java does not implement (secp224r1, secp256k1, brainpool) or a certificate signed with MD5 are the usual causes` }], [], notes);
    }
    return failed('none', [{ code: 'EMPTY_CHAIN', message: 'the server sent no certificate' }], [], notes);
  }
  // SunJSSE counts the Certificate message's entries before anything else looks at them.
  if (presented.length > opts.policy.maxChainLength) {
    return failed('none', [{ code: 'CHAIN_TOO_LONG', message: `the server sends ${presented.length} certificates and the JVM's TLS client takes at most ${opts.policy.maxChainLength} (jdk.tls.maxCertificateChainLength / jdk.tls.client.maxInboundCertificateChainLength): the handshake fails before trust is judged ("The certificate chain length (${presented.length}) exceeds the maximum allowed length (${opts.policy.maxChainLength})"); configure the server to send only its chain` }], [], notes);
  }
  // The Certificate message as the server sent it (TLS 1.3 adds a context byte and 2 bytes of
  // extensions per entry; an upper bound either way) against SSLConfiguration's size limit.
  const messageSize = 4 + 1 + 3 + presented.reduce((n, der) => n + 3 + der.length + (opts.authType === 'UNKNOWN' ? 2 : 0), 0);
  if (messageSize > opts.policy.maxHandshakeMessageSize) {
    return failed('none', [{ code: 'CHAIN_TOO_LONG', message: `the server's Certificate message is about ${messageSize} bytes and the JVM takes at most ${opts.policy.maxHandshakeMessageSize} (jdk.tls.maxHandshakeMessageSize): the handshake fails before trust is judged ("The size of the handshake message … exceeds the maximum allowed size"); configure the server to send only its chain` }], [], notes);
  }
  const certs: PathCertificate[] = [];
  for (const der of presented) {
    const c = new PathCertificate(Certificate.fromDer(der));
    try {
      void c.facts;
      void c.x509;
      void c.certificate.extensions;
    } catch (e) {
      return failed('none', [{ code: 'UNREADABLE_CERTIFICATE', sha256: c.sha256, message: `certificate ${certs.length + 1} of the chain cannot be read (${(e as Error).message}); Java refuses the handshake` }], [], notes);
    }
    certs.push(c);
  }
  const index = new AnchorIndex(opts.anchors);
  const leaf = certs[0];
  const refusal = handshakeRefusal(leaf, opts);
  if (refusal) return { ...failed('none', [refusal], [], notes), path: [leaf.certificate] };
  const identity = opts.identity ? checkEndpointIdentity(leaf.x509, opts.identity) : ({ checked: false } as const);
  const identityProblems: TrustProblem[] = identity.checked && !identity.matched ? [{ code: 'HOSTNAME_MISMATCH', sha256: leaf.sha256, message: identity.message }] : [];

  // 1. The server's certificate itself is trusted: accepted without any further check.
  const pinned = index.exact(leaf);
  if (pinned) {
    const problems = identityProblems;
    return { trusted: problems.length === 0, route: 'pinned', anchor: pinned, path: [leaf.certificate], problems, suggestions: [], identity, notes };
  }

  // 2. In order and reaching a trusted certificate (or the same name and key): validate that prefix.
  const judge = (route: TrustRoute, attempts: Attempt[], diagnosis: () => { problems: TrustProblem[]; suggestions: TrustSuggestion[] }): ChainJudgement => {
    const best = bestAttempt(attempts);
    if (best && best.problems.length === 0) {
      noteUncheckedConstraints(best.path, notes);
      return { trusted: identityProblems.length === 0, route, anchor: best.anchor, path: best.path.map((c) => c.certificate), problems: identityProblems, suggestions: [], identity, notes };
    }
    if (best) {
      return { trusted: false, route, anchor: best.anchor, path: best.path.map((c) => c.certificate), problems: [...best.problems, ...identityProblems], suggestions: [], identity, notes };
    }
    const d = diagnosis();
    return { trusted: false, route, path: [leaf.certificate], problems: [...d.problems, ...identityProblems], suggestions: d.suggestions, identity, notes };
  };
  const validate = (path: PathCertificate[]): ChainJudgement => {
    const top = path[path.length - 1];
    const attempts = index.issuersOf(top).map((anchor) => ({ path, anchor, problems: checkPath(path, anchor, opts, index) }));
    return judge('validated', attempts, () => diagnose(certs, [path], index));
  };
  for (let i = 1; i < certs.length; i++) {
    if (!sameName(certs[i].subjectBytes, () => certs[i].subjectKey, certs[i - 1].issuerBytes, () => certs[i - 1].issuerKey)) return build(certs, index, opts, judge);
    if (index.exact(certs[i]) || index.sameNameAndKey(certs[i])) return validate(certs.slice(0, i));
  }
  // 3. The last certificate's issuer is a trusted name: validate the whole chain.
  if (index.trustsIssuerNameOf(certs[certs.length - 1])) return validate(certs);
  // 4. Otherwise search for a path through everything presented.
  return build(certs, index, opts, judge);
}

/**
 * Why the JVM's handshake fails before its trust manager is asked, whatever the store holds (even
 * with the server certificate pinned): a server key on a curve the JDK does not implement (it can
 * verify no handshake signature made with it), a server certificate signed with an algorithm the
 * JVM leaves out of signature_algorithms_cert (MD5), or a server that refused what the JVM offers.
 */
function handshakeRefusal(leaf: PathCertificate, opts: JudgeOptions): TrustProblem | undefined {
  const curve = unsupportedCurve(leaf, opts.policy);
  if (curve) {
    return { code: 'HANDSHAKE_REFUSED', sha256: leaf.sha256, message: `the server certificate's key is on the curve ${curve}, which Java ${opts.policy.javaVersion} does not implement (SunEC has only secp256r1, secp384r1 and secp521r1 since JDK 16): the JVM's handshake fails before trust is judged, even when the certificate is in the store; re-issue it with a P-256/P-384 or RSA key` };
  }
  const signature = leaf.facts.signatureAlgorithm;
  // Java 25 still sends the DSA schemes in signature_algorithms_cert over TLS 1.3 (its trust
  // manager refuses them afterwards): only the base list decides what a server refuses.
  const certSignatureRefusal = !TLS_CERT_SIGNATURES.has(signature.toUpperCase())
    ? 'it is not a signature scheme Java lists'
    : opts.policy.tls.tlsRefusal({ signatureAlgorithm: signature, keys: [] }, opts.now);
  if (certSignatureRefusal) {
    return { code: 'HANDSHAKE_REFUSED', sha256: leaf.sha256, message: `the server certificate is signed with ${signature}, which the JVM leaves out of the signature_algorithms_cert it sends (${certSignatureRefusal}): a server that honours that list (OpenSSL, Java) ends the handshake with a handshake_failure alert before trust is judged, even when the certificate is in the store; re-issue it with SHA-256 or better` };
  }
  if (opts.jvmHandshakeRefused) {
    return { code: 'HANDSHAKE_REFUSED', sha256: leaf.sha256, message: `the server refuses the handshake the JVM offers (its cipher suites, groups and signature algorithms): ${opts.jvmHandshakeRefused}. The MID logs an SSLHandshakeException before trust is judged, whatever the store holds` };
  }
  return undefined;
}

/** The curve of an EC key the JDK cannot use (Java 16 and later), else undefined. */
function unsupportedCurve(c: PathCertificate, policy: JdkTrustPolicy): string | undefined {
  if (policy.javaVersion < 16) return undefined;
  const f = c.keyFacts;
  if (f.algorithm !== 'EC') return undefined;
  return f.curve !== undefined && JDK16_EC_CURVES.has(f.curve) ? undefined : (f.curve ?? 'an explicitly encoded curve');
}

/** X500Principal.equals: the same bytes, or the same normalized text (formatted only when the bytes differ). */
function sameName(aBytes: string, aKey: string | (() => string), bBytes: string, bKey: string | (() => string)): boolean {
  if (aBytes === bBytes) return true;
  const text = (k: string | (() => string)): string | undefined => safe(() => (typeof k === 'string' ? k : k()));
  const a = text(aKey);
  return a !== undefined && a === text(bKey);
}

function failed(route: TrustRoute, problems: TrustProblem[], suggestions: TrustSuggestion[], notes: string[]): ChainJudgement {
  return { trusted: false, route, path: [], problems, suggestions, identity: { checked: false }, notes };
}

interface IndexedAnchor {
  readonly anchor: TrustAnchor;
  readonly cert: PathCertificate;
}

/**
 * The store's anchors, found by exact certificate and by subject. Names are matched by their DER
 * bytes first (how issuer and subject chain in practice) and only when that finds nothing by
 * their normalized text (X500Principal.equals ignores case and extra spaces) — which needs every
 * anchor's name decoded, so it happens only on that path.
 */
class AnchorIndex {
  private readonly byDer = new Map<string, IndexedAnchor[]>();
  private readonly bySubjectBytes = new Map<string, IndexedAnchor[]>();
  private byName?: Map<string, IndexedAnchor[]>;
  private readonly all: IndexedAnchor[] = [];

  constructor(anchors: readonly TrustAnchor[]) {
    for (const anchor of anchors) {
      const cert = new PathCertificate(anchor.certificate);
      let subject: string;
      try {
        subject = cert.subjectBytes;
      } catch {
        continue; // Java cannot load an unreadable entry as an anchor either
      }
      const entry = { anchor, cert };
      this.all.push(entry);
      push(this.bySubjectBytes, subject, entry);
      push(this.byDer, derKey(anchor.certificate.der), entry);
    }
  }

  /** The anchor that is exactly this certificate (Java's trustedCerts.contains). */
  exact(c: PathCertificate): TrustAnchor | undefined {
    const der = c.certificate.der;
    return this.byDer.get(derKey(der))?.find((e) => Buffer.compare(e.anchor.certificate.der, der) === 0)?.anchor;
  }

  /** Anchors whose subject is `bytes` (DER) or, failing that, `name` (text). */
  private named(bytes: string, name: () => string): IndexedAnchor[] {
    const hit = this.bySubjectBytes.get(bytes);
    if (hit) return hit;
    if (!this.byName) {
      this.byName = new Map();
      for (const e of this.all) {
        const key = safe(() => e.cert.subjectKey);
        if (key !== undefined) push(this.byName, key, e);
      }
    }
    return this.byName.get(safe(name) ?? '') ?? [];
  }

  /** A trusted subject equals `c`'s issuer (PKIXValidator's trustedSubjects.containsKey). */
  trustsIssuerNameOf(c: PathCertificate): boolean {
    return this.named(c.issuerBytes, () => c.issuerKey).length > 0;
  }

  /** A trusted certificate with the same name and key as `c` (a CA re-issued with a stronger signature). */
  sameNameAndKey(c: PathCertificate): boolean {
    return this.named(c.subjectBytes, () => c.subjectKey).some((a) => safe(() => a.cert.spki.equals(c.spki)));
  }

  /**
   * Anchors that may have issued `c`: same name as its issuer, key identifiers compatible.
   * An anchor whose KeyUsage lacks keyCertSign is still tried (Java fails it afterwards, and the
   * message should say so) — OpenSSL's issuer test would hide it.
   */
  issuersOf(c: PathCertificate): TrustAnchor[] {
    return this.named(c.issuerBytes, () => c.issuerKey)
      .filter((a) => c.isIssuedBy(a.cert) || lacksCertSign(a.cert))
      .map((a) => a.anchor);
  }

  /** Anchors named like `c`'s issuer, with their parsed certificates (the builder's candidates). */
  namedIssuersOf(c: PathCertificate): readonly IndexedAnchor[] {
    return this.named(c.issuerBytes, () => c.issuerKey);
  }

  /** The anchor's certificate as path checks see it (one object per anchor, so signature checks are cached). */
  certOf(anchor: TrustAnchor): PathCertificate {
    return this.all.find((e) => e.anchor === anchor)?.cert ?? new PathCertificate(anchor.certificate);
  }

  /** Anchors named like `c`'s issuer, whatever their key (to explain a renewed CA). */
  namedLikeIssuerOf(c: PathCertificate): TrustAnchor[] {
    return this.named(c.issuerBytes, () => c.issuerKey).map((a) => a.anchor);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Length and the last bytes (inside the signature): a cheap key, confirmed by a byte comparison. */
function derKey(der: Uint8Array): string {
  return `${der.length}:${Buffer.from(der.subarray(Math.max(0, der.length - 12))).toString('hex')}`;
}

function lacksCertSign(c: PathCertificate): boolean {
  const ku = safe(() => c.certificate.extensions.keyUsage);
  return ku !== undefined && !ku[KEY_USAGE_BITS.keyCertSign];
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * Bounds of the path search. Java's own builder is a plain depth-first search; a server can send
 * levels of same-named, same-key cross-signed CAs that make it exponential (K candidates at 7
 * levels: K^7 paths). A careful builder is polynomial on every chain a TLS server can send: each
 * signature is checked once per issuer key, candidates that cannot reach an anchor are pruned,
 * candidates identical but for their serial number are tried once, and what is left is bounded
 * by a budget of complete paths validated and of search steps, and by the caller's deadline.
 */
export interface PathSearchLimits {
  /** Complete paths (certificate … anchor) validated at most. */
  readonly maxAttempts: number;
  /** Candidate certificates considered at most. */
  readonly maxSteps: number;
}

/** Generous for any real chain (cross-signing gives 2–4 paths), far below what takes a second. */
export const DEFAULT_PATH_SEARCH_LIMITS: PathSearchLimits = { maxAttempts: 64, maxSteps: 4096 };

/**
 * CertPathBuilder: a depth-first search from the server certificate through the presented
 * certificates (any order, every candidate with the issuer's name tried: cross-signing) to any
 * anchor; each complete path is validated, the first valid one wins. Issuers are found by name and
 * signature as Java's ForwardBuilder does; key identifiers only order the candidates.
 */
function build(certs: PathCertificate[], index: AnchorIndex, opts: JudgeOptions, judge: (route: TrustRoute, attempts: Attempt[], diagnosis: () => { problems: TrustProblem[]; suggestions: TrustSuggestion[] }) => ChainJudgement): ChainJudgement {
  const limits = opts.limits ?? DEFAULT_PATH_SEARCH_LIMITS;
  const pool = distinct(certs);
  const graph = new IssuerGraph(pool, index);
  const attempts: Attempt[] = [];
  const partials: PathCertificate[][] = [];
  let steps = 0;
  const tooLarge = (why: string): never => {
    throw new MidtrustError('UNSUPPORTED', `the chain the server sent is too large to judge (${certs.length} certificates; ${why}): no verdict. The JVM's path builder would have to search the same paths; have the server send one chain`);
  };
  const visit = (path: PathCertificate[]): boolean => {
    const cur = path[path.length - 1];
    partials.push(path);
    // ForwardBuilder reuses its CA selector, whose date criterion is set after the first search:
    // an anchor above a presented CA (not directly above the server certificate) must be valid now.
    const anchors = path.length === 1 ? graph.anchorsOf(cur) : graph.anchorsOf(cur).filter((a) => validAt(index.certOf(a), opts.now));
    for (const anchor of anchors) {
      if (attempts.length >= limits.maxAttempts) tooLarge(`${limits.maxAttempts} candidate paths validated without finding one the JVM accepts`);
      const attempt = { path, anchor, problems: checkPath(path, anchor, opts, index) };
      attempts.push(attempt);
      if (attempt.problems.length === 0) return true;
    }
    if (path.length > MAX_INTERMEDIATES) return false;
    for (const next of graph.issuersOf(cur)) {
      if (++steps > limits.maxSteps) tooLarge(`${limits.maxSteps} search steps`);
      if (opts.deadline !== undefined && Date.now() > opts.deadline) tooLarge('the time allowed ran out');
      // A path holds one certificate per name and key (no loops through cross-signatures), and a
      // candidate that cannot reach an anchor within the path length left is not entered.
      if (path.some((p) => p === next || sameNameAndKey(p, next))) continue;
      if (graph.height(next) > MAX_INTERMEDIATES + 1 - path.length) continue;
      if (visit([...path, next])) return true;
    }
    return false;
  };
  visit([certs[0]]);
  return judge('built', attempts, () => {
    const above = graph.chainAbove(certs[0]);
    const top = above[above.length - 1];
    if (above.length > MAX_INTERMEDIATES + 1 && graph.anchorsOf(top).length > 0) {
      return { problems: [{ code: 'PATH_TOO_LONG', sha256: top.sha256, message: `the only path to a trusted CA has ${above.length - 1} intermediate CAs; Java's CertPathBuilder gives up after ${MAX_INTERMEDIATES} (PKIXBuilderParameters.maxPathLength): have the server send a shorter chain` }], suggestions: [] };
    }
    return diagnose(certs, [...partials, above], index);
  });
}

/** The presented certificates without repeats, and without ones equal to another but for the serial number. */
function distinct(certs: PathCertificate[]): PathCertificate[] {
  const seen = new Set<string>();
  const out: PathCertificate[] = [];
  for (const c of certs) {
    const key = safe(() => equivalenceKey(c)) ?? Buffer.from(c.certificate.der).toString('base64');
    if (c !== certs[0] && seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** What the path checks read of a certificate: everything but its serial number and signature value. */
function equivalenceKey(c: PathCertificate): string {
  const f = c.facts;
  const ext = c.certificate.extensions.all.map((e) => `${e.oid}${e.critical ? '!' : ''}=${Buffer.from(e.value).toString('base64')}`).join(';');
  return [c.subjectBytes, c.issuerBytes, c.spki.toString('base64'), f.notBefore.getTime(), f.notAfter.getTime(), f.signatureAlgorithm, f.version, ext].join('|');
}

function validAt(c: PathCertificate, now: Date): boolean {
  const f = c.facts;
  return now.getTime() >= f.notBefore.getTime() && now.getTime() <= f.notAfter.getTime();
}

function sameNameAndKey(a: PathCertificate, b: PathCertificate): boolean {
  return sameName(a.subjectBytes, () => a.subjectKey, b.subjectBytes, () => b.subjectKey) && a.spki.equals(b.spki);
}

/**
 * Who may have issued whom among the presented certificates and the anchors: by name, then by
 * signature (checked once per certificate and issuer key), candidates whose key identifiers match
 * first. `height` is the fewest certificates above one before an anchor (Infinity: none), so a
 * search never enters a branch that cannot end at an anchor.
 */
class IssuerGraph {
  private readonly edges = new Map<PathCertificate, PathCertificate[]>();
  private readonly anchorEdges = new Map<PathCertificate, TrustAnchor[]>();
  private readonly heights = new Map<PathCertificate, number>();

  constructor(
    private readonly pool: PathCertificate[],
    private readonly index: AnchorIndex,
  ) {
    for (const c of pool) this.heights.set(c, this.anchorsOf(c).length > 0 ? 0 : Infinity);
    // Bellman-Ford over at most pool.length rounds: polynomial whatever the cross-signing.
    for (let round = 0; round < pool.length; round++) {
      let changed = false;
      for (const c of pool) {
        const best = Math.min(...this.issuersOf(c).map((i) => (this.heights.get(i) ?? Infinity) + 1));
        if (best < (this.heights.get(c) ?? Infinity)) {
          this.heights.set(c, best);
          changed = true;
        }
      }
      if (!changed) break;
    }
  }

  /** The chain above `c` following the first issuer at each step (how far it goes, for the diagnosis). */
  chainAbove(c: PathCertificate): PathCertificate[] {
    const path = [c];
    for (let cur = c; ; ) {
      const next = this.issuersOf(cur).find((n) => !path.includes(n));
      if (!next) return path;
      path.push(next);
      cur = next;
    }
  }

  height(c: PathCertificate): number {
    return this.heights.get(c) ?? Infinity;
  }

  /** Anchors named like `c`'s issuer whose key verifies it (ForwardBuilder.isPathCompleted), key identifiers first. */
  anchorsOf(c: PathCertificate): TrustAnchor[] {
    let hit = this.anchorEdges.get(c);
    if (!hit) {
      const named = this.index.namedIssuersOf(c).filter((a) => c.verifiedBy(a.cert) || lacksCertSign(a.cert));
      hit = byKeyIdentifier(c, named).map((a) => a.anchor);
      this.anchorEdges.set(c, hit);
    }
    return hit;
  }

  /** Presented CA certificates named like `c`'s issuer whose key verifies it, key identifiers first. */
  issuersOf(c: PathCertificate): PathCertificate[] {
    let hit = this.edges.get(c);
    if (!hit) {
      const named = this.pool.filter((n) => n !== c && sameName(n.subjectBytes, () => n.subjectKey, c.issuerBytes, () => c.issuerKey) && !this.index.exact(n));
      hit = byKeyIdentifier(
        c,
        named.map((cert) => ({ cert })),
      )
        .map((n) => n.cert)
        .filter((n) => c.verifiedBy(n));
      this.edges.set(c, hit);
    }
    return hit;
  }
}

/** Stable order: candidates whose SubjectKeyIdentifier is `c`'s AuthorityKeyIdentifier first (Java's PKIXCertComparator). */
function byKeyIdentifier<T extends { cert: PathCertificate }>(c: PathCertificate, candidates: T[]): T[] {
  const aki = c.authorityKeyId;
  if (!aki || candidates.length < 2) return candidates;
  const rank = (t: T): number => (t.cert.subjectKeyId === aki ? 0 : 1);
  return candidates.map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i).map((x) => x.t);
}

/** Fewest problems wins; among equals the one found first (Java's order). */
function bestAttempt(attempts: Attempt[]): Attempt | undefined {
  let best: Attempt | undefined;
  for (const a of attempts) if (!best || a.problems.length < best.problems.length) best = a;
  return best;
}

/**
 * Every check PKIXCertPathValidator and the TLS end-entity checker make on one path
 * (leaf first, without the anchor), in the JVM's terms, each with its fix.
 */
function checkPath(path: PathCertificate[], anchor: TrustAnchor, opts: JudgeOptions, index: AnchorIndex): TrustProblem[] {
  const problems: TrustProblem[] = [];
  const anchorCert = index.certOf(anchor);
  const ctx: ConstraintContext = { anchorIsJdkCA: opts.policy.jdkCaSha256.has(anchor.certificate.sha256), now: opts.now, usage: 'TLSServer' };
  const anchorKeyRefusal = opts.policy.certpath.refusal({ keys: [anchorCert.keyFacts] }, ctx);
  if (anchorKeyRefusal) problems.push({ code: 'DISABLED_ALGORITHM', sha256: anchor.certificate.sha256, message: `the trusted CA ${anchor.alias} (${anchorCert.facts.subject}) has ${anchorKeyRefusal}; replace it with a CA that has a stronger key` });
  const anchorCurve = unsupportedCurve(anchorCert, opts.policy);
  if (anchorCurve) problems.push({ code: 'UNSUPPORTED_ALGORITHM', sha256: anchor.certificate.sha256, message: `the trusted CA ${anchor.alias} (${anchorCert.facts.subject}) has a key on ${anchorCurve}, which Java ${opts.policy.javaVersion} does not implement (SunEC: secp256r1, secp384r1, secp521r1 only), so it verifies no signature; the CA must use a P-256/P-384 or RSA key` });

  let issuer = anchorCert;
  let maxPathLength = path.length;
  for (let idx = path.length - 1; idx >= 0; idx--) {
    const c = path[idx];
    const f = c.facts;
    const what = describe(c, idx, path.length);
    const javaIndex = path.length - idx; // 1 = issued by the anchor
    if (!c.verifiedBy(issuer)) {
      problems.push({ code: 'BAD_SIGNATURE', sha256: c.sha256, message: `the signature of ${what} does not verify with the key of ${issuer === anchorCert ? `the trusted ${anchor.alias}` : issuer.facts.subject} (a CA with this name but another key?); get the issuer certificate that really signed it` });
    }
    if (opts.now.getTime() > f.notAfter.getTime()) {
      problems.push({ code: 'EXPIRED', sha256: c.sha256, message: `${what} expired on ${day(f.notAfter)}; ${idx === 0 ? 'renew the server certificate' : 'install the renewed CA certificate on the server (and in the store if it is trusted there)'}` });
    }
    if (opts.now.getTime() < f.notBefore.getTime()) {
      problems.push({ code: 'NOT_YET_VALID', sha256: c.sha256, message: `${what} is not valid before ${day(f.notBefore)}; check the clocks of this machine and of the CA that issued it` });
    }
    const certpath = opts.policy.certpath.refusal({ signatureAlgorithm: f.signatureAlgorithm, keys: [c.keyFacts] }, ctx);
    if (certpath) problems.push({ code: 'DISABLED_ALGORITHM', sha256: c.sha256, message: `${what}: ${certpath}; have it re-issued with SHA-256 or better and a key of at least 2048 bits` });
    else {
      const tls = tlsAcceptsCertSignature(f.signatureAlgorithm, opts.policy.javaVersion, opts.authType)
        ? opts.policy.tls.tlsRefusal({ signatureAlgorithm: f.signatureAlgorithm, keys: [c.keyFacts] }, opts.now)
        : `${f.signatureAlgorithm} is not a signature algorithm SunJSSE of Java ${opts.policy.javaVersion} accepts in TLS certificates`;
      if (tls) problems.push({ code: 'DISABLED_ALGORITHM', sha256: c.sha256, message: `${what}: ${tls}; have it re-issued with SHA-256 or better` });
    }
    const ext = c.certificate.extensions;
    const curve = idx > 0 ? unsupportedCurve(c, opts.policy) : undefined;
    if (curve) problems.push({ code: 'UNSUPPORTED_ALGORITHM', sha256: c.sha256, message: `${what} has a key on ${curve}, which Java ${opts.policy.javaVersion} does not implement (SunEC: secp256r1, secp384r1, secp521r1 only), so the signature it made on ${describe(path[idx - 1], idx - 1, path.length)} cannot be verified; the CA must use a P-256/P-384 or RSA key` });
    if (idx > 0) {
      // An intermediate: ConstraintsChecker and KeyChecker.
      const bc = f.basicConstraints;
      let pathLen = -1;
      if (f.version < 3) pathLen = javaIndex === 1 && c.selfIssued ? Number.MAX_SAFE_INTEGER : -1;
      else if (bc !== 'absent' && bc.ca) pathLen = bc.pathLength ?? Number.MAX_SAFE_INTEGER;
      if (pathLen === -1) {
        problems.push({ code: 'NOT_A_CA', sha256: c.sha256, message: `${what} is not a CA certificate (${bc === 'absent' ? 'no Basic Constraints' : 'CA:FALSE'}) but signs ${describe(path[idx - 1], idx - 1, path.length)}; the server sends a wrong chain` });
      } else {
        if (!c.selfIssued) {
          if (maxPathLength <= 0) problems.push({ code: 'PATH_TOO_LONG', sha256: c.sha256, message: `${what} breaks a path length constraint of a CA above it; the chain is longer than its CAs allow` });
          maxPathLength--;
        }
        if (pathLen < maxPathLength) maxPathLength = pathLen;
      }
      if (ext.keyUsage && !ext.keyUsage[KEY_USAGE_BITS.keyCertSign]) {
        problems.push({ code: 'CA_KEY_USAGE', sha256: c.sha256, message: `${what} has a KeyUsage without keyCertSign, so it may not sign certificates` });
      }
    }
    const unknown = ext.criticalOids.filter((o) => !HANDLED_CRITICAL.has(o));
    if (unknown.length > 0) problems.push({ code: 'UNKNOWN_CRITICAL_EXTENSION', sha256: c.sha256, message: `${what} has critical extension(s) Java does not know (${unknown.join(', ')}), so Java rejects it` });
    issuer = c;
  }

  const nc = safe(() => nameConstraintViolation(path));
  if (nc) problems.push({ code: 'NAME_CONSTRAINTS', sha256: nc.cert.sha256, message: `${nc.message}, so Java rejects the path ("name constraints check failed"); the CA may not issue for that name: get the certificate from a CA allowed to` });
  const policy = safe(() => policyViolation(path));
  if (policy) problems.push({ code: 'CERTIFICATE_POLICY', sha256: policy.cert.sha256, message: `${policy.message}, so Java rejects the path; the certificates below that CA must carry one of its policies` });

  // PKIXValidator.verifyTrustAnchor: an anchor at the end of a path must be a CA (v1 roots excepted).
  const af = anchorCert.facts;
  if (af.version === 3 && (af.basicConstraints === 'absent' || !af.basicConstraints.ca)) {
    problems.push({ code: 'ANCHOR_NOT_CA', sha256: anchor.certificate.sha256, message: `the trusted entry ${anchor.alias} (${af.subject}) is not a CA certificate, so Java will not use it to anchor a path; trust the CA that issued the server certificate instead` });
  } else if (lacksCertSign(anchorCert)) {
    problems.push({ code: 'ANCHOR_NOT_CA', sha256: anchor.certificate.sha256, message: `the trusted entry ${anchor.alias} (${af.subject}) has a KeyUsage without keyCertSign, so Java will not use it to anchor a path` });
  }
  problems.push(...endEntityProblems(path[0], opts.authType));
  return problems;
}

/** EndEntityChecker for a TLS server: KeyUsage for the authType, ExtendedKeyUsage, Netscape cert type. */
function endEntityProblems(leaf: PathCertificate, authType: string): TrustProblem[] {
  const out: TrustProblem[] = [];
  const ext = leaf.certificate.extensions;
  const rule = KU_FOR_AUTH_TYPE.find(([types]) => types.includes(authType));
  if (ext.keyUsage && rule && !ext.keyUsage[rule[1]]) {
    out.push({ code: 'KEY_USAGE', sha256: leaf.sha256, message: `the server certificate's KeyUsage does not allow ${rule[2]}, which a ${authType === 'UNKNOWN' ? 'TLS 1.3' : `TLS ${authType}`} handshake needs; re-issue it with ${rule[2]}` });
  }
  const eku = ext.extendedKeyUsage;
  if (eku && !eku.includes(EKU_SERVER_AUTH) && !eku.includes(EKU_ANY) && !EKU_SGC.some((o) => eku.includes(o))) {
    out.push({ code: 'EXTENDED_KEY_USAGE', sha256: leaf.sha256, message: `the server certificate's ExtendedKeyUsage (${eku.join(', ')}) does not include serverAuth (1.3.6.1.5.5.7.3.1); re-issue it for TLS server authentication` });
  }
  const ns = ext.netscapeCertType;
  if (ns && !ns[1]) out.push({ code: 'NETSCAPE_CERT_TYPE', sha256: leaf.sha256, message: 'the server certificate\'s Netscape cert type does not allow SSL server use; re-issue it without that extension' });
  return out;
}

/** Why no path reached an anchor, and which CA to add (only presented certificates carry a fingerprint). */
function diagnose(certs: PathCertificate[], partials: PathCertificate[][], index: AnchorIndex): { problems: TrustProblem[]; suggestions: TrustSuggestion[] } {
  const longest = partials.reduce((a, b) => (b.length > a.length ? b : a), [certs[0]]);
  const top = longest[longest.length - 1];
  const leaf = certs[0];
  const problems: TrustProblem[] = [];
  const suggestions: TrustSuggestion[] = [];
  const sameName = index.namedLikeIssuerOf(top);
  if (sameName.length > 0) {
    problems.push({
      code: 'ANCHOR_KEY_MISMATCH',
      sha256: top.sha256,
      message: `the store trusts ${sameName.map((a) => a.alias).join(', ')} named ${top.facts.issuer}, but not the key that signed ${top === leaf ? 'the server certificate' : top.facts.subject} (a renewed or re-keyed CA?)`,
    });
  }
  const selfSigned = top.selfIssued && top.verifiesWith(top.publicKey);
  if (selfSigned && top === leaf) {
    problems.push({ code: 'SELF_SIGNED_NOT_TRUSTED', sha256: leaf.sha256, message: `the server presents a self-signed certificate (${leaf.facts.subject}) that the store does not trust` });
    suggestions.push({ subject: leaf.facts.subject, sha256: leaf.sha256, der: leaf.certificate.der, reason: 'pin this self-signed server certificate (it must be replaced in the store when the server renews it)' });
  } else if (selfSigned) {
    problems.push({ code: 'ROOT_NOT_TRUSTED', sha256: top.sha256, message: `the chain ends at the root CA ${top.facts.subject}, which the store does not trust` });
    suggestions.push({ subject: top.facts.subject, sha256: top.sha256, der: top.certificate.der, reason: 'add this root CA (the server sent it)' });
  } else if (top === leaf) {
    problems.push({
      code: 'ISSUER_NOT_SENT',
      sha256: leaf.sha256,
      message: `the server sends only its own certificate, and the store does not trust its issuer ${leaf.facts.issuer}; the JVM does not download missing CA certificates. If the issuer is an intermediate CA, the server does not send its intermediate: configure the server to send its chain (the fix), or add that intermediate to the store`,
    });
    suggestions.push({ subject: leaf.facts.issuer, reason: 'add the CA that issued the server certificate (not sent by the server; get it from the CA, and prefer its root if it is an intermediate)' });
  } else {
    problems.push({ code: 'ROOT_NOT_TRUSTED', sha256: top.sha256, message: `the chain the server sends ends at ${top.facts.subject}, issued by ${top.facts.issuer}, which the store does not trust` });
    suggestions.push({ subject: top.facts.issuer, reason: 'add this root CA (servers usually do not send their root; get it from the CA)' });
    suggestions.push({ subject: top.facts.subject, sha256: top.sha256, der: top.certificate.der, reason: 'or trust the intermediate CA the server sent (works until that intermediate is renewed)' });
  }
  return { problems, suggestions };
}

function noteUncheckedConstraints(path: PathCertificate[], notes: string[]): void {
  if (hasPolicyMappings(path)) notes.push('a CA on the path maps certificate policies, which midtrust checks as if unmapped (Java follows the mappings)');
}

function describe(c: PathCertificate, idx: number, length: number): string {
  const name = c.facts.subjectCommonName ?? c.facts.subject;
  if (idx === 0) return `the server certificate (${name})`;
  return idx === length - 1 && c.selfIssued ? `the root CA certificate ${name}` : `the intermediate CA certificate ${name}`;
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}
