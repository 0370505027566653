/**
 * keytool ⇄ midtrust for PKCS12: stores made by keytool 17 (modern, legacy), by a JDK ≥ 18 keytool
 * (password-less), read entry by entry against `keytool -list`; stores written by midtrust listed
 * and exported by keytool; unchanged rewrites keep every bag byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { children, readTlv } from '../../../provider/asn1/derReader';
import type { Keystore, KeystoreEntry } from '../../../provider/keystore/model';
import { isPkcs12StoreData, pkcs12Protection, readPkcs12, writePkcs12 } from '../../../provider/keystore/pkcs12';
import { parseSafeBag, trustedCertBag } from '../../../provider/keystore/pkcs12/safeBag';
import { keytool17, keytoolList, modernKeytool, runKeytool, tryKeytool, type ListedEntry } from '../../helpers/keytool';
import { needs } from '../../helpers/requireTools';
import {
  ALIASES,
  PW_ENV,
  STOREPASS,
  certificates,
  emptyStore,
  fixtureDir,
  legacyStore,
  listed,
  modernStore,
  passwordlessStore,
} from './pkcs12Fixtures';

jest.setTimeout(180_000);

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Our entries in keytool's terms: keytool lists PKCS12 aliases lowercased and sorted. */
function asListed(store: Keystore): ListedEntry[] {
  return store.entries
    .map((e): ListedEntry => {
      const l: ListedEntry = { alias: e.alias.toLowerCase(), kind: e.kind };
      if (e.certificates[0]) l.sha256 = sha256(e.certificates[0]);
      return l;
    })
    .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
}

const sortListed = (l: ListedEntry[]): ListedEntry[] => [...l].sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
const read = (file: string, password?: string): Keystore => readPkcs12(fs.readFileSync(file), { password });
const entry = (s: Keystore, alias: string): KeystoreEntry => {
  const e = s.entries.find((x) => x.alias.toLowerCase() === alias.toLowerCase());
  if (!e) throw new Error(`no entry ${alias} in ${s.entries.map((x) => x.alias).join(', ')}`);
  return e;
};
const write = (name: string, bytes: Uint8Array): string => {
  const f = path.join(fixtureDir(), name);
  fs.writeFileSync(f, bytes);
  return f;
};
/** Every SafeBag of a store as read by midtrust (decrypted), as hex. */
const bagSet = (s: Keystore): Set<string> => {
  if (!isPkcs12StoreData(s.codecData)) throw new Error('no PKCS12 codecData');
  return new Set(s.codecData.contents.flatMap((c) => c.bags.map((b) => Buffer.from(b).toString('hex'))));
};
/** The top-level PFX children count: 3 with MacData, 2 without. */
const pfxParts = (bytes: Uint8Array): number => children(bytes, readTlv(bytes, 0)).length;

let modernList: ListedEntry[];
let legacyList: ListedEntry[];
let passwordlessList: ListedEntry[];
/** Password-less PKCS12 is made and listed by a JDK ≥ 18 keytool (Java 17 cannot write it). */
const jdk18 = needs('jdk18');
const modern25 = (): NonNullable<ReturnType<typeof modernKeytool>> => modernKeytool()!;

beforeAll(() => {
  certificates();
  modernList = listed(modernStore(), STOREPASS);
  legacyList = listed(legacyStore(), STOREPASS);
  if (!jdk18.missing) passwordlessList = listed(passwordlessStore()!, undefined, modern25());
});

