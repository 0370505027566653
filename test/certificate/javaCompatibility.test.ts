/**
 * Certificates at the edges of what Java accepts, checked against Java itself: every installed
 * JDK (17 and 25 here) loads each certificate with CertificateFactory — the call keytool and the
 * MID Server's JVM make for every certificate of a keystore — and prints X500Principal.toString()
 * (keytool's "Owner:" line) with non-ASCII escaped, so malformed strings compare exactly (keytool's
 * own output turns a lone surrogate into '?'). One JVM per JDK for all certificates.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { explicit, integer, nullValue, octetString, oid, sequence, tlv } from '../../provider/asn1/derWriter';
import { Certificate } from '../../provider/certificate/certificate';
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { javaLoadProblem } from '../../provider/certificate/javaLoadProblem';
import { MidtrustError } from '../../provider/errors';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { runKeytool, tempDir, tryKeytool } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { buildCertificate, encodeName, rdn, toPem, type CertificateSpec } from './certificateBuilder';

const u8 = (...b: number[]): Uint8Array => Uint8Array.from(b);
const cn = (tag: number, value: Uint8Array | string): CertificateSpec['subject'] => [rdn('2.5.4.3', tag, typeof value === 'string' ? Buffer.from(value, 'utf8') : value)];
const UTF8 = 0x0c;
const BMP = 0x1e;
const UNIVERSAL = 0x1c;

/** Name values whose decoding differs between naive decoders and Java's (UTF-16/UTF-8/UTF-32 corner cases). */
const STRING_CASES: Array<[string, number, Uint8Array]> = [
  ['BMP: high surrogate then a non-surrogate', BMP, u8(0, 0x41, 0xd8, 0, 0, 0x42, 0x43)],
  ['BMP: lone low surrogate', BMP, u8(0xdc, 0, 0, 0x41)],
  ['BMP: high surrogate then one byte', BMP, u8(0, 0x41, 0xd8, 0, 0x42)],
  ['BMP: high surrogate at the end', BMP, u8(0, 0x41, 0xd8, 0)],
  ['BMP: two highs then a low', BMP, u8(0xd8, 0, 0xd8, 0, 0xdc, 0)],
  ['BMP: byte order mark kept', BMP, u8(0xfe, 0xff, 0, 0x41)],
  ['BMP: odd length', BMP, u8(0, 0x41, 0x42)],
  ['UTF-8: encoded surrogate (CESU-8)', UTF8, u8(0x41, 0xed, 0xa0, 0x80, 0x42)],
  ['UTF-8: surrogate lead then ASCII', UTF8, u8(0x41, 0xed, 0xa0, 0x41)],
  ['UTF-8: surrogate lead at the end', UTF8, u8(0x41, 0xed, 0xbf)],
  ['UTF-8: overlong NUL', UTF8, u8(0x41, 0xc0, 0x80, 0x42)],
  ['UTF-8: above U+10FFFF', UTF8, u8(0x41, 0xf4, 0x90, 0x80, 0x80, 0x42)],
  ['UTF-8: truncated at the end', UTF8, u8(0x41, 0xe2, 0x82)],
  ['UTF-8: truncated 4-byte before ASCII', UTF8, u8(0x41, 0xf0, 0x9f, 0x98, 0x41)],
  ['UTF-8: stray continuation bytes', UTF8, u8(0x41, 0x80, 0x80, 0x42)],
  ['UTF-8: F5 and F8 leads', UTF8, u8(0xf5, 0x80, 0x80, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80)],
  ['UTF-8: valid mix', UTF8, Buffer.from('Ωμέγα 中文 😀', 'utf8')],
  ['UniversalString: surrogate code point (kept by Java)', UNIVERSAL, u8(0, 0, 0xd8, 0, 0, 0, 0, 0x41)],
  ['UniversalString: surrogate pair as two code points', UNIVERSAL, u8(0, 0, 0xd8, 0x3d, 0, 0, 0xde, 0, 0, 0, 0, 0x41)],
  ['UniversalString: leading byte order mark dropped', UNIVERSAL, u8(0, 0, 0xfe, 0xff, 0, 0, 0, 0x41)],
  ['UniversalString: byte order mark later kept', UNIVERSAL, u8(0, 0, 0, 0x41, 0, 0, 0xfe, 0xff)],
  ['UniversalString: above U+10FFFF, trailing bytes', UNIVERSAL, u8(0x80, 0, 0, 0x41, 0, 0, 0, 0x41, 0, 0)],
  ['IA5String: bytes ≥ 0x80', 0x16, u8(0x41, 0x80, 0xff)],
  ['TeletexString: latin1', 0x14, u8(0x41, 0xe9, 0x80)],
  ['control characters', UTF8, u8(0x41, 0x7f, 0x1b, 0x00, 0x42)],
];

