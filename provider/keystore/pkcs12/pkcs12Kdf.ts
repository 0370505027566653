import { digest } from '../../digest';
import { MidtrustError } from '../../errors';
import { MAX_ITERATION_COUNT, type HashName } from './pkcs12Oids';

/** RFC 7292 Appendix B.3 diversifier: what the derived bytes are for. */
export const KDF_ID = { key: 1, iv: 2, mac: 3 } as const;

/** Output size u and block size v (bytes) of each hash, as Appendix B.2 needs them. */
const SIZES: Readonly<Record<HashName, { u: number; v: number }>> = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

/** Output length in bytes of a hash. */
export function hashLength(hash: HashName): number {
  return SIZES[hash].u;
}


/**
 * The password as PKCS#12 wants it: a BMPString, i.e. the UTF-16BE code units Java's `char[]`
 * holds, followed by two zero bytes (RFC 7292 B.1). An empty password is just the terminator, as
 * in Java.
 */
export function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

/** `src` repeated to fill a multiple of v bytes (empty when src is empty). */
function stretch(src: Uint8Array, v: number): Uint8Array {
  const out = new Uint8Array(v * Math.ceil(src.length / v));
  for (let i = 0; i < out.length; i++) out[i] = src[i % src.length];
  return out;
}

/**
 * The PKCS#12 key derivation of RFC 7292 Appendix B.2, used by the legacy PBE ciphers
 * (PBEWithSHA1AndRC2_40, PBEWithSHA1AndDESede) and by every PKCS#12 MAC, including the HMAC-SHA256
 * MAC of JDK 16+ stores (PBES2 uses PBKDF2 instead). Written here because node's OpenSSL does not
 * expose it; checked against node-forge and OpenSSL in the tests.
 *
 * @example
 * const macKey = pkcs12Kdf('sha256', bmpPassword('changeit'), salt, KDF_ID.mac, 10000, 32);
 */
export function pkcs12Kdf(
  hash: HashName,
  password: Uint8Array,
  salt: Uint8Array,
  id: number,
  iterations: number,
  length: number,
): Uint8Array {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATION_COUNT) {
    throw new MidtrustError('UNSUPPORTED', `PKCS#12 key derivation: iteration count ${iterations} is outside 1..${MAX_ITERATION_COUNT} (Java refuses it too)`);
  }
  const { u, v } = SIZES[hash];
  const d = new Uint8Array(v).fill(id);
  const s = stretch(salt, v);
  const p = stretch(password, v);
  const i = new Uint8Array(s.length + p.length);
  i.set(s, 0);
  i.set(p, s.length);
  const blocks = Math.ceil(length / u);
  const out = new Uint8Array(blocks * u);
  const di = new Uint8Array(v + i.length);
  const b = new Uint8Array(v);
  for (let block = 0; block < blocks; block++) {
    di.set(d, 0);
    di.set(i, v);
    let a = digest(hash, di);
    for (let r = 1; r < iterations; r++) a = digest(hash, a);
    out.set(a, block * u);
    if (block === blocks - 1) break;
    for (let k = 0; k < v; k++) b[k] = a[k % u];
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, as big-endian integers.
    for (let j = 0; j < i.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = i[j + k] + b[k] + carry;
        i[j + k] = sum & 0xff;
        carry = sum >>> 8;
      }
    }
  }
  return out.subarray(0, length);
}
