import fc from 'fast-check';
import { Certificate } from '../../provider/certificate/certificate';
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import { MidtrustError } from '../../provider/errors';
import { makeOpensslFixtures, type OpensslFixtures } from './opensslFixtures';

let fx: OpensslFixtures;
beforeAll(() => {
  fx = makeOpensslFixtures();
});
afterAll(() => fx.remove());

const SOURCE = 'alias acme-root (certs/acme.pem)';
const fingerprints = (input: Uint8Array | string): string[] => parseCertificateInput(input, SOURCE).map(sha256Hex);
/** The fingerprint of a fixture certificate as openssl wrote it. */
const fp = (name: string): string => sha256Hex(fx.der(name));
const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');

describe('parseCertificateInput accepts', () => {
  const cases: Array<[string, () => Uint8Array | string, string[]]> = [
    ['a PEM certificate (RSA 2048 CA)', () => fx.text('rsa-ca.pem'), ['rsa-ca.pem']],
    ['an EC P-256 PEM as bytes', () => fx.bytes('ec-p256.pem'), ['ec-p256.pem']],
    ['a v1, SHA-1, RSA 1024 certificate', () => fx.text('v1-leaf.pem'), ['v1-leaf.pem']],
    ['an Ed25519 certificate', () => fx.text('ed25519.pem'), ['ed25519.pem']],
    ['an RSASSA-PSS certificate', () => fx.text('rsa-pss.pem'), ['rsa-pss.pem']],
    ['a chain with text around, CRLF', () => crlf(`subject=/CN=v1 leaf\n${fx.text('v1-leaf.pem')}\nissuer: Test CA\n\n${fx.text('rsa-ca.pem')}trailing words\n`), ['v1-leaf.pem', 'rsa-ca.pem']],
    ['extra whitespace and indentation', () => `\n\n   ${fx.text('ec-p256.pem').replace(/\n/g, '\n    ').replace(/(MII.{10})/, '$1  ')}  \n\t`, ['ec-p256.pem']],
    ['the label X509 CERTIFICATE', () => fx.text('ec-p256.pem').replace(/CERTIFICATE/g, 'X509 CERTIFICATE'), ['ec-p256.pem']],
    ['an OpenSSL TRUSTED CERTIFICATE (aux trailer dropped)', () => fx.text('rsa-ca.trusted.pem'), ['rsa-ca.pem']],
    ['raw DER', () => fx.bytes('rsa-ca.der'), ['rsa-ca.pem']],
    ['a DER view inside a larger buffer', () => Uint8Array.from([9, 9, ...fx.bytes('ec-p256.der'), 9]).subarray(2, -1), ['ec-p256.pem']],
    ['base64 DER without armour, wrapped', () => fx.bytes('ec-p256.der').toString('base64').replace(/.{60}/g, '$&\r\n'), ['ec-p256.pem']],
    ['base64 DER without armour, one line', () => fx.bytes('rsa-ca.der').toString('base64'), ['rsa-ca.pem']],
    ['a PEM PKCS#7 bundle (BEGIN PKCS7)', () => fx.text('bundle.p7b'), ['rsa-ca.pem', 'ec-p256.pem']],
    ['a DER PKCS#7 SignedData bundle', () => fx.bytes('bundle.p7b.der'), ['rsa-ca.pem', 'ec-p256.pem']],
    ['base64 of a DER PKCS#7 bundle', () => fx.bytes('bundle.p7b.der').toString('base64'), ['rsa-ca.pem', 'ec-p256.pem']],
    ['a PEM certificate followed by a PKCS#7 bundle', () => `${fx.text('v1-leaf.pem')}${fx.text('bundle.p7b')}`, ['v1-leaf.pem', 'rsa-ca.pem', 'ec-p256.pem']],
  ];
  it.each(cases)('%s', (_name, input, want) => {
    expect(fingerprints(input())).toEqual(want.map(fp));
  });

  it('returns copies, not views of the caller buffer', () => {
    const input = Buffer.from(fx.bytes('rsa-ca.der'));
    const [der] = parseCertificateInput(input, SOURCE);
    input.fill(0);
    expect(sha256Hex(der)).toBe(fp('rsa-ca.pem'));
  });
});

