import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../../../provider/errors';
import { readKeystore, writeKeystore } from '../../../provider/keystore/keystoreCodec';
import { readJks } from '../../../provider/keystore/jks/jksReader';
import type { Keystore } from '../../../provider/keystore/model';
import { keytoolList, modernKeytool, tryKeytool } from '../../helpers/keytool';
import { JDK_CACERTS, needs } from '../../helpers/requireTools';
import { env, kt, makeJksFixtures, STOREPASS, type JksFixtures } from './jksFixtures';

let fx: JksFixtures;
beforeAll(() => {
  fx = makeJksFixtures();
});
afterAll(() => {
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const summary = (s: Keystore) =>
  s.entries.map((e) => ({ alias: e.alias.toLowerCase(), kind: e.kind, sha256: e.certificates[0] ? sha(e.certificates[0]) : undefined })).sort((a, b) => (a.alias < b.alias ? -1 : 1));
const keytoolSummary = (file: string, storetype?: string) =>
  keytoolList(file, STOREPASS, { storetype }).map((e) => ({ alias: e.alias.toLowerCase(), kind: e.kind, sha256: e.sha256 })).sort((a, b) => (a.alias < b.alias ? -1 : 1));

describe('keytool → midtrust (JKS, JCEKS)', () => {
  it.each([
    ['JKS with keys, uppercase and non-ASCII aliases', 'jks', undefined],
    ['JCEKS with a secret key', 'jceks', 'JCEKS'],
    ['an empty JKS', 'empty', undefined],
  ] as const)('%s lists exactly as keytool does', (_name, which, storetype) => {
    const file = fx[which];
    const store = readKeystore(fs.readFileSync(file), { password: STOREPASS });
    expect(store.integrity).toBe('verified');
    expect(summary(store)).toEqual(keytoolSummary(file, storetype));
  });

  it('finds the secret key entry in JCEKS', () => {
    const store = readKeystore(fs.readFileSync(fx.jceks), { password: STOREPASS });
    expect(store.type).toBe('JCEKS');
    expect(store.entries.map((e) => e.kind).sort()).toEqual(['privateKey', 'secretKey', 'trustedCertificate']);
  });

  it('reports a wrong password as WRONG_PASSWORD and reads unverified without one', () => {
    const bytes = fs.readFileSync(fx.jks);
    expect(() => readJks(bytes, { password: 'nope' })).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }));
    expect(readJks(bytes).integrity).toBe('unverified');
  });

  needs('jdkCacerts').it('reads the JDK cacerts and writes it back byte-for-byte', () => {
    const bytes = fs.readFileSync(JDK_CACERTS);
    const store = readKeystore(bytes, { password: 'changeit' });
    expect(store.entries.length).toBeGreaterThan(100);
    expect(Buffer.compare(Buffer.from(writeKeystore(store, 'changeit')), bytes)).toBe(0);
  });

  it.each([['JKS', 'jks'], ['JCEKS', 'jceks']] as const)('rewrites an unchanged keytool %s byte-for-byte', (_t, which) => {
    const bytes = fs.readFileSync(fx[which]);
    expect(Buffer.compare(Buffer.from(writeKeystore(readKeystore(bytes, { password: STOREPASS }), STOREPASS)), bytes)).toBe(0);
  });
});

describe('midtrust → keytool (JKS, JCEKS)', () => {
  const derOf = (n: string): Uint8Array => fs.readFileSync(fx.certs[n]);

  it.each([['JKS', 'jks', 'rsa-key'], ['JCEKS', 'jceks', 'rsa-key']] as const)('%s: add two, remove one; keytool verifies and the key still exports', (type, which, keyAlias) => {
    const file = fx[which];
    const store = readKeystore(fs.readFileSync(file), { password: STOREPASS });
    const removed = store.entries.find((e) => e.kind === 'trustedCertificate')!.alias;
    const next: Keystore = {
      ...store,
      entries: [
        ...store.entries.filter((e) => e.alias !== removed),
        { alias: 'Added-One', kind: 'trustedCertificate', timestamp: Date.now(), certificates: [derOf('extra1')] },
        { alias: 'added-two', kind: 'trustedCertificate', timestamp: Date.now(), certificates: [derOf('extra2')] },
      ],
    };
    const out = path.join(fx.dir, `out-${type}.ks`);
    fs.writeFileSync(out, writeKeystore(next, STOREPASS));
    const listed = keytoolSummary(out, type === 'JCEKS' ? 'JCEKS' : undefined);
    expect(listed).toEqual(summary(next));
    expect(listed.map((e) => e.alias)).not.toContain(removed.toLowerCase());
    expect(listed.map((e) => e.alias)).toContain('added-one');
    const dest = path.join(fx.dir, `exported-${type}.p12`);
    fs.rmSync(dest, { force: true });
    kt(['-importkeystore', '-srckeystore', out, '-srcstoretype', type, '-srcstorepass:env', 'SP', '-srcalias', keyAlias, '-srckeypass:env', 'KP', '-destkeystore', dest, '-deststoretype', 'PKCS12', '-deststorepass:env', 'DP', '-destkeypass:env', 'DP']);
    expect(keytoolList(dest, env.DP).map((e) => e.kind)).toEqual(['privateKey']);
  });

  it('keeps the JCEKS secret key usable after a rewrite', () => {
    const store = readKeystore(fs.readFileSync(fx.jceks), { password: STOREPASS });
    const out = path.join(fx.dir, 'rewritten.jceks');
    fs.writeFileSync(out, writeKeystore({ ...store, entries: store.entries.filter((e) => e.kind !== 'trustedCertificate') }, STOREPASS));
    const dest = path.join(fx.dir, 'secret-copy.jceks');
    kt(['-importkeystore', '-srckeystore', out, '-srcstoretype', 'JCEKS', '-srcstorepass:env', 'SP', '-srcalias', 'aes-key', '-srckeypass:env', 'KP', '-destkeystore', dest, '-deststoretype', 'JCEKS', '-deststorepass:env', 'DP', '-destkeypass:env', 'DP']);
    expect(keytoolList(dest, env.DP, { storetype: 'JCEKS' }).map((e) => e.kind)).toEqual(['secretKey']);
  });

  needs('jdk18').it('writes a store a JDK ≥ 18 keytool reads too', () => {
    const modern = modernKeytool()!;
    const store = readKeystore(fs.readFileSync(fx.jks), { password: STOREPASS });
    const out = path.join(fx.dir, 'for-modern.jks');
    fs.writeFileSync(out, writeKeystore(store, STOREPASS));
    const r = tryKeytool(['-list', '-keystore', out, '-storepass:env', 'SP'], { keytool: modern, env });
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/Your keystore contains 6 entries/);
  });
});

