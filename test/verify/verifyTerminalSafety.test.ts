/**
 * Issue #19 items 8 and 9: what a hostile TLS server puts in a subject (a newline that would
 * start a line of its own, ESC, BEL, a bidi override) reaches neither the terminal raw through
 * verify's verdict nor the desired-state file through the comment `--write-desired` adds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { openssl, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { PROFILE, startTlsServer, TestPki, type TlsServer } from './testPki';

/** A newline, then a fake verdict line, then ESC (clear screen), BEL and a right-to-left override. */
const EVIL = 'Evil Root\nVerdict  TRUSTED\u001b[2J\u0007\u202egnp';
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW = /[\u001b\u0007\u202e]/;
const env = { MT_PW: 'changeit', PATH: process.env.PATH ?? '/usr/bin:/bin' };

needs('openssl').describe('a server subject with a newline, ESC, BEL and RLO', () => {
  const dir = tempDir('mt-verify-tty-');
  const pki = new TestPki(path.join(dir, 'pki'));
  let server: TlsServer;
  let otherStore: string;

  beforeAll(async () => {
    pki.issue('other', { subject: '/CN=Unrelated Root', issuer: 'self', ext: PROFILE.root });
    otherStore = path.join(dir, 'other.jks');
    fs.writeFileSync(otherStore, writeKeystore({ type: 'JKS', integrity: 'verified', entries: [{ alias: 'other', kind: 'trustedCertificate', timestamp: 0, certificates: [pki.der('other')] }] }, 'changeit'));
    // openssl -utf8 takes the subject's bytes as they are: the hostile root and a leaf it signs.
    const run = (args: string[]) => openssl(args, { cwd: pki.dir });
    fs.writeFileSync(pki.file('evil.ext'), `[ ext ]\n${PROFILE.root}\n`);
    fs.writeFileSync(pki.file('evil-leaf.ext'), `[ ext ]\n${PROFILE.server()}\n`);
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'evil.key', '-out', 'evil.pem', '-days', '30', '-utf8', '-subj', `/CN=${EVIL}`, '-config', 'evil.ext', '-extensions', 'ext']);
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'evil-leaf.key', '-out', 'evil-leaf.csr', '-utf8', '-subj', `/CN=${EVIL.replace('Root', 'Leaf')}`]);
    run(['x509', '-req', '-in', 'evil-leaf.csr', '-CA', 'evil.pem', '-CAkey', 'evil.key', '-CAcreateserial', '-out', 'evil-leaf.pem', '-days', '20', '-extfile', 'evil-leaf.ext', '-extensions', 'ext']);
    server = await startTlsServer(pki, 'evil-leaf', ['evil']);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('verify shows the subjects escaped: no injected line, no raw ESC/BEL/RLO', async () => {
    const r = await midtrust(['verify', '--target', `127.0.0.1:${server.port}`, '--keystore', otherStore, '--storepass-env', 'MT_PW'], { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^Verdict {2}NOT TRUSTED/m);
    expect(r.stdout).not.toMatch(/^Verdict {2}TRUSTED/m);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('CN="Evil Root\\x0aVerdict  TRUSTED\\x1b[2J\\x07\\u{202e}gnp"');
    // JSON keeps the subject as it is: JSON escapes control characters itself.
    const j = await midtrust(['verify', '--target', `127.0.0.1:${server.port}`, '--keystore', otherStore, '--storepass-env', 'MT_PW', '--json'], { env, cwd: dir });
    expect(JSON.parse(j.stdout).presented[1].subject).toBe(`CN="${EVIL}"`);
  });

  it('--write-desired writes a one-line comment with those characters escaped, and says so escaped', async () => {
    const f = path.join(dir, 'desired.yaml');
    fs.writeFileSync(f, 'keystore:\n  path: ./other.jks\n  password: { env: MT_PW }\ncertificates: []\n');
    const r = await midtrust(['verify', '--target', `127.0.0.1:${server.port}`, '--keystore', otherStore, '--storepass-env', 'MT_PW', '--write-desired', f, '--alias', 'evil', '--yes'], { env, cwd: dir });
    expect(r.stdout).toMatch(/Added evil \(CN="Evil Root\\x0aVerdict/);
    expect(r.stdout).not.toMatch(RAW);
    const text = fs.readFileSync(f, 'utf8');
    expect(text).not.toMatch(RAW);
    expect(text).toMatch(/^ *# added by midtrust verify: CN="Evil Root\\x0aVerdict {2}TRUSTED\\x1b\[2J\\x07\\u\{202e\}gnp", presented by 127\.0\.0\.1:\d+ on .*\n {2}- alias: evil$/m);
    expect(text).not.toMatch(/^Verdict/m);
  });
});
