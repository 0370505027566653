/**
 * `endpoints:` in a desired-state file and the one rule behind them: plan (after apply), lint,
 * audit --endpoint, upgrade-preview (breaks at the upgrade) and the CrossGuard policy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { midtrustPolicies, TYPES } from '../../policy/midtrustPolicies';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { freePort } from '../../bench/benchUtil';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { PROFILE, startTlsServer, TestPki, type TlsServer } from './testPki';

const dir = tempDir('mt-endpoints-');
const pki = new TestPki(path.join(dir, 'pki'));
const env = { MT_PW: 'changeit', PATH: process.env.PATH ?? '/usr/bin:/bin' };
let server: TlsServer;
let target: string;
let unreachable: string;

function jks(file: string, certs: string[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, writeKeystore({ type: 'JKS', integrity: 'verified', entries: certs.map((c) => ({ alias: c, kind: 'trustedCertificate' as const, timestamp: 0, certificates: [pki.der(c)] })) }, 'changeit'));
  return file;
}

function desired(name: string, certs: string[], endpoints: string[]): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `keystore:\n  path: ./current.jks\n  password: { env: MT_PW }\ncertificates:\n${certs.map((c) => `  - alias: ${c}\n    file: ${c}.pem\n`).join('')}endpoints:\n${endpoints.map((e) => `  - ${e}\n`).join('')}`);
  return f;
}

beforeAll(async () => {
  pki.issue('root', { subject: '/CN=Endpoint Root CA', issuer: 'self', ext: PROFILE.root });
  pki.issue('other', { subject: '/CN=Endpoint Other Root', issuer: 'self', ext: PROFILE.root });
  pki.issue('inter', { subject: '/CN=Endpoint Issuing CA', issuer: 'root', ext: PROFILE.intermediate });
  pki.issue('leaf', { subject: '/CN=localhost', issuer: 'inter', ext: PROFILE.server() });
  for (const c of ['root', 'other']) fs.writeFileSync(path.join(dir, `${c}.pem`), pki.pem(c));
  jks(path.join(dir, 'current.jks'), ['other']);
  server = await startTlsServer(pki, 'leaf', ['inter']);
  target = `https://localhost:${server.port}`;
  const closed = await freePort();
  unreachable = `127.0.0.1:${closed}`;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('endpoints: in the desired state', () => {
  it('plan judges them against the store as apply will leave it; an unreachable one is "not checked" (exit stays the plan\'s), one not trusted makes plan exit 1 as lint does', async () => {
    const good = desired('good.yaml', ['root'], [target, unreachable]);
    const r = await midtrust(['plan', '-f', good], { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout.replace(/\n {6}/g, ' ')).toMatch(new RegExp(`^Endpoints after apply:\\n {2}✓ ${target.replace(/[/.]/g, '\\$&')}: trusted after apply\\n {2}\\? ${unreachable}: not checked \\(.*connection refused`, 'm'));
    const before = fs.readFileSync(path.join(dir, 'current.jks'));
    const bad = desired('bad.yaml', ['other'], [target]);
    const j = await midtrust(['plan', '-f', bad, '--json'], { env, cwd: dir });
    expect(j.code).toBe(1);
    expect(j.stderr).toBe('');
    const t = await midtrust(['plan', '-f', bad], { env, cwd: dir });
    expect(t.code).toBe(1);
    expect(t.stderr).toBe('midtrust plan: 1 declared endpoint(s) would not be trusted after apply (endpoint-not-trusted, as lint reports it; see "Endpoints after apply")\n');
    const lint = await midtrust(['lint', '-f', bad], { env, cwd: dir });
    expect(lint.code).toBe(1);
    expect(lint.stdout).toMatch(/endpoint-not-trusted/);
    expect(JSON.parse(j.stdout).endpoints).toEqual([{ target, when: 'after apply', trusted: false, problems: [expect.objectContaining({ code: 'ROOT_NOT_TRUSTED' })], suggest: expect.any(Array) }]);
    expect(fs.readFileSync(path.join(dir, 'current.jks')).equals(before)).toBe(true); // plan writes nothing
  });

  it('the schema refuses an endpoint that is not one', async () => {
    const f = path.join(dir, 'wrong.yaml');
    fs.writeFileSync(f, 'keystore:\n  path: ./current.jks\ncertificates: []\nendpoints:\n  - ftp://x\n');
    const r = await midtrust(['plan', '-f', f], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong\.yaml:5: endpoints\[0\]: an endpoint is host:port/);
    fs.writeFileSync(f, 'keystore:\n  path: ./current.jks\ncertificates: []\nendpoints:\n  - proxy:8443\n  - proxy:99999\n');
    expect((await midtrust(['plan', '-f', f], { env, cwd: dir })).stderr).toMatch(/wrong\.yaml:6: endpoints\[1\]: target 'proxy:99999': port 99999 is out of range/);
  });

  it('lint: endpoint-not-trusted is an error with the fix; an unreachable endpoint is a warning, never a pass', async () => {
    const r = await midtrust(['lint', '-f', desired('bad-lint.yaml', ['other'], [target]), '--json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout).violations.find((x: { rule: string }) => x.rule === 'endpoint-not-trusted');
    expect(v).toMatchObject({ severity: 'error', message: expect.stringMatching(/will not be trusted after apply with .*current\.jks: the chain the server sends ends at CN=Endpoint Issuing CA/), remediation: expect.stringMatching(/add this root CA .*CN=Endpoint Root CA/) });
    const u = await midtrust(['lint', '-f', desired('unreachable.yaml', ['root'], [unreachable]), '--json'], { env, cwd: dir });
    expect(u.code).toBe(0);
    expect(JSON.parse(u.stdout).violations.map((x: { rule: string; severity: string }) => `${x.rule}:${x.severity}`)).toContain('endpoint-unreachable:warning');
  });

  it('audit --endpoint judges the live store', async () => {
    const r = await midtrust(['audit', path.join(dir, 'current.jks'), '--storepass-env', 'MT_PW', '--endpoint', target, '--json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations.map((x: { rule: string }) => x.rule)).toContain('endpoint-not-trusted');
  });

  it('upgrade-preview --endpoint: the endpoint the upgrade breaks (private root lost under migrate_non_ca)', async () => {
    const home = path.join(dir, 'mid');
    jks(path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'), ['root', 'other']);
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters>\n  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n</parameters>\n');
    const incoming = jks(path.join(dir, 'incoming.jks'), ['other']);
    const r = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', incoming, '--storepass-env', 'MT_PW', '--endpoint', target], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`✗ BREAKS ${target.replace(/[/.]/g, '\\$&')}: trusted → NOT trusted`));
    const j = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', incoming, '--storepass-env', 'MT_PW', '--endpoint', target, '--json'], { env, cwd: dir });
    expect(JSON.parse(j.stdout).endpoints).toEqual([expect.objectContaining({ target, breaks: true, now: expect.objectContaining({ trusted: true }), afterUpgrade: expect.objectContaining({ trusted: false }) })]);
  });
});

describe('the CrossGuard policy over the same rule', () => {
  const policy = midtrustPolicies.find((p) => p.name === 'midtrust-endpoint-not-trusted') as StackValidationPolicy;
  const run = async (certificates: string[], config: Record<string, unknown>): Promise<string[]> => {
    const out: string[] = [];
    const resources = [{ type: TYPES.truststore, urn: 'urn:0', name: 'ts', props: { keystorePath: '/opt/mid/agent/jre/lib/security/cacerts', exclusive: true, certificates: certificates.map((c) => ({ alias: c, certificatePem: pki.pem(c) })) } }];
    const args = { resources: resources as unknown as PolicyResource[], getConfig: () => config } as unknown as StackValidationArgs;
    await policy.validateStack(args, (message: string) => out.push(message));
    return out;
  };
  it('reports a configured endpoint the declared certificates do not make trusted; passes when they do', async () => {
    expect(await run(['other'], { endpoints: [{ target }] })).toEqual([expect.stringMatching(/will not be trusted after this update with the certificates for \/opt\/mid\/.*cacerts: .*\. add this root CA/)]);
    expect(await run(['root'], { endpoints: [{ target }] })).toEqual([]);
    expect(await run(['root'], {})).toEqual([]);
  });
});
