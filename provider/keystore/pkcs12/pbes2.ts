import * as crypto from 'node:crypto';
import { children, content, decodeOid, decodeSmallInteger, expectTag, TAG, type Tlv } from '../../asn1/derReader';
import { integer, nullValue, octetString, oid, sequence } from '../../asn1/derWriter';
import { MidtrustError } from '../../errors';
import { MAX_ITERATION_COUNT, OID, OID_BY_PRF, PRF_BY_OID, oidName, type HashName } from './pkcs12Oids';

/** The block ciphers PBES2 stores use (JDK 16+ writes AES-256-CBC). */
export type Pbes2Cipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc';

const CIPHERS: Readonly<Record<string, { name: Pbes2Cipher; keyLength: number; ivLength: number }>> = {
  [OID.aes128Cbc]: { name: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  [OID.aes192Cbc]: { name: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  [OID.aes256Cbc]: { name: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  [OID.desEde3Cbc]: { name: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
};

const CIPHER_OID: Readonly<Record<Pbes2Cipher, string>> = {
  'aes-128-cbc': OID.aes128Cbc,
  'aes-192-cbc': OID.aes192Cbc,
  'aes-256-cbc': OID.aes256Cbc,
  'des-ede3-cbc': OID.desEde3Cbc,
};

/** What stays the same when a PBES2-protected content is re-encrypted (salt and IV are fresh). */
export interface Pbes2Scheme {
  readonly kind: 'pbes2';
  readonly prf: HashName;
  readonly cipher: Pbes2Cipher;
  readonly iterations: number;
  readonly saltLength: number;
}

/** The JDK 16+ default: PBKDF2-HMAC-SHA256, 10000 iterations, 20-byte salt, AES-256-CBC. */
export const JDK_PBES2: Pbes2Scheme = { kind: 'pbes2', prf: 'sha256', cipher: 'aes-256-cbc', iterations: 10000, saltLength: 20 };

/** PBES2 parameters of one encrypted content. */
export interface Pbes2Params {
  readonly scheme: Pbes2Scheme;
  readonly salt: Uint8Array;
  readonly iv: Uint8Array;
}

const corrupt = (msg: string, t?: Tlv): MidtrustError =>
  new MidtrustError('CORRUPT', `PBES2 parameters: ${msg}${t ? ` at byte ${t.start}` : ''}`, { offset: t?.start });

/**
 * Reads PBES2-params (RFC 8018 A.4): `SEQUENCE { keyDerivationFunc, encryptionScheme }` with PBKDF2
 * as the only KDF Java or OpenSSL write.
 */
export function parsePbes2Params(bytes: Uint8Array, params: Tlv | undefined): Pbes2Params {
  const seq = expectTag(bytes, params, TAG.SEQUENCE, 'PBES2 parameters');
  const [kdf, enc] = children(bytes, seq, 'PBES2 parameters');
  const kdfParts = children(bytes, expectTag(bytes, kdf, TAG.SEQUENCE, 'PBES2 key derivation function'));
  const kdfOid = decodeOid(bytes, expectTag(bytes, kdfParts[0], TAG.OID, 'PBES2 key derivation OID'));
  if (kdfOid !== OID.pbkdf2) {
    throw new MidtrustError('UNSUPPORTED', `PBES2 key derivation ${oidName(kdfOid)} is not supported; only PBKDF2 is`);
  }
  const p = children(bytes, expectTag(bytes, kdfParts[1], TAG.SEQUENCE, 'PBKDF2 parameters'));
  const salt = content(bytes, expectTag(bytes, p[0], TAG.OCTET_STRING, 'PBKDF2 salt (an OCTET STRING)'));
  const iterations = decodeSmallInteger(bytes, expectTag(bytes, p[1], TAG.INTEGER, 'PBKDF2 iteration count'), 'PBKDF2 iteration count');
  let k = 2;
  let keyLength: number | undefined;
  if (p[k]?.tag === TAG.INTEGER) keyLength = decodeSmallInteger(bytes, p[k++], 'PBKDF2 key length');
  let prf: HashName = 'sha1'; // RFC 8018 default
  if (p[k]) {
    const prfParts = children(bytes, expectTag(bytes, p[k], TAG.SEQUENCE, 'PBKDF2 PRF'));
    const prfOid = decodeOid(bytes, expectTag(bytes, prfParts[0], TAG.OID, 'PBKDF2 PRF OID'));
    const h = PRF_BY_OID[prfOid];
    if (!h) throw new MidtrustError('UNSUPPORTED', `PBKDF2 PRF ${oidName(prfOid)} is not supported (HMAC-SHA1/224/256/384/512 are)`);
    prf = h;
  }
  const encParts = children(bytes, expectTag(bytes, enc, TAG.SEQUENCE, 'PBES2 encryption scheme'));
  const encOid = decodeOid(bytes, expectTag(bytes, encParts[0], TAG.OID, 'PBES2 cipher OID'));
  const cipher = CIPHERS[encOid];
  if (!cipher) throw new MidtrustError('UNSUPPORTED', `PBES2 cipher ${oidName(encOid)} is not supported (AES-CBC and 3DES-CBC are)`);
  const iv = content(bytes, expectTag(bytes, encParts[1], TAG.OCTET_STRING, 'PBES2 IV'));
  if (iv.length !== cipher.ivLength) throw corrupt(`the ${cipher.name} IV has ${iv.length} bytes, expected ${cipher.ivLength}`, encParts[1]);
  if (keyLength !== undefined && keyLength !== cipher.keyLength) {
    throw corrupt(`key length ${keyLength} does not match ${cipher.name} (${cipher.keyLength} bytes)`, seq);
  }
  checkIterations(iterations);
  return {
    scheme: { kind: 'pbes2', prf, cipher: cipher.name, iterations, saltLength: salt.length },
    salt: Uint8Array.from(salt),
    iv: Uint8Array.from(iv),
  };
}

function checkIterations(iterations: number): void {
  if (iterations < 1 || iterations > MAX_ITERATION_COUNT) {
    throw new MidtrustError('UNSUPPORTED', `PBKDF2 iteration count ${iterations} is outside 1..${MAX_ITERATION_COUNT} (Java refuses it too)`);
  }
}

function deriveKey(p: Pbes2Params, password: string): Buffer {
  const { keyLength } = CIPHERS[CIPHER_OID[p.scheme.cipher]];
  // PBES2 takes the password as UTF-8 bytes (Java's PBKDF2 key, RFC 8018), not the BMPString of
  // the PKCS#12 KDF; JDK 17 refuses non-ASCII passwords here, later JDKs encode them as UTF-8.
  return crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), p.salt, p.scheme.iterations, keyLength, p.scheme.prf);
}

/**
 * Decrypts PBES2 ciphertext. A padding failure means the password (or the bytes) are wrong: it is
 * reported as WRONG_PASSWORD and the caller turns it into CORRUPT when the MAC already proved the
 * password right.
 */
export function pbes2Decrypt(p: Pbes2Params, password: string, ciphertext: Uint8Array): Uint8Array {
  const block = p.scheme.cipher === 'des-ede3-cbc' ? 8 : 16;
  if (ciphertext.length === 0 || ciphertext.length % block !== 0) {
    throw new MidtrustError('CORRUPT', `PBES2 ciphertext of ${ciphertext.length} bytes is not a whole number of ${block}-byte blocks`);
  }
  const decipher = crypto.createDecipheriv(p.scheme.cipher, deriveKey(p, password), p.iv);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (cause) {
    throw new MidtrustError('WRONG_PASSWORD', 'PBES2 decryption failed (bad padding): the password is wrong or the data is corrupt', { cause });
  }
}

/** Encrypts with fresh salt and IV from `random`; returns the AlgorithmIdentifier and ciphertext. */
export function pbes2Encrypt(
  scheme: Pbes2Scheme,
  password: string,
  plaintext: Uint8Array,
  random: (n: number) => Uint8Array,
): { algorithm: Uint8Array; ciphertext: Uint8Array } {
  const cipher = CIPHERS[CIPHER_OID[scheme.cipher]];
  const p: Pbes2Params = { scheme, salt: random(scheme.saltLength), iv: random(cipher.ivLength) };
  const c = crypto.createCipheriv(scheme.cipher, deriveKey(p, password), p.iv);
  const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
  // Encoded as JDK 16+ writes it: keyLength and the PRF (with NULL parameters) always present.
  const algorithm = sequence(
    oid(OID.pbes2),
    sequence(
      sequence(
        oid(OID.pbkdf2),
        sequence(octetString(p.salt), integer(scheme.iterations), integer(cipher.keyLength), sequence(oid(OID_BY_PRF[scheme.prf]), nullValue())),
      ),
      sequence(oid(CIPHER_OID[scheme.cipher]), octetString(p.iv)),
    ),
  );
  return { algorithm, ciphertext };
}
