/**
 * X.509 certificates built in-process (DER by hand, signatures by node's crypto = OpenSSL) for the
 * differential tests: any key type or curve node has at each position, any signature hash
 * (MD5 and SHA-1 included), v1 or v3, and the extensions Java's PKIX checkers read — basic
 * constraints, key usage, EKU, SAN, key identifiers, name constraints, certificate policies,
 * policy constraints, inhibitAnyPolicy. openssl would take ~30 ms per certificate; this ~0.2 ms.
 */
import { createHash, generateKeyPairSync, sign, constants, type KeyObject } from 'node:crypto';

export type KeyType = 'p256' | 'p384' | 'p521' | 'secp224r1' | 'secp256k1' | 'brainpoolP256r1' | 'ed25519' | 'ed448' | 'rsa2048' | 'rsa1024' | 'rsapss' | 'dsa';
export type Hash = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface KeyPair {
  readonly type: KeyType;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** Makes a key of `type` (RSA and DSA are slow: make a few and reuse them). */
export function makeKey(type: KeyType): KeyPair {
  const curve: Partial<Record<KeyType, string>> = { p256: 'prime256v1', p384: 'secp384r1', p521: 'secp521r1', secp224r1: 'secp224r1', secp256k1: 'secp256k1', brainpoolP256r1: 'brainpoolP256r1' };
  let k: { publicKey: KeyObject; privateKey: KeyObject };
  if (curve[type]) k = generateKeyPairSync('ec', { namedCurve: curve[type]! });
  else if (type === 'ed25519') k = generateKeyPairSync('ed25519');
  else if (type === 'ed448') k = generateKeyPairSync('ed448');
  else if (type === 'rsa2048') k = generateKeyPairSync('rsa', { modulusLength: 2048 });
  else if (type === 'rsa1024') k = generateKeyPairSync('rsa', { modulusLength: 1024 });
  // An RSASSA-PSS key without parameters (node's typings lack the 'rsa-pss' overload).
  else if (type === 'rsapss') k = (generateKeyPairSync as (t: string, o: object) => { publicKey: KeyObject; privateKey: KeyObject })('rsa-pss', { modulusLength: 2048 });
  else k = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  return { type, ...k };
}

export interface Extensions {
  /** undefined: no extension; otherwise CA flag and optional pathlen. */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number; readonly critical?: boolean };
  /** Key usage bit names. */
  readonly keyUsage?: readonly ('digitalSignature' | 'keyEncipherment' | 'keyAgreement' | 'keyCertSign' | 'cRLSign')[];
  readonly extendedKeyUsage?: readonly string[];
  readonly subjectAltDns?: readonly string[];
  readonly subjectAltIp?: readonly string[];
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  readonly nameConstraints?: { readonly permittedDns?: readonly string[]; readonly excludedDns?: readonly string[] };
  /** Certificate policy OIDs. */
  readonly policies?: readonly string[];
  readonly requireExplicitPolicy?: number;
  readonly inhibitAnyPolicy?: number;
}

export interface CertificateSpec {
  /** RDNs as [attribute OID short name, value] pairs: [['CN', 'x'], ['O', 'y']]. */
  readonly subject: Name;
  readonly issuer: Name;
  readonly publicKey: KeyObject;
  readonly signer: KeyPair;
  readonly hash: Hash;
  readonly serial: number;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly v1?: boolean;
  readonly extensions?: Extensions;
}

export type Name = ReadonlyArray<readonly ['CN' | 'O' | 'OU', string]>;

/** A DER certificate. */
export function buildCertificate(s: CertificateSpec): Buffer {
  const alg = signatureAlgorithm(s.signer.type, s.hash);
  const tbs = seq(
    ...(s.v1 ? [] : [tlv(0xa0, tlv(0x02, [2]))]),
    tlv(0x02, integerBytes(s.serial)),
    alg,
    nameDer(s.issuer),
    seq(time(s.notBefore), time(s.notAfter)),
    nameDer(s.subject),
    s.publicKey.export({ type: 'spki', format: 'der' }),
    ...(s.v1 || !s.extensions ? [] : extensionsDer(s.extensions)),
  );
  return seq(tbs, alg, tlv(0x03, Buffer.concat([Buffer.from([0]), signWith(s.signer, s.hash, tbs)])));
}

/** SHA-1 of the public key, as a SubjectKeyIdentifier. */
export function keyId(key: KeyObject): Buffer {
  return createHash('sha1').update(key.export({ type: 'spki', format: 'der' })).digest();
}

