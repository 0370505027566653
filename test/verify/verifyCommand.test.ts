/**
 * The `midtrust verify` door: exit codes, the JSON contract, what a person reads, errors that are
 * never verdicts, `--write-desired` (never silent trust-on-first-use), the TLS 1.2 path, the
 * MID's external truststore. Verdicts themselves are checked against the JVM in jvmOracle.test.ts.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { freePort } from '../../bench/benchUtil';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { PROFILE, startTlsServer, TestPki, type TlsServer } from './testPki';

const env = { MT_PW: 'changeit', PATH: process.env.PATH ?? '/usr/bin:/bin' };
const dir = tempDir('mt-verify-cli-');
const pki = new TestPki(path.join(dir, 'pki'));
let full: TlsServer;
let withRoot: TlsServer;
let tls12: TlsServer;
let rootStore: string;
let otherStore: string;

function jks(name: string, entries: Array<[string, string]>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, writeKeystore({ type: 'JKS', integrity: 'verified', entries: entries.map(([alias, c]) => ({ alias, kind: 'trustedCertificate' as const, timestamp: 0, certificates: [pki.der(c)] })) }, 'changeit'));
  return file;
}

beforeAll(async () => {
  pki.issue('root', { subject: '/CN=CLI Root CA', issuer: 'self', ext: PROFILE.root });
  pki.issue('other', { subject: '/CN=CLI Other Root', issuer: 'self', ext: PROFILE.root });
  pki.issue('inter', { subject: '/CN=CLI Issuing CA', issuer: 'root', ext: PROFILE.intermediate });
  pki.issue('leaf', { subject: '/CN=localhost', issuer: 'inter', ext: PROFILE.server() });
  rootStore = jks('root.jks', [['cli-root', 'root']]);
  otherStore = jks('other.jks', [['cli-other', 'other']]);
  [full, withRoot, tls12] = await Promise.all([startTlsServer(pki, 'leaf', ['inter']), startTlsServer(pki, 'leaf', ['inter', 'root']), startTlsServer(pki, 'leaf', ['inter'], { tls12: true })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([full, withRoot, tls12].filter(Boolean).map((s) => s.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const verify = (args: string[]) => midtrust(['verify', ...args], { env, cwd: dir });

describe('midtrust verify: exit codes and the JSON contract', () => {
  it('trusted: exit 0, anchor, presented as sent, no problems', async () => {
    const r = await verify(['--target', `https://localhost:${full.port}`, '--keystore', rootStore, '--storepass-env', 'MT_PW', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['target', 'trusted', 'anchor', 'presented', 'problems', 'suggest', 'store']);
    expect(j).toMatchObject({ target: `https://localhost:${full.port}`, trusted: true, anchor: { alias: 'cli-root', sha256: pki.sha256('root') }, problems: [], suggest: [] });
    expect(j.presented.map((p: { sha256: string }) => p.sha256)).toEqual([pki.sha256('leaf'), pki.sha256('inter')]);
    expect(Object.keys(j.presented[0])).toEqual(['subject', 'issuer', 'sha256', 'notBefore', 'notAfter']);
    expect(j.presented[1]).toMatchObject({ subject: 'CN=CLI Issuing CA', issuer: 'CN=CLI Root CA' });
  });

  it('not trusted: exit 2, anchor null, the problem and the CA to add (with its fingerprint when presented)', async () => {
    const r = await verify(['--target', `localhost:${withRoot.port}`, '--keystore', otherStore, '--storepass-env', 'MT_PW', '--json']);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout);
    expect(j.anchor).toBeNull();
    expect(j.problems.map((p: { code: string }) => p.code)).toEqual(['ROOT_NOT_TRUSTED']);
    expect(j.suggest).toEqual([{ subject: 'CN=CLI Root CA', sha256: pki.sha256('root'), reason: expect.stringMatching(/add this root CA/) }]);
  });

  it('the same chain over TLS 1.2 (plaintext Certificate message) is read the same', async () => {
    const r = await verify(['--target', `localhost:${tls12.port}`, '--keystore', rootStore, '--storepass-env', 'MT_PW', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).presented.map((p: { sha256: string }) => p.sha256)).toEqual([pki.sha256('leaf'), pki.sha256('inter')]);
  });

  it('for a person: verdict, path to the anchor alias, presented chain, fix; a bare host:port says the name was not checked', async () => {
    const ok = await verify(['--target', `https://localhost:${full.port}`, '--keystore', rootStore, '--storepass-env', 'MT_PW']);
    expect(ok.stdout).toMatch(/^Verdict {2}TRUSTED$/m);
    expect(ok.stdout).toMatch(/^Path {5}CN=localhost → CN=CLI Issuing CA → \[cli-root\] CN=CLI Root CA$/m);
    expect(ok.stdout).toMatch(/^Name {5}localhost matches the server certificate \(HTTPS check\)$/m);
    const bad = await verify(['--target', `127.0.0.1:${full.port}`, '--keystore', otherStore, '--storepass-env', 'MT_PW']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/^Verdict {2}NOT TRUSTED — in the MID log: "PKIX path building failed"$/m);
    expect(bad.stdout).toMatch(/^Name {5}not checked: a bare host:port/m);
    expect(bad.stdout).toMatch(/^Fix:$/m);
    expect(bad.stdout).toMatch(/CN=CLI Root CA {2}\(not sent by the server: get it from the CA\)/);
    expect(bad.stdout).toContain(`sha256 ${pki.sha256('inter')}`);
    for (const line of bad.stdout.split('\n').filter((l) => /^(Verdict|Path|Name|Target|Store) /.test(l))) expect(line).not.toMatch(/undefined|\[object/);
  });
});

describe('midtrust verify: errors are never verdicts (exit 1)', () => {
  it('an unreachable target', async () => {
    const closed = await freePort();
    const r = await verify(['--target', `127.0.0.1:${closed}`, '--keystore', rootStore, '--storepass-env', 'MT_PW', '--json']);
    expect(r.code).toBe(1);
    // Under --json an error is a JSON object on stdout, never a verdict (docs: the CLI's --json errors).
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'IO', message: expect.stringMatching(/cannot connect to 127\.0\.0\.1:\d+: connection refused/) } });
    expect(r.stdout).not.toMatch(/"trusted"/);
  });

  it('a port that does not speak TLS (plain HTTP): said in words, on one line, never a verdict', async () => {
    const sockets = new Set<net.Socket>();
    const http = net.createServer((c) => {
      sockets.add(c);
      c.on('error', () => undefined);
      c.once('data', () => c.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const port = (http.address() as net.AddressInfo).port;
      const r = await verify(['--target', `https://localhost:${port}`, '--keystore', rootStore, '--storepass-env', 'MT_PW']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/did not answer with TLS \(plain HTTP or another protocol on this port\?\)/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/deps\/openssl|0A00010B/);
    } finally {
      for (const c of sockets) c.destroy();
      await new Promise((r) => http.close(r));
    }
  });

  it('a store with the wrong password, a missing store, a bad target, no mode', async () => {
    const wrong = await midtrust(['verify', '--target', `localhost:${full.port}`, '--keystore', rootStore, '--storepass-env', 'MT_PW'], { env: { ...env, MT_PW: 'nope' }, cwd: dir });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/root\.jks.*(password|tampered)/i);
    expect((await verify(['--target', `localhost:${full.port}`, '--keystore', 'missing.jks'])).stderr).toMatch(/missing\.jks: does not exist/);
    expect((await verify(['--target', 'ftp://x:21', '--keystore', rootStore])).stderr).toMatch(/the scheme ftp:\/\/ is not one midtrust can check/);
    expect((await verify(['--target', 'host-without-port', '--keystore', rootStore])).stderr).toMatch(/needs a port/);
    const none = await verify(['--target', `localhost:${full.port}`]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/exactly one of --keystore/);
  });
});

describe('midtrust verify --write-desired: only what the server presented, only once confirmed', () => {
  const desiredText = `# The truststore of the lab MID\nkeystore:\n  path: ./other.jks # the store\n  password: { env: MT_PW }\ncertificates:\n  # the old root\n  - alias: cli-other\n    file: other.pem\n`;
  const setup = (): string => {
    fs.writeFileSync(path.join(dir, 'other.pem'), pki.pem('other'));
    const f = path.join(dir, 'desired.yaml');
    fs.writeFileSync(f, desiredText);
    return f;
  };
  const args = (f: string, extra: string[]) => ['--target', `localhost:${withRoot.port}`, '-f', f, '--write-desired', f, '--alias', 'cli-root', ...extra];

  it('without --sha256 or --yes: shows the fingerprint and writes nothing', async () => {
    const f = setup();
    const r = await verify(args(f, []));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`sha256 ${pki.sha256('root')}`);
    expect(r.stderr).toMatch(/--sha256 .* \(or --yes/);
    expect(fs.readFileSync(f, 'utf8')).toBe(desiredText);
  });

  it('a different --sha256 than presented: refused, nothing written', async () => {
    const f = setup();
    const r = await verify(args(f, ['--sha256', pki.sha256('other')]));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not the expected/);
    expect(fs.readFileSync(f, 'utf8')).toBe(desiredText);
  });

  it('with the confirmed fingerprint: appended with its pin, comments kept; verify -f then says trusted; an alias twice is refused', async () => {
    const f = setup();
    const colons = pki.sha256('root').toUpperCase().match(/../g)!.join(':');
    const r = await verify(args(f, ['--sha256', colons]));
    expect(r.code).toBe(2); // the verdict of this run: not trusted yet
    expect(r.stdout).toMatch(/Added cli-root \(CN=CLI Root CA\) to .*desired\.yaml,\npinned to sha256 [0-9a-f]{64}\./);
    const text = fs.readFileSync(f, 'utf8');
    expect(text.startsWith(desiredText.trimEnd())).toBe(true);
    expect(text).toContain('# the old root');
    expect(text).toContain('path: ./other.jks # the store');
    expect(text).toMatch(/# added by midtrust verify: CN=CLI Root CA, presented by localhost:\d+ on \d{4}-\d\d-\d\d \(fingerprint confirmed\)\n {2}- alias: cli-root\n {4}sha256: [0-9a-f]{64}\n {4}pem: \|\n {6}-----BEGIN CERTIFICATE-----/);
    const after = await verify(['--target', `localhost:${withRoot.port}`, '-f', f, '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).anchor).toEqual({ alias: 'cli-root', sha256: pki.sha256('root') });
    expect((await verify(args(f, ['--yes']))).stdout).toMatch(/already trusted; nothing added/);
    const again = await verify(['--target', `localhost:${withRoot.port}`, '--keystore', otherStore, '--storepass-env', 'MT_PW', '--write-desired', f, '--alias', 'CLI-ROOT', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already declares the alias cli-root/);
  });

  it('a pinned certificate file that does not match its sha256 is refused when the desired state loads', async () => {
    const f = path.join(dir, 'pinned.yaml');
    fs.writeFileSync(f, `keystore:\n  path: ./other.jks\n  password: { env: MT_PW }\ncertificates:\n  - alias: cli-other\n    file: other.pem\n    sha256: ${pki.sha256('root')}\n`);
    const r = await midtrust(['plan', '-f', f], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pinned\.yaml:\d+: certificates\[0\]\.sha256: alias cli-other: other\.pem holds the certificate with sha256 [0-9a-f]{64}, not the pinned/);
  });
});

describe('midtrust verify --mid-home', () => {
  it('judges the external truststore wrapper-override.conf points the JVM at, not cacerts', async () => {
    const home = path.join(dir, 'mid');
    fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.mkdirSync(path.join(home, 'agent', 'conf'), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
    fs.copyFileSync(otherStore, path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'));
    const r1 = await verify(['--target', `localhost:${full.port}`, '--mid-home', home, '--json']);
    expect(r1.code).toBe(2);
    fs.writeFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), `wrapper.java.additional.1=-Djavax.net.ssl.trustStore=${rootStore}\nwrapper.java.additional.2=-Djavax.net.ssl.trustStorePassword=changeit\n`);
    const r2 = await verify(['--target', `localhost:${full.port}`, '--mid-home', home]);
    expect(r2.code).toBe(0);
    expect(r2.stdout.replace(/\n {9}/g, ' ')).toMatch(/^Store {4}.*root\.jks \(external truststore wired in .*wrapper-override\.conf line \d+\)$/m);
    expect(r2.stdout).not.toContain('changeit');
  });
});

describe('midtrust verify --mid-home: the bundled JRE\'s own rules', () => {
  // The jdkCA condition ("SHA1 jdkCA & usage TLSServer") holds when the anchor is one of the roots
  // the JRE ships: an alias containing " [jdk" in <java.home>/lib/security/cacerts — for a MID, its
  // own cacerts. A real JVM cannot be given such a root without replacing its installed cacerts, so
  // this follows the JDK's AnchorCertificates source (see algorithmConstraints.test.ts).
  let sha1Server: TlsServer;
  const home = (name: string, alias: string, javaSecurity?: string): string => {
    const h = path.join(dir, name);
    fs.mkdirSync(path.join(h, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.writeFileSync(path.join(h, 'agent', 'config.xml'), '<parameters/>\n');
    fs.writeFileSync(path.join(h, 'agent', 'jre', 'lib', 'security', 'cacerts'), writeKeystore({ type: 'JKS', integrity: 'verified', entries: [{ alias, kind: 'trustedCertificate', timestamp: 0, certificates: [pki.der('rsa-root')] }] }, 'changeit'));
    if (javaSecurity) {
      fs.mkdirSync(path.join(h, 'agent', 'jre', 'conf', 'security'), { recursive: true });
      fs.writeFileSync(path.join(h, 'agent', 'jre', 'conf', 'security', 'java.security'), javaSecurity);
    }
    return h;
  };
  beforeAll(async () => {
    pki.issue('rsa-root', { subject: '/CN=CLI RSA Root', issuer: 'self', ext: PROFILE.root, keySpec: 'rsa:2048' });
    pki.issue('sha1-inter', { subject: '/CN=CLI SHA1 CA', issuer: 'rsa-root', ext: PROFILE.intermediate, md: 'sha1' });
    pki.issue('sha1-leaf', { subject: '/CN=localhost', issuer: 'sha1-inter', ext: PROFILE.server() });
    sha1Server = await startTlsServer(pki, 'sha1-leaf', ['sha1-inter']);
  }, 30_000);
  afterAll(() => sha1Server?.stop());

  it('a SHA-1 intermediate under a root the JRE ships ([jdk] alias) is refused; under a private root it is not', async () => {
    const shipped = await verify(['--target', `localhost:${sha1Server.port}`, '--mid-home', home('mid-jdkca', 'clirsaroot [jdk]'), '--json']);
    expect(shipped.code).toBe(2);
    expect(JSON.parse(shipped.stdout).problems).toEqual([{ code: 'DISABLED_ALGORITHM', message: expect.stringMatching(/SHA1withRSA is disabled by jdk\.certpath\.disabledAlgorithms: "SHA1 jdkCA & usage TLSServer"/) }]);
    expect((await verify(['--target', `localhost:${sha1Server.port}`, '--mid-home', home('mid-private', 'cli-rsa-root')])).code).toBe(0);
  });

  it('reads the MID JRE\'s java.security rather than this machine\'s', async () => {
    const r = await verify(['--target', `localhost:${sha1Server.port}`, '--mid-home', home('mid-lenient', 'clirsaroot [jdk]', 'jdk.certpath.disabledAlgorithms=MD2, MD5\n')]);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/JDK rules: \S*mid-lenient\/agent\/jre\/conf\/security\/java\.security /);
  });
});
