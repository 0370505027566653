import { children, decodeOid, expectTag, TAG, type Tlv } from '../../asn1/derReader';
import { MidtrustError } from '../../errors';
import { isLegacyAlgorithm, legacyDecrypt, legacyEncrypt, parseLegacyParams, type LegacyScheme } from './legacyPbe';
import { parsePbes2Params, pbes2Decrypt, pbes2Encrypt, type Pbes2Scheme } from './pbes2';
import { OID, oidName } from './pkcs12Oids';

/**
 * How one encrypted content (an EncryptedData, or a shrouded key) is protected, without the salt
 * and IV: what a rewrite keeps while drawing fresh random values.
 */
export type PbeScheme = Pbes2Scheme | LegacyScheme;

/** A parsed encryption AlgorithmIdentifier, ready to decrypt. */
export interface ParsedPbe {
  readonly scheme: PbeScheme;
  decrypt(password: string, ciphertext: Uint8Array): Uint8Array;
}

/** Reads a password-based encryption AlgorithmIdentifier: PBES2 or a PKCS#12 PBE OID. */
export function parsePbeAlgorithm(bytes: Uint8Array, algorithmId: Tlv | undefined): ParsedPbe {
  const seq = expectTag(bytes, algorithmId, TAG.SEQUENCE, 'encryption algorithm');
  const [oidTlv, params] = children(bytes, seq, 'encryption algorithm');
  const algorithm = decodeOid(bytes, expectTag(bytes, oidTlv, TAG.OID, 'encryption algorithm OID'));
  if (algorithm === OID.pbes2) {
    const p = parsePbes2Params(bytes, params);
    return { scheme: p.scheme, decrypt: (pw, ct) => pbes2Decrypt(p, pw, ct) };
  }
  if (isLegacyAlgorithm(algorithm)) {
    const p = parseLegacyParams(bytes, algorithm, params);
    return { scheme: p.scheme, decrypt: (pw, ct) => legacyDecrypt(p, pw, ct) };
  }
  throw new MidtrustError('UNSUPPORTED', `encryption algorithm ${oidName(algorithm)} is not supported (PBES2 and the PKCS#12 RC2/3DES PBEs are)`);
}

/** Encrypts `plaintext` with `scheme` and fresh salt/IV; returns the AlgorithmIdentifier and ciphertext. */
export function pbeEncrypt(
  scheme: PbeScheme,
  password: string,
  plaintext: Uint8Array,
  random: (n: number) => Uint8Array,
): { algorithm: Uint8Array; ciphertext: Uint8Array } {
  return scheme.kind === 'pbes2' ? pbes2Encrypt(scheme, password, plaintext, random) : legacyEncrypt(scheme, password, plaintext, random);
}

/** A short description for messages and reports ("PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC, 10000 iterations"). */
export function describePbe(scheme: PbeScheme): string {
  if (scheme.kind === 'pbes2') {
    return `PBES2 PBKDF2-HMAC-${scheme.prf.toUpperCase()} ${scheme.cipher.toUpperCase()}, ${scheme.iterations} iterations`;
  }
  return `${oidName(scheme.algorithm)}, ${scheme.iterations} iterations`;
}