export function pem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${(Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
}

function signWith(k: KeyPair, hash: Hash, data: Buffer): Buffer {
  if (k.type === 'ed25519' || k.type === 'ed448') return sign(null, data, k.privateKey);
  if (k.type === 'rsapss') return sign('sha256', data, { key: k.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return sign(hash, data, k.privateKey);
}

const HASH_OID: Record<Hash, string> = { md5: '1.2.840.113549.2.5', sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3' };

function signatureAlgorithm(type: KeyType, hash: Hash): Buffer {
  if (type === 'ed25519') return seq(oid('1.3.101.112'));
  if (type === 'ed448') return seq(oid('1.3.101.113'));
  if (type === 'rsapss') {
    // RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, salt 32.
    const sha256 = seq(oid(HASH_OID.sha256), tlv(0x05, []));
    return seq(oid('1.2.840.113549.1.1.10'), seq(tlv(0xa0, sha256), tlv(0xa1, seq(oid('1.2.840.113549.1.1.8'), sha256)), tlv(0xa2, tlv(0x02, [32]))));
  }
  if (type === 'rsa2048' || type === 'rsa1024') {
    const o = { md5: '1.2.840.113549.1.1.4', sha1: '1.2.840.113549.1.1.5', sha256: '1.2.840.113549.1.1.11', sha384: '1.2.840.113549.1.1.12', sha512: '1.2.840.113549.1.1.13' }[hash];
    return seq(oid(o), tlv(0x05, []));
  }
  if (type === 'dsa') return seq(oid(hash === 'sha1' ? '1.2.840.10040.4.3' : '2.16.840.1.101.3.4.3.2'));
  const o = { md5: '1.2.840.10045.4.3.2', sha1: '1.2.840.10045.4.1', sha256: '1.2.840.10045.4.3.2', sha384: '1.2.840.10045.4.3.3', sha512: '1.2.840.10045.4.3.4' }[hash];
  return seq(oid(o));
}

function extensionsDer(e: Extensions): Buffer[] {
  const list: Buffer[] = [];
  const ext = (o: string, critical: boolean, value: Buffer): void => {
    list.push(seq(oid(o), ...(critical ? [tlv(0x01, [0xff])] : []), tlv(0x04, value)));
  };
  if (e.basicConstraints) {
    const bc = e.basicConstraints;
    ext('2.5.29.19', bc.critical ?? true, seq(...(bc.ca ? [tlv(0x01, [0xff])] : []), ...(bc.ca && bc.pathLen !== undefined ? [tlv(0x02, integerBytes(bc.pathLen))] : [])));
  }
  if (e.keyUsage) {
    const bits = { digitalSignature: 0, keyEncipherment: 2, keyAgreement: 4, keyCertSign: 5, cRLSign: 6 };
    let v = 0;
    for (const u of e.keyUsage) v |= 0x80 >> bits[u];
    let unused = 0;
    while (unused < 7 && v !== 0 && !(v & (1 << unused))) unused++;
    ext('2.5.29.15', true, tlv(0x03, v === 0 ? [0] : [unused, v]));
  }
  if (e.extendedKeyUsage) ext('2.5.29.37', false, seq(...e.extendedKeyUsage.map(oid)));
  if (e.subjectAltDns || e.subjectAltIp) {
    ext('2.5.29.17', false, seq(...(e.subjectAltDns ?? []).map((d) => tlv(0x82, Buffer.from(d, 'latin1'))), ...(e.subjectAltIp ?? []).map((ip) => tlv(0x87, ip.split('.').map(Number)))));
  }
  if (e.subjectKeyId) ext('2.5.29.14', false, tlv(0x04, e.subjectKeyId));
  if (e.authorityKeyId) ext('2.5.29.35', false, seq(tlv(0x80, e.authorityKeyId)));
  if (e.nameConstraints) {
    const subtrees = (names: readonly string[]): Buffer => seq(...names.map((n) => seq(tlv(0x82, Buffer.from(n, 'latin1')))));
    const nc = e.nameConstraints;
    ext('2.5.29.30', true, seq(...(nc.permittedDns ? [tlv(0xa0, subtrees(nc.permittedDns).subarray(2))] : []), ...(nc.excludedDns ? [tlv(0xa1, subtrees(nc.excludedDns).subarray(2))] : [])));
  }
  if (e.policies) ext('2.5.29.32', false, seq(...e.policies.map((p) => seq(oid(p)))));
  if (e.requireExplicitPolicy !== undefined) ext('2.5.29.36', true, seq(tlv(0x80, integerBytes(e.requireExplicitPolicy))));
  if (e.inhibitAnyPolicy !== undefined) ext('2.5.29.54', true, tlv(0x02, integerBytes(e.inhibitAnyPolicy)));
  return list.length ? [tlv(0xa3, seq(...list))] : [];
}

const ATTR: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11' };

function nameDer(n: Name): Buffer {
  return seq(...n.map(([a, v]) => tlv(0x31, seq(oid(ATTR[a]), tlv(0x0c, Buffer.from(v, 'utf8'))))));
}

function time(d: Date): Buffer {
  const t = d.toISOString();
  const y = d.getUTCFullYear();
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${t.slice(2, 4)}${t.slice(5, 7)}${t.slice(8, 10)}${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}Z`, 'latin1'));
  return tlv(0x18, Buffer.from(`${t.slice(0, 4)}${t.slice(5, 7)}${t.slice(8, 10)}${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}Z`, 'latin1'));
}

function tlv(tag: number, content: Uint8Array | number[]): Buffer {
  const body = Buffer.from(content);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

function seq(...parts: Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, bytes);
}

function integerBytes(n: number): number[] {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  if (out.length === 0 || out[0] & 0x80) out.unshift(0);
  return out;
}