const san = (critical: boolean, names: Uint8Array[]): Uint8Array =>
  sequence(oid('2.5.29.17'), ...(critical ? [tlv(0x01, u8(0xff))] : []), octetString(sequence(...names)));
const caTrue = sequence(oid('2.5.29.19'), tlv(0x01, u8(0xff)), octetString(sequence(tlv(0x01, u8(0xff)))));
const dns = tlv(0x82, Buffer.from('x.example'));
const issuerName = cn(UTF8, 'issuer');

/** A certificate whose inner and outer AlgorithmIdentifiers are given separately (the builder uses one). */
function withAlgorithms(inner: Uint8Array, outer: Uint8Array): Uint8Array {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = encodeName(cn(UTF8, 'alg'));
  const time = (t: string): Uint8Array => tlv(0x17, Buffer.from(t, 'latin1'));
  const tbs = sequence(explicit(0, integer(2)), integer(7), inner, name, sequence(time('250101000000Z'), time('350101000000Z')), name, key.publicKey.export({ format: 'der', type: 'spki' }));
  return sequence(tbs, outer, tlv(0x03, u8(0), sign('sha256', tbs, key.privateKey)));
}
const ECDSA_SHA256 = oid('1.2.840.10045.4.3.2');

/** Structures Java refuses to load (or, for contrast, accepts although they look odd). */
const LOAD_CASES: Array<[string, () => Uint8Array]> = [
  ['an ordinary certificate', () => buildCertificate({ subject: cn(UTF8, 'ok') })],
  ['empty issuer', () => buildCertificate({ subject: cn(UTF8, 's'), issuer: [] })],
  ['v1 with an empty subject', () => buildCertificate({ subject: [], issuer: issuerName, version: 0 })],
  ['v1 with extensions', () => buildCertificate({ subject: cn(UTF8, 's'), version: 0, extensions: [caTrue] })],
  ['v2 with extensions', () => buildCertificate({ subject: cn(UTF8, 's'), version: 1, extensions: [caTrue] })],
  ['v3, empty subject, no extensions at all', () => buildCertificate({ subject: [], issuer: issuerName })],
  ['v3, empty subject, critical SubjectAltName', () => buildCertificate({ subject: [], issuer: issuerName, extensions: [san(true, [dns])] })],
  ['v3, empty subject, non-critical SubjectAltName', () => buildCertificate({ subject: [], issuer: issuerName, extensions: [san(false, [dns])] })],
  ['v3, empty subject, empty critical SubjectAltName', () => buildCertificate({ subject: [], issuer: issuerName, extensions: [san(true, [])] })],
  ['v3, empty subject, extensions without SubjectAltName', () => buildCertificate({ subject: [], issuer: issuerName, extensions: [caTrue] })],
  ['a duplicated extension', () => buildCertificate({ subject: cn(UTF8, 's'), extensions: [caTrue, caTrue] })],
  ['an unknown critical extension', () => buildCertificate({ subject: cn(UTF8, 's'), extensions: [sequence(oid('1.2.3.4.5'), tlv(0x01, u8(0xff)), octetString(u8(5, 0)))] })],
  ['inner and outer signature algorithms differ', () => withAlgorithms(sequence(ECDSA_SHA256), sequence(oid('1.2.840.10045.4.3.3')))],
  ['inner algorithm with NULL parameters, outer without', () => withAlgorithms(sequence(ECDSA_SHA256, nullValue()), sequence(ECDSA_SHA256))],
  ['a BMPString holding a surrogate pair', () => buildCertificate({ subject: cn(BMP, u8(0, 0x41, 0xd8, 0x3d, 0xde, 0)) })],
  ['a BMPString with a lone high surrogate', () => buildCertificate({ subject: cn(BMP, u8(0xd8, 0, 0, 0x41)) })],
  ['an empty serial number', () => buildCertificate({ subject: cn(UTF8, 's'), serial: u8() })],
  ['GeneralizedTime without Z', () => buildCertificate({ subject: cn(UTF8, 's'), notAfter: [0x18, '20300101000000'] })],
  ['UTCTime without seconds, and with an offset', () => buildCertificate({ subject: cn(UTF8, 's'), notBefore: [0x17, '2501010000Z'], notAfter: [0x17, '300101000000+0100'] })],
  ['a non-string CN (INTEGER)', () => buildCertificate({ subject: cn(0x02, u8(5)) })],
];

