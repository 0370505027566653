import { createHash } from 'node:crypto';
import { MidtrustError } from '../../../provider/errors';
import { readKeystore, writeKeystore } from '../../../provider/keystore/keystoreCodec';
import { readJks } from '../../../provider/keystore/jks/jksReader';
import { writeJks } from '../../../provider/keystore/jks/jksWriter';
import type { Keystore, KeystoreEntry } from '../../../provider/keystore/model';

/**
 * Edge cases of the JKS/JCEKS layout, on stores built byte by byte from the format description
 * (FACTS.md §2) with their own SHA-1 trailer, so no expected byte comes from the code under test.
 */

const PASSWORD = 'changeit';

/** u16 length + the given (already encoded) string bytes. */
const str = (bytes: Buffer | string): Buffer => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};
const i64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
};
const trusted = (alias: Buffer | string, ts: bigint, der: Buffer, version = 2): Buffer =>
  Buffer.concat([u32(2), str(alias), i64(ts), version === 2 ? str('X.509') : Buffer.alloc(0), u32(der.length), der]);

/** A whole store: header, entries and the digest over (password UTF-16BE, "Mighty Aphrodite", body). */
function store(entries: Buffer[], opts: { magic?: number; version?: number; password?: string } = {}): Buffer {
  const body = Buffer.concat([u32(opts.magic ?? 0xfeedfeed), u32(opts.version ?? 2), u32(entries.length), ...entries]);
  const pw = Buffer.from(opts.password ?? PASSWORD, 'utf16le').swap16();
  return Buffer.concat([body, createHash('sha1').update(pw).update('Mighty Aphrodite', 'utf8').update(body).digest()]);
}

const errorOf = (f: () => unknown): MidtrustError => {
  try {
    f();
  } catch (e) {
    if (e instanceof MidtrustError) return e;
    throw e;
  }
  throw new Error('expected a MidtrustError');
};

const der1 = Buffer.from('3003020101', 'hex');
const der2 = Buffer.from('3003020102', 'hex');
/** A serialized byte[] {1,2,3}: TC_ARRAY, class "[B", no fields, TC_ENDBLOCKDATA, no super, length, data. */
const serializedBytes = Buffer.from('aced0005757200025b42acf317f8060854e002000078700000000301 0203'.replace(/ /g, ''), 'hex');

describe('reading hand-built stores', () => {
  it('reads a store built from the format description, verified with the password and unverified without', () => {
    const bytes = store([trusted('root-a', 1700000000000n, der1), trusted('root-b', 1n, der2)]);
    const withPw = readJks(bytes, { password: PASSWORD });
    expect(withPw.integrity).toBe('verified');
    expect(withPw.entries.map((e) => [e.alias, e.kind, e.timestamp, Buffer.from(e.certificates[0]).toString('hex')])).toEqual([
      ['root-a', 'trustedCertificate', 1700000000000, '3003020101'],
      ['root-b', 'trustedCertificate', 1, '3003020102'],
    ]);
    expect(readJks(bytes, {}).integrity).toBe('unverified');
    expect(errorOf(() => readJks(bytes, { password: 'changeiT' })).code).toBe('WRONG_PASSWORD');
  });

  it('says "tampered with, or password was incorrect" when one certificate byte changed', () => {
    const bytes = store([trusted('root-a', 1n, der1)]);
    bytes[bytes.length - 21] ^= 1; // last DER byte
    const err = errorOf(() => readJks(bytes, { password: PASSWORD }));
    expect(err.code).toBe('WRONG_PASSWORD');
    expect(err.message).toMatch(/tampered with, or password was incorrect/);
    expect(readJks(bytes, {}).entries).toHaveLength(1);
  });

  it.each([
    { name: 'a PEM file', bytes: Buffer.from('-----BEGIN CERTIFICATE-----\n') },
    { name: 'a ZIP file', bytes: Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(40)]) },
  ])('refuses $name: UNSUPPORTED from the sniffer and from readJks', ({ bytes }) => {
    expect(errorOf(() => readKeystore(bytes, { password: PASSWORD })).code).toBe('UNSUPPORTED');
    expect(errorOf(() => readJks(bytes, { password: PASSWORD })).code).toBe('UNSUPPORTED');
  });

  it('keeps uppercase aliases as stored, on load and on write (issue 19 item 5: Java rewrites the alias as stored, so does midtrust)', () => {
    const bytes = store([trusted('Upper-CA', 5n, der1)]);
    const read = readJks(bytes, { password: PASSWORD });
    expect(read.entries[0].alias).toBe('Upper-CA');
    expect(Buffer.compare(Buffer.from(writeJks(read, PASSWORD)), bytes)).toBe(0);
    // A new entry is lowercased, as Java's set does.
    const added = { ...read, entries: [...read.entries, { alias: 'New-CA', kind: 'trustedCertificate' as const, timestamp: 6, certificates: [der1] }] };
    expect(readJks(writeJks(added, PASSWORD), { password: PASSWORD }).entries.map((e) => e.alias)).toEqual(['Upper-CA', 'new-ca']);
  });

  it.each([
    { name: 'a raw 00 byte', raw: Buffer.from('610062', 'hex'), text: 'a\u0000b' },
    { name: 'an over-long "A" (C1 81)', raw: Buffer.from('c18162', 'hex'), text: 'Ab' },
  ])('reads an alias with $name as Java does and rewrites its bytes unchanged', ({ raw, text }) => {
    const bytes = store([trusted(raw, 5n, der1)]);
    const read = readJks(bytes, { password: PASSWORD });
    expect(read.entries[0].alias).toBe(text);
    // An untouched entry keeps its alias bytes, whatever their case or form.
    expect(Buffer.compare(Buffer.from(writeJks(read, PASSWORD)), bytes)).toBe(0);
  });

  it('keeps a timestamp beyond 2^53 byte-for-byte', () => {
    const bytes = store([trusted('far', 2n ** 62n + 1n, der1)]);
    expect(Buffer.compare(Buffer.from(writeJks(readJks(bytes, { password: PASSWORD }), PASSWORD)), bytes)).toBe(0);
  });

  it('writes a version 1 store back as version 1, new X.509 entries included', () => {
    const v1 = store([trusted('old', 7n, der1, 1)], { version: 1 });
    const read = readJks(v1, { password: PASSWORD });
    expect(Buffer.compare(Buffer.from(writeJks(read, PASSWORD)), v1)).toBe(0);
    const grown = writeJks({ ...read, entries: [...read.entries, { alias: 'new', kind: 'trustedCertificate', timestamp: 8, certificates: [der2] }] }, PASSWORD);
    expect(Buffer.compare(Buffer.from(grown), store([trusted('old', 7n, der1, 1), trusted('new', 8n, der2, 1)], { version: 1 }))).toBe(0);
  });

  it('reads a JCEKS secret key (a serialized object with no length prefix) between two entries', () => {
    const secret = Buffer.concat([u32(3), str('aes'), i64(9n), serializedBytes]);
    const bytes = store([trusted('a', 1n, der1), secret, trusted('b', 2n, der2)], { magic: 0xcececece });
    const read = readJks(bytes, { password: PASSWORD });
    expect(read.type).toBe('JCEKS');
    expect(read.entries.map((e) => e.kind)).toEqual(['trustedCertificate', 'secretKey', 'trustedCertificate']);
    expect(Buffer.from(read.entries[1].protectedKey!).toString('hex')).toBe(serializedBytes.toString('hex'));
    expect(Buffer.compare(Buffer.from(writeJks(read, PASSWORD)), bytes)).toBe(0);
  });
});

