/**
 * The encryption and MAC variants beyond keytool's two defaults, checked against OpenSSL both
 * ways: stores OpenSSL writes with other ciphers/MACs are read by midtrust, and stores midtrust
 * writes with other PRFs/ciphers/MACs are verified and decrypted by OpenSSL.
 */
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { children, content, expectTag, readTlv, TAG } from '../../../provider/asn1/derReader';
import type { Keystore } from '../../../provider/keystore/model';
import { pkcs12Protection, readPkcs12, writePkcs12, type Pkcs12StoreData } from '../../../provider/keystore/pkcs12';
import { legacyDecrypt, legacyEncrypt, parseLegacyParams } from '../../../provider/keystore/pkcs12/legacyPbe';
import { parsePbeAlgorithm } from '../../../provider/keystore/pkcs12/pbeScheme';
import type { PbeScheme } from '../../../provider/keystore/pkcs12/pbeScheme';
import { pbes2Encrypt } from '../../../provider/keystore/pkcs12/pbes2';
import type { MacScheme } from '../../../provider/keystore/pkcs12/pkcs12Mac';
import { OID } from '../../../provider/keystore/pkcs12/pkcs12Oids';
import { bmpPassword, KDF_ID, pkcs12Kdf } from '../../../provider/keystore/pkcs12/pkcs12Kdf';
import { keytool17, openssl, runKeytool, tempDir } from '../../helpers/keytool';

jest.setTimeout(120_000);

const PASS = 'crypto-test-pass';
const env = { MT_PASS: PASS };
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
let dir: string;
let leaf: Uint8Array;
let ca: Uint8Array;
let extra: Uint8Array;

beforeAll(() => {
  dir = tempDir('midtrust-p12-crypto-');
  const o = (args: string[]): string => openssl(args, { cwd: dir, env });
  o(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Crypto CA', '-days', '30']);
  o(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=crypto leaf']);
  o(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '30']);
  o(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'x.key', '-out', 'extra.pem', '-subj', '/CN=unrelated', '-days', '30']);
  const der = (f: string): Uint8Array => new Uint8Array(new X509Certificate(fs.readFileSync(path.join(dir, f))).raw);
  [leaf, ca, extra] = [der('leaf.pem'), der('ca.pem'), der('extra.pem')];
  fs.writeFileSync(path.join(dir, 'chain.pem'), Buffer.concat([fs.readFileSync(path.join(dir, 'ca.pem')), fs.readFileSync(path.join(dir, 'extra.pem'))]));
});

function opensslExport(name: string, options: string[]): Uint8Array {
  openssl(['pkcs12', '-export', ...options, '-in', 'leaf.pem', '-inkey', 'leaf.key', '-certfile', 'chain.pem', '-name', 'OpenSSL-Key',
    '-out', name, '-passout', 'env:MT_PASS'], { cwd: dir, env });
  return fs.readFileSync(path.join(dir, name));
}

