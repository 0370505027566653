/**
 * Builds signed X.509 certificates with exactly the bytes a test wants (string types openssl will
 * not emit, negative serials, UTCTime around 1950/2049, multi-valued RDNs), so that keytool can be
 * asked how Java prints them. Signed for real (ECDSA P-256) so signature checks see valid roots.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { explicit, integer, oid, sequence, set, tlv } from '../../provider/asn1/derWriter';

/** One attribute of an RDN: type OID, ASN.1 string tag and the raw content bytes. */
export interface Attribute {
  readonly type: string;
  readonly tag: number;
  readonly value: Uint8Array | string;
}

export interface CertificateSpec {
  /** RDNs in DER order (least specific first); each RDN holds one or more attributes. */
  readonly subject: Attribute[][];
  /** Defaults to the subject (self-issued). */
  readonly issuer?: Attribute[][];
  /** 0 = v1, 2 = v3 (the INTEGER in [0]). Defaults to 2. */
  readonly version?: number;
  /** The INTEGER content bytes of the serial. */
  readonly serial?: Uint8Array;
  /** [tag, text] of notBefore / notAfter. */
  readonly notBefore?: [number, string];
  readonly notAfter?: [number, string];
  /** Raw Extension SEQUENCEs. */
  readonly extensions?: Uint8Array[];
  /** The certified key pair; a fresh P-256 key when absent. */
  readonly key?: { privateKey: KeyObject; publicKey: KeyObject };
  /** Signs with this private key instead of the certified one (a self-issued impostor). */
  readonly signer?: KeyObject;
}

const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

/** A Name from RDNs (DER order). */
export function encodeName(rdns: Attribute[][]): Uint8Array {
  return sequence(
    ...rdns.map((rdn) => set(...rdn.map((a) => sequence(oid(a.type), tlv(a.tag, typeof a.value === 'string' ? Buffer.from(a.value, 'latin1') : a.value))))),
  );
}

/** Shorthand for a single-attribute RDN. */
export const rdn = (type: string, tag: number, value: Uint8Array | string): Attribute[] => [{ type, tag, value }];

/** The DER of a certificate built and signed from `spec`. */
export function buildCertificate(spec: CertificateSpec): Uint8Array {
  const key = spec.key ?? generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  const version = spec.version ?? 2;
  const time = ([tag, text]: [number, string]): Uint8Array => tlv(tag, Buffer.from(text, 'latin1'));
  const tbs = sequence(
    ...(version === 0 ? [] : [explicit(0, integer(version))]),
    tlv(0x02, spec.serial ?? Uint8Array.of(0x01, 0x23)),
    ECDSA_SHA256,
    encodeName(spec.issuer ?? spec.subject),
    sequence(time(spec.notBefore ?? [0x17, '250101000000Z']), time(spec.notAfter ?? [0x18, '20350101000000Z'])),
    encodeName(spec.subject),
    spki,
    ...(spec.extensions?.length ? [explicit(3, sequence(...spec.extensions))] : []),
  );
  const signature = sign('sha256', tbs, spec.signer ?? key.privateKey);
  return sequence(tbs, ECDSA_SHA256, tlv(0x03, Uint8Array.of(0), signature));
}

/** PEM armour for DER certificates, 64 characters a line like openssl. */
export function toPem(ders: Uint8Array[]): string {
  return ders
    .map((d) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(d).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`)
    .join('');
}