describe('parseCertificateInput rejects with INVALID_INPUT naming the source', () => {
  const cases: Array<[string, () => Uint8Array | string, RegExp]> = [
    ['a PKCS#8 private key', () => fx.text('rsa-ca.key'), /PEM block 1 \(PRIVATE KEY\): this is a private key, not a certificate; give the CA certificate \(PEM 'BEGIN CERTIFICATE'\)/],
    ['an RSA PRIVATE KEY', () => fx.text('v1-leaf.rsa.key'), /\(RSA PRIVATE KEY\): this is a private key/],
    ['an EC PRIVATE KEY', () => fx.text('ec-p256.sec1.key'), /\(EC PRIVATE KEY\): this is a private key/],
    ['an ENCRYPTED PRIVATE KEY', () => fx.text('ec-p256.enc.key'), /\(ENCRYPTED PRIVATE KEY\): this is a private key/],
    ['a DER private key', () => fx.bytes('ec-p256.key.der'), /not an X\.509 certificate.*private key/],
    ['a certificate followed by its key', () => `${fx.text('ec-p256.pem')}${fx.text('ec-p256.key')}`, /PEM block 2 \(PRIVATE KEY\): this is a private key/],
    ['a CSR', () => fx.text('v1-leaf.csr'), /\(CERTIFICATE REQUEST\): this is a certificate signing request \(CSR\)/],
    ['a DER CSR', () => fx.bytes('v1-leaf.csr.der'), /certificate signing request/],
    ['a public key', () => fx.text('ec-p256.pub'), /bare public key/],
    ['empty input', () => '', /empty/],
    ['empty bytes', () => new Uint8Array(0), /empty/],
    ['only whitespace', () => ' \r\n\t\n', /empty/],
    ['garbage text', () => 'hello world, this is not it', /not a certificate: expected PEM/],
    ['garbage bytes', () => Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x00, 0x01), /not a certificate: expected PEM/],
    ['a broken second PEM block', () => `${fx.text('rsa-ca.pem')}${fx.text('ec-p256.pem').replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!')}`, /PEM block 2 \(CERTIFICATE\) is not valid base64/],
    ['a CERTIFICATE block holding a CSR', () => fx.text('v1-leaf.csr').replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'), /PEM block 1 \(CERTIFICATE\) does not decode to an X\.509 certificate/],
    ['a CERTIFICATE block cut short', () => `-----BEGIN CERTIFICATE-----\n${fx.bytes('rsa-ca.der').subarray(0, 300).toString('base64')}\n-----END CERTIFICATE-----\n`, /PEM block 1 \(CERTIFICATE\) does not decode.*claims/],
    ['a PEM without its END line', () => fx.text('rsa-ca.pem').split('-----END')[0], /no complete PEM block/],
    ['an unknown PEM label', () => fx.text('rsa-ca.pem').replace(/CERTIFICATE/g, 'SOMETHING ELSE'), /PEM block 1 \(SOMETHING ELSE\) is not a certificate/],
    ['DER that is not a certificate', () => Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01), /DER data is not an X\.509 certificate/],
    ['DER with a trailing byte', () => Buffer.concat([fx.bytes('rsa-ca.der'), Buffer.of(0)]), /1 bytes follow the certificate/],
    ['DER of four elements', () => Uint8Array.of(0x30, 0x09, 0x30, 0x00, 0x30, 0x00, 0x03, 0x01, 0x00, 0x05, 0x00), /not SEQUENCE \{ TBSCertificate/],
    ['base64 of garbage', () => Buffer.from('not der at all').toString('base64'), /base64 without PEM armour/],
    ['a PKCS#7 bundle holding no certificate', () => `-----BEGIN PKCS7-----\n${emptyPkcs7().toString('base64')}\n-----END PKCS7-----\n`, /PEM block 1 \(PKCS7\): the PKCS#7 bundle holds no certificates/],
  ];
  it.each(cases)('%s', (_name, input, want) => {
    let error: unknown;
    try {
      parseCertificateInput(input(), SOURCE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MidtrustError);
    expect((error as MidtrustError).code).toBe('INVALID_INPUT');
    expect((error as MidtrustError).message.startsWith(`${SOURCE}: `)).toBe(true);
    expect((error as MidtrustError).message).toMatch(want);
  });
});

/** ContentInfo { signedData, [0] SignedData { version 1, digestAlgorithms {}, data, (no certificates), signerInfos {} } }. */
function emptyPkcs7(): Buffer {
  const signedData = Buffer.from('3014020101310030 0b06092a864886f70d010701 3100'.replace(/ /g, ''), 'hex');
  const inner = Buffer.concat([Buffer.of(0xa0, signedData.length), signedData]);
  const oidSigned = Buffer.from('06092a864886f70d010702', 'hex');
  return Buffer.concat([Buffer.of(0x30, oidSigned.length + inner.length), oidSigned, inner]);
}

describe('fuzzing: a result or a MidtrustError, nothing else', () => {
  const check = (input: Uint8Array | string): void => {
    try {
      parseCertificateInput(input, 'fuzz');
    } catch (e) {
      if (!(e instanceof MidtrustError) || e.code !== 'INVALID_INPUT') throw e;
    }
    if (typeof input === 'string') return;
    try {
      const facts = Certificate.fromDer(input).facts;
      void facts.selfSigned;
    } catch (e) {
      if (!(e instanceof MidtrustError) || e.code !== 'CORRUPT') throw e;
    }
  };
  const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
  const mutate = (b: Buffer, changes: Array<[number, number]>): Buffer => {
    const out = Buffer.from(b);
    for (const [p, v] of changes) out[p % out.length] = v;
    return out;
  };

  it('random bytes', () => {
    expect(() =>
      fc.assert(fc.property(fc.uint8Array({ maxLength: 800 }), check), { seed: 1, numRuns: 1500 }),
    ).not.toThrow();
  });

  it('random bytes behind a SEQUENCE header', () => {
    expect(() =>
      fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 400 }), (b) => check(Uint8Array.from([0x30, 0x82, b.length >> 8, b.length & 0xff, ...b]))), { seed: 2, numRuns: 1000 }),
    ).not.toThrow();
  });

  it('mutated and truncated real DER (RSA, EC, PKCS#7)', () => {
    const sources = ['rsa-ca.der', 'ec-p256.der', 'bundle.p7b.der'].map((n) => fx.bytes(n));
    expect(() =>
      fc.assert(
        fc.property(fc.nat(sources.length - 1), flips, fc.nat(), fc.boolean(), (k, changes, cut, truncate) => {
          const b = mutate(sources[k], changes);
          check(truncate ? b.subarray(0, cut % b.length) : b);
        }),
        { seed: 3, numRuns: 3000 },
      ),
    ).not.toThrow();
  });

  it('mutated PEM text', () => {
    const pem = `${fx.text('rsa-ca.pem')}${fx.text('bundle.p7b')}`;
    expect(() =>
      fc.assert(
        fc.property(fc.nat(), fc.nat(40), fc.string({ maxLength: 8 }), (at, del, insert) => {
          const p = at % pem.length;
          check(pem.slice(0, p) + insert + pem.slice(p + del));
        }),
        { seed: 4, numRuns: 1500 },
      ),
    ).not.toThrow();
  });
});