describe('writeJks', () => {
  const entry = (alias: string, extra: Partial<KeystoreEntry> = {}): KeystoreEntry => ({ alias, kind: 'trustedCertificate', timestamp: 1, certificates: [der1], ...extra });
  const jks = (entries: KeystoreEntry[], type: Keystore['type'] = 'JKS'): Keystore => ({ type, entries, integrity: 'verified' });

  it('writes the layout Java writes: version 2, model order, lowercase aliases, "X.509" type strings', () => {
    const out = Buffer.from(writeJks(jks([entry('Zeta', { timestamp: 3 }), entry('Alpha', { timestamp: 4, certificates: [der2] })]), PASSWORD));
    expect(out).toEqual(store([trusted('zeta', 3n, der1), trusted('alpha', 4n, der2)]));
  });

  it.each([
    { name: 'a PKCS12 store', make: () => writeJks(jks([entry('a')], 'PKCS12'), PASSWORD), code: 'INVALID_INPUT' },
    { name: 'no password', make: () => writeJks(jks([entry('a')]), undefined as unknown as string), code: 'PASSWORD_REQUIRED' },
    { name: 'no password through writeKeystore', make: () => writeKeystore(jks([entry('a')]), undefined), code: 'PASSWORD_REQUIRED' },
    { name: 'aliases equal once lowercased', make: () => writeJks(jks([entry('Acme'), entry('ACME')]), PASSWORD), code: 'INVALID_INPUT' },
    { name: 'a trusted entry with two certificates', make: () => writeJks(jks([entry('a', { certificates: [der1, der2] })]), PASSWORD), code: 'INVALID_INPUT' },
    { name: 'a timestamp that is not a number of ms', make: () => writeJks(jks([entry('a', { timestamp: Number.NaN })]), PASSWORD), code: 'INVALID_INPUT' },
    { name: 'an alias longer than 65535 bytes', make: () => writeJks(jks([entry('é'.repeat(40000))]), PASSWORD), code: 'INVALID_INPUT' },
    { name: 'a private key without its bytes', make: () => writeJks(jks([entry('k', { kind: 'privateKey' })]), PASSWORD), code: 'INVALID_INPUT' },
    {
      name: 'a private key read from PKCS12',
      make: () => writeJks(jks([entry('k', { kind: 'privateKey', protectedKey: der2, codecData: { codec: 'PKCS12' } })]), PASSWORD),
      code: 'UNSUPPORTED',
    },
    { name: 'a secret key in a JKS', make: () => writeJks(jks([entry('s', { kind: 'secretKey', certificates: [], protectedKey: serializedBytes })]), PASSWORD), code: 'UNSUPPORTED' },
    {
      name: 'secret key bytes that are not one serialized object',
      make: () => writeJks(jks([entry('s', { kind: 'secretKey', certificates: [], protectedKey: Buffer.concat([serializedBytes, Buffer.from([0])]) })], 'JCEKS'), PASSWORD),
      code: 'INVALID_INPUT',
    },
  ])('refuses $name with $code', ({ make, code }) => {
    const err = errorOf(make);
    expect(err.code).toBe(code);
    expect(err.message.length).toBeGreaterThan(20);
  });

  it('carries a secret key given as a serialized object into JCEKS', () => {
    const out = writeJks(jks([entry('s', { kind: 'secretKey', certificates: [], protectedKey: serializedBytes, timestamp: 9 })], 'JCEKS'), PASSWORD);
    expect(Buffer.from(out)).toEqual(store([Buffer.concat([u32(3), str('s'), i64(9n), serializedBytes])], { magic: 0xcececece }));
  });
});
