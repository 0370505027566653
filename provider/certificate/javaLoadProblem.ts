import { children, decodeOid, readTlv, TAG, type Tlv } from '../asn1/derReader';
import { MidtrustError } from '../errors';

const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const CONTEXT_1_PRIMITIVE = 0x81;
const CONTEXT_1_CONSTRUCTED = 0xa1;
const CONTEXT_2_PRIMITIVE = 0x82;
const CONTEXT_2_CONSTRUCTED = 0xa2;
const EXTENSIONS = 0xa3;

/**
 * Why Java's CertificateFactory would refuse this certificate, or undefined when it would load
 * it. This matters more than it looks: Java parses *every* certificate while loading a JKS or
 * PKCS12 file, so a single certificate it refuses makes the whole truststore unreadable —
 * every TLS connection of the MID Server then fails. keytool -importcert refuses such files up
 * front; midtrust writes keystores itself, so it must refuse them too.
 *
 * The rules are those of `sun.security.x509.X509CertImpl`/`X509CertInfo` (checked against Java
 * 17 and 25 keytool): the two signature AlgorithmIdentifiers must be equal (a NULL parameter
 * equals an absent one); the issuer must not be empty; a v1 certificate may not have an empty
 * subject nor anything after the public key; only v3 may carry extensions; no extension may
 * appear twice; an empty subject needs a critical, non-empty SubjectAltName. Plus one Java ≥ 21
 * rule: a BMPString must not hold a surrogate pair (Java 25 refuses it, Java 17 does not).
 * OpenSSL (node's X509Certificate) accepts all of these, so it cannot stand in for Java here.
 *
 * Assumes the outer structure was already checked (parseCertificateFacts succeeded); any
 * DER error is reported as a problem, never thrown.
 *
 * @example
 * javaLoadProblem(der) // undefined, or 'its issuer name is empty (Java requires an issuer)'
 */
export function javaLoadProblem(der: Uint8Array): string | undefined {
  try {
    return findProblem(der);
  } catch (e) {
    return e instanceof MidtrustError ? e.message : 'unreadable DER';
  }
}

function findProblem(der: Uint8Array): string | undefined {
  const [tbs, outerAlg] = children(der, readTlv(der, 0), 'certificate');
  const fields = children(der, tbs, 'TBSCertificate');
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const v = readTlv(der, fields[0].contentStart, fields[0].end, 'version');
    version = v.end - v.contentStart === 1 ? der[v.contentStart] + 1 : 0;
    i = 1;
  }
  i++; // serial number
  const innerAlg = fields[i++];
  const issuer = fields[i++];
  i++; // validity
  const subject = fields[i++];
  i++; // subject public key info
  const rest = fields.slice(i);
  if (!innerAlg || !issuer || !subject) return 'the TBSCertificate is incomplete';

  if (!sameAlgorithm(der, innerAlg, outerAlg)) {
    return 'the signature algorithm inside the signed part differs from the one outside it (Java: "Signature algorithm mismatch")';
  }
  if (issuer.end === issuer.contentStart) return 'its issuer name is empty (Java requires an issuer)';
  const subjectEmpty = subject.end === subject.contentStart;
  if (version === 1) {
    if (subjectEmpty) return 'it is a version 1 certificate with an empty subject name';
    if (rest.length > 0) return 'it is a version 1 certificate but has extensions or unique identifiers after the public key';
  }
  const surrogatePair = findBmpSurrogatePair(der, issuer) ?? findBmpSurrogatePair(der, subject);
  if (surrogatePair !== undefined) {
    return `a name holds a BMPString with a character outside the Basic Multilingual Plane at byte ${surrogatePair} (Java 21+ refuses it; use UTF8String)`;
  }

  // After the key: optional [1] issuerUniqueID, [2] subjectUniqueID, then [3] extensions (v3 only).
  let r = 0;
  if (rest[r]?.tag === CONTEXT_1_PRIMITIVE || rest[r]?.tag === CONTEXT_1_CONSTRUCTED) r++;
  if (rest[r]?.tag === CONTEXT_2_PRIMITIVE || rest[r]?.tag === CONTEXT_2_CONSTRUCTED) r++;
  if (r === rest.length) return undefined; // Java returns before its empty-subject check here
  if (version !== 3) return `it is a version ${version} certificate but carries extensions (only version 3 may)`;
  const extensions = rest[r].tag === EXTENSIONS ? extensionList(der, rest[r]) : undefined;
  if (extensions) {
    const seen = new Set<string>();
    for (const ext of extensions) {
      if (seen.has(ext.oid)) return `extension ${ext.oid} appears twice (Java: "Duplicate extensions not allowed")`;
      seen.add(ext.oid);
    }
  }
  if (subjectEmpty) {
    const san = extensions?.find((e) => e.oid === OID_SUBJECT_ALT_NAME);
    if (!san) return 'its subject name is empty and it has no SubjectAltName extension';
    if (!san.critical) return 'its subject name is empty and its SubjectAltName extension is not marked critical';
    if (!san.hasNames) return 'its subject name is empty and its SubjectAltName extension is empty';
  }
  return undefined;
}

