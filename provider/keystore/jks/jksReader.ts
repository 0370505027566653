import { timingSafeEqual } from 'node:crypto';
import { MidtrustError } from '../../errors';
import { ByteReader } from '../byteReader';
import type { Keystore, KeystoreEntry, KeystoreType, ReadOptions } from '../model';
import {
  DIGEST_LENGTH,
  JCEKS_MAGIC,
  JKS_MAGIC,
  TAG_PRIVATE_KEY,
  TAG_SECRET_KEY,
  TAG_TRUSTED_CERT,
  VERSION_1,
  VERSION_2,
  type JksEntryData,
  type JksStoreData,
} from './jksConstants';
import { jksDigest } from './jksDigest';
import { decodeModifiedUtf8 } from './javaModifiedUtf8';
import { skipSerializedObject } from './javaSerializationSkipper';

/** The smallest possible entry (tag + empty alias + timestamp + ...): bounds the entry count. */
const MIN_ENTRY_BYTES = 4 + 2 + 8 + 4;

/**
 * Reads a JKS (FEEDFEED) or JCEKS (CECECECE) keystore, versions 1 and 2. With a password the
 * SHA-1 trailer is verified (a mismatch is WRONG_PASSWORD: JKS cannot tell a wrong password
 * from tampering, and says so); without one the store is read unverified, as keytool does.
 * Aliases are kept as stored: Java lowercases on lookup, not on load.
 *
 * @example
 * const store = readJks(fs.readFileSync('cacerts'), { password: 'changeit' });
 */
export function readJks(bytes: Uint8Array, options: ReadOptions = {}): Keystore {
  if (bytes.length < 12 + DIGEST_LENGTH) {
    throw new MidtrustError('TRUNCATED', `the file ends at byte ${bytes.length}; a JKS/JCEKS keystore has at least ${12 + DIGEST_LENGTH} bytes`, { offset: bytes.length });
  }
  const bodyEnd = bytes.length - DIGEST_LENGTH;
  const r = new ByteReader(bytes, 0, bodyEnd);
  const magic = r.u32('magic number');
  const type: KeystoreType = magic === JKS_MAGIC ? 'JKS' : magic === JCEKS_MAGIC ? 'JCEKS' : fail(`not a JKS/JCEKS keystore (magic ${magic.toString(16)})`, 0, 'UNSUPPORTED');
  const version = r.u32('version');
  if (version !== VERSION_1 && version !== VERSION_2) fail(`unsupported ${type} version ${version} (expected 1 or 2)`, 4, 'UNSUPPORTED');
  const count = r.u32('entry count');
  if (count > (bodyEnd - 12) / MIN_ENTRY_BYTES) fail(`entry count ${count} cannot fit in ${bodyEnd} bytes`, 8, 'CORRUPT');

  let integrity: Keystore['integrity'] = 'unverified';
  let digestMismatch = false;
  if (options.password !== undefined) {
    const expected = jksDigest(options.password, bytes.subarray(0, bodyEnd));
    digestMismatch = !timingSafeEqual(expected, bytes.subarray(bodyEnd));
    integrity = 'verified';
  }
  // On a digest mismatch the entries are still walked: a damaged file then reports where it is
  // damaged (CORRUPT/TRUNCATED), and only a structurally sound one blames the password.
  const entries = readEntries(r, type, version, count);
  if (digestMismatch) {
    throw new MidtrustError(
      'WRONG_PASSWORD',
      'keystore was tampered with, or the password is incorrect (the JKS integrity check failed); check the store password',
    );
  }
  const codecData: JksStoreData = { codec: 'jks', version };
  return { type, entries, integrity, codecData };
}

function readEntries(r: ByteReader, type: KeystoreType, version: number, count: number): KeystoreEntry[] {
  const entries: KeystoreEntry[] = [];
  for (let i = 0; i < count; i++) {
    try {
      entries.push(readEntry(r, type, version));
    } catch (e) {
      if (e instanceof MidtrustError) throw e.withContext(`entry ${i + 1} of ${count}`);
      throw e;
    }
  }
  if (r.remaining !== 0) {
    fail(`${r.remaining} unexpected bytes after the last entry (before the 20-byte digest)`, r.offset, 'CORRUPT');
  }
  return entries;
}

function readEntry(r: ByteReader, type: KeystoreType, version: number): KeystoreEntry {
  const tagAt = r.offset;
  const tag = r.u32('entry tag');
  const alias = readUtf(r, 'alias');
  const timestamp = r.i64('entry date');
  if (tag === TAG_TRUSTED_CERT) {
    const { der, certType } = readCertificate(r, version);
    const codecData: JksEntryData = { codec: 'jks', certTypes: [certType] };
    return { alias, kind: 'trustedCertificate', timestamp, certificates: [der], codecData };
  }
  if (tag === TAG_PRIVATE_KEY) {
    const protectedKey = r.bytesCopy(r.u32('protected key length'), 'protected private key');
    const chainLength = r.u32('certificate chain length');
    if (chainLength > r.remaining / 4) fail(`certificate chain length ${chainLength} cannot fit in the file`, r.offset - 4, 'CORRUPT');
    const certificates: Uint8Array[] = [];
    const certTypes: string[] = [];
    for (let i = 0; i < chainLength; i++) {
      const { der, certType } = readCertificate(r, version);
      certificates.push(der);
      certTypes.push(certType);
    }
    const codecData: JksEntryData = { codec: 'jks', certTypes };
    return { alias, kind: 'privateKey', timestamp, certificates, protectedKey, codecData };
  }
  if (tag === TAG_SECRET_KEY && type === 'JCEKS') {
    const start = r.offset;
    const end = skipSerializedObject(r.bytes, start, r.offset + r.remaining);
    const protectedKey = r.bytesCopy(end - start, 'sealed secret key');
    return { alias, kind: 'secretKey', timestamp, certificates: [], protectedKey, codecData: { codec: 'jks', certTypes: [] } satisfies JksEntryData };
  }
  return fail(`unknown entry tag ${tag} in a ${type} keystore`, tagAt, 'CORRUPT');
}

function readCertificate(r: ByteReader, version: number): { der: Uint8Array; certType: string } {
  const certType = version === VERSION_1 ? 'X.509' : readUtf(r, 'certificate type');
  const der = r.bytesCopy(r.u32('certificate length'), 'certificate');
  return { der, certType };
}

function readUtf(r: ByteReader, what: string): string {
  const at = r.offset;
  const n = r.u16(`${what} length`);
  return decodeModifiedUtf8(r.bytesView(n, what), at + 2);
}

function fail(message: string, offset: number, code: 'CORRUPT' | 'UNSUPPORTED'): never {
  throw new MidtrustError(code, `${message} at byte ${offset}`, { offset });
}