describe('keytool → midtrust', () => {
  test('JDK 17 default store: every entry matches keytool -list, chains leaf first, case kept', () => {
    const s = read(modernStore(), STOREPASS);
    expect(s.type).toBe('PKCS12');
    expect(s.integrity).toBe('verified');
    expect(pkcs12Protection(s)).toBe('modern');
    expect(asListed(s)).toEqual(sortListed(modernList));
    expect(modernList.map((e) => e.kind).sort()).toEqual(['privateKey', 'privateKey', 'secretKey', 'trustedCertificate', 'trustedCertificate']);

    const c = certificates();
    expect(entry(s, ALIASES.rsa).certificates.map(sha256)).toEqual([sha256(c.rsa), sha256(c.ca)]);
    expect(entry(s, ALIASES.ec).certificates.map(sha256)).toEqual([sha256(c.ec), sha256(c.ca)]);
    // keytool keeps a trusted entry's case in friendlyName (and lowercases key aliases).
    expect(s.entries.map((e) => e.alias)).toEqual(expect.arrayContaining([ALIASES.caTrusted, ALIASES.nonAscii, 'rsakey', 'eckey', 'mysecret']));
    for (const k of [ALIASES.rsa, ALIASES.ec, ALIASES.secret]) {
      expect(Math.abs((entry(s, k).timestamp ?? 0) - Date.now())).toBeLessThan(86_400_000);
      expect(entry(s, k).protectedKey).toBeInstanceOf(Uint8Array);
    }
    expect(entry(s, ALIASES.caTrusted).timestamp).toBeUndefined();
    expect(entry(s, ALIASES.secret).certificates).toEqual([]);
  });

  test('legacy store (-J-Dkeystore.pkcs12.legacy): RC2-40 certificates, HMAC-SHA1', () => {
    const s = read(legacyStore(), STOREPASS);
    expect(s.integrity).toBe('verified');
    expect(pkcs12Protection(s)).toBe('legacy');
    expect(asListed(s)).toEqual(sortListed(legacyList));
    expect(sortListed(legacyList)).toEqual(sortListed(modernList));
  });

  jdk18.it('password-less store (JDK ≥ 18 keytool, NONE properties): read without a password', () => {
    const file = passwordlessStore()!;
    const s = read(file);
    expect(s.integrity).toBe('none');
    expect(pkcs12Protection(s)).toBe('password-less');
    expect(asListed(s)).toEqual(sortListed(passwordlessList));
    // A password given to a password-less store changes nothing.
    expect(asListed(read(file, 'anything'))).toEqual(sortListed(passwordlessList));
  });

  test('empty store', () => {
    const s = read(emptyStore(), STOREPASS);
    expect(s.entries).toEqual([]);
    expect(s.integrity).toBe('verified');
    expect(read(emptyStore()).integrity).toBe('unverified'); // MAC present, nothing encrypted
  });

  test.each([
    ['modern', modernStore],
    ['legacy', legacyStore],
    ['empty', emptyStore],
  ])('%s store: wrong password → WRONG_PASSWORD, as keytool says', (_name, file) => {
    expect(() => read(file(), 'not-the-password')).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }));
  });

  test('keytool also refuses the wrong password (the oracle agrees)', () => {
    const r = tryKeytool(['-list', '-keystore', modernStore(), '-storepass:env', 'MT_BAD'], { env: { MT_BAD: 'not-the-password' } });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/keystore password was incorrect/);
  });

  test('encrypted certificates and no password → PASSWORD_REQUIRED', () => {
    for (const f of [modernStore(), legacyStore()]) {
      expect(() => read(f)).toThrow(expect.objectContaining({ code: 'PASSWORD_REQUIRED' }));
    }
  });

  test('a new trusted bag is byte-identical to the one keytool wrote for the same alias and certificate', () => {
    const s = read(modernStore(), STOREPASS);
    const e = entry(s, ALIASES.caTrusted);
    const keytoolBag = (e.codecData as { certBags: Uint8Array[] }).certBags[0];
    expect(Buffer.from(trustedCertBag(ALIASES.caTrusted, certificates().ca)).toString('hex')).toBe(Buffer.from(keytoolBag).toString('hex'));
    const nonAscii = entry(s, ALIASES.nonAscii);
    const bag = (nonAscii.codecData as { certBags: Uint8Array[] }).certBags[0];
    expect(Buffer.from(trustedCertBag(ALIASES.nonAscii, certificates().t1))).toEqual(Buffer.from(bag));
    expect(parseSafeBag(bag, readTlv(bag, 0)).friendlyName).toBe(ALIASES.nonAscii);
  });
});

