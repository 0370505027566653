/**
 * Table-driven error cases of the PKCS12 codec: each input is built with the DER writer (or the
 * codec itself) so the exact defect is known, and each must end in the right MidtrustError code.
 */
import { explicit, integer, nullValue, octetString, oid, sequence, set, tlv } from '../../../provider/asn1/derWriter';
import type { ErrorCode } from '../../../provider/errors';
import type { Keystore, KeystoreEntry } from '../../../provider/keystore/model';
import { readPkcs12, writePkcs12, type Pkcs12StoreData } from '../../../provider/keystore/pkcs12';
import { createMacData, JDK_MAC } from '../../../provider/keystore/pkcs12/pkcs12Mac';
import { OID } from '../../../provider/keystore/pkcs12/pkcs12Oids';
import { pbes2Encrypt } from '../../../provider/keystore/pkcs12/pbes2';
import { JDK_PBES2 } from '../../../provider/keystore/pkcs12/pbes2';
import { trustedCertBag } from '../../../provider/keystore/pkcs12/safeBag';

const PASS = 'errors-pass';
const fixedRandom = (n: number): Uint8Array => new Uint8Array(n).fill(7);
/** A syntactically valid "certificate": the reader never parses a trusted entry's certificate. */
const fakeCert = sequence(sequence(integer(1)), sequence(oid('1.2.3')), tlv(0x03, Uint8Array.of(0, 1, 2)));

const dataCi = (...bags: Uint8Array[]): Uint8Array => sequence(oid(OID.data), explicit(0, octetString(sequence(...bags))));
const authSafeOf = (...cis: Uint8Array[]): Uint8Array => sequence(...cis);
function pfx(authSafe: Uint8Array, opts: { version?: number; type?: string; mac?: Uint8Array | 'good' } = {}): Uint8Array {
  const parts = [integer(opts.version ?? 3), sequence(oid(opts.type ?? OID.data), explicit(0, octetString(authSafe)))];
  if (opts.mac === 'good') parts.push(createMacData(JDK_MAC, PASS, authSafe, fixedRandom));
  else if (opts.mac) parts.push(opts.mac);
  return sequence(...parts);
}
function encryptedCi(plain: Uint8Array): Uint8Array {
  const { algorithm, ciphertext } = pbes2Encrypt({ ...JDK_PBES2, iterations: 10 }, PASS, plain, fixedRandom);
  return sequence(oid(OID.encryptedData), explicit(0, sequence(integer(0), sequence(oid(OID.data), algorithm, tlv(0x80, ciphertext)))));
}
/** An EncryptedData content with the given AlgorithmIdentifier and 16 bytes of ciphertext. */
const encryptedCiWith = (algorithm: Uint8Array): Uint8Array =>
  sequence(oid(OID.encryptedData), explicit(0, sequence(integer(0), sequence(oid(OID.data), algorithm, tlv(0x80, new Uint8Array(16))))));
const macWith = (digestOid: string, iterations: number): Uint8Array =>
  sequence(sequence(sequence(oid(digestOid), nullValue()), octetString(new Uint8Array(32))), octetString(new Uint8Array(20)), integer(iterations));

const goodBag = trustedCertBag('ok', fakeCert);
const modern = writePkcs12({ type: 'PKCS12', integrity: 'none', entries: [{ alias: 'ok', kind: 'trustedCertificate', certificates: [fakeCert] }] }, PASS, {
  random: fixedRandom,
});

