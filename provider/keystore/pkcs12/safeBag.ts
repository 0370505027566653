import { children, content, decodeOid, expectTag, readTlv, TAG, whole, type Tlv } from '../../asn1/derReader';
import { bmpString, explicit, octetString, oid, sequence, set, tlv } from '../../asn1/derWriter';
import { MidtrustError } from '../../errors';
import { OID } from './pkcs12Oids';

/** How midtrust treats a SafeBag. */
export type BagRole = 'key' | 'secret' | 'certificate' | 'other';

/**
 * One SafeBag (RFC 7292 §4.2) with the few facts midtrust needs; `der` is the whole bag, kept so
 * an untouched bag is written back byte for byte (attributes included).
 */
export interface SafeBag {
  readonly der: Uint8Array;
  readonly type: string;
  readonly role: BagRole;
  /** friendlyName (BMPString; keytool keeps a trusted entry's case, lowercases key aliases). */
  readonly friendlyName?: string;
  readonly localKeyId?: Uint8Array;
  /** Carries Java's trusted key usage attribute: the bag is a trustedCertEntry. */
  readonly trusted: boolean;
  /** The X.509 certificate of a CertBag (a view into `der`). */
  readonly certificate?: Uint8Array;
}

function decodeUtf16be(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
  return s;
}

function roleOf(type: string): BagRole {
  if (type === OID.keyBag || type === OID.pkcs8ShroudedKeyBag) return 'key';
  if (type === OID.secretBag) return 'secret';
  if (type === OID.certBag) return 'certificate';
  return 'other';
}

/**
 * Parses the SafeBag at `t` inside `bytes`. `bytes` must be a buffer the caller may keep (the
 * returned views point into it).
 */
export function parseSafeBag(bytes: Uint8Array, t: Tlv): SafeBag {
  const parts = children(bytes, expectTag(bytes, t, TAG.SEQUENCE, 'SafeBag'), 'SafeBag');
  const type = decodeOid(bytes, expectTag(bytes, parts[0], TAG.OID, 'SafeBag type'));
  const value = expectTag(bytes, parts[1], 0xa0, 'SafeBag value [0]');
  let role = roleOf(type);
  let friendlyName: string | undefined;
  let localKeyId: Uint8Array | undefined;
  let trusted = false;
  if (parts[2]) {
    for (const attr of children(bytes, expectTag(bytes, parts[2], TAG.SET, 'SafeBag attributes'), 'SafeBag attributes')) {
      const [idTlv, valuesTlv] = children(bytes, expectTag(bytes, attr, TAG.SEQUENCE, 'SafeBag attribute'), 'SafeBag attribute');
      const id = decodeOid(bytes, expectTag(bytes, idTlv, TAG.OID, 'SafeBag attribute type'));
      const values = children(bytes, expectTag(bytes, valuesTlv, TAG.SET, 'SafeBag attribute values'), 'SafeBag attribute values');
      if (id === OID.friendlyName && values[0]) {
        const v = values[0];
        // Java and OpenSSL write a BMPString; a UTF8String is accepted for robustness.
        if (v.tag === TAG.BMP_STRING) friendlyName = decodeUtf16be(content(bytes, v));
        else if (v.tag === TAG.UTF8_STRING) friendlyName = Buffer.from(content(bytes, v)).toString('utf8');
      } else if (id === OID.localKeyId && values[0]?.tag === TAG.OCTET_STRING) {
        localKeyId = content(bytes, values[0]);
      } else if (id === OID.javaTrustedKeyUsage) {
        trusted = true;
      }
    }
  }
  let certificate: Uint8Array | undefined;
  if (role === 'certificate') {
    const [certBag] = children(bytes, value, 'CertBag');
    const [certType, certValue] = children(bytes, expectTag(bytes, certBag, TAG.SEQUENCE, 'CertBag'), 'CertBag');
    if (decodeOid(bytes, expectTag(bytes, certType, TAG.OID, 'CertBag type')) === OID.x509Certificate) {
      const [octets] = children(bytes, expectTag(bytes, certValue, 0xa0, 'CertBag value [0]'), 'CertBag value');
      certificate = content(bytes, expectTag(bytes, octets, TAG.OCTET_STRING, 'X.509 certificate (an OCTET STRING)'));
      const c = certificate[0] === TAG.SEQUENCE ? readTlv(certificate, 0, certificate.length, 'X.509 certificate') : undefined;
      if (!c || c.end !== certificate.length) {
        throw new MidtrustError('CORRUPT', `CertBag at byte ${t.start}: the certificate is not one DER SEQUENCE`, { offset: t.start });
      }
    } else {
      role = 'other'; // SDSI certificates: carried, never interpreted
    }
  }
  return { der: whole(bytes, t), type, role, friendlyName, localKeyId, trusted, certificate };
}

