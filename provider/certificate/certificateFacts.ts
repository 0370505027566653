import { children, decodeSmallInteger, expectTag, readTlv, TAG, type Tlv } from '../asn1/derReader';
import { MidtrustError } from '../errors';
import { decodeTime } from './derTime';
import { oidEquals, oidLookup, oidName } from './oidLookup';
import { publicKeyFacts, type PublicKeyFacts } from './publicKeyFacts';
import { verifiesWithOwnKey } from './selfSigned';
import { commonNameOf, formatName } from './x500Name';
import { OID_BASIC_CONSTRAINTS, SIGNATURE_ALGORITHMS } from './x509Oids';

const signatureName = oidLookup(SIGNATURE_ALGORITHMS);
const isBasicConstraints = oidEquals(OID_BASIC_CONSTRAINTS);

/** Basic Constraints as the certificate states it; 'absent' when it has no such extension. */
export type BasicConstraints = 'absent' | { readonly ca: boolean; readonly pathLength?: number };

/**
 * What listings and policy rules ask about a certificate, spelled as Java/keytool spell it so
 * that midtrust output can be compared with `keytool -printcert` line for line.
 */
export interface CertificateFacts {
  /** As keytool's "Owner:" (X500Principal.toString()). */
  readonly subject: string;
  /** The most specific CN, when there is one. */
  readonly subjectCommonName?: string;
  /** As keytool's "Issuer:". */
  readonly issuer: string;
  /** Lowercase hex as keytool's "Serial number:" (BigInteger.toString(16): no leading zeros, '-' when negative). */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly version: 1 | 2 | 3;
  readonly basicConstraints: BasicConstraints;
  /** True only when Basic Constraints says CA:TRUE (a v1 root is not a CA by this test, though Java trusts it as an anchor). */
  readonly isCa: boolean;
  /** 'RSA', 'EC', 'DSA', 'Ed25519', 'Ed448', 'RSASSA-PSS', or the OID. */
  readonly keyAlgorithm: string;
  /** RSA modulus bits, DSA p bits, EC field bits, 255/448 for EdDSA. */
  readonly keySize?: number;
  /** Java's curve name (secp256r1, ...), or the OID of a curve midtrust does not name. */
  readonly namedCurve?: string;
  /** Java's name: SHA256withRSA, SHA1withRSA, SHA256withECDSA, RSASSA-PSS, Ed25519, ... or the OID. */
  readonly signatureAlgorithm: string;
  /** Subject and issuer are the same name (no cryptography involved). */
  readonly selfIssued: boolean;
  /**
   * Self-issued and the signature verifies with the certificate's own key. Computed on first read
   * (a getter: real cryptography, kept out of listings), so `{...facts}` and JSON omit it.
   */
  readonly selfSigned: boolean;
}

/**
 * Reads the facts of a DER certificate with an offset-only walk of the TBSCertificate: tens of
 * microseconds a certificate, where building a full object (@peculiar/x509, node's
 * X509Certificate) costs 0.4–2 ms and `midtrust ls` asks about 144 of them.
 * Throws MidtrustError CORRUPT (with the byte offset when known) for anything unreadable.
 *
 * @example
 * parseCertificateFacts(der).notAfter // 2035-01-01T00:00:00.000Z
 */
export function parseCertificateFacts(der: Uint8Array): CertificateFacts {
  try {
    return parse(der);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const offset = e instanceof MidtrustError ? e.offset : undefined;
    throw new MidtrustError('CORRUPT', `not a readable X.509 certificate: ${reason}`, { cause: e, ...(offset === undefined ? {} : { offset }) });
  }
}

/** The parsed facts, with `selfSigned` computed on demand. */
class ParsedFacts implements CertificateFacts {
  readonly subjectCommonName?: string;
  readonly keySize?: number;
  readonly namedCurve?: string;
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly version: 1 | 2 | 3;
  readonly basicConstraints: BasicConstraints;
  readonly isCa: boolean;
  readonly keyAlgorithm: string;
  readonly signatureAlgorithm: string;
  readonly selfIssued: boolean;
  #selfSigned?: boolean;
  readonly #der: Uint8Array;

  /** Optional fields arrive as undefined and are then left off, so `toEqual`/JSON see only what exists. */
  constructor(der: Uint8Array, fields: Omit<CertificateFacts, 'selfSigned' | keyof PublicKeyFacts>, key: PublicKeyFacts) {
    this.#der = der;
    this.subject = fields.subject;
    if (fields.subjectCommonName !== undefined) this.subjectCommonName = fields.subjectCommonName;
    this.issuer = fields.issuer;
    this.serialNumber = fields.serialNumber;
    this.notBefore = fields.notBefore;
    this.notAfter = fields.notAfter;
    this.version = fields.version;
    this.basicConstraints = fields.basicConstraints;
    this.isCa = fields.isCa;
    this.keyAlgorithm = key.keyAlgorithm;
    if (key.keySize !== undefined) this.keySize = key.keySize;
    if (key.namedCurve !== undefined) this.namedCurve = key.namedCurve;
    this.signatureAlgorithm = fields.signatureAlgorithm;
    this.selfIssued = fields.selfIssued;
  }

