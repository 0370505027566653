import { MidtrustError } from '../../errors';
import { storedAlias, type Keystore, type KeystoreEntry, type WriteOptions } from '../model';
import { isJksEntryData, type JksEntryData, type JksStoreData } from './jksCodecData';
import {
  DEFAULT_CERT_TYPE,
  DIGEST_LENGTH,
  JCEKS_MAGIC,
  JKS_MAGIC,
  TAG_PRIVATE_KEY,
  TAG_SECRET_KEY,
  TAG_TRUSTED_CERT,
  VERSION_1,
  VERSION_2,
} from './jksConstants';
import { jksDigest } from './jksDigest';
import { decodeModifiedUtf8, encodeModifiedUtf8 } from './javaModifiedUtf8';
import { skipSerializedObject } from './javaSerializationSkipper';

const MAX_I64 = 2n ** 63n - 1n;

/**
 * Writes a JKS or JCEKS keystore with the store's own magic number. Entries keep their order,
 * timestamps, protected key bytes and certificate type strings, so an unchanged store comes out
 * byte-identical; the file is version 2, as Java writes it (a store read as version 1 stays
 * version 1 while every certificate is X.509, again so an unchanged rewrite is identical).
 *
 * New aliases are lowercased as Java's `toLowerCase(Locale.ENGLISH)` does on every set, with the
 * case tables of the JDK that reads the store (`store.javaVersion`, javaAliasCase.ts): an
 * uppercase alias in the file would be unreachable by keytool, which lowercases every alias it
 * looks up. An entry read from the file keeps its alias exactly as stored — rewriting it with
 * another JDK's case rules would rename an entry no change touched. Two entries with the same
 * stored alias are INVALID_INPUT. The digest is keyed by `password`; integrity of the store that was read
 * is the caller's concern (a store that failed its check must never reach this function).
 *
 * @example
 * const store = readJks(bytes, { password });
 * fs.writeFileSync(file, writeJks({ ...store, entries: [...store.entries, newEntry] }, password));
 */
export function writeJks(store: Keystore, password: string, _options: WriteOptions = {}): Uint8Array {
  if (typeof password !== 'string') {
    throw new MidtrustError('PASSWORD_REQUIRED', `a ${store.type} keystore cannot be written without its store password: its integrity digest is keyed by it`);
  }
  const type = store.type;
  if (type !== 'JKS' && type !== 'JCEKS') {
    throw new MidtrustError('INVALID_INPUT', `the JKS/JCEKS writer was given a ${type} keystore; write it with the ${type} codec`);
  }
  const version = writeVersion(store);
  const w = new GrowableWriter(estimateSize(store.entries));
  w.u32(type === 'JKS' ? JKS_MAGIC : JCEKS_MAGIC);
  w.u32(version);
  w.u32(store.entries.length);
  const seen = new Map<string, string>();
  store.entries.forEach((e, i) => {
    const alias = isJksEntryData(e.codecData) ? e.alias : storedAlias(type, e.alias, store.javaVersion);
    const first = seen.get(alias);
    if (first !== undefined) {
      throw new MidtrustError('INVALID_INPUT', `aliases ${JSON.stringify(first)} and ${JSON.stringify(e.alias)} are the same in a ${type} keystore (Java lowercases aliases); rename or remove one`);
    }
    seen.set(alias, e.alias);
    try {
      writeEntry(w, e, alias, type, version);
    } catch (err) {
      if (err instanceof MidtrustError) throw err.withContext(`entry ${i + 1} (${JSON.stringify(e.alias)})`);
      throw err;
    }
  });
  const body = w.finish();
  const out = new Uint8Array(body.length + DIGEST_LENGTH);
  out.set(body, 0);
  out.set(jksDigest(password, body), body.length);
  return out;
}

/** Version 1 only for a store read as version 1 whose certificates are all X.509 (v1 cannot say otherwise). */
function writeVersion(store: Keystore): number {
  const data = store.codecData as Partial<JksStoreData> | undefined;
  if (data?.codec !== 'jks' || data.version !== VERSION_1) return VERSION_2;
  const allX509 = store.entries.every((e) => {
    const d = isJksEntryData(e.codecData) ? e.codecData : undefined;
    return e.certificates.every((_c, i) => (d?.certTypes[i] ?? DEFAULT_CERT_TYPE) === DEFAULT_CERT_TYPE);
  });
  return allX509 ? VERSION_1 : VERSION_2;
}

