/**
 * The JDK cacerts as JDK 18+ ships it (password-less PKCS12, made here by a JDK ≥ 18 keytool from
 * Debian's JKS): read entry by entry against keytool, rewritten byte for byte (its speed is measured in bench/).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Keystore } from '../../../provider/keystore/model';
import { readPkcs12, writePkcs12, type Pkcs12StoreData } from '../../../provider/keystore/pkcs12';
import { JDK_LEGACY_CERT_PBE } from '../../../provider/keystore/pkcs12/legacyPbe';
import { JDK_LEGACY_MAC } from '../../../provider/keystore/pkcs12/pkcs12Mac';
import { keytoolList, modernKeytool } from '../../helpers/keytool';
import { needs } from '../../helpers/requireTools';
import { passwordlessCacerts } from './pkcs12Fixtures';

jest.setTimeout(120_000);

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

needs('jdk18', 'jdkCacerts').describe('password-less PKCS12 cacerts', () => {
  let file: string;
  let bytes: Buffer;
  let store: Keystore;
  beforeAll(() => {
    file = passwordlessCacerts()!;
    bytes = fs.readFileSync(file);
    store = readPkcs12(bytes, {});
  });

  test('every entry matches keytool -list without a password', () => {
    const listed = keytoolList(file, undefined, { keytool: modernKeytool() });
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

  test('the same entries written protected (PBES2 + HMAC-SHA256) and legacy (RC2-40 + HMAC-SHA1) read back whole', () => {
    // Speed is measured in bench/ (npm run bench), not here.
    const protectedBytes = writePkcs12({ type: 'PKCS12', integrity: 'none', entries: store.entries.map(({ codecData: _c, ...e }) => e) }, 'changeit');
    const legacyData: Pkcs12StoreData = { codec: 'PKCS12', mac: JDK_LEGACY_MAC, contents: [{ protection: JDK_LEGACY_CERT_PBE, bags: [] }], carriedBags: [] };
    const legacyBytes = writePkcs12(
      { type: 'PKCS12', integrity: 'none', entries: store.entries.map(({ codecData: _c, ...e }) => e), codecData: legacyData },
      'changeit',
    );
    expect(readPkcs12(protectedBytes, { password: 'changeit' }).entries).toHaveLength(store.entries.length);
    expect(readPkcs12(legacyBytes, { password: 'changeit' }).entries).toHaveLength(store.entries.length);
  });
});
