import { timingSafeEqual } from 'node:crypto';
import { MidtrustError } from '../../errors';
import { ByteReader } from '../byteReader';
import type { Keystore, KeystoreEntry, KeystoreType, ReadOptions } from '../model';
import type { JksEntryData, JksStoreData } from './jksCodecData';
import {
  DEFAULT_CERT_TYPE,
  DIGEST_LENGTH,
  HEADER_LENGTH,
  JCEKS_MAGIC,
  JKS_MAGIC,
  MIN_ENTRY_LENGTH,
  TAG_PRIVATE_KEY,
  TAG_SECRET_KEY,
  TAG_TRUSTED_CERT,
  VERSION_1,
  VERSION_2,
} from './jksConstants';
import { jksDigest } from './jksDigest';
import { decodeModifiedUtf8, encodeModifiedUtf8 } from './javaModifiedUtf8';
import { skipSerializedObject } from './javaSerializationSkipper';

/**
 * Reads a JKS (FEEDFEED) or JCEKS (CECECECE) keystore, version 1 or 2.
 *
 * With a password the SHA-1 trailer is checked (in constant time) and the store comes back
 * `verified`; a mismatch is WRONG_PASSWORD, since JKS cannot tell a wrong password from tampering.
 * Without a password the store is read `unverified`, as keytool does. Aliases are kept as stored:
 * Java lowercases aliases on lookup, not on load; an alias stored twice keeps its later entry, as
 * Java's load does. Key material is never decrypted: the protected
 * private key and the serialized sealed secret key are carried byte-for-byte in `protectedKey`.
 *
 * Damaged bytes give TRUNCATED (the data ends before a structure does) or CORRUPT, with the byte
 * offset in the message and in `offset`; no input makes it throw anything but a MidtrustError.
 *
 * @example
 * const store = readJks(fs.readFileSync('/etc/ssl/certs/java/cacerts'), { password: 'changeit' });
 * store.integrity // 'verified'
 */
export function readJks(bytes: Uint8Array, options: ReadOptions = {}): Keystore {
  // The magic first: a short file that is not a keystore at all should say so, not "truncated".
  const magic = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : undefined;
  if (magic !== undefined && magic !== JKS_MAGIC && magic !== JCEKS_MAGIC) {
    fail('UNSUPPORTED', `not a JKS or JCEKS keystore: magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0xfeedfeed or 0xcececece`, 0);
  }
  if (bytes.length < HEADER_LENGTH + DIGEST_LENGTH) {
    throw new MidtrustError(
      'TRUNCATED',
      `the keystore ends at byte ${bytes.length}; a JKS/JCEKS keystore has at least ${HEADER_LENGTH + DIGEST_LENGTH} bytes (header and digest)`,
      { offset: bytes.length },
    );
  }
  const bodyEnd = bytes.length - DIGEST_LENGTH;
  // One private copy of the file, and entries as views into it: the model never aliases the
  // caller's buffer, and a 1,000-entry store costs one allocation instead of one per certificate.
  const r = new ByteReader(new Uint8Array(bytes), 0, bodyEnd);
  r.skip(4, 'magic number');
  const type: KeystoreType = magic === JKS_MAGIC ? 'JKS' : 'JCEKS';
  const version = r.u32('version');
  if (version !== VERSION_1 && version !== VERSION_2) {
    fail('UNSUPPORTED', `${type} version ${version} is not supported (Java writes 1 or 2)`, 4);
  }
  const count = r.u32('entry count');
  if (count > r.remaining / MIN_ENTRY_LENGTH) {
    fail('TRUNCATED', `the header announces ${count} entries, but only ${r.remaining} bytes follow it before the 20-byte digest`, 8);
  }

  let mismatch = false;
  if (options.password !== undefined) {
    // One update over the whole prefix: hashing field by field costs more than the parse.
    const expected = jksDigest(options.password, bytes.subarray(0, bodyEnd));
    mismatch = !timingSafeEqual(expected, bytes.subarray(bodyEnd));
  }
  // The entries are walked even on a mismatch, so a damaged file reports where it is damaged
  // (TRUNCATED/CORRUPT) and only a structurally sound one blames the password.
  const entries = readEntries(r, type, version, count, bytes.length);
  if (mismatch) {
    throw new MidtrustError(
      'WRONG_PASSWORD',
      `Keystore was tampered with, or password was incorrect: the ${type} integrity digest does not match the given store password. Check the password; if it is right, the file was modified outside Java`,
    );
  }
  const codecData: JksStoreData = { codec: 'jks', version };
  return { type, entries, integrity: options.password === undefined ? 'unverified' : 'verified', codecData };
}

function readEntries(r: ByteReader, type: KeystoreType, version: number, count: number, fileLength: number): KeystoreEntry[] {
  const entries: KeystoreEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    try {
      entries.push(readEntry(r, type, version));
    } catch (e) {
      if (!(e instanceof MidtrustError)) throw e;
      const alias = aliasAt(r, at);
      const where = `entry ${i + 1} of ${count}${alias === undefined ? '' : ` (${JSON.stringify(alias)})`}, starting at byte ${at}`;
      const hint = e.code === 'TRUNCATED' ? ` (the file has ${fileLength} bytes, the last ${DIGEST_LENGTH} being the digest: it is truncated or damaged)` : '';
      throw new MidtrustError(e.code, `${where}: ${e.message}${hint}`, { cause: e, offset: e.offset });
    }
  }
  if (r.remaining !== 0) {
    fail('CORRUPT', `${r.remaining} unexpected bytes after the last entry, before the 20-byte digest (extra data or a wrong entry count)`, r.offset);
  }
  return lastOfEachAlias(entries);
}