function writeEntry(w: GrowableWriter, e: KeystoreEntry, alias: string, type: 'JKS' | 'JCEKS', version: number): void {
  const data = isJksEntryData(e.codecData) ? e.codecData : undefined;
  if (e.codecData !== undefined && !data && e.kind !== 'trustedCertificate') {
    // Another codec's protected key (a PKCS12 SafeBag) is not a JKS EncryptedPrivateKeyInfo or a
    // SealedObject, and midtrust never decrypts keys to convert them.
    throw new MidtrustError('UNSUPPORTED', `this ${e.kind === 'privateKey' ? 'private' : 'secret'} key entry was read from another keystore type; its protected key cannot be moved into a ${type} keystore without decrypting it (use keytool -importkeystore)`);
  }
  if (e.kind === 'trustedCertificate') {
    if (e.certificates.length !== 1) throw new MidtrustError('INVALID_INPUT', `a trusted certificate entry holds exactly one certificate, this one has ${e.certificates.length}`);
    w.u32(TAG_TRUSTED_CERT);
    writeHead(w, e, alias, data);
    writeCertificate(w, e.certificates[0], 0, data, version);
  } else if (e.kind === 'privateKey') {
    if (!e.protectedKey) throw new MidtrustError('INVALID_INPUT', 'a private key entry needs its protected key bytes (midtrust carries keys, it never makes them)');
    w.u32(TAG_PRIVATE_KEY);
    writeHead(w, e, alias, data);
    w.u32(e.protectedKey.length);
    w.bytes(e.protectedKey);
    w.u32(e.certificates.length);
    e.certificates.forEach((c, i) => writeCertificate(w, c, i, data, version));
  } else if (e.kind === 'secretKey') {
    if (type !== 'JCEKS') throw new MidtrustError('UNSUPPORTED', 'a JKS keystore cannot hold a secret key entry; only JCEKS (and PKCS12) can');
    if (!e.protectedKey) throw new MidtrustError('INVALID_INPUT', 'a secret key entry needs its sealed key bytes (midtrust carries keys, it never makes them)');
    // The entry has no length prefix: bytes that are not exactly one serialized object would
    // shift every later entry, so check them before writing.
    let end = -1;
    try {
      end = skipSerializedObject(e.protectedKey);
    } catch (err) {
      if (!(err instanceof MidtrustError)) throw err;
    }
    if (end !== e.protectedKey.length) throw new MidtrustError('INVALID_INPUT', 'the secret key bytes are not one Java-serialized SealedObject, as JCEKS requires');
    w.u32(TAG_SECRET_KEY);
    writeHead(w, e, alias, data);
    w.bytes(e.protectedKey);
  } else {
    throw new MidtrustError('INVALID_INPUT', `unknown entry kind ${JSON.stringify(e.kind)}`);
  }
}

/** Alias and timestamp, common to every entry. */
function writeHead(w: GrowableWriter, e: KeystoreEntry, alias: string, data: JksEntryData | undefined): void {
  writeString(w, alias, data?.aliasBytes, 'alias');
  const ts = e.timestamp ?? Date.now();
  if (data?.timestampBytes && data.timestampBytes.length === 8 && ts === Number(Buffer.from(data.timestampBytes).readBigInt64BE(0))) {
    w.bytes(data.timestampBytes);
    return;
  }
  if (Number.isSafeInteger(ts)) {
    w.i64(ts); // every real timestamp: no BigInt per entry
    return;
  }
  if (!Number.isFinite(ts) || BigInt(Math.trunc(ts)) > MAX_I64 || BigInt(Math.trunc(ts)) < -MAX_I64 - 1n) {
    throw new MidtrustError('INVALID_INPUT', `the entry date ${ts} is not a valid time in milliseconds`);
  }
  w.i64(BigInt(Math.trunc(ts)));
}

function writeCertificate(w: GrowableWriter, der: Uint8Array, i: number, data: JksEntryData | undefined, version: number): void {
  if (version === VERSION_2) writeString(w, data?.certTypes[i] ?? DEFAULT_CERT_TYPE, data?.certTypeBytes?.[i], 'certificate type');
  w.u32(der.length);
  w.bytes(der);
}

/** A u16-prefixed modified UTF-8 string; the bytes as read when they still spell the same text. */
function writeString(w: GrowableWriter, text: string, raw: Uint8Array | undefined, what: string): void {
  let enc: Uint8Array = encodeModifiedUtf8(text);
  if (raw && raw.length <= 0xffff) {
    try {
      if (decodeModifiedUtf8(raw) === text) enc = raw;
    } catch {
      // raw bytes that no longer decode: write the canonical form
    }
  }
  if (enc.length > 0xffff) throw new MidtrustError('INVALID_INPUT', `the ${what} is too long: ${enc.length} bytes of modified UTF-8, Java's limit is 65535`);
  w.u16(enc.length);
  w.bytes(enc);
}

/** Certificates and keys dominate; a little per entry for tags, aliases and lengths. */
function estimateSize(entries: readonly KeystoreEntry[]): number {
  let n = 64;
  for (const e of entries) {
    n += 64 + e.alias.length * 3 + (e.protectedKey?.length ?? 0);
    for (const c of e.certificates) n += 16 + c.length;
  }
  return n;
}

/** Big-endian fields into one buffer, grown by doubling when the estimate was short. */
class GrowableWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u16(v: number): void {
    this.ensure(2);
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  u32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32BE(v >>> 0, this.pos);
  }

  /** A safe integer as two's-complement halves, anything else as a BigInt. */
  i64(v: bigint | number): void {
    this.ensure(8);
    if (typeof v === 'bigint') {
      this.pos = this.buf.writeBigInt64BE(v, this.pos);
      return;
    }
    const high = Math.floor(v / 0x1_0000_0000);
    this.buf.writeInt32BE(high, this.pos);
    this.buf.writeUInt32BE(v - high * 0x1_0000_0000, this.pos + 4);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
