import * as crypto from 'node:crypto';
import { children, content, decodeSmallInteger, expectTag, TAG, type Tlv } from '../../asn1/derReader';
import { integer, octetString, oid, sequence } from '../../asn1/derWriter';
import { MidtrustError } from '../../errors';
import { bmpPassword, KDF_ID, pkcs12Kdf } from './pkcs12Kdf';
import { MAX_ITERATION_COUNT, OID, oidName } from './pkcs12Oids';

/** The PKCS#12 PBE algorithms (RFC 7292 Appendix C) midtrust can decrypt and write. */
export type LegacyAlgorithm =
  | typeof OID.pbeWithSha1And40BitRc2Cbc
  | typeof OID.pbeWithSha1And128BitRc2Cbc
  | typeof OID.pbeWithSha1And3KeyTripleDesCbc
  | typeof OID.pbeWithSha1And2KeyTripleDesCbc;

interface AlgorithmInfo {
  readonly keyLength: number;
  readonly cipher: 'rc2' | '3des';
  /** Effective key bits (RC2). */
  readonly bits: number;
}

const ALGORITHMS: Readonly<Record<string, AlgorithmInfo>> = {
  [OID.pbeWithSha1And40BitRc2Cbc]: { keyLength: 5, cipher: 'rc2', bits: 40 },
  [OID.pbeWithSha1And128BitRc2Cbc]: { keyLength: 16, cipher: 'rc2', bits: 128 },
  [OID.pbeWithSha1And3KeyTripleDesCbc]: { keyLength: 24, cipher: '3des', bits: 192 },
  [OID.pbeWithSha1And2KeyTripleDesCbc]: { keyLength: 16, cipher: '3des', bits: 128 },
};

/** True for the PKCS#12 PBE OIDs this module handles. */
export function isLegacyAlgorithm(algorithmOid: string): algorithmOid is LegacyAlgorithm {
  return algorithmOid in ALGORITHMS;
}

/** What stays the same when legacy-protected content is re-encrypted (the salt is fresh). */
export interface LegacyScheme {
  readonly kind: 'pkcs12';
  readonly algorithm: LegacyAlgorithm;
  readonly iterations: number;
  readonly saltLength: number;
}

/** What `keytool -J-Dkeystore.pkcs12.legacy` (and JDK 8/11 by default) uses for certificates. */
export const JDK_LEGACY_CERT_PBE: LegacyScheme = {
  kind: 'pkcs12',
  algorithm: OID.pbeWithSha1And40BitRc2Cbc,
  iterations: 50000,
  saltLength: 20,
};

/** Legacy PBE parameters of one encrypted content. */
export interface LegacyParams {
  readonly scheme: LegacyScheme;
  readonly salt: Uint8Array;
}

/** Reads pkcs-12PbeParams `SEQUENCE { salt OCTET STRING, iterations INTEGER }`. */
export function parseLegacyParams(bytes: Uint8Array, algorithm: string, params: Tlv | undefined): LegacyParams {
  if (!isLegacyAlgorithm(algorithm)) {
    throw new MidtrustError('UNSUPPORTED', `PKCS#12 PBE ${oidName(algorithm)} is not supported (RC4 needs OpenSSL's legacy provider; RC2 and 3DES are supported)`);
  }
  const seq = expectTag(bytes, params, TAG.SEQUENCE, 'PKCS#12 PBE parameters');
  const [saltTlv, iterTlv] = children(bytes, seq, 'PKCS#12 PBE parameters');
  const salt = content(bytes, expectTag(bytes, saltTlv, TAG.OCTET_STRING, 'PKCS#12 PBE salt'));
  const iterations = decodeSmallInteger(bytes, expectTag(bytes, iterTlv, TAG.INTEGER, 'PKCS#12 PBE iteration count'), 'PKCS#12 PBE iteration count');
  if (iterations < 1 || iterations > MAX_ITERATION_COUNT) {
    throw new MidtrustError('UNSUPPORTED', `PKCS#12 PBE iteration count ${iterations} is outside 1..${MAX_ITERATION_COUNT} (Java refuses it too)`);
  }
  return { scheme: { kind: 'pkcs12', algorithm, iterations, saltLength: salt.length }, salt: Uint8Array.from(salt) };
}

function keyAndIv(p: LegacyParams, password: string): { key: Uint8Array; iv: Uint8Array; info: AlgorithmInfo } {
  const info = ALGORITHMS[p.scheme.algorithm];
  const pw = bmpPassword(password);
  const key = pkcs12Kdf('sha1', pw, p.salt, KDF_ID.key, p.scheme.iterations, info.keyLength);
  const iv = pkcs12Kdf('sha1', pw, p.salt, KDF_ID.iv, p.scheme.iterations, 8);
  return { key, iv, info };
}

