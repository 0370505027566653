/**
 * Object identifiers of PKCS#12 (RFC 7292), PKCS#5 (RFC 8018) and the one Java-private attribute
 * keytool relies on. Dotted strings, as `decodeOid` returns them.
 */
export const OID = {
  // PKCS#7 content types (RFC 2315)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',

  // SafeBag types (RFC 7292 §4.2)
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  crlBag: '1.2.840.113549.1.12.10.1.4',
  secretBag: '1.2.840.113549.1.12.10.1.5',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',

  // CertBag certificate types
  x509Certificate: '1.2.840.113549.1.9.22.1',

  // Bag attributes
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  /** Java's "trusted key usage": a CertBag carrying it is a trustedCertEntry (JDK 8+ PKCS12KeyStore). */
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  /** anyExtendedKeyUsage, the value keytool puts in the trusted key usage attribute. */
  anyExtendedKeyUsage: '2.5.29.37.0',

  // PKCS#5 v2 (RFC 8018)
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacWithSha1: '1.2.840.113549.2.7',
  hmacWithSha224: '1.2.840.113549.2.8',
  hmacWithSha256: '1.2.840.113549.2.9',
  hmacWithSha384: '1.2.840.113549.2.10',
  hmacWithSha512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',

  // PKCS#12 password-based encryption (RFC 7292 Appendix C)
  pbeWithSha1And128BitRc4: '1.2.840.113549.1.12.1.1',
  pbeWithSha1And40BitRc4: '1.2.840.113549.1.12.1.2',
  pbeWithSha1And3KeyTripleDesCbc: '1.2.840.113549.1.12.1.3',
  pbeWithSha1And2KeyTripleDesCbc: '1.2.840.113549.1.12.1.4',
  pbeWithSha1And128BitRc2Cbc: '1.2.840.113549.1.12.1.5',
  pbeWithSha1And40BitRc2Cbc: '1.2.840.113549.1.12.1.6',

  // Digests used by MacData
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/** Hash functions PKCS#12 MACs and PBKDF2 PRFs use here (node crypto names). */
export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Digest OID → hash, for MacData's DigestInfo. */
export const DIGEST_BY_OID: Readonly<Record<string, HashName>> = {
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** Hash → digest OID (inverse of DIGEST_BY_OID). */
export const OID_BY_DIGEST: Readonly<Record<HashName, string>> = {
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

/** PBKDF2 PRF OID → hash. */
export const PRF_BY_OID: Readonly<Record<string, HashName>> = {
  [OID.hmacWithSha1]: 'sha1',
  [OID.hmacWithSha224]: 'sha224',
  [OID.hmacWithSha256]: 'sha256',
  [OID.hmacWithSha384]: 'sha384',
  [OID.hmacWithSha512]: 'sha512',
};

/** Hash → PBKDF2 PRF OID. */
export const OID_BY_PRF: Readonly<Record<HashName, string>> = {
  sha1: OID.hmacWithSha1,
  sha224: OID.hmacWithSha224,
  sha256: OID.hmacWithSha256,
  sha384: OID.hmacWithSha384,
  sha512: OID.hmacWithSha512,
};

/** Human names for the OIDs that appear in error messages. */
export function oidName(oid: string): string {
  for (const [name, value] of Object.entries(OID)) if (value === oid) return `${name} (${oid})`;
  return oid;
}

/**
 * Java refuses PBE and MAC iteration counts above this (PKCS12KeyStore MAX_ITERATION_COUNT);
 * it also keeps a corrupt or hostile file from making midtrust hash for hours.
 */
export const MAX_ITERATION_COUNT = 5_000_000;