/** Java compares AlgorithmIdentifiers by OID and parameters, treating a NULL parameter as absent. */
function sameAlgorithm(der: Uint8Array, a: Tlv, b: Tlv | undefined): boolean {
  if (!b || a.tag !== TAG.SEQUENCE || b.tag !== TAG.SEQUENCE) return false;
  const key = (t: Tlv): string => {
    const parts = children(der, t, 'AlgorithmIdentifier');
    const params = parts.slice(1).filter((p) => !(p.tag === TAG.NULL && p.end === p.contentStart));
    return [parts[0], ...params].map((p) => (p ? Buffer.from(der.subarray(p.start, p.end)).toString('hex') : '')).join('/');
  };
  return key(a) === key(b);
}

interface ExtensionSummary {
  readonly oid: string;
  readonly critical: boolean;
  /** For SubjectAltName: whether its GeneralNames holds at least one name. */
  readonly hasNames: boolean;
}

function extensionList(der: Uint8Array, wrapper: Tlv): ExtensionSummary[] {
  const list = readTlv(der, wrapper.contentStart, wrapper.end, 'extensions');
  return children(der, list, 'extensions').map((ext) => {
    const parts = children(der, ext, 'extension');
    const oid = parts[0]?.tag === TAG.OID ? decodeOid(der, parts[0]) : '?';
    const critical = parts[1]?.tag === TAG.BOOLEAN && parts[1].end > parts[1].contentStart && der[parts[1].contentStart] !== 0;
    const value = parts[parts.length - 1];
    let hasNames = false;
    if (oid === OID_SUBJECT_ALT_NAME && value?.tag === TAG.OCTET_STRING && value.end > value.contentStart) {
      // Java keeps a malformed non-critical extension as "unparseable" and loads the certificate,
      // so a bad SubjectAltName only counts as "no names" (it matters only for an empty subject).
      try {
        const names = readTlv(der, value.contentStart, value.end, 'SubjectAltName');
        hasNames = names.end > names.contentStart;
      } catch {
        hasNames = false;
      }
    }
    return { oid, critical, hasNames };
  });
}

/** Offset of the first BMPString value holding a high surrogate followed by a low one. */
function findBmpSurrogatePair(der: Uint8Array, name: Tlv): number | undefined {
  for (const rdn of children(der, name, 'name')) {
    for (const ava of children(der, rdn, 'relative distinguished name')) {
      const value = children(der, ava, 'attribute')[1];
      if (value?.tag !== TAG.BMP_STRING) continue;
      // Walk the code units as Java's UTF-16 decoder does: a high surrogate takes the next unit
      // with it, paired or not (so D800 D800 DC00 holds no pair, and Java 25 accepts it).
      for (let p = value.contentStart; p + 1 < value.end; ) {
        const unit = (der[p] << 8) | der[p + 1];
        if (unit < 0xd800 || unit > 0xdbff) {
          p += 2;
          continue;
        }
        if (p + 3 >= value.end) break;
        const next = (der[p + 2] << 8) | der[p + 3];
        if (next >= 0xdc00 && next <= 0xdfff) return value.start;
        p += 4;
      }
    }
  }
  return undefined;
}
