import { children, decodeOid, expectTag, readTlv, TAG, type Tlv } from '../asn1/derReader';
import { MidtrustError } from '../errors';

/** id-ce-keyUsage. */
export const OID_KEY_USAGE = '2.5.29.15';
/** id-ce-extKeyUsage. */
export const OID_EXTENDED_KEY_USAGE = '2.5.29.37';
/** id-ce-nameConstraints. */
export const OID_NAME_CONSTRAINTS = '2.5.29.30';
/** Netscape certificate type (netscape-cert-type), still honoured by Java's TLS checks. */
export const OID_NETSCAPE_CERT_TYPE = '2.16.840.1.113730.1.1';

/** KeyUsage bit numbers as RFC 5280 names them (and as Java indexes `getKeyUsage()`). */
export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

/** One extension as it is written: OID, criticality and the DER inside its OCTET STRING. */
export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/**
 * The extensions that trust decisions read, decoded from the DER. What is absent stays
 * undefined: Java treats a missing KeyUsage or ExtendedKeyUsage as "any use", not as "no use".
 */
export interface CertificateExtensions {
  /** Every extension in certificate order. */
  readonly all: readonly RawExtension[];
  /** OIDs of the extensions marked critical. */
  readonly criticalOids: readonly string[];
  /** KeyUsage bits, at least 9 long (Java's `getKeyUsage()`), when the extension is present. */
  readonly keyUsage?: readonly boolean[];
  /** ExtendedKeyUsage purposes as dotted OIDs, when present. */
  readonly extendedKeyUsage?: readonly string[];
  /** The Netscape cert-type bits (bit 0 = SSL client, 1 = SSL server, …), when present. */
  readonly netscapeCertType?: readonly boolean[];
}

/**
 * Reads the extensions of a DER certificate (none for v1/v2). Throws MidtrustError CORRUPT for a
 * malformed extension list; an extension whose *content* midtrust does not decode is kept raw.
 *
 * @example
 * const ext = parseCertificateExtensions(der);
 * ext.keyUsage?.[KEY_USAGE_BITS.keyCertSign] // true for a CA that may sign certificates
 * ext.extendedKeyUsage                         // ['1.3.6.1.5.5.7.3.1'] for a TLS server certificate
 */
export function parseCertificateExtensions(der: Uint8Array): CertificateExtensions {
  try {
    return decode(der);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new MidtrustError('CORRUPT', `not a readable X.509 certificate: extensions: ${reason}`, { cause: e });
  }
}

function decode(der: Uint8Array): CertificateExtensions {
  const all: RawExtension[] = [];
  const wrapper = extensionsElement(der);
  if (wrapper) {
    const list = expectTag(der, readTlv(der, wrapper.contentStart, wrapper.end, 'extensions'), TAG.SEQUENCE, 'extensions SEQUENCE');
    for (const ext of children(der, list, 'extensions')) {
      const parts = children(der, expectTag(der, ext, TAG.SEQUENCE, 'extension SEQUENCE'), 'extension');
      const oid = decodeOid(der, expectTag(der, parts[0], TAG.OID, 'extension OID'));
      const critical = parts.length === 3 && parts[1].tag === TAG.BOOLEAN && parts[1].end > parts[1].contentStart && der[parts[1].contentStart] !== 0;
      const value = expectTag(der, parts[parts.length - 1], TAG.OCTET_STRING, 'extension value OCTET STRING');
      all.push({ oid, critical, value: der.subarray(value.contentStart, value.end) });
    }
  }
  const find = (oid: string): RawExtension | undefined => all.find((e) => e.oid === oid);
  const ku = find(OID_KEY_USAGE);
  const eku = find(OID_EXTENDED_KEY_USAGE);
  const ns = find(OID_NETSCAPE_CERT_TYPE);
  return {
    all,
    criticalOids: all.filter((e) => e.critical).map((e) => e.oid),
    ...(ku ? { keyUsage: bitString(ku.value, 9) } : {}),
    ...(eku ? { extendedKeyUsage: oidList(eku.value) } : {}),
    ...(ns ? { netscapeCertType: bitString(ns.value, 8) } : {}),
  };
}

/** The [3] element of the TBSCertificate, if any. */
function extensionsElement(der: Uint8Array): Tlv | undefined {
  const cert = expectTag(der, readTlv(der, 0, der.length, 'certificate'), TAG.SEQUENCE, 'Certificate SEQUENCE');
  const tbs = expectTag(der, children(der, cert, 'certificate')[0], TAG.SEQUENCE, 'TBSCertificate');
  return children(der, tbs, 'TBSCertificate').find((f) => f.tag === 0xa3);
}

/** A BIT STRING's bits, most significant first, padded with false to at least `min` (as Java pads KeyUsage to 9). */
function bitString(value: Uint8Array, min: number): boolean[] {
  const t = expectTag(value, readTlv(value, 0, value.length, 'BIT STRING'), TAG.BIT_STRING, 'BIT STRING');
  const bytes = value.subarray(t.contentStart, t.end);
  const unused = bytes.length > 0 ? bytes[0] : 0;
  const count = Math.max(0, (bytes.length - 1) * 8 - unused);
  const bits: boolean[] = [];
  for (let i = 0; i < Math.max(count, min); i++) bits.push(i < count && (bytes[1 + (i >> 3)] & (0x80 >> (i & 7))) !== 0);
  return bits;
}

function oidList(value: Uint8Array): string[] {
  const seq = expectTag(value, readTlv(value, 0, value.length, 'ExtendedKeyUsage'), TAG.SEQUENCE, 'ExtendedKeyUsage SEQUENCE');
  return children(value, seq, 'ExtendedKeyUsage').map((t) => decodeOid(value, expectTag(value, t, TAG.OID, 'key purpose OID')));
}
