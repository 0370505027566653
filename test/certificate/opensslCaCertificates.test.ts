/**
 * Certificates that need more than `openssl req -x509`: an expired CA, a v1 certificate valid past
 * 2049 (GeneralizedTime) — both from `openssl ca -selfsign -startdate/-enddate`, since openssl 3.0
 * has no -not_before/-not_after — and a DSA root. Facts are checked against keytool -printcert -v
 * (one JVM for all) and basic constraints against openssl -text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Certificate } from '../../provider/certificate/certificate';
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { formatFingerprint } from '../../provider/certificate/fingerprint';
import { openssl, runKeytool, tempDir } from '../helpers/keytool';

const CA_CONFIG = `[ ca ]
default_ca = CA_default
[ CA_default ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
[ ca_ext ]
basicConstraints = critical,CA:TRUE,pathlen:0
`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** java.util.Date.toString() in UTC, as keytool -J-Duser.timezone=UTC prints validity. */
function javaDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

const LABELS = /^(Owner|Issuer|Serial number|Valid from|SHA256|Signature algorithm name|Subject Public Key Algorithm|Version): (.*)$/;

let dir: string;
let files: string[];
let printed: Array<Record<string, string>>;
let opensslText: string[];

beforeAll(() => {
  dir = tempDir('mt-openssl-ca-');
  const run = (args: string[]): string => openssl(args, { cwd: dir });
  fs.writeFileSync(path.join(dir, 'ca.cnf'), CA_CONFIG);
  fs.writeFileSync(path.join(dir, 'index.txt'), '');
  fs.writeFileSync(path.join(dir, 'serial'), '1000\n');
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.csr', '-subj', '/CN=Expired Root/O=Old Corp/C=DE']);
  const ca = (out: string, start: string, end: string, ext: string[]): void => {
    run(['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'ca.key', '-in', 'ca.csr', '-startdate', start, '-enddate', end, '-notext', '-out', out, ...ext]);
  };
  ca('expired.pem', '20200101000000Z', '20210101000000Z', ['-extensions', 'ca_ext']);
  // Without -extensions, openssl ca writes a v1 certificate; a year ≥ 2050 is a GeneralizedTime.
  ca('v1-2055.pem', '20200101000000Z', '20550101120000Z', []);
  run(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-out', 'dsa.param']);
  run(['genpkey', '-paramfile', 'dsa.param', '-out', 'dsa.key']);
  run(['req', '-x509', '-key', 'dsa.key', '-subj', '/CN=DSA Root', '-days', '30', '-sha256', '-out', 'dsa.pem', '-addext', 'basicConstraints=critical,CA:TRUE']);
  files = ['expired.pem', 'v1-2055.pem', 'dsa.pem'];
  const all = path.join(dir, 'all.pem');
  fs.writeFileSync(all, files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join(''));
  printed = runKeytool(['-J-Duser.timezone=UTC', '-printcert', '-v', '-file', all])
    .split(/^Certificate\[\d+\]:$/m)
    .filter((b) => /^Owner:/m.test(b))
    .map((block) => {
      const rec: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const m = LABELS.exec(line.trim());
        if (m && !(m[1] in rec)) rec[m[1]] = m[2].replace(/ \((weak|disabled)\)$/, '');
      }
      return rec;
    });
  opensslText = files.map((f) => run(['x509', '-in', f, '-noout', '-text']));
}, 60000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const cert = (i: number): Certificate => {
  const ders = parseCertificateInput(fs.readFileSync(path.join(dir, files[i])), files[i]);
  expect(ders).toHaveLength(1);
  return Certificate.fromDer(ders[0]);
};

describe('openssl ca and DSA certificates, against keytool -printcert -v', () => {
  it('keytool printed one record per certificate', () => {
    expect(printed).toHaveLength(files.length);
  });

  it.each([0, 1, 2])('certificate %i: every printed field matches', (i) => {
    const c = cert(i);
    const f = c.facts;
    const key = `${f.keySize}-bit ${f.keyAlgorithm}${f.namedCurve ? ` (${f.namedCurve})` : ''} key`;
    expect({
      file: files[i],
      Owner: f.subject,
      Issuer: f.issuer,
      'Serial number': f.serialNumber,
      'Valid from': `${javaDate(f.notBefore)} until: ${javaDate(f.notAfter)}`,
      SHA256: formatFingerprint(c.sha256),
      'Signature algorithm name': f.signatureAlgorithm,
      'Subject Public Key Algorithm': key,
      Version: String(f.version),
    }).toEqual({ file: files[i], ...printed[i] });
  });

  it.each([0, 1, 2])('certificate %i: basic constraints as openssl -text states them', (i) => {
    const m = /X509v3 Basic Constraints:.*\n\s*(.*)/.exec(opensslText[i]);
    const want = m ? { ca: /CA:TRUE/.test(m[1]), ...(/pathlen:(\d+)/.test(m[1]) ? { pathLength: Number(/pathlen:(\d+)/.exec(m[1])![1]) } : {}) } : 'absent';
    expect(cert(i).facts.basicConstraints).toEqual(want);
  });

  it('the expired CA, the v1 and the DSA root have the facts policy rules look at', () => {
    const now = Date.now();
    const expired = cert(0).facts;
    expect(expired.notAfter.getTime()).toBeLessThan(now);
    expect(expired).toMatchObject({ isCa: true, version: 3, selfIssued: true, subjectCommonName: 'Expired Root' });
    expect(expired.selfSigned).toBe(true);
    const v1 = cert(1).facts;
    expect(v1).toMatchObject({ version: 1, basicConstraints: 'absent', isCa: false });
    expect(v1.notAfter.toISOString()).toBe('2055-01-01T12:00:00.000Z');
    const dsa = cert(2).facts;
    expect(dsa).toMatchObject({ keyAlgorithm: 'DSA', keySize: 2048, signatureAlgorithm: 'SHA256withDSA', isCa: true });
    expect(dsa.selfSigned).toBe(true);
  });
});