describe('readPkcs12 errors', () => {
  const cases: [string, Uint8Array, string | undefined, ErrorCode][] = [
    ['empty input', new Uint8Array(0), undefined, 'TRUNCATED'],
    ['text, not DER', Buffer.from('hello, world'), undefined, 'CORRUPT'],
    ['a store cut in half', modern.subarray(0, modern.length >> 1), PASS, 'TRUNCATED'],
    ['PFX version 2', pfx(authSafeOf(dataCi(goodBag)), { version: 2 }), undefined, 'UNSUPPORTED'],
    ['public-key integrity (signedData)', pfx(authSafeOf(), { type: OID.signedData }), undefined, 'UNSUPPORTED'],
    ['bytes after the AuthenticatedSafe', pfx(Buffer.concat([authSafeOf(dataCi(goodBag)), Uint8Array.of(0)])), undefined, 'CORRUPT'],
    ['envelopedData content', pfx(authSafeOf(sequence(oid(OID.envelopedData), explicit(0, sequence())))), undefined, 'UNSUPPORTED'],
    ['unknown content type', pfx(authSafeOf(sequence(oid('1.2.3.4'), explicit(0, sequence())))), undefined, 'UNSUPPORTED'],
    ['MD5 MAC', pfx(authSafeOf(), { mac: macWith('1.2.840.113549.2.5', 1) }), PASS, 'UNSUPPORTED'],
    ['MAC iteration count above Java\'s limit', pfx(authSafeOf(), { mac: macWith(OID.sha256, 10_000_000) }), PASS, 'UNSUPPORTED'],
    ['MAC mismatch', pfx(authSafeOf(), { mac: macWith(OID.sha256, 1) }), PASS, 'WRONG_PASSWORD'],
    ['wrong password on a real store', modern, 'nope', 'WRONG_PASSWORD'],
    ['encrypted, no MAC, wrong password', pfx(authSafeOf(encryptedCi(sequence(goodBag)))), 'nope', 'WRONG_PASSWORD'],
    ['encrypted, no MAC, no password', pfx(authSafeOf(encryptedCi(sequence(goodBag)))), undefined, 'PASSWORD_REQUIRED'],
    ['encrypted with a MAC, no password', modern, undefined, 'PASSWORD_REQUIRED'],
    ['MAC right but encrypted content damaged', pfx(authSafeOf(encryptedCi(Buffer.from('not a SafeContents'))), { mac: 'good' }), PASS, 'CORRUPT'],
    [
      'unsupported PBES2 cipher (AES-GCM)',
      pfx(authSafeOf(encryptedCiWith(sequence(oid(OID.pbes2), sequence(
        sequence(oid(OID.pbkdf2), sequence(octetString(new Uint8Array(8)), integer(1))),
        sequence(oid('2.16.840.1.101.3.4.1.46'), octetString(new Uint8Array(12)))))))),
      PASS,
      'UNSUPPORTED',
    ],
    [
      'RC4 (needs the OpenSSL legacy provider)',
      pfx(authSafeOf(encryptedCiWith(sequence(oid(OID.pbeWithSha1And128BitRc4), sequence(octetString(new Uint8Array(8)), integer(1)))))),
      PASS,
      'UNSUPPORTED',
    ],
    ['a SafeBag that is not a SEQUENCE', pfx(authSafeOf(dataCi(octetString(Uint8Array.of(1))))), undefined, 'CORRUPT'],
    ['a CertBag whose certificate is not DER', pfx(authSafeOf(dataCi(trustedCertBag('x', Uint8Array.of(1, 2, 3))))), undefined, 'CORRUPT'],
    ['an indefinite (BER) length', Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00), undefined, 'CORRUPT'],
  ];
  test.each(cases)('%s', (_name, bytes, password, code) => {
    let caught: unknown;
    try {
      readPkcs12(bytes, { password });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'MidtrustError', code });
    expect((caught as Error).message.length).toBeGreaterThan(20);
  });

  test('the wrong-password message says what keytool says', () => {
    expect(() => readPkcs12(modern, { password: 'nope' })).toThrow(/keystore password was incorrect/);
  });

  test('a bag it does not understand is carried and written back', () => {
    const odd = sequence(oid(OID.crlBag), explicit(0, sequence(oid('1.2.840.113549.1.9.23.1'), explicit(0, octetString(Uint8Array.of(1, 2))))));
    const s = readPkcs12(pfx(authSafeOf(dataCi(goodBag, odd))), {});
    expect(s.entries.map((e) => e.alias)).toEqual(['ok']);
    expect((s.codecData as Pkcs12StoreData).carriedBags).toEqual([odd]);
    const again = readPkcs12(writePkcs12({ ...s, entries: [] }, undefined), {});
    expect((again.codecData as Pkcs12StoreData).carriedBags).toEqual([odd]);
  });

  test('bags without friendlyName get Java\'s "unfriendly" names 1, 2, ...', () => {
    const bare = (der: Uint8Array): Uint8Array =>
      sequence(oid(OID.certBag), explicit(0, sequence(oid(OID.x509Certificate), explicit(0, octetString(der)))),
        set(sequence(oid(OID.javaTrustedKeyUsage), set(oid(OID.anyExtendedKeyUsage)))));
    const s = readPkcs12(pfx(authSafeOf(dataCi(bare(fakeCert), bare(fakeCert)))), {});
    expect(s.entries.map((e) => e.alias)).toEqual(['1', '2']);
  });
});

describe('writePkcs12 errors', () => {
  const trusted = (alias: string): KeystoreEntry => ({ alias, kind: 'trustedCertificate', certificates: [fakeCert] });
  const fresh = (...entries: KeystoreEntry[]): Keystore => ({ type: 'PKCS12', integrity: 'none', entries });
  const cases: [string, Keystore, string | undefined, ErrorCode][] = [
    ['aliases equal ignoring case', fresh(trusted('Acme'), trusted('acme')), PASS, 'INVALID_INPUT'],
    ['an empty alias', fresh(trusted('')), PASS, 'INVALID_INPUT'],
    ['a trusted entry with two certificates', fresh({ alias: 'two', kind: 'trustedCertificate', certificates: [fakeCert, fakeCert] }), PASS, 'INVALID_INPUT'],
    ['a protected store and no password', readPkcs12(modern, { password: PASS }), undefined, 'PASSWORD_REQUIRED'],
    [
      'a JKS-protected private key',
      fresh({ alias: 'k', kind: 'privateKey', certificates: [fakeCert], protectedKey: sequence(sequence(oid('1.3.6.1.4.1.42.2.17.1.1'), nullValue()), octetString(new Uint8Array(40))) }),
      PASS,
      'UNSUPPORTED',
    ],
    ['a private key without key bytes', fresh({ alias: 'k', kind: 'privateKey', certificates: [fakeCert] }), PASS, 'UNSUPPORTED'],
  ];
  test.each(cases)('%s', (_name, store, password, code) => {
    expect(() => writePkcs12(store, password, { random: fixedRandom })).toThrow(expect.objectContaining({ name: 'MidtrustError', code }));
  });

  test('the duplicate-alias message names both aliases', () => {
    expect(() => writePkcs12(fresh(trusted('Acme'), trusted('ACME')), PASS)).toThrow(/"Acme" and "ACME"/);
  });
});
