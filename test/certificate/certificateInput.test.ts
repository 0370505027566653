import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { Certificate } from '../../provider/certificate/certificate';
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import { MidtrustError } from '../../provider/errors';
import { openssl, tempDir } from '../helpers/keytool';

const dir = tempDir('mt-input-');
const file = (n: string) => path.join(dir, n);
const run = (args: string[]) => openssl(args, { cwd: dir });
run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'a.key', '-out', 'a.pem', '-days', '30', '-subj', '/CN=a']);
run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'b.key', '-out', 'b.pem', '-days', '30', '-subj', '/CN=b']);
run(['req', '-new', '-key', 'a.key', '-out', 'a.csr', '-subj', '/CN=a']);
run(['x509', '-in', 'a.pem', '-outform', 'DER', '-out', 'a.der']);
run(['crl2pkcs7', '-nocrl', '-certfile', 'a.pem', '-certfile', 'b.pem', '-out', 'ab.p7b']);
run(['crl2pkcs7', '-nocrl', '-certfile', 'a.pem', '-certfile', 'b.pem', '-outform', 'DER', '-out', 'ab.p7b.der']);
run(['x509', '-in', 'a.pem', '-addtrust', 'serverAuth', '-trustout', '-out', 'a-trusted.pem']);
const A = sha256Hex(fs.readFileSync(file('a.der')));
const pemA = fs.readFileSync(file('a.pem'), 'utf8');
const pemB = fs.readFileSync(file('b.pem'), 'utf8');
const shas = (input: Uint8Array | string) => parseCertificateInput(input, 'alias t (test)').map(sha256Hex);

describe('parseCertificateInput accepts', () => {
  const B = () => sha256Hex(parseCertificateInput(pemB, 'b')[0]);
  it.each([
    ['a PEM', () => pemA, () => [A]],
    ['a PEM with CRLF and text around', () => `subject: a\r\n${pemA.replace(/\n/g, '\r\n')}\r\ntrailer`, () => [A]],
    ['a chain of two PEMs', () => `${pemA}\n${pemB}`, () => [A, B()]],
    ['DER', () => fs.readFileSync(file('a.der')), () => [A]],
    ['base64 DER without armour', () => fs.readFileSync(file('a.der')).toString('base64').replace(/.{60}/g, '$&\n'), () => [A]],
    ['a PEM PKCS#7 bundle', () => fs.readFileSync(file('ab.p7b')), () => [A, B()]],
    ['a DER PKCS#7 bundle', () => fs.readFileSync(file('ab.p7b.der')), () => [A, B()]],
    ['an OpenSSL TRUSTED CERTIFICATE', () => fs.readFileSync(file('a-trusted.pem')), () => [A]],
  ])('%s', (_n, input, want) => {
    const got = shas(input());
    expect(new Set(got)).toEqual(new Set(want()));
    expect(got).toHaveLength(want().length);
  });
});

describe('parseCertificateInput rejects, naming the source', () => {
  it.each([
    ['a private key', () => fs.readFileSync(file('a.key')), /alias t \(test\).*private key, not a certificate/],
    ['a CSR', () => fs.readFileSync(file('a.csr')), /certificate signing request/],
    ['a certificate bundled with its key', () => `${pemA}${fs.readFileSync(file('a.key'), 'utf8')}`, /private key/],
    ['empty input', () => '', /empty/],
    ['garbage text', () => 'hello world', /not a certificate/],
    ['a broken PEM block', () => pemA.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'), /PEM block 1/],
    ['a PEM without END', () => pemA.split('-----END')[0], /no complete PEM block/],
    ['DER that is not a certificate', () => Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01), /not an X\.509 certificate/],
  ])('%s', (_n, input, want) => {
    expect(() => parseCertificateInput(input(), 'alias t (test)')).toThrow(want);
    try {
      parseCertificateInput(input(), 'alias t (test)');
    } catch (e) {
      expect((e as MidtrustError).code).toBe('INVALID_INPUT');
    }
  });
});

describe('fuzzing certificate input and facts', () => {
  it('random bytes and mutations of real certificates end in a result or a MidtrustError', () => {
    const der = fs.readFileSync(file('a.der'));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }).map((flips) => {
        const b = Buffer.from(der);
        for (const [p, v] of flips) b[p % b.length] = v;
        return b;
      })), (input) => {
        for (const fn of [() => parseCertificateInput(input, 'fuzz'), () => Certificate.fromDer(input).facts]) {
          try {
            fn();
          } catch (e) {
            if (!(e instanceof MidtrustError)) throw e;
          }
        }
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});