const friendlyNameAttr = (alias: string): Uint8Array => sequence(oid(OID.friendlyName), set(bmpString(alias)));
const localKeyIdAttr = (id: Uint8Array): Uint8Array => sequence(oid(OID.localKeyId), set(octetString(id)));

/** A CertBag value: `[0] { SEQUENCE { x509Certificate, [0] { OCTET STRING der } } }`. */
function certBagValue(der: Uint8Array): Uint8Array {
  return explicit(0, sequence(oid(OID.x509Certificate), explicit(0, octetString(der))));
}

/**
 * The CertBag keytool writes for a trusted certificate entry: friendlyName (case kept), then
 * Java's trusted key usage `SET { anyExtendedKeyUsage }`, in that order (JDK PKCS12KeyStore
 * writes the attributes in insertion order, not DER-sorted; checked on keytool 17 and 25 output).
 * No localKeyID, as keytool.
 */
export function trustedCertBag(alias: string, der: Uint8Array): Uint8Array {
  const usage = sequence(oid(OID.javaTrustedKeyUsage), set(oid(OID.anyExtendedKeyUsage)));
  return sequence(oid(OID.certBag), certBagValue(der), set(friendlyNameAttr(alias), usage));
}

/**
 * A CertBag of a private key's chain. The leaf carries friendlyName and localKeyID (how Java
 * links it to the key bag); the other certificates need no attributes to be found by subject.
 */
export function chainCertBag(der: Uint8Array, leaf?: { alias: string; localKeyId: Uint8Array }): Uint8Array {
  if (!leaf) return sequence(oid(OID.certBag), certBagValue(der));
  return sequence(oid(OID.certBag), certBagValue(der), set(friendlyNameAttr(leaf.alias), localKeyIdAttr(leaf.localKeyId)));
}

/**
 * The same bag with its friendlyName (and, when given, localKeyID) replaced or added; every other
 * attribute and the bag value are kept byte for byte. Used when a key entry is renamed.
 */
export function withBagAttributes(bagDer: Uint8Array, attrs: { alias: string; localKeyId?: Uint8Array }): Uint8Array {
  const parts = children(bagDer, expectTag(bagDer, readTlv(bagDer, 0, bagDer.length, 'SafeBag'), TAG.SEQUENCE, 'SafeBag'), 'SafeBag');
  let sawName = false;
  let sawKeyId = attrs.localKeyId === undefined;
  const out: Uint8Array[] = [];
  if (parts[2]) {
    for (const attr of children(bagDer, parts[2], 'SafeBag attributes')) {
      const id = decodeOid(bagDer, expectTag(bagDer, children(bagDer, attr, 'SafeBag attribute')[0], TAG.OID, 'SafeBag attribute type'));
      if (id === OID.friendlyName) {
        out.push(friendlyNameAttr(attrs.alias));
        sawName = true;
      } else if (id === OID.localKeyId && attrs.localKeyId) {
        out.push(localKeyIdAttr(attrs.localKeyId));
        sawKeyId = true;
      } else {
        out.push(whole(bagDer, attr));
      }
    }
  }
  if (!sawName) out.unshift(friendlyNameAttr(attrs.alias));
  if (!sawKeyId && attrs.localKeyId) out.splice(1, 0, localKeyIdAttr(attrs.localKeyId));
  return tlv(TAG.SEQUENCE, whole(bagDer, expectTag(bagDer, parts[0], TAG.OID, 'SafeBag type')), whole(bagDer, expectTag(bagDer, parts[1], 0xa0, 'SafeBag value [0]')), set(...out));
}

/** The `Time <ms>` localKeyID keytool gives key entries; its number is the entry's creation date. */
export function timeKeyId(ms: number): Uint8Array {
  return Buffer.from(`Time ${ms}`, 'latin1');
}

/** The creation date in a `Time <ms>` localKeyID, or undefined for other key ids (OpenSSL uses a SHA-1). */
export function timestampOfKeyId(id: Uint8Array | undefined): number | undefined {
  if (!id || id.length < 6 || id.length > 25) return undefined;
  const m = /^Time (\d{1,19})$/.exec(Buffer.from(id).toString('latin1'));
  if (!m) return undefined;
  const ms = Number(m[1]);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The role of a whole SafeBag's DER from its type OID alone (no attribute parsing). */
export function bagRoleOf(der: Uint8Array): BagRole {
  const seq = expectTag(der, readTlv(der, 0, der.length, 'SafeBag'), TAG.SEQUENCE, 'SafeBag');
  const [typeTlv] = children(der, seq, 'SafeBag');
  return roleOf(decodeOid(der, expectTag(der, typeTlv, TAG.OID, 'SafeBag type')));
}
