/** OIDs midtrust names, with the names Java uses (so output matches keytool's). */

/**
 * Attribute types as Java's X500Principal.toString() prints them (sun.security.x509.AVAKeyword,
 * where a later keyword for the same OID wins: ST not S, DNQ not DNQUALIFIER, EMAILADDRESS not
 * EMAIL). Checked against keytool 17; every other type prints as `OID.<dotted>`.
 */
export const NAME_KEYWORDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.9': 'STREET',
  '2.5.4.4': 'SURNAME',
  '2.5.4.42': 'GIVENNAME',
  '2.5.4.43': 'INITIALS',
  '2.5.4.44': 'GENERATION',
  '2.5.4.46': 'DNQ',
  '2.5.4.5': 'SERIALNUMBER',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
  '1.3.6.1.4.1.42.2.11.2.1': 'IP',
};

/** Signature algorithm OIDs → Java's standard names (what keytool prints as "Signature algorithm name"). */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2withRSA',
  '1.2.840.113549.1.1.4': 'MD5withRSA',
  '1.2.840.113549.1.1.5': 'SHA1withRSA',
  '1.2.840.113549.1.1.14': 'SHA224withRSA',
  '1.2.840.113549.1.1.11': 'SHA256withRSA',
  '1.2.840.113549.1.1.12': 'SHA384withRSA',
  '1.2.840.113549.1.1.13': 'SHA512withRSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.1': 'SHA1withECDSA',
  '1.2.840.10045.4.3.1': 'SHA224withECDSA',
  '1.2.840.10045.4.3.2': 'SHA256withECDSA',
  '1.2.840.10045.4.3.3': 'SHA384withECDSA',
  '1.2.840.10045.4.3.4': 'SHA512withECDSA',
  '1.2.840.10040.4.3': 'SHA1withDSA',
  '1.3.14.3.2.29': 'SHA1withRSA',
  '1.2.840.113549.1.1.15': 'SHA512/224withRSA',
  '1.2.840.113549.1.1.16': 'SHA512/256withRSA',
  '2.16.840.1.101.3.4.3.13': 'SHA3-224withRSA',
  '2.16.840.1.101.3.4.3.14': 'SHA3-256withRSA',
  '2.16.840.1.101.3.4.3.15': 'SHA3-384withRSA',
  '2.16.840.1.101.3.4.3.16': 'SHA3-512withRSA',
  '2.16.840.1.101.3.4.3.9': 'SHA3-224withECDSA',
  '2.16.840.1.101.3.4.3.10': 'SHA3-256withECDSA',
  '2.16.840.1.101.3.4.3.11': 'SHA3-384withECDSA',
  '2.16.840.1.101.3.4.3.12': 'SHA3-512withECDSA',
  '2.16.840.1.101.3.4.3.1': 'SHA224withDSA',
  '2.16.840.1.101.3.4.3.2': 'SHA256withDSA',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

/** SubjectPublicKeyInfo algorithm OIDs → Java's key algorithm names. */
export const KEY_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.2.1': 'EC',
  '1.2.840.10040.4.1': 'DSA',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
};

/** Named curves: Java's name and the field size in bits (keytool's "256-bit EC (secp256r1) key"). */
export const CURVES: Readonly<Record<string, { name: string; bits: number }>> = {
  '1.2.840.10045.3.1.1': { name: 'secp192r1', bits: 192 },
  '1.3.132.0.33': { name: 'secp224r1', bits: 224 },
  '1.2.840.10045.3.1.7': { name: 'secp256r1', bits: 256 },
  '1.3.132.0.34': { name: 'secp384r1', bits: 384 },
  '1.3.132.0.35': { name: 'secp521r1', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 512 },
};

/** id-at-commonName. */
export const OID_COMMON_NAME = '2.5.4.3';
/** id-ce-basicConstraints. */
export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
/** PKCS#7 signedData, the ContentInfo type of a .p7b certificate bundle. */
export const OID_PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';