describe('errors on damaged JKS', () => {
  const errorOf = (f: () => unknown): MidtrustError => {
    try {
      f();
    } catch (e) {
      if (e instanceof MidtrustError) return e;
      throw e;
    }
    throw new Error('expected a MidtrustError');
  };

  it.each([['JKS', 'jks'], ['JCEKS', 'jceks']] as const)('reports a truncated %s as TRUNCATED with the byte offset', (_t, which) => {
    const bytes = fs.readFileSync(fx[which]);
    for (const cut of [0, 5, 11, 31, 40, 100, Math.floor(bytes.length / 2), bytes.length - 21, bytes.length - 1]) {
      for (const options of [{}, { password: STOREPASS }]) {
        const err = errorOf(() => readJks(bytes.subarray(0, cut), options));
        expect({ cut, code: err.code }).toEqual({ cut, code: 'TRUNCATED' });
        expect(err.message).toMatch(/byte \d+/);
        expect(err.offset).toBeLessThanOrEqual(cut);
      }
    }
  });

  it('reports bytes after the digest as CORRUPT', () => {
    const bytes = fs.readFileSync(fx.jks);
    const err = errorOf(() => readJks(Buffer.concat([bytes, Buffer.from([0])]), { password: STOREPASS }));
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toMatch(/unexpected bytes after the last entry/);
  });

  it('rejects an entry count that cannot fit at once', () => {
    const bytes = Buffer.from(fs.readFileSync(fx.jks));
    bytes.writeUInt32BE(0xffffffff, 8);
    expect(errorOf(() => readJks(bytes)).code).toBe('TRUNCATED');
  });

  it('rejects a secret key tag in a JKS and an unknown version', () => {
    const bytes = Buffer.from(fs.readFileSync(fx.jks));
    bytes.writeUInt32BE(3, 12);
    expect(errorOf(() => readJks(bytes)).code).toBe('CORRUPT');
    const v = Buffer.from(fs.readFileSync(fx.jks));
    v.writeUInt32BE(3, 4);
    expect(errorOf(() => readJks(v)).code).toBe('UNSUPPORTED');
  });

  it('reads a hand-built version 1 JKS', () => {
    const der = fs.readFileSync(fx.certs['extra3']);
    const alias = Buffer.from('v1-cert');
    const head = Buffer.alloc(12);
    head.writeUInt32BE(0xfeedfeed, 0);
    head.writeUInt32BE(1, 4);
    head.writeUInt32BE(1, 8);
    const entry = Buffer.alloc(4 + 2 + alias.length + 8 + 4);
    let o = entry.writeUInt32BE(2, 0);
    o = entry.writeUInt16BE(alias.length, o);
    o += alias.copy(entry, o);
    o = entry.writeBigInt64BE(1700000000000n, o);
    entry.writeUInt32BE(der.length, o);
    const body = Buffer.concat([head, entry, der]);
    const pw = Buffer.from('changeit', 'utf16le').swap16();
    const digest = createHash('sha1').update(pw).update('Mighty Aphrodite').update(body).digest();
    const store = readJks(Buffer.concat([body, digest]), { password: 'changeit' });
    expect(store.integrity).toBe('verified');
    expect(store.entries).toHaveLength(1);
    expect(store.entries[0]).toMatchObject({ alias: 'v1-cert', kind: 'trustedCertificate', timestamp: 1700000000000 });
    expect(sha(store.entries[0].certificates[0])).toBe(sha(der));
  });
});