/** 2-key 3DES is 3-key 3DES with K3 = K1. */
function tripleDesKey(key: Uint8Array): Uint8Array {
  if (key.length === 24) return key;
  const k = new Uint8Array(24);
  k.set(key, 0);
  k.set(key.subarray(0, 8), 16);
  return k;
}

// Node's OpenSSL 3 has RC2 only in its legacy provider, which is rarely loaded. node-forge's RC2
// (a maintained, widely used implementation) is used instead of a hand-written cipher. Loaded on
// demand so that reading modern or password-less stores does not pay for it.
type Forge = typeof import('node-forge');
let forgeRc2: Forge | undefined;
function rc2(): Forge {
  if (!forgeRc2) {
    require('node-forge/lib/rc2');
    forgeRc2 = require('node-forge/lib/forge') as Forge;
  }
  return forgeRc2;
}

const binary = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('binary');

/**
 * RC2-CBC over whole 8-byte blocks (padding is done by the callers, who check it strictly; forge
 * only checks the last byte). forge's CBC state is a string buffer that is appended to and read
 * from for every block, which grows quadratically on a cacerts-sized input (1 s for 180 KB); so
 * the input is fed in 2 KB runs, chaining the IV by hand, which is the same CBC (30 ms).
 */
function rc2Cbc(encrypt: boolean, key: Uint8Array, iv: Uint8Array, bits: number, input: Uint8Array): Uint8Array {
  const forge = rc2();
  const c = encrypt ? forge.rc2.createEncryptionCipher(binary(key), bits) : forge.rc2.createDecryptionCipher(binary(key), bits);
  const CHUNK = 2048;
  const out = new Uint8Array(input.length);
  let chain = iv;
  for (let p = 0; p < input.length; p += CHUNK) {
    const chunk = input.subarray(p, p + CHUNK);
    c.start(binary(chain));
    c.update(forge.util.createBuffer(binary(chunk)));
    if (!c.finish(() => true)) throw new MidtrustError('CORRUPT', 'RC2 ciphertext is not a whole number of 8-byte blocks');
    const produced = Buffer.from(c.output.getBytes(), 'binary');
    out.set(produced, p);
    // CBC: the next run starts from the last ciphertext block.
    chain = (encrypt ? produced : chunk).subarray(chunk.length - 8);
  }
  return out;
}

/** Removes PKCS#7 padding, checking every padding byte. */
function unpad(plain: Uint8Array, block: number): Uint8Array {
  const n = plain[plain.length - 1];
  let ok = n >= 1 && n <= block && n <= plain.length;
  for (let i = 1; ok && i <= n; i++) ok = plain[plain.length - i] === n;
  if (!ok) throw new MidtrustError('WRONG_PASSWORD', 'PKCS#12 PBE decryption failed (bad padding): the password is wrong or the data is corrupt');
  return plain.subarray(0, plain.length - n);
}

/** Decrypts content protected by a PKCS#12 PBE algorithm (bad padding → WRONG_PASSWORD). */
export function legacyDecrypt(p: LegacyParams, password: string, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % 8 !== 0) {
    throw new MidtrustError('CORRUPT', `PKCS#12 PBE ciphertext of ${ciphertext.length} bytes is not a whole number of 8-byte blocks`);
  }
  const { key, iv, info } = keyAndIv(p, password);
  if (info.cipher === 'rc2') return unpad(rc2Cbc(false, key, iv, info.bits, ciphertext), 8);
  const d = crypto.createDecipheriv('des-ede3-cbc', tripleDesKey(key), iv);
  d.setAutoPadding(false);
  return unpad(Buffer.concat([d.update(ciphertext), d.final()]), 8);
}

/** Encrypts with a fresh salt; returns the AlgorithmIdentifier and ciphertext. */
export function legacyEncrypt(
  scheme: LegacyScheme,
  password: string,
  plaintext: Uint8Array,
  random: (n: number) => Uint8Array,
): { algorithm: Uint8Array; ciphertext: Uint8Array } {
  const p: LegacyParams = { scheme, salt: random(scheme.saltLength) };
  const { key, iv, info } = keyAndIv(p, password);
  const n = 8 - (plaintext.length % 8);
  const padded = new Uint8Array(plaintext.length + n).fill(n);
  padded.set(plaintext, 0);
  let ciphertext: Uint8Array;
  if (info.cipher === 'rc2') {
    ciphertext = rc2Cbc(true, key, iv, info.bits, padded);
  } else {
    const c = crypto.createCipheriv('des-ede3-cbc', tripleDesKey(key), iv);
    c.setAutoPadding(false);
    ciphertext = Buffer.concat([c.update(padded), c.final()]);
  }
  const algorithm = sequence(oid(scheme.algorithm), sequence(octetString(p.salt), integer(scheme.iterations)));
  return { algorithm, ciphertext };
}