describe('stores written by OpenSSL are read', () => {
  test.each([
    ['PBES2 AES-256 / SHA-256 MAC (OpenSSL 3 default)', [], 'modern'],
    ['PBES2 AES-128 / SHA-512 MAC', ['-certpbe', 'AES-128-CBC', '-keypbe', 'AES-128-CBC', '-macalg', 'sha512'], 'modern'],
    ['PBES2 AES-192 / SHA-224 MAC', ['-certpbe', 'AES-192-CBC', '-macalg', 'sha224'], 'modern'],
    ['PBES2 AES-256 / SHA-384 MAC', ['-macalg', 'sha384', '-iter', '1000'], 'modern'],
    ['3-key 3DES certificates', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'], 'legacy'],
    ['2-key 3DES certificates', ['-certpbe', 'PBE-SHA1-2DES', '-keypbe', 'PBE-SHA1-3DES'], 'legacy'],
    ['RC2-40 (-legacy)', ['-legacy'], 'legacy'],
    ['RC2-128', ['-legacy', '-certpbe', 'PBE-SHA1-RC2-128'], 'legacy'],
    ['no encryption, no MAC', ['-certpbe', 'NONE', '-nomac'], 'password-less'],
  ])('%s', (_name, options, protection) => {
    const bytes = opensslExport(`v${options.join('')}.p12`, options);
    const password = protection === 'password-less' ? undefined : PASS;
    const s = readPkcs12(bytes, { password });
    expect(pkcs12Protection(s)).toBe(protection);
    // OpenSSL writes no trusted-usage attribute: one key entry; its chain is leaf → CA by issuer
    // even though OpenSSL lists the unrelated certificate in between.
    expect(s.entries.map((e) => [e.alias, e.kind, e.certificates.map(sha256)])).toEqual([['OpenSSL-Key', 'privateKey', [sha256(leaf), sha256(ca)]]]);
    expect(s.entries[0].timestamp).toBeUndefined(); // OpenSSL's localKeyID is a SHA-1, not "Time <ms>"
    const carried = (s.codecData as Pkcs12StoreData).carriedBags;
    expect(carried).toHaveLength(1); // the unrelated certificate belongs to no entry, and is kept

    // Rewritten unchanged: OpenSSL still reads it, with the same certificates, in its layout.
    const out = path.join(dir, `re${options.join('')}.p12`);
    fs.writeFileSync(out, writePkcs12(s, password));
    const again = readPkcs12(fs.readFileSync(out), { password });
    expect(again.entries.map((e) => e.certificates.map(sha256))).toEqual(s.entries.map((e) => e.certificates.map(sha256)));
    expect((again.codecData as Pkcs12StoreData).carriedBags.map((b) => Buffer.from(b).toString('hex'))).toEqual(carried.map((b) => Buffer.from(b).toString('hex')));
    const args = ['pkcs12', '-legacy', '-in', out, '-nokeys', '-passin', 'env:MT_PASS'];
    const pem = openssl(password === undefined ? [...args, '-nomacver'] : args, { env });
    expect(pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
  });
});

describe('stores written by midtrust with other schemes are verified and decrypted by OpenSSL', () => {
  const schemes: [string, PbeScheme, MacScheme][] = [
    ['PBES2 HMAC-SHA1 AES-128', { kind: 'pbes2', prf: 'sha1', cipher: 'aes-128-cbc', iterations: 1000, saltLength: 16 }, { hash: 'sha1', iterations: 1000, saltLength: 20 }],
    ['PBES2 HMAC-SHA224 AES-192', { kind: 'pbes2', prf: 'sha224', cipher: 'aes-192-cbc', iterations: 1000, saltLength: 20 }, { hash: 'sha224', iterations: 1000, saltLength: 20 }],
    ['PBES2 HMAC-SHA384 AES-256', { kind: 'pbes2', prf: 'sha384', cipher: 'aes-256-cbc', iterations: 1000, saltLength: 20 }, { hash: 'sha384', iterations: 1000, saltLength: 8 }],
    ['PBES2 HMAC-SHA512 3DES', { kind: 'pbes2', prf: 'sha512', cipher: 'des-ede3-cbc', iterations: 1000, saltLength: 20 }, { hash: 'sha512', iterations: 1000, saltLength: 20 }],
    ['PKCS#12 RC2-128', { kind: 'pkcs12', algorithm: OID.pbeWithSha1And128BitRc2Cbc, iterations: 500, saltLength: 8 }, { hash: 'sha1', iterations: 500, saltLength: 20 }],
    ['PKCS#12 3DES', { kind: 'pkcs12', algorithm: OID.pbeWithSha1And3KeyTripleDesCbc, iterations: 500, saltLength: 8 }, { hash: 'sha256', iterations: 500, saltLength: 20 }],
    ['PKCS#12 2-key 3DES', { kind: 'pkcs12', algorithm: OID.pbeWithSha1And2KeyTripleDesCbc, iterations: 500, saltLength: 8 }, { hash: 'sha1', iterations: 500, saltLength: 20 }],
  ];
  test.each(schemes)('%s', (name, scheme, mac) => {
    const store: Keystore = {
      type: 'PKCS12',
      integrity: 'verified',
      entries: [
        { alias: 'one', kind: 'trustedCertificate', certificates: [ca] },
        { alias: 'two', kind: 'trustedCertificate', certificates: [extra] },
      ],
      codecData: { codec: 'PKCS12', mac, contents: [{ protection: scheme, bags: [] }], carriedBags: [] } satisfies Pkcs12StoreData,
    };
    const bytes = writePkcs12(store, PASS);
    const again = readPkcs12(bytes, { password: PASS });
    expect(again.entries.map((e) => e.alias)).toEqual(['one', 'two']);
    expect((again.codecData as Pkcs12StoreData).contents.map((c) => c.protection)).toEqual([scheme]);
    expect((again.codecData as Pkcs12StoreData).mac).toEqual(mac);
    const file = path.join(dir, `ours-${name.replace(/\W/g, '')}.p12`);
    fs.writeFileSync(file, bytes);
    const r = spawnSync('openssl', ['pkcs12', '-legacy', '-in', file, '-nokeys', '-passin', 'env:MT_PASS'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/error|invalid/i);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(r.stdout).toMatch(/friendlyName: one/);
  });
});

describe('content encryption primitives', () => {
  test('PBES2 decrypt of a keytool-made store: the EncryptedData holds the CertBag', () => {
    const file = path.join(dir, 'kt.p12');
    fs.writeFileSync(path.join(dir, 'ca.der'), ca);
    runKeytool(['-importcert', '-keystore', file, '-storetype', 'PKCS12', '-storepass:env', 'MT_PASS', '-alias', 'ca', '-file', path.join(dir, 'ca.der'), '-noprompt'], {
      keytool: keytool17(),
      env,
    });
    const b = fs.readFileSync(file);
    // PFX → authSafe → the single EncryptedData → EncryptedContentInfo, walked by hand here.
    const pfx = children(b, readTlv(b, 0));
    const octets = children(b, children(b, pfx[1])[1])[0];
    const cis = children(b, readTlv(b, octets.contentStart, octets.end));
    expect(cis).toHaveLength(1);
    const eci = children(b, children(b, children(b, cis[0])[1])[0])[1];
    const [, alg, enc] = children(b, eci);
    const pbe = parsePbeAlgorithm(b, alg);
    expect(pbe.scheme).toEqual({ kind: 'pbes2', prf: 'sha256', cipher: 'aes-256-cbc', iterations: 10000, saltLength: 20 });
    const plain = pbe.decrypt(PASS, content(b, enc));
    expect(Buffer.from(plain).includes(Buffer.from(ca))).toBe(true);
    expect(() => pbe.decrypt('wrong', content(b, enc))).toThrow(expect.objectContaining({ code: 'WRONG_PASSWORD' }));
    expectTag(plain, readTlv(plain, 0), TAG.SEQUENCE, 'SafeContents');
  });

  test('PBES2 and legacy encryption round-trip and reject the wrong password', () => {
    const data = Buffer.from('some SafeContents bytes, 37 long....');
    const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i * 7);
    for (const scheme of [
      { kind: 'pbes2', prf: 'sha256', cipher: 'aes-256-cbc', iterations: 10, saltLength: 20 },
      { kind: 'pkcs12', algorithm: OID.pbeWithSha1And40BitRc2Cbc, iterations: 10, saltLength: 20 },
    ] as PbeScheme[]) {
      const { algorithm, ciphertext } = scheme.kind === 'pbes2' ? pbes2Encrypt(scheme, PASS, data, random) : legacyEncrypt(scheme, PASS, data, random);
      const pbe = parsePbeAlgorithm(algorithm, readTlv(algorithm, 0));
      expect(Buffer.from(pbe.decrypt(PASS, ciphertext))).toEqual(data);
      // A wrong password gives bad padding (or, 1 time in 256, garbage); never the plaintext.
      let wrong: Uint8Array | undefined;
      try {
        wrong = pbe.decrypt('not it', ciphertext);
      } catch (err) {
        expect(err).toMatchObject({ code: 'WRONG_PASSWORD' });
      }
      if (wrong) expect(Buffer.from(wrong)).not.toEqual(data);
    }
  });

  test('RC2-40 (node-forge) ciphertext decrypts with OpenSSL RC2 under the RFC 7292 key and IV', () => {
    const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => 255 - i);
    const data = Buffer.from('0123456789abcdef-RC2 test data');
    const scheme = { kind: 'pkcs12', algorithm: OID.pbeWithSha1And40BitRc2Cbc, iterations: 2048, saltLength: 8 } as const;
    const { algorithm, ciphertext } = legacyEncrypt(scheme, PASS, data, random);
    const params = parseLegacyParams(algorithm, OID.pbeWithSha1And40BitRc2Cbc, children(algorithm, readTlv(algorithm, 0))[1]);
    expect(Buffer.from(legacyDecrypt(params, PASS, ciphertext))).toEqual(data);
    // The derived key/IV are test values, not secrets, so they may go on argv.
    const key = pkcs12Kdf('sha1', bmpPassword(PASS), params.salt, KDF_ID.key, 2048, 5);
    const iv = pkcs12Kdf('sha1', bmpPassword(PASS), params.salt, KDF_ID.iv, 2048, 8);
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    const r = spawnSync('openssl', ['enc', '-d', '-rc2-40-cbc', '-K', hex(key), '-iv', hex(iv), '-provider', 'legacy', '-provider', 'default'], {
      input: Buffer.from(ciphertext),
    });
    expect(r.status).toBe(0);
    expect(Buffer.from(r.stdout)).toEqual(data);
  });
});
