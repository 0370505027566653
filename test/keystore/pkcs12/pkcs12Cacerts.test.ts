/**
 * The JDK cacerts as JDK 18+ ships it (password-less PKCS12, made here by a JDK ≥ 18 keytool from
 * Debian's JKS): read entry by entry against keytool, rewritten byte for byte, and timed.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Keystore } from '../../../provider/keystore/model';
import { readPkcs12, writePkcs12, type Pkcs12StoreData } from '../../../provider/keystore/pkcs12';
import { JDK_LEGACY_CERT_PBE } from '../../../provider/keystore/pkcs12/legacyPbe';
import { JDK_LEGACY_MAC } from '../../../provider/keystore/pkcs12/pkcs12Mac';
import { keytoolList, modernKeytool } from '../../helpers/keytool';
import { passwordlessCacerts, warnNoModernKeytool } from './pkcs12Fixtures';

jest.setTimeout(120_000);

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function medianMs(fn: () => void, runs: number): number {
  for (let i = 0; i < 3; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(runs / 2)];
}

const file = passwordlessCacerts();
const k25 = modernKeytool();
if (!file || !k25) warnNoModernKeytool('password-less cacerts tests (or /etc/ssl/certs/java/cacerts is missing)');
const maybe = file && k25 ? describe : describe.skip;

maybe('password-less PKCS12 cacerts', () => {
  let bytes: Buffer;
  let store: Keystore;
  beforeAll(() => {
    bytes = fs.readFileSync(file as string);
    store = readPkcs12(bytes, {});
  });

  test('every entry matches keytool -list without a password', () => {
    const listed = keytoolList(file as string, undefined, { keytool: k25 });
    expect(listed.length).toBeGreaterThan(100);
    expect(store.integrity).toBe('none');
    const ours = store.entries.map((e) => ({ alias: e.alias.toLowerCase(), kind: e.kind, sha256: sha256(e.certificates[0]) }));
    expect(ours.sort((a, b) => (a.alias < b.alias ? -1 : 1))).toEqual(listed);
  });

  test('unchanged → written back byte for byte; the same model twice gives the same bytes', () => {
    const out = writePkcs12(store, undefined);
    expect(Buffer.from(out).equals(bytes)).toBe(true);
    const edited: Keystore = { ...store, entries: store.entries.slice(1) };
    expect(Buffer.from(writePkcs12(edited, undefined))).toEqual(Buffer.from(writePkcs12(edited, undefined)));
  });

  test('timings (reported, not asserted: the quality bar lives in bench/)', () => {
    const readOpen = medianMs(() => readPkcs12(bytes, {}), 31);
    const writeOpen = medianMs(() => writePkcs12(store, undefined), 11);
    // The same certificates as a JDK 16+ protected store: PBES2 + HMAC-SHA256 MAC, 10000 rounds each.
    const protectedBytes = writePkcs12({ type: 'PKCS12', integrity: 'none', entries: store.entries.map(({ codecData: _c, ...e }) => e) }, 'changeit');
    const readProtected = medianMs(() => readPkcs12(protectedBytes, { password: 'changeit' }), 11);
    // And in legacy protection (RC2-40 via node-forge, HMAC-SHA1 with 100000 rounds, as JDK 8/11).
    const legacyData: Pkcs12StoreData = { codec: 'PKCS12', mac: JDK_LEGACY_MAC, contents: [{ protection: JDK_LEGACY_CERT_PBE, bags: [] }], carriedBags: [] };
    const legacyBytes = writePkcs12(
      { type: 'PKCS12', integrity: 'none', entries: store.entries.map(({ codecData: _c, ...e }) => e), codecData: legacyData },
      'changeit',
    );
    const readLegacy = medianMs(() => readPkcs12(legacyBytes, { password: 'changeit' }), 3);
    console.log(
      `PKCS12 cacerts (${store.entries.length} entries, ${bytes.length} bytes): read password-less ${readOpen.toFixed(2)} ms, ` +
        `write password-less ${writeOpen.toFixed(2)} ms, read protected (MAC + PBES2) ${readProtected.toFixed(2)} ms, ` +
        `read legacy (MAC + RC2-40) ${readLegacy.toFixed(0)} ms (medians)`,
    );
    expect(readPkcs12(protectedBytes, { password: 'changeit' }).entries).toHaveLength(store.entries.length);
    expect(readPkcs12(legacyBytes, { password: 'changeit' }).entries).toHaveLength(store.entries.length);
  });
});