describe('midtrust → keytool', () => {
  /** Adds t2 and t3 as trusted entries and removes the non-ASCII one. */
  function edit(s: Keystore): Keystore {
    const c = certificates();
    return {
      ...s,
      entries: [
        ...s.entries.filter((e) => e.alias.toLowerCase() !== ALIASES.nonAscii.toLowerCase()),
        { alias: 'Added-Two', kind: 'trustedCertificate', certificates: [c.t2] },
        { alias: 'added-three', kind: 'trustedCertificate', certificates: [c.t3] },
      ],
    };
  }
  const expected = (base: ListedEntry[]): ListedEntry[] =>
    sortListed([
      ...base.filter((e) => e.alias !== ALIASES.nonAscii.toLowerCase()),
      { alias: 'added-two', kind: 'trustedCertificate', sha256: sha256(certificates().t2) },
      { alias: 'added-three', kind: 'trustedCertificate', sha256: sha256(certificates().t3) },
    ]);

  test('modern: add two, remove one; keytool 17 (and 25) list exactly that; the RSA key still exports to JKS', () => {
    const out = write('edited-modern.p12', writePkcs12(edit(read(modernStore(), STOREPASS)), STOREPASS));
    expect(listed(out, STOREPASS)).toEqual(expected(modernList));
    const again = read(out, STOREPASS);
    expect(pkcs12Protection(again)).toBe('modern');
    expect(entry(again, 'Added-Two').alias).toBe('Added-Two');

    const jks = path.join(fixtureDir(), 'exported.jks');
    runKeytool(
      ['-importkeystore', '-srckeystore', out, '-srcstoretype', 'PKCS12', '-srcstorepass:env', 'MT_P12_PASS', '-srcalias', 'rsakey',
        '-srckeypass:env', 'MT_P12_PASS', '-destkeystore', jks, '-deststoretype', 'JKS', '-deststorepass:env', 'MT_P12_PASS',
        '-destkeypass:env', 'MT_P12_PASS', '-noprompt'],
      { keytool: keytool17(), env: PW_ENV },
    );
    expect(keytoolList(jks, STOREPASS)).toEqual([{ alias: 'rsakey', kind: 'privateKey', sha256: sha256(certificates().rsa) }]);
  });

  jdk18.it('modern: a JDK ≥ 18 keytool lists the edited store exactly', () => {
    const out = write('edited-modern-18.p12', writePkcs12(edit(read(modernStore(), STOREPASS)), STOREPASS));
    expect(listed(out, STOREPASS, modern25())).toEqual(expected(modernList));
  });

  test('a renamed private key keeps its key bytes, date and chain; keytool lists the new name', () => {
    const s = read(modernStore(), STOREPASS);
    const renamed: Keystore = { ...s, entries: s.entries.map((e) => (e.alias === 'rsakey' ? { ...e, alias: 'Renamed-RSA' } : e)) };
    const out = write('renamed.p12', writePkcs12(renamed, STOREPASS));
    expect(listed(out, STOREPASS)).toEqual(sortListed(modernList.map((e) => (e.alias === 'rsakey' ? { ...e, alias: 'renamed-rsa' } : e))));
    const before = entry(s, 'rsakey');
    const after = entry(read(out, STOREPASS), 'Renamed-RSA');
    expect(after.alias).toBe('Renamed-RSA');
    expect(after.timestamp).toBe(before.timestamp);
    expect(after.certificates.map(sha256)).toEqual(before.certificates.map(sha256));
    // The shrouded key itself ([0] bagValue) is carried byte for byte; only the attributes changed.
    const value = (bag: Uint8Array): string => Buffer.from(bag.subarray(children(bag, readTlv(bag, 0))[1].start, children(bag, readTlv(bag, 0))[1].end)).toString('hex');
    expect(value(after.protectedKey as Uint8Array)).toBe(value(before.protectedKey as Uint8Array));
  });

  test('legacy stays legacy (HMAC-SHA1, RC2-40) and keytool 17 reads it; openssl confirms RC2', () => {
    const bytes = writePkcs12(edit(read(legacyStore(), STOREPASS)), STOREPASS);
    const out = write('edited-legacy.p12', bytes);
    expect(listed(out, STOREPASS)).toEqual(expected(legacyList));
    const again = readPkcs12(bytes, { password: STOREPASS });
    expect(pkcs12Protection(again)).toBe('legacy');
    // openssl pkcs12 -info prints to stderr, so spawn it directly (the password goes by env).
    const r = spawnSync('openssl', ['pkcs12', '-legacy', '-info', '-noout', '-in', out, '-passin', 'env:MT_P12_PASS'], {
      env: { ...process.env, ...PW_ENV },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const text = `${r.stdout}${r.stderr}`;
    expect(text).toMatch(/MAC: sha1/);
    expect(text).toMatch(/Encrypted data: pbeWithSHA1And40BitRC2-CBC/);
  });

  jdk18.it('password-less stays password-less (no MacData, no EncryptedData); keytool 25 lists it without a password', () => {
    const edited = edit(read(passwordlessStore()!));
    const bytes = writePkcs12(edited, undefined);
    expect(pfxParts(bytes)).toBe(2);
    expect(Buffer.from(writePkcs12(edited, 'ignored'))).toEqual(Buffer.from(bytes)); // a password does not add protection
    const out = write('edited-passwordless.p12', bytes);
    expect(listed(out, undefined, modern25())).toEqual(expected(passwordlessList));
    const again = readPkcs12(bytes, {});
    expect(again.integrity).toBe('none');
    expect(pkcs12Protection(again)).toBe('password-less');
  });

  const freshStore = (): { fresh: Keystore; want: ListedEntry[] } => {
    const c = certificates();
    const fresh: Keystore = {
      type: 'PKCS12',
      integrity: 'none',
      entries: [
        { alias: 'New-Root', kind: 'trustedCertificate', certificates: [c.ca] },
        { alias: 'ÜberCert', kind: 'trustedCertificate', certificates: [c.t1] },
      ],
    };
    const want = sortListed([
      { alias: 'new-root', kind: 'trustedCertificate', sha256: sha256(c.ca) },
      { alias: 'übercert', kind: 'trustedCertificate', sha256: sha256(c.t1) },
    ]);
    return { fresh, want };
  };

  test('a new store: modern with a password (keytool 17 lists it), password-less without', () => {
    const { fresh, want } = freshStore();
    const protectedFile = write('new-modern.p12', writePkcs12(fresh, STOREPASS));
    expect(listed(protectedFile, STOREPASS)).toEqual(want);
    expect(pkcs12Protection(read(protectedFile, STOREPASS))).toBe('modern');
    const openBytes = writePkcs12(fresh, undefined);
    expect(pfxParts(openBytes)).toBe(2);
  });

  jdk18.it('a new password-less store: a JDK ≥ 18 keytool lists it without a password', () => {
    const { fresh, want } = freshStore();
    expect(listed(write('new-open.p12', writePkcs12(fresh, undefined)), undefined, modern25())).toEqual(want);
  });
});

describe('lossless rewrite', () => {
  /** Reads and rewrites an unchanged store; returns the new bytes after checking every bag is kept. */
  const rewrite = (file: string, password: string | undefined): Uint8Array => {
    const original = fs.readFileSync(file);
    const s = readPkcs12(original, { password });
    const bytes = writePkcs12(s, password);
    const again = readPkcs12(bytes, { password });
    expect(bagSet(again)).toEqual(bagSet(s));
    expect(again.entries.map((e) => [e.alias, e.kind, e.timestamp, e.certificates.map(sha256)])).toEqual(
      s.entries.map((e) => [e.alias, e.kind, e.timestamp, e.certificates.map(sha256)]),
    );
    expect(bytes.length).toBe(original.length); // same structure, only salts/IVs/MAC differ
    return bytes;
  };

  test.each([
    ['modern', modernStore],
    ['legacy', legacyStore],
    ['empty', emptyStore],
  ])('%s: unchanged store → keytool lists the same, every bag byte-identical', (name, file) => {
    const bytes = rewrite(file(), STOREPASS);
    const kt = name === 'empty' ? [] : name === 'modern' ? modernList : legacyList;
    expect(listed(write(`same-${name}.p12`, bytes), STOREPASS)).toEqual(kt);
  });

  jdk18.it('password-less: unchanged store → the same bytes (nothing random without protection); keytool 25 lists the same', () => {
    const file = passwordlessStore()!;
    const bytes = rewrite(file, undefined);
    expect(Buffer.from(bytes)).toEqual(fs.readFileSync(file));
    expect(listed(write('same-password-less.p12', bytes), undefined, modern25())).toEqual(passwordlessList);
  });
});
