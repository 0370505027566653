import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { explicit, integer, octetString, oid, sequence, tlv } from '../../provider/asn1/derWriter';
import { Certificate } from '../../provider/certificate/certificate';
import type { CertificateFacts } from '../../provider/certificate/certificateFacts';
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { formatFingerprint } from '../../provider/certificate/fingerprint';
import { MidtrustError } from '../../provider/errors';
import { keytool17, openssl, runKeytool, tempDir } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { buildCertificate, rdn, toPem, type Attribute, type CertificateSpec } from './certificateBuilder';
import { makeOpensslFixtures, type OpensslFixtures } from './opensslFixtures';

/** What keytool -printcert -v says about one certificate, label → value. */
type Printed = Record<string, string>;

const LABELS = /^(Owner|Issuer|Serial number|Valid from|SHA1|SHA256|Signature algorithm name|Subject Public Key Algorithm|Version): (.*)$/;

/** keytool -printcert -v of a multi-certificate file, one record per certificate (one JVM for all). */
function printcert(file: string): Printed[] {
  const out = runKeytool(['-J-Duser.timezone=UTC', '-printcert', '-v', '-file', file]);
  return out
    .split(/^Certificate\[\d+\]:$/m)
    .filter((block) => /^Owner:/m.test(block))
    .map((block) => {
      const rec: Printed = {};
      for (const line of block.split('\n')) {
        const m = LABELS.exec(line.trim());
        // Java 17 marks weak algorithms; the name before the mark is what we compare.
        if (m && !(m[1] in rec)) rec[m[1]] = m[2].replace(/ \((weak|disabled)\)$/, '');
      }
      return rec;
    });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** java.util.Date.toString() in UTC, as keytool prints validity: "Wed Jan 01 00:00:00 UTC 2025". */
function javaDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  return `${day} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** The same record, written from midtrust's facts. */
function asKeytoolPrints(c: Certificate): Printed {
  const f: CertificateFacts = c.facts;
  // keytool 17 prints "255-bit Ed25519 key"; later JDKs give EdDSA keys no size and print "Ed25519 key".
  const eddsa = f.keyAlgorithm === 'Ed25519' || f.keyAlgorithm === 'Ed448';
  const size = eddsa && keytool17().version >= 18 ? '' : `${f.keySize}-bit `;
  const key = f.keySize === undefined ? undefined : `${size}${f.keyAlgorithm}${f.namedCurve ? ` (${f.namedCurve})` : ''} key`;
  return {
    Owner: f.subject,
    Issuer: f.issuer,
    'Serial number': f.serialNumber,
    'Valid from': `${javaDate(f.notBefore)} until: ${javaDate(f.notAfter)}`,
    SHA1: formatFingerprint(c.sha1),
    SHA256: formatFingerprint(c.sha256),
    'Signature algorithm name': f.signatureAlgorithm,
    ...(key ? { 'Subject Public Key Algorithm': key } : {}),
    Version: String(f.version),
  };
}

/** Basic constraints per certificate from `openssl pkcs7 -print_certs -text` (one process for all). */
function opensslBasicConstraints(dir: string, pemFile: string): Array<CertificateFacts['basicConstraints']> {
  openssl(['crl2pkcs7', '-nocrl', '-certfile', pemFile, '-out', 'all.p7b'], { cwd: dir });
  const text = openssl(['pkcs7', '-in', 'all.p7b', '-print_certs', '-text', '-noout'], { cwd: dir });
  return text
    .split(/^Certificate:$/m)
    .slice(1)
    .map((block) => {
      const m = /X509v3 Basic Constraints:.*\n\s*(.*)/.exec(block);
      if (!m) return 'absent';
      const ca = /CA:TRUE/.test(m[1]);
      const len = /pathlen:(\d+)/.exec(m[1]);
      return len ? { ca, pathLength: Number(len[1]) } : { ca };
    });
}

// --- certificates built byte by byte, for the corners of Java's name printing -------------------
const UTF8 = 0x0c;
const cn = (value: string | Uint8Array, tag = UTF8): Attribute[][] => [rdn('2.5.4.3', tag, typeof value === 'string' ? Buffer.from(value, 'utf8') : value)];
const NAME_VALUES = ['a,b', 'a+b', ' lead', 'trail ', 'two  spaces', 'q"uote', 'back\\slash', '#hash', 'a=b', 'x<y>', 'semi;colon', '"already quoted"', 'a@b&c*', 'café', '', 'a é b', 'x é  y', 'a\u0001b', ' ', '"', 'a b  é', 'Ωμέγα 中文 😀'];
const KEYWORD_OIDS = ['2.5.4.6', '2.5.4.7', '2.5.4.8', '2.5.4.10', '2.5.4.11', '2.5.4.12', '2.5.4.9', '2.5.4.4', '2.5.4.42', '2.5.4.43', '2.5.4.44', '2.5.4.46', '2.5.4.5', '0.9.2342.19200300.100.1.25', '0.9.2342.19200300.100.1.1', '1.2.840.113549.1.9.1', '1.3.6.1.4.1.42.2.11.2.1', '1.2.3.4', '2.5.4.15', '2.5.4.17', '1.3.6.1.4.1.311.60.2.1.3'];
const basicConstraints = (critical: boolean, ...body: Uint8Array[]): Uint8Array =>
  sequence(oid('2.5.29.19'), ...(critical ? [tlv(0x01, Uint8Array.of(0xff))] : []), octetString(sequence(...body)));

function builtSpecs(): Array<[string, CertificateSpec, Partial<CertificateFacts>]> {
  return [
    ...NAME_VALUES.map((v): [string, CertificateSpec, Partial<CertificateFacts>] => [`CN ${JSON.stringify(v)}`, { subject: cn(v) }, {}]),
    ['PrintableString with a byte ≥ 0x80', { subject: cn(Buffer.from('caf\xe9', 'latin1'), 0x13) }, { subject: 'CN=caf\ufffd' }],
    ['TeletexString (latin1)', { subject: cn(Buffer.from('caf\xe9', 'latin1'), 0x14) }, { subject: 'CN=café' }],
    ['BMPString with a lone surrogate', { subject: cn(Uint8Array.of(0x03, 0xa9, 0xd8, 0x00), 0x1e) }, { subject: 'CN=Ω\ufffd' }],
    ['BMPString of odd length', { subject: cn(Uint8Array.of(0x00, 0x41, 0x42), 0x1e) }, {}],
    ['UniversalString', { subject: cn(Uint8Array.of(0, 1, 0xf6, 0, 0, 0x11, 0, 0), 0x1c) }, { subject: 'CN=😀\ufffd' }],
    ['VisibleString (hex to Java)', { subject: cn('vis', 0x1a) }, { subject: 'CN=#1a03766973' }],
    ['NumericString (hex to Java)', { subject: cn('123', 0x12) }, {}],
    ['GeneralString', { subject: cn(Buffer.from('gen', 'latin1'), 0x1b) }, {}],
    ['IA5String', { subject: cn(Buffer.from('ops@example.com', 'latin1'), 0x16) }, {}],
    ['bad UTF-8', { subject: cn(Uint8Array.of(0x61, 0xc3, 0x28, 0xe2, 0x82)) }, {}],
    ['every keyword', { subject: KEYWORD_OIDS.map((o) => rdn(o, UTF8, 'v')) }, {}],
    ['non-string values', { subject: [rdn('1.2.3.4', 0x02, Uint8Array.of(5)), rdn('2.5.4.3', 0x02, Uint8Array.of(5))] }, {}],
    ['a multi-valued RDN', { subject: [rdn('2.5.4.6', 0x13, 'US'), [{ type: '2.5.4.3', tag: UTF8, value: 'x' }, { type: '2.5.4.11', tag: 0x13, value: 'y' }]] }, { subject: 'CN=x + OU=y, C=US', subjectCommonName: 'x' }],
    ['a negative serial', { subject: cn('s'), serial: Uint8Array.of(0x80, 0x01) }, { serialNumber: '-7fff' }],
    ['a serial with a leading zero', { subject: cn('s'), serial: Uint8Array.of(0x00, 0x80) }, { serialNumber: '80' }],
    ['serial zero', { subject: cn('s'), serial: Uint8Array.of(0x00) }, { serialNumber: '0' }],
    ['a 20-byte serial', { subject: cn('s'), serial: Uint8Array.from({ length: 20 }, (_, i) => i + 1) }, {}],
    ['UTCTime 49 and 50', { subject: cn('t'), notBefore: [0x17, '491231235959Z'], notAfter: [0x17, '500101000000Z'] }, { notBefore: new Date('2049-12-31T23:59:59Z'), notAfter: new Date('1950-01-01T00:00:00Z') }],
    ['GeneralizedTime with a fraction, UTCTime without seconds', { subject: cn('t'), notBefore: [0x18, '20300101000000.123Z'], notAfter: [0x17, '3001010000Z'] }, { notBefore: new Date('2030-01-01T00:00:00.123Z') }],
    ['times with offsets', { subject: cn('t'), notBefore: [0x17, '300101000000+0130'], notAfter: [0x18, '20300101000000-0100'] }, { notAfter: new Date('2030-01-01T01:00:00Z') }],
    ['v1', { subject: cn('v'), version: 0 }, { version: 1, basicConstraints: 'absent', isCa: false }],
    ['v2', { subject: cn('v'), version: 1 }, { version: 2 }],
    ['CA:TRUE, pathlen 0, not critical', { subject: cn('b'), extensions: [basicConstraints(false, tlv(0x01, Uint8Array.of(0xff)), integer(0))] }, { basicConstraints: { ca: true, pathLength: 0 }, isCa: true }],
    ['empty basic constraints (CA defaults to false)', { subject: cn('b'), extensions: [basicConstraints(true)] }, { basicConstraints: { ca: false }, isCa: false }],
    ['self-issued but signed by another key', { subject: cn('impostor'), signer: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }, { selfIssued: true }],
    ['issued by another name', { subject: cn('leaf'), issuer: [rdn('2.5.4.3', UTF8, 'issuer')] }, { selfIssued: false, issuer: 'CN=issuer' }],
  ];
}

// --- the oracle runs: one keytool JVM and one openssl for every certificate ---------------------
interface Subject {
  readonly group: 'cacerts' | 'openssl' | 'built';
  readonly name: string;
  readonly cert: Certificate;
  readonly want?: Partial<CertificateFacts>;
  printed?: Printed;
  constraints?: CertificateFacts['basicConstraints'];
}

let fx: OpensslFixtures;
let dir: string;
const subjects: Subject[] = [];
/** The JDK's cacerts, listed by keytool: only where it exists (the test below says so when not). */
const cacertsGate = needs('jdkCacerts');

beforeAll(() => {
  dir = tempDir('mt-facts-');
  fx = makeOpensslFixtures();
  if (!cacertsGate.missing) {
    const listed = runKeytool(['-list', '-rfc', '-cacerts', '-storepass:env', 'MT_STOREPASS'], { env: { MT_STOREPASS: 'changeit' } });
    const aliases = [...listed.matchAll(/^Alias name: (.*)$/gm)].map((m) => m[1]);
    parseCertificateInput(listed, 'keytool -list -rfc -cacerts').forEach((der, i) => subjects.push({ group: 'cacerts', name: aliases[i], cert: Certificate.fromDer(der) }));
  }
  for (const name of fx.certificates) subjects.push({ group: 'openssl', name, cert: Certificate.fromDer(fx.der(name)) });
  for (const [name, spec, want] of builtSpecs()) {
    subjects.push({ group: 'built', name, cert: Certificate.fromDer(buildCertificate(spec)), want });
  }
  const all = path.join(dir, 'all.pem');
  fs.writeFileSync(all, toPem(subjects.map((s) => s.cert.der)));
  const printed = printcert(all);
  expect(printed).toHaveLength(subjects.length);
  printed.forEach((p, i) => (subjects[i].printed = p));
  const pems = path.join(dir, 'real.pem');
  const real = subjects.filter((s) => s.group !== 'built');
  fs.writeFileSync(pems, toPem(real.map((s) => s.cert.der)));
  const constraints = opensslBasicConstraints(dir, pems);
  expect(constraints).toHaveLength(real.length);
  constraints.forEach((c, i) => (real[i].constraints = c));
});

afterAll(() => {
  fx?.remove();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('certificate facts agree with keytool -printcert -v', () => {
  cacertsGate.it('for every certificate of the JDK cacerts (owner, issuer, serial, validity, algorithms, version, fingerprints)', () => {
    const cacerts = subjects.filter((s) => s.group === 'cacerts');
    expect(cacerts.length).toBeGreaterThanOrEqual(100);
    for (const s of cacerts) expect({ alias: s.name, ...asKeytoolPrints(s.cert) }).toEqual({ alias: s.name, ...s.printed });
  });

  it('for certificates openssl generated (RSA CA, EC P-256/P-384, Ed25519, RSASSA-PSS, SHA-1, v1 RSA 1024)', () => {
    for (const s of subjects.filter((x) => x.group === 'openssl')) expect({ file: s.name, ...asKeytoolPrints(s.cert) }).toEqual({ file: s.name, ...s.printed });
  });

  it('for certificates built byte by byte (quoting, string types, keywords, serials, times, versions)', () => {
    for (const s of subjects.filter((x) => x.group === 'built')) expect({ case: s.name, ...asKeytoolPrints(s.cert) }).toEqual({ case: s.name, ...s.printed });
  });
});

describe('facts midtrust adds', () => {
  it('basic constraints agree with openssl -text for cacerts and generated certificates', () => {
    for (const s of subjects.filter((x) => x.constraints !== undefined)) {
      expect({ name: s.name, bc: s.cert.facts.basicConstraints }).toEqual({ name: s.name, bc: s.constraints });
      expect(s.cert.facts.isCa).toBe(s.constraints !== 'absent' && s.constraints!.ca);
    }
  });

  it('built certificates have the facts their bytes say', () => {
    for (const s of subjects.filter((x) => x.group === 'built')) expect({ case: s.name, ...s.cert.facts }).toMatchObject({ case: s.name, ...s.want });
  });

  it.each<[string, Partial<CertificateFacts>, boolean]>([
    ['rsa-ca.pem', { version: 3, basicConstraints: { ca: true, pathLength: 1 }, isCa: true, keyAlgorithm: 'RSA', keySize: 2048, signatureAlgorithm: 'SHA256withRSA', subject: 'CN=Test CA, O="Test, Inc.", C=US', subjectCommonName: 'Test CA', selfIssued: true }, true],
    ['ec-p256.pem', { keyAlgorithm: 'EC', keySize: 256, namedCurve: 'secp256r1', basicConstraints: { ca: false }, isCa: false, signatureAlgorithm: 'SHA256withECDSA', subject: 'EMAILADDRESS=ops@example.com, CN=ec leaf', subjectCommonName: 'ec leaf' }, true],
    ['ec-p384.pem', { keyAlgorithm: 'EC', keySize: 384, namedCurve: 'secp384r1', isCa: true, signatureAlgorithm: 'SHA256withECDSA', subject: 'OU=Ops + CN=p384, DC=example, DC=com', subjectCommonName: 'p384' }, true],
    ['ed25519.pem', { keyAlgorithm: 'Ed25519', keySize: 255, signatureAlgorithm: 'Ed25519' }, true],
    ['rsa-pss.pem', { keyAlgorithm: 'RSASSA-PSS', keySize: 2048, signatureAlgorithm: 'RSASSA-PSS' }, true],
    ['sha1-self.pem', { signatureAlgorithm: 'SHA1withRSA', basicConstraints: { ca: true }, isCa: true }, true],
    ['v1-leaf.pem', { version: 1, basicConstraints: 'absent', isCa: false, keyAlgorithm: 'RSA', keySize: 1024, signatureAlgorithm: 'SHA1withRSA', serialNumber: 'ff01', issuer: 'CN=Test CA, O="Test, Inc.", C=US', selfIssued: false }, false],
  ])('%s', (name, want, selfSigned) => {
    const c = subjects.find((s) => s.name === name)!.cert;
    expect(c.facts).toMatchObject(want);
    expect(c.facts.selfSigned).toBe(selfSigned);
    expect(c.selfSigned).toBe(selfSigned);
  });

  it('selfSigned needs the signature to verify, not only equal names', () => {
    const impostor = subjects.find((s) => s.name === 'self-issued but signed by another key')!.cert;
    expect(impostor.facts.selfIssued).toBe(true);
    expect(impostor.facts.selfSigned).toBe(false);
    expect(subjects.find((s) => s.name === 'CN "a,b"')!.cert.facts.selfSigned).toBe(true);
  });

  it('every JDK root is self-signed by this test (or uses an algorithm OpenSSL 3 refuses)', () => {
    const cacerts = subjects.filter((s) => s.group === 'cacerts');
    const notSelfSigned = cacerts.filter((s) => !s.cert.facts.selfSigned).map((s) => `${s.name}: ${s.cert.facts.signatureAlgorithm}`);
    expect(notSelfSigned.filter((n) => !/MD2|MD5/.test(n))).toEqual([]);
  });

  it('keeps selfSigned out of spreads and JSON, so listings never pay for a signature check', () => {
    const facts = subjects.find((s) => s.group === 'openssl')!.cert.facts;
    expect(Object.keys({ ...facts })).not.toContain('selfSigned');
    expect(JSON.parse(JSON.stringify(facts))).not.toHaveProperty('selfSigned');
  });
});

describe('Certificate laziness and errors', () => {
  it('hashes without parsing, parses once, and reports unreadable DER as CORRUPT on facts only', () => {
    const junk = Certificate.fromDer(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01));
    expect(junk.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(junk.sha1).toMatch(/^[0-9a-f]{40}$/);
    expect(() => junk.facts).toThrow(MidtrustError);
    try {
      void junk.facts;
    } catch (e) {
      expect((e as MidtrustError).code).toBe('CORRUPT');
      expect((e as MidtrustError).message).toMatch(/not a readable X\.509 certificate/);
    }
    const c = Certificate.fromDer(fx.der('rsa-ca.pem'));
    expect(c.facts).toBe(c.facts); // parsed once: the same object both times
    // (a string compared with itself could not fail: check the hash against node's own instead)
    expect(c.sha256).toBe(createHash('sha256').update(fx.der('rsa-ca.pem')).digest('hex'));
  });

  it.each<[string, () => Uint8Array, RegExp]>([
    ['version 4', () => buildCertificate({ subject: cn('x'), version: 3 }), /version 4 does not exist/],
    ['month 13', () => buildCertificate({ subject: cn('x'), notAfter: [0x17, '301301000000Z'] }), /unreadable time '301301000000Z'/],
    ['a time of the wrong type', () => buildCertificate({ subject: cn('x'), notAfter: [0x13, '301201000000Z'] }), /expected a UTCTime or GeneralizedTime/],
    ['an empty RDN', () => buildCertificate({ subject: [[]] }), /empty relative distinguished name/],
    ['an extra field in the outer SEQUENCE only', () => sequence(sequence(), sequence()), /expected TBSCertificate|expected serial number/],
    ['basic constraints that are not a SEQUENCE', () => buildCertificate({ subject: cn('x'), extensions: [sequence(oid('2.5.29.19'), octetString(integer(1)))] }), /basic constraints SEQUENCE/],
    ['an explicit [0] that is not a version', () => sequence(sequence(explicit(0, oid('1.2')), integer(1)), sequence(), tlv(0x03, Uint8Array.of(0))), /version INTEGER/],
  ])('CORRUPT for %s', (_name, der, want) => {
    expect(() => Certificate.fromDer(der()).facts).toThrow(want);
  });
});