interface Jdk {
  readonly home: string;
  readonly version: number;
}

/** Every JDK under /usr/lib/jvm (one per feature version), from its `release` file — no JVM start. */
function installedJdks(): Jdk[] {
  const root = '/usr/lib/jvm';
  if (!fs.existsSync(root)) return [];
  const found = new Map<number, Jdk>();
  for (const d of fs.readdirSync(root)) {
    const home = path.join(root, d);
    const release = path.join(home, 'release');
    if (!fs.existsSync(path.join(home, 'bin', 'java')) || !fs.existsSync(release)) continue;
    const m = /^JAVA_VERSION="(\d+)/m.exec(fs.readFileSync(release, 'utf8'));
    if (m && !found.has(Number(m[1]))) found.set(Number(m[1]), { home: fs.realpathSync(home), version: Number(m[1]) });
  }
  return [...found.values()].sort((a, b) => a.version - b.version);
}

/** What Java does with one file: the escaped X500Principal.toString() of the subject, or its error. */
type JavaVerdict = { ok: true; subject: string } | { ok: false; error: string };

const LOAD_CHECK = `
import java.io.FileInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

public class LoadCheck {
  static String esc(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c >= 0x20 && c < 0x7f && c != '\\\\') b.append(c); else b.append(String.format("\\\\u%04x", (int) c));
    }
    return b.toString();
  }
  public static void main(String[] args) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    for (String f : args) {
      try (FileInputStream in = new FileInputStream(f)) {
        X509Certificate c = (X509Certificate) cf.generateCertificate(in);
        System.out.println("ok " + esc(c.getSubjectX500Principal().toString()));
      } catch (Exception e) {
        System.out.println("error " + esc(String.valueOf(e.getMessage())));
      }
    }
  }
}
`;

