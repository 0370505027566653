import { children, decodeOid, expectTag, readTlv, TAG, type Tlv } from '../asn1/derReader';
import { oidLookup, oidName } from './oidLookup';
import { CURVES, KEY_ALGORITHMS } from './x509Oids';

const keyAlgorithmName = oidLookup(KEY_ALGORITHMS);
const curveOf = oidLookup(CURVES);

/** The key part of CertificateFacts. */
export interface PublicKeyFacts {
  keyAlgorithm: string;
  keySize?: number;
  namedCurve?: string;
}

/**
 * Algorithm and size of a SubjectPublicKeyInfo, read from the DER without building a key object:
 * RSA modulus bits, DSA p bits, EC field bits of the named curve, 255/448 for EdDSA — the number
 * keytool prints in "Subject Public Key Algorithm: 2048-bit RSA key".
 *
 * @example
 * publicKeyFacts(der, spkiTlv) // { keyAlgorithm: 'EC', keySize: 256, namedCurve: 'secp256r1' }
 */
export function publicKeyFacts(der: Uint8Array, spki: Tlv): PublicKeyFacts {
  const spkiParts = children(der, spki, 'subject public key info');
  const bits = spkiParts[1];
  const algParts = children(der, expectTag(der, spkiParts[0], TAG.SEQUENCE, 'key AlgorithmIdentifier'), 'key AlgorithmIdentifier');
  const algOid = algParts[0];
  const params = algParts[1];
  const keyAlgorithm = oidName(keyAlgorithmName, der, expectTag(der, algOid, TAG.OID, 'key algorithm OID'));
  switch (keyAlgorithm) {
    case 'EC': {
      if (params?.tag !== TAG.OID) return { keyAlgorithm }; // explicit curve parameters: no name to give
      const curve = curveOf(der, params);
      return curve ? { keyAlgorithm, keySize: curve.bits, namedCurve: curve.name } : { keyAlgorithm, namedCurve: decodeOid(der, params) };
    }
    case 'Ed25519':
    case 'X25519':
      return { keyAlgorithm, keySize: 255 };
    case 'Ed448':
    case 'X448':
      return { keyAlgorithm, keySize: 448 };
    case 'RSA':
    case 'RSASSA-PSS': {
      // The BIT STRING holds RSAPublicKey { modulus, exponent } after its unused-bits octet.
      if (bits?.tag !== TAG.BIT_STRING || bits.end - bits.contentStart < 2) return { keyAlgorithm };
      const rsa = readTlv(der, bits.contentStart + 1, bits.end, 'RSA public key');
      return withSize(keyAlgorithm, integerBits(der, children(der, rsa, 'RSA public key')[0]));
    }
    case 'DSA':
      return withSize(keyAlgorithm, params?.tag === TAG.SEQUENCE ? integerBits(der, children(der, params, 'DSA parameters')[0]) : undefined);
    default:
      return { keyAlgorithm };
  }
}

function withSize(keyAlgorithm: string, keySize: number | undefined): PublicKeyFacts {
  return keySize === undefined ? { keyAlgorithm } : { keyAlgorithm, keySize };
}

/** Bit length of a non-negative INTEGER (leading zero octets ignored, as BigInteger.bitLength). */
function integerBits(der: Uint8Array, t: Tlv | undefined): number | undefined {
  if (t?.tag !== TAG.INTEGER) return undefined;
  let s = t.contentStart;
  while (s < t.end && der[s] === 0) s++;
  if (s >= t.end) return 0;
  return (t.end - s - 1) * 8 + (32 - Math.clz32(der[s]));
}
