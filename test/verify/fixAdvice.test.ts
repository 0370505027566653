/**
 * verify's Fix made actionable: the root the server does not send is found on this machine (by
 * name, key identifier and signature — a name-alike with another key is not offered) and offered
 * pinned by SHA-256, `--write-desired` declares it, and the store after apply is then trusted;
 * a server that sends no intermediate gets the server-side fix first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { PROFILE, startTlsServer, TestPki, type TlsServer } from './testPki';

const dir = tempDir('mt-fix-');
const pki = new TestPki(path.join(dir, 'pki'));
const bundles = path.join(dir, 'os-certs');
const servers: TlsServer[] = [];
let noRoot: string;
let leafOnly: string;

needs('openssl').describe('verify: the missing CA found on this machine, and the server-side fix', () => {
  beforeAll(async () => {
    pki.issue('root', { subject: '/CN=Fix Root CA', issuer: 'self', ext: PROFILE.root });
    pki.issue('decoy', { subject: '/CN=Fix Root CA', issuer: 'self', ext: PROFILE.root });
    pki.issue('other', { subject: '/CN=Fix Other Root', issuer: 'self', ext: PROFILE.root });
    pki.issue('inter', { subject: '/CN=Fix Issuing CA', issuer: 'root', ext: PROFILE.intermediate });
    pki.issue('leaf', { subject: '/CN=localhost', issuer: 'inter', ext: PROFILE.server() });
    fs.mkdirSync(bundles);
    fs.writeFileSync(path.join(bundles, 'Decoy_Root.pem'), pki.pem('decoy'));
    fs.writeFileSync(path.join(bundles, 'Fix_Root_CA.pem'), pki.pem('root'));
    fs.writeFileSync(path.join(dir, 'store.jks'), writeKeystore({ type: 'JKS', integrity: 'verified', entries: [{ alias: 'other', kind: 'trustedCertificate', timestamp: 0, certificates: [pki.der('other')] }] }, 'changeit'));
    fs.writeFileSync(path.join(dir, 'desired.yaml'), 'keystore:\n  path: ./store.jks\n  password: { env: MT_PW }\ncertificates: []\n');
    servers.push(await startTlsServer(pki, 'leaf', ['inter']), await startTlsServer(pki, 'leaf', []));
    noRoot = `https://localhost:${servers[0].port}`;
    leafOnly = `https://localhost:${servers[1].port}`;
  }, 60_000);
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  const env = (): Record<string, string> => ({ MT_PW: 'changeit', MIDTRUST_CA_SEARCH: `${bundles}/*.pem`, PATH: process.env.PATH ?? '/usr/bin:/bin' });

  it('ROOT_NOT_TRUSTED: the root is found in the OS bundle and offered pinned; the name-alike is not; the issuer key id is printed', async () => {
    const rootSha = sha256Hex(pki.der('root'));
    const j = await midtrust(['verify', '--target', noRoot, '--keystore', 'store.jks', '--storepass-env', 'MT_PW', '--json'], { env: env(), cwd: dir });
    expect(j.code).toBe(2);
    const json = JSON.parse(j.stdout) as { suggest: { subject: string; sha256?: string; reason: string }[] };
    expect(json.suggest[0]).toEqual({ subject: 'CN=Fix Root CA', sha256: rootSha, reason: `found on this machine in ${path.join(bundles, 'Fix_Root_CA.pem')}: add this CA, pinned by its SHA-256` });
    expect(json.suggest.some((s) => s.sha256 === sha256Hex(pki.der('decoy')))).toBe(false);
    const t = await midtrust(['verify', '--target', noRoot, '--keystore', 'store.jks', '--storepass-env', 'MT_PW'], { env: env(), cwd: dir });
    expect(t.stdout.replace(/\n\s+/g, ' ')).toContain(`Fix: - found on this machine in ${path.join(bundles, 'Fix_Root_CA.pem')}: add this CA, pinned by its SHA-256: CN=Fix Root CA sha256 ${rootSha}`);
    expect(t.stdout.replace(/\n\s+/g, ' ')).toMatch(/the missing issuer's key identifier \(the server certificate's authority key id\): ([0-9a-f]{2}:)+[0-9a-f]{2}/);
    expect(t.stdout).toContain(`--sha256 ${rootSha}`);
  });

  it('--write-desired declares the found root pinned by its SHA-256; after apply the endpoint is trusted', async () => {
    const rootSha = sha256Hex(pki.der('root'));
    const w = await midtrust(['verify', '--target', noRoot, '-f', 'desired.yaml', '--write-desired', 'desired.yaml', '--alias', 'fix-root', '--sha256', rootSha], { env: env(), cwd: dir });
    expect(w.stdout).toMatch(/Added fix-root \(CN=Fix Root CA\) to .*desired\.yaml,\npinned to sha256/);
    expect(fs.readFileSync(path.join(dir, 'desired.yaml'), 'utf8')).toContain(rootSha);
    const after = await midtrust(['verify', '--target', noRoot, '-f', 'desired.yaml'], { env: env(), cwd: dir });
    expect(after.code).toBe(0);
  });

  it('ISSUER_NOT_SENT: the Fix starts with the server-side fix (send the intermediate)', async () => {
    const t = await midtrust(['verify', '--target', leafOnly, '--keystore', 'store.jks', '--storepass-env', 'MT_PW'], { env: env(), cwd: dir });
    expect(t.code).toBe(2);
    expect(t.stdout).toMatch(/ISSUER_NOT_SENT/);
    expect(t.stdout.replace(/\n\s+/g, ' ')).toMatch(/Fix: - on the server \(the fix that works for every client\): configure it to send its intermediate CA certificate\(s\)/);
  });

  it('--after-upgrade: a CA trusted now that the strategy drops is named, with the strategy/restore/external-truststore fix', async () => {
    const home = path.join(dir, 'mid');
    const security = path.join(home, 'agent', 'jre', 'lib', 'security');
    fs.mkdirSync(security, { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters>\n  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n</parameters>\n');
    fs.writeFileSync(path.join(security, 'cacerts'), writeKeystore({ type: 'JKS', integrity: 'verified', entries: [{ alias: 'fix-root', kind: 'trustedCertificate', timestamp: 0, certificates: [pki.der('root')] }] }, 'changeit'));
    fs.writeFileSync(path.join(dir, 'incoming.jks'), writeKeystore({ type: 'JKS', integrity: 'verified', entries: [{ alias: 'other [jdk]', kind: 'trustedCertificate', timestamp: 0, certificates: [pki.der('other')] }] }, 'changeit'));
    const now = await midtrust(['verify', '--target', noRoot, '--mid-home', home, '--storepass-env', 'MT_PW'], { env: env(), cwd: dir });
    expect(now.code).toBe(0);
    const j = await midtrust(['verify', '--target', noRoot, '--mid-home', home, '--after-upgrade', '--incoming', 'incoming.jks', '--storepass-env', 'MT_PW', '--json'], { env: env(), cwd: dir });
    expect(j.code).toBe(2);
    const suggest = (JSON.parse(j.stdout) as { suggest: { subject: string; sha256?: string; reason: string }[] }).suggest;
    expect(suggest[0]).toEqual({
      subject: 'CN=Fix Root CA',
      sha256: sha256Hex(pki.der('root')),
      reason: expect.stringMatching(/^trusted now as fix-root, but .*migrate_non_ca.* drops it at the upgrade: keep it with migrate_delta or an external truststore outside the MID home, or put it back right after the upgrade \(midtrust restore, or re-apply the desired state\)$/),
    });
    // Not "get it from the CA": it is already here.
    expect(suggest.some((s) => /get it from the CA/.test(s.reason))).toBe(false);
  });

  it('--write-desired --ca-file: the CA the user brings is checked against the chain — a name-alike is refused, the real root added', async () => {
    fs.writeFileSync(path.join(dir, 'ca-desired.yaml'), 'keystore:\n  path: ./store.jks\n  password: { env: MT_PW }\ncertificates: []\n');
    fs.writeFileSync(path.join(dir, 'decoy.pem'), pki.pem('decoy'));
    fs.writeFileSync(path.join(dir, 'root.pem'), pki.pem('root'));
    const run = (caFile: string) =>
      midtrust(['verify', '--target', noRoot, '-f', 'ca-desired.yaml', '--write-desired', 'ca-desired.yaml', '--alias', 'brought-root', '--ca-file', caFile, '--yes'], { env: { ...env(), MIDTRUST_CA_SEARCH: path.join(dir, 'nothing-here') }, cwd: dir });
    const refused = await run('decoy.pem');
    expect(refused.stderr).toMatch(/--ca-file .*decoy\.pem: CN=Fix Root CA did not issue any certificate the server presented .*nothing was written/);
    expect(fs.readFileSync(path.join(dir, 'ca-desired.yaml'), 'utf8')).not.toContain('brought-root');
    const added = await run('root.pem');
    expect(added.stdout).toMatch(/Added brought-root \(CN=Fix Root CA\)/);
    expect(fs.readFileSync(path.join(dir, 'ca-desired.yaml'), 'utf8')).toContain(sha256Hex(pki.der('root')));
    expect((await midtrust(['verify', '--target', noRoot, '-f', 'ca-desired.yaml'], { env: env(), cwd: dir })).code).toBe(0);
  });
});
