import { MidtrustError } from '../../errors';
import type { Keystore, KeystoreEntry, WriteOptions } from '../model';
import {
  DEFAULT_CERT_TYPE,
  JCEKS_MAGIC,
  JKS_MAGIC,
  TAG_PRIVATE_KEY,
  TAG_SECRET_KEY,
  TAG_TRUSTED_CERT,
  VERSION_2,
  type JksEntryData,
} from './jksConstants';
import { jksDigest } from './jksDigest';
import { encodeModifiedUtf8 } from './javaModifiedUtf8';

/** Appends big-endian fields to a list of chunks, concatenated once at the end. */
class ChunkWriter {
  readonly chunks: Uint8Array[] = [];
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.chunks.push(b);
  }
  i64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(Math.trunc(v)));
    this.chunks.push(b);
  }
  utf(s: string, what: string): void {
    const enc = encodeModifiedUtf8(s);
    if (enc.length > 0xffff) throw new MidtrustError('INVALID_INPUT', `${what} is too long for a JKS string (${enc.length} bytes; the limit is 65535)`);
    const b = Buffer.alloc(2);
    b.writeUInt16BE(enc.length);
    this.chunks.push(b, enc);
  }
  bytes(b: Uint8Array): void {
    this.chunks.push(b);
  }
}

/**
 * Writes a JKS or JCEKS keystore (version 2, the store's own magic). Entries keep their order,
 * timestamps, protected key bytes and certificate type strings, so an unchanged store comes out
 * byte-identical. Aliases are lowercased as Java's `toLowerCase(Locale.ENGLISH)` does on every
 * set: a file holding an uppercase alias would be unreachable by keytool.
 *
 * @example
 * fs.writeFileSync('cacerts', writeJks(store, 'changeit'));
 */
export function writeJks(store: Keystore, password: string, _options: WriteOptions = {}): Uint8Array {
  if (store.type !== 'JKS' && store.type !== 'JCEKS') {
    throw new MidtrustError('INVALID_INPUT', `writeJks cannot write a ${store.type} keystore`);
  }
  const w = new ChunkWriter();
  w.u32(store.type === 'JKS' ? JKS_MAGIC : JCEKS_MAGIC);
  w.u32(VERSION_2);
  w.u32(store.entries.length);
  const seen = new Set<string>();
  for (const e of store.entries) {
    const alias = e.alias.toLowerCase();
    if (seen.has(alias)) throw new MidtrustError('INVALID_INPUT', `alias ${alias} appears twice; JKS aliases are case-insensitive`);
    seen.add(alias);
    writeEntry(w, e, alias, store.type);
  }
  const body = Buffer.concat(w.chunks);
  return Buffer.concat([body, jksDigest(password, body)]);
}

function writeEntry(w: ChunkWriter, e: KeystoreEntry, alias: string, type: 'JKS' | 'JCEKS'): void {
  const types = isJksData(e.codecData) ? e.codecData.certTypes : [];
  const timestamp = e.timestamp ?? Date.now();
  if (e.kind === 'trustedCertificate') {
    if (e.certificates.length !== 1) throw new MidtrustError('INVALID_INPUT', `alias ${alias}: a trusted entry holds exactly one certificate`);
    w.u32(TAG_TRUSTED_CERT);
    w.utf(alias, `alias ${alias}`);
    w.i64(timestamp);
    writeCertificate(w, e.certificates[0], types[0]);
  } else if (e.kind === 'privateKey') {
    if (!e.protectedKey) throw new MidtrustError('INVALID_INPUT', `alias ${alias}: a private key entry without its protected key bytes cannot be written`);
    w.u32(TAG_PRIVATE_KEY);
    w.utf(alias, `alias ${alias}`);
    w.i64(timestamp);
    w.u32(e.protectedKey.length);
    w.bytes(e.protectedKey);
    w.u32(e.certificates.length);
    e.certificates.forEach((c, i) => writeCertificate(w, c, types[i]));
  } else {
    if (type !== 'JCEKS' || !e.protectedKey || !isJksData(e.codecData)) {
      throw new MidtrustError('UNSUPPORTED', `alias ${alias}: a secret key entry can only be carried within a JCEKS keystore`);
    }
    w.u32(TAG_SECRET_KEY);
    w.utf(alias, `alias ${alias}`);
    w.i64(timestamp);
    w.bytes(e.protectedKey);
  }
}

function writeCertificate(w: ChunkWriter, der: Uint8Array, certType = DEFAULT_CERT_TYPE): void {
  w.utf(certType, 'certificate type');
  w.u32(der.length);
  w.bytes(der);
}

function isJksData(d: unknown): d is JksEntryData {
  return typeof d === 'object' && d !== null && (d as { codec?: unknown }).codec === 'jks';
}