/** Java's escaping of the LoadCheck output, applied to our strings (UTF-16 code units, as Java sees them). */
function escapeLikeLoadCheck(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f && c !== 0x5c ? s[i] : `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

/** Runs LoadCheck (Java's single-file source launcher: no compiled class is kept) over the files. */
function javaVerdicts(jdk: Jdk, dir: string, files: string[]): JavaVerdict[] {
  fs.writeFileSync(path.join(dir, 'LoadCheck.java'), LOAD_CHECK);
  const r = spawnSync(path.join(jdk.home, 'bin', 'java'), ['-Duser.language=en', 'LoadCheck.java', ...files], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`java ${jdk.version} LoadCheck failed (${r.status}): ${r.stdout}${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  if (lines.length !== files.length) throw new Error(`java ${jdk.version}: ${lines.length} verdicts for ${files.length} files:\n${r.stdout}`);
  return lines.map((l) => (l.startsWith('ok ') ? { ok: true, subject: l.slice(3) } : { ok: false, error: l.replace(/^error /, '') }));
}

interface Case {
  readonly name: string;
  readonly der: Uint8Array;
  readonly verdicts: Map<number, JavaVerdict>;
}

const jdks = installedJdks();
let dir: string;
const stringCases: Case[] = [];
const loadCases: Case[] = [];

const gate = needs('java', 'jdk18');

gate.describe('certificates as every installed JDK loads them', () => {
  beforeAll(() => {
    dir = tempDir('mt-java-compat-');
    for (const [name, tag, value] of STRING_CASES) stringCases.push({ name, der: buildCertificate({ subject: cn(tag, value) }), verdicts: new Map() });
    for (const [name, make] of LOAD_CASES) loadCases.push({ name, der: make(), verdicts: new Map() });
    const all = [...stringCases, ...loadCases];
    const files = all.map((c, i) => {
      const f = `c${i}.pem`;
      fs.writeFileSync(path.join(dir, f), toPem([c.der]));
      return f;
    });
    for (const jdk of jdks) javaVerdicts(jdk, dir, files).forEach((v, i) => all[i].verdicts.set(jdk.version, v));
  }, 120000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('name strings decode as Java decodes them', () => {
    it('subject equals X500Principal.toString() on every JDK that loads the certificate', () => {
      for (const c of stringCases) {
        for (const [version, v] of c.verdicts) {
          if (!v.ok) continue;
          expect({ case: c.name, java: version, subject: escapeLikeLoadCheck(Certificate.fromDer(c.der).facts.subject) }).toEqual({ case: c.name, java: version, subject: v.subject });
        }
      }
    });

    it('Java 17 loads every string case (they are about decoding, not about refusal)', () => {
      const java17 = stringCases.map((c) => [c.name, c.verdicts.get(jdks[0].version)?.ok]);
      expect(java17.filter(([, ok]) => !ok)).toEqual([]);
    });
  });

  describe('parseCertificateInput accepts exactly what every JDK can load', () => {
    it('javaLoadProblem is undefined exactly when every installed JDK loads the certificate', () => {
      for (const c of [...loadCases, ...stringCases]) {
        const javaOk = [...c.verdicts.values()].every((v) => v.ok);
        let parses = true;
        try {
          void Certificate.fromDer(c.der).facts;
        } catch {
          parses = false;
        }
        // Certificates our facts parser refuses never reach javaLoadProblem; Java must refuse them too.
        if (!parses) {
          expect({ case: c.name, javaOk }).toEqual({ case: c.name, javaOk: false });
          continue;
        }
        expect({ case: c.name, loadable: javaLoadProblem(c.der) === undefined }).toEqual({ case: c.name, loadable: javaOk });
      }
    });

    it('rejects the others with INVALID_INPUT, naming the source and the reason', () => {
      for (const c of [...loadCases, ...stringCases]) {
        const javaOk = [...c.verdicts.values()].every((v) => v.ok);
        let got: string;
        try {
          got = `accepted ${parseCertificateInput(c.der, 'alias odd (odd.der)').length}`;
        } catch (e) {
          if (!(e instanceof MidtrustError)) throw e;
          expect(e.code).toBe('INVALID_INPUT');
          expect(e.message).toMatch(/^alias odd \(odd\.der\): /);
          got = 'rejected';
        }
        expect({ case: c.name, got }).toEqual({ case: c.name, got: javaOk ? 'accepted 1' : 'rejected' });
      }
    });

    it('explains the reason in Java terms', () => {
      const reason = (name: string): string | undefined => javaLoadProblem(loadCases.find((c) => c.name === name)!.der);
      expect(reason('empty issuer')).toMatch(/issuer name is empty/);
      expect(reason('v2 with extensions')).toMatch(/version 2 certificate but carries extensions/);
      expect(reason('a duplicated extension')).toMatch(/2\.5\.29\.19 appears twice/);
      expect(reason('v3, empty subject, non-critical SubjectAltName')).toMatch(/not marked critical/);
      expect(reason('inner and outer signature algorithms differ')).toMatch(/Signature algorithm mismatch/);
    });
  });

  describe('why this matters', () => {
    it('one certificate Java refuses makes a whole JKS unreadable to keytool', () => {
      const bad = loadCases.find((c) => c.name === 'empty issuer')!.der;
      const good = loadCases.find((c) => c.name === 'an ordinary certificate')!.der;
      const file = path.join(dir, 'poisoned.jks');
      const entries = [
        { alias: 'good', kind: 'trustedCertificate' as const, timestamp: 0, certificates: [good] },
        { alias: 'bad', kind: 'trustedCertificate' as const, timestamp: 0, certificates: [bad] },
      ];
      fs.writeFileSync(file, writeKeystore({ type: 'JKS', entries, integrity: 'verified' }, 'changeit'));
      const listed = tryKeytool(['-list', '-keystore', file, '-storepass:env', 'MT_PW'], { env: { MT_PW: 'changeit' } });
      expect(listed.status).not.toBe(0);
      expect(listed.output).toMatch(/Empty issuer DN/);
      // The same store without it lists fine.
      fs.writeFileSync(file, writeKeystore({ type: 'JKS', entries: entries.slice(0, 1), integrity: 'verified' }, 'changeit'));
      expect(runKeytool(['-list', '-keystore', file, '-storepass:env', 'MT_PW'], { env: { MT_PW: 'changeit' } })).toMatch(/good, .*trustedCertEntry/);
    });
  });
});