/**
 * Java loads JKS and JCEKS entries into a Hashtable keyed by the alias exactly as stored, so an
 * alias stored twice (a hand-made or damaged file) keeps only its later entry: that is all keytool
 * lists and all Java can reach. The model holds the same, so a rewrite writes what Java would.
 * (Aliases differing only in case are distinct keys there, and stay distinct here.)
 */
function lastOfEachAlias(entries: KeystoreEntry[]): KeystoreEntry[] {
  const last = new Map<string, number>();
  entries.forEach((e, i) => last.set(e.alias, i));
  return last.size === entries.length ? entries : entries.filter((e, i) => last.get(e.alias) === i);
}

/** The alias of the entry at `at`, for error messages, when its tag and alias can be read at all. */
function aliasAt(r: ByteReader, at: number): string | undefined {
  try {
    const probe = new ByteReader(r.bytes, at, r.offset + r.remaining);
    const tag = probe.u32('tag');
    if (tag !== TAG_PRIVATE_KEY && tag !== TAG_TRUSTED_CERT && tag !== TAG_SECRET_KEY) return undefined;
    return readString(probe, 'alias').text;
  } catch {
    return undefined;
  }
}

function readEntry(r: ByteReader, type: KeystoreType, version: number): KeystoreEntry {
  const tagAt = r.offset;
  const tag = r.u32('entry tag');
  if (tag !== TAG_PRIVATE_KEY && tag !== TAG_TRUSTED_CERT && !(tag === TAG_SECRET_KEY && type === 'JCEKS')) {
    fail('CORRUPT', `unknown entry tag ${tag} in a ${type} keystore (expected ${type === 'JCEKS' ? '1, 2 or 3' : '1 or 2'})`, tagAt);
  }
  const alias = readString(r, 'alias');
  const tsAt = r.offset;
  const timestamp = r.i64('entry date');
  // Beyond 2^53 a number is inexact: keep the 8 bytes so a rewrite gives them back unchanged.
  const timestampBytes = Number.isSafeInteger(timestamp) ? undefined : Uint8Array.from(r.bytes.subarray(tsAt, tsAt + 8));
  const extra = {
    ...(alias.raw ? { aliasBytes: alias.raw } : {}),
    ...(timestampBytes ? { timestampBytes } : {}),
  };

  if (tag === TAG_TRUSTED_CERT) {
    const cert = readCertificate(r, version);
    const codecData: JksEntryData = { codec: 'jks', certTypes: [cert.type], ...(cert.rawType ? { certTypeBytes: [cert.rawType] } : {}), ...extra };
    return { alias: alias.text, kind: 'trustedCertificate', timestamp, certificates: [cert.der], codecData };
  }
  if (tag === TAG_PRIVATE_KEY) {
    const protectedKey = r.bytesView(r.u32('protected key length'), 'protected private key');
    const countAt = r.offset;
    const chainLength = r.u32('certificate chain length');
    if (chainLength > r.remaining / 4) {
      fail('TRUNCATED', `a chain of ${chainLength} certificates is announced, but only ${r.remaining} bytes remain`, countAt);
    }
    const certificates: Uint8Array[] = [];
    const certTypes: string[] = [];
    let rawTypes: Array<Uint8Array | undefined> | undefined;
    for (let i = 0; i < chainLength; i++) {
      const cert = readCertificate(r, version);
      certificates.push(cert.der);
      certTypes.push(cert.type);
      if (cert.rawType) (rawTypes ??= new Array<Uint8Array | undefined>(chainLength).fill(undefined))[i] = cert.rawType;
    }
    const codecData: JksEntryData = { codec: 'jks', certTypes, ...(rawTypes ? { certTypeBytes: rawTypes } : {}), ...extra };
    return { alias: alias.text, kind: 'privateKey', timestamp, certificates, protectedKey, codecData };
  }
  // JCEKS secret key: a serialized SealedObject, measured by walking the serialization grammar.
  const start = r.offset;
  const end = skipSerializedObject(r.bytes, start, start + r.remaining);
  const protectedKey = r.bytesView(end - start, 'sealed secret key');
  const codecData: JksEntryData = { codec: 'jks', certTypes: [], ...extra };
  return { alias: alias.text, kind: 'secretKey', timestamp, certificates: [], protectedKey, codecData };
}

function readCertificate(r: ByteReader, version: number): { der: Uint8Array; type: string; rawType?: Uint8Array } {
  // Version 1 has no type string: every certificate is X.509.
  const t = version === VERSION_1 ? { text: DEFAULT_CERT_TYPE } : readString(r, 'certificate type');
  const der = r.bytesView(r.u32('certificate length'), 'certificate');
  return { der, type: t.text, ...(t.raw ? { rawType: t.raw } : {}) };
}

/**
 * A u16-prefixed modified UTF-8 string (DataInput.readUTF). `raw` is set only when the bytes are
 * not what Java would write for the text (a raw 00, an over-long form), so a rewrite can keep them.
 */
function readString(r: ByteReader, what: string): { text: string; raw?: Uint8Array } {
  const at = r.offset;
  const n = r.u16(`${what} length`);
  const view = r.bytesView(n, what);
  const text = decodeModifiedUtf8(view, at + 2);
  if (text.length === n && !view.includes(0)) return { text }; // ASCII without 00: canonical
  const canonical = encodeModifiedUtf8(text);
  return Buffer.compare(canonical, view) === 0 ? { text } : { text, raw: Uint8Array.from(view) };
}

function fail(code: 'CORRUPT' | 'UNSUPPORTED' | 'TRUNCATED', message: string, offset: number): never {
  throw new MidtrustError(code, `${message} (at byte ${offset})`, { offset });
}
