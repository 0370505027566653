/** The read-back check every write passes before its rename: same entries, byte for byte, in any order. */
import { assertSameContent } from '../../provider/apply/assertSameContent';
import { MidtrustError } from '../../provider/errors';
import type { Keystore, KeystoreEntry } from '../../provider/keystore/model';

const cert = (n: number): Uint8Array => Uint8Array.from([0x30, 0x03, 0x02, 0x01, n]);
const trusted = (alias: string, n: number): KeystoreEntry => ({ alias, kind: 'trustedCertificate', timestamp: 1, certificates: [cert(n)] });
const key = (alias: string, keyByte: number): KeystoreEntry => ({ alias, kind: 'privateKey', timestamp: 1, certificates: [cert(9), cert(8)], protectedKey: Uint8Array.of(keyByte, 2, 3) });
const store = (entries: KeystoreEntry[], integrity: Keystore['integrity'] = 'verified'): Keystore => ({ type: 'JKS', integrity, entries });

const written = store([trusted('a', 1), trusted('b', 2), key('k', 7)]);

describe('assertSameContent', () => {
  it.each([
    ['the same entries', store([trusted('a', 1), trusted('b', 2), key('k', 7)])],
    ['in another order', store([key('k', 7), trusted('b', 2), trusted('a', 1)])],
    ['an alias in another case (Java lowercases JKS aliases)', store([trusted('A', 1), trusted('b', 2), key('k', 7)])],
    ['equal bytes in other buffers', store([trusted('a', 1), trusted('b', 2), { ...key('k', 7), certificates: [new Uint8Array(cert(9)), new Uint8Array(cert(8))] }])],
  ])('accepts %s', (_name, readBack) => {
    expect(() => assertSameContent(written, readBack, '/s')).not.toThrow();
  });

  it.each([
    ['a certificate byte changed', store([trusted('a', 1), trusted('b', 3), key('k', 7)])],
    ['an entry missing', store([trusted('a', 1), key('k', 7)])],
    ['an entry too many', store([trusted('a', 1), trusted('b', 2), key('k', 7), trusted('c', 4)])],
    ['an entry under another alias', store([trusted('a', 1), trusted('c', 2), key('k', 7)])],
    ['the protected key changed', store([trusted('a', 1), trusted('b', 2), key('k', 6)])],
    ['the protected key lost', store([trusted('a', 1), trusted('b', 2), { ...key('k', 7), protectedKey: undefined }])],
    ['the chain cut short', store([trusted('a', 1), trusted('b', 2), { ...key('k', 7), certificates: [cert(9)] }])],
    ['another kind', store([trusted('a', 1), trusted('b', 2), { ...key('k', 7), kind: 'secretKey' }])],
    ['a duplicate instead of another entry', store([trusted('a', 1), trusted('a', 1), key('k', 7)])],
    ['integrity not verified', store([trusted('a', 1), trusted('b', 2), key('k', 7)], 'unverified')],
  ])('refuses %s as CORRUPT', (_name, readBack) => {
    let error: unknown;
    try {
      assertSameContent(written, readBack, '/s');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MidtrustError);
    expect((error as MidtrustError).code).toBe('CORRUPT');
    expect((error as MidtrustError).message).toMatch(/^\/s: .*left untouched/);
  });
});