  get selfSigned(): boolean {
    return (this.#selfSigned ??= this.selfIssued && verifiesWithOwnKey(this.#der));
  }
}

function parse(der: Uint8Array): CertificateFacts {
  const cert = expectTag(der, readTlv(der, 0, der.length, 'certificate'), TAG.SEQUENCE, 'Certificate SEQUENCE');
  // Indexed, not destructured, here and below: a CLI run parses every certificate of a store
  // once, mostly in V8's interpreter, where array destructuring goes through the iterator protocol.
  const top = children(der, cert, 'certificate');
  const tbs = top[0];
  const sigAlg = top[1];
  expectTag(der, tbs, TAG.SEQUENCE, 'TBSCertificate');
  expectTag(der, sigAlg, TAG.SEQUENCE, 'signature AlgorithmIdentifier');
  const fields = children(der, tbs, 'TBSCertificate');
  let i = 0;
  let version: 1 | 2 | 3 = 1;
  if (fields[0]?.tag === 0xa0) {
    const v = expectTag(der, readTlv(der, fields[0].contentStart, fields[0].end, 'version'), TAG.INTEGER, 'version INTEGER');
    const n = decodeSmallInteger(der, v, 'version');
    if (n > 2) throw new MidtrustError('CORRUPT', `certificate version ${n + 1} does not exist (X.509 has v1, v2 and v3)`, { offset: v.start });
    version = (n + 1) as 1 | 2 | 3;
    i = 1;
  }
  const serial = expectTag(der, fields[i++], TAG.INTEGER, 'serial number');
  expectTag(der, fields[i++], TAG.SEQUENCE, 'TBSCertificate signature algorithm'); // the outer one is what keytool names
  const issuer = expectTag(der, fields[i++], TAG.SEQUENCE, 'issuer name');
  const validity = expectTag(der, fields[i++], TAG.SEQUENCE, 'validity');
  const subject = expectTag(der, fields[i++], TAG.SEQUENCE, 'subject name');
  const spki = expectTag(der, fields[i++], TAG.SEQUENCE, 'subject public key info');
  const times = children(der, validity, 'validity');
  let extensions: Tlv | undefined;
  for (; i < fields.length; i++) if (fields[i].tag === 0xa3) extensions = fields[i];

  const basicConstraints = extensions ? findBasicConstraints(der, extensions) : 'absent';
  const sigOid = expectTag(der, children(der, sigAlg, 'signature AlgorithmIdentifier')[0], TAG.OID, 'signature algorithm OID');
  const subjectText = formatName(der, subject);
  const issuerText = formatName(der, issuer);
  return new ParsedFacts(der, {
    subject: subjectText,
    subjectCommonName: commonNameOf(der, subject),
    issuer: issuerText,
    serialNumber: serialHex(der, serial),
    notBefore: decodeTime(der, times[0]),
    notAfter: decodeTime(der, times[1]),
    version,
    basicConstraints,
    isCa: basicConstraints !== 'absent' && basicConstraints.ca,
    signatureAlgorithm: oidName(signatureName, der, sigOid),
    // Names Java prints the same: the same DER, or an issuer re-encoded (UTF8String vs PrintableString).
    selfIssued: subjectText === issuerText,
  }, publicKeyFacts(der, spki));
}

/** BigInteger.toString(16) of the serial: no leading zeros, and '-' for the negative serials some old roots have. */
function serialHex(der: Uint8Array, t: Tlv): string {
  if (t.end === t.contentStart) throw new MidtrustError('CORRUPT', `empty serial number INTEGER at byte ${t.start}`, { offset: t.start });
  const hex = Buffer.from(der.buffer, der.byteOffset + t.contentStart, t.end - t.contentStart).toString('hex');
  if (der[t.contentStart] & 0x80) return (BigInt(`0x${hex}`) - (1n << BigInt(hex.length * 4))).toString(16);
  const digits = hex.replace(/^0+/, '');
  return digits === '' ? '0' : digits;
}

function findBasicConstraints(der: Uint8Array, wrapper: Tlv): BasicConstraints {
  const list = expectTag(der, readTlv(der, wrapper.contentStart, wrapper.end, 'extensions'), TAG.SEQUENCE, 'extensions SEQUENCE');
  const exts = children(der, list, 'extensions');
  for (let e = 0; e < exts.length; e++) {
    const parts = children(der, expectTag(der, exts[e], TAG.SEQUENCE, 'extension SEQUENCE'), 'extension');
    if (parts[0]?.tag !== TAG.OID || !isBasicConstraints(der, parts[0])) continue;
    const value = expectTag(der, parts[parts.length - 1], TAG.OCTET_STRING, 'basic constraints OCTET STRING');
    const seq = expectTag(der, readTlv(der, value.contentStart, value.end, 'basic constraints'), TAG.SEQUENCE, 'basic constraints SEQUENCE');
    let ca = false;
    let pathLength: number | undefined;
    const fields = children(der, seq, 'basic constraints');
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k];
      if (f.tag === TAG.BOOLEAN) ca = f.end > f.contentStart && der[f.contentStart] !== 0;
      else if (f.tag === TAG.INTEGER) pathLength = decodeSmallInteger(der, f, 'basic constraints path length');
    }
    return pathLength === undefined ? { ca } : { ca, pathLength };
  }
  return 'absent';
}
