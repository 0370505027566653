import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { env, makeCertificateSet, makeStore } from '../cli/applyFixtures';

needs('sshd').describe('fleet plan/apply over SSH with an inventory', () => {
  const servers: TestSshd[] = [];
  const certs = makeCertificateSet(6);
  const dir = tempDir('mt-fleet-');
  const homes: string[] = [];
  const inventory = (withBroken: boolean) => {
    const lines = servers.map((s, i) => `  - name: mid-${i}\n    host: 127.0.0.1\n    port: ${s.port}\n    privateKeyFile: ${path.join(s.dir, 'userkey')}\n    hostKeyFingerprint: ${s.hostKeyFingerprint}\n    midHome: ${homes[i]}\n    restartCommand: touch ${path.join(homes[i], 'restarted')}\n`);
    if (withBroken) lines.push(`  - name: mid-down\n    host: 127.0.0.1\n    port: 1\n    privateKeyFile: ${path.join(servers[0].dir, 'userkey')}\n    hostKeyFingerprint: ${servers[0].hostKeyFingerprint}\n    midHome: /opt/mid\n    timeoutSeconds: 2\n`);
    const f = path.join(dir, withBroken ? 'with-broken.yaml' : 'hosts.yaml');
    fs.writeFileSync(f, `defaults:\n  user: root\nhosts:\n${lines.join('')}`);
    return f;
  };
  const desired = (name: string, ids: number[]) => {
    const f = path.join(certs.dir, name);
    fs.writeFileSync(f, `keystore:\n  midHome: /ignored/by/inventory\n  password: { env: MID_STOREPASS }\ncertificates:\n${ids.map((i) => `  - alias: leaf-${i}\n    file: leaf${i}.pem\n`).join('')}`);
    return f;
  };

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      servers.push(await startSshd());
      const home = path.join(dir, `mid${i}`);
      fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
      fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
      makeStore(path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'), 'JKS');
      homes.push(home);
    }
  }, 60_000);
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });
  const cacerts = (i: number) => path.join(homes[i], 'agent', 'jre', 'lib', 'security', 'cacerts');

  it('a failing host does not stop the others; the exit code says it failed', async () => {
    const r = await midtrust(['apply', '-f', desired('a.yaml', [0, 1, 2]), '--inventory', inventory(true), '--parallel', '2'], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/mid-down\s+FAILED/);
    expect(r.stdout).toMatch(/4 host\(s\): 3 ok, 1 failed/);
    expect(r.stderr).toMatch(/\[\d\/4\] mid-0: 3 change\(s\) applied, restarted/);
    for (let i = 0; i < 3; i++) {
      expect(keytoolList(cacerts(i), env.MID_STOREPASS).map((e) => e.alias).sort()).toEqual(['leaf-0', 'leaf-1', 'leaf-2', 'mid-key']);
      expect(fs.existsSync(path.join(homes[i], 'restarted'))).toBe(true);
    }
  }, 60_000);

  it('plan over the fleet: in sync (exit 0); drift on one host shows there (exit 2); restart only where changed', async () => {
    const f = desired('a.yaml', [0, 1, 2]);
    expect((await midtrust(['plan', '-f', f, '--inventory', inventory(false)], { env, cwd: dir })).code).toBe(0);
    for (const h of homes) fs.rmSync(path.join(h, 'restarted'), { force: true });
    const { runKeytool } = await import('../helpers/keytool');
    runKeytool(['-delete', '-alias', 'leaf-1', '-keystore', cacerts(2), '-storepass:env', 'MID_STOREPASS'], { env });
    const plan = await midtrust(['plan', '-f', f, '--inventory', inventory(false), '--json'], { env, cwd: dir });
    expect(plan.code).toBe(2);
    expect(JSON.parse(plan.stdout).hosts.map((h: { name: string; changes: number }) => `${h.name}:${h.changes}`)).toEqual(['mid-0:0', 'mid-1:0', 'mid-2:1']);
    // Each host's store is the one its MID's JVM reads, resolved on that host, named with why.
    expect(JSON.parse(plan.stdout).hosts[2].store).toEqual({ kind: 'bundled', path: cacerts(2), why: expect.stringMatching(/^bundled cacerts \(no trustStore wired in .*wrapper-override\.conf\)$/) });
    expect((await midtrust(['apply', '-f', f, '--inventory', inventory(false)], { env, cwd: dir })).code).toBe(0);
    expect(homes.map((h) => fs.existsSync(path.join(h, 'restarted')))).toEqual([false, false, true]);
  }, 60_000);

  it('two concurrent fleet applies of disjoint sets lose nothing', async () => {
    const inv = inventory(false);
    const [a, b] = await Promise.all([
      midtrust(['apply', '-f', desired('b.yaml', [3, 4]), '--inventory', inv], { env, cwd: dir }),
      midtrust(['apply', '-f', desired('c.yaml', [5]), '--inventory', inv], { env, cwd: dir }),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    for (let i = 0; i < 3; i++) {
      const aliases = keytoolList(cacerts(i), env.MID_STOREPASS).map((e) => e.alias);
      expect(aliases).toEqual(expect.arrayContaining(['leaf-3', 'leaf-4', 'leaf-5', 'leaf-0']));
    }
  }, 60_000);

  // Runs after the applies above, which put the leaf certificates on every host.
  it('audits every host over SSH: findings per host, failing host reported, exit code by --fail-on', async () => {
    const ok = await midtrust(['audit', '--inventory', inventory(false), '--storepass-env', 'MID_STOREPASS', '--json'], { env, cwd: dir });
    expect(ok.code).toBe(0);
    const hosts = JSON.parse(ok.stdout).hosts as Array<{ name: string; ok: boolean; violations: Array<{ rule: string }> }>;
    expect(hosts.map((h) => `${h.name}:${h.ok}`)).toEqual(['mid-0:true', 'mid-1:true', 'mid-2:true']);
    expect(hosts.every((h) => h.violations.every((v) => v.rule !== 'certificate-expiring'))).toBe(true);
    // The fixture leaves expire in 90 days: within a 365-day window they are findings.
    const strict = await midtrust(['audit', '--inventory', inventory(true), '--storepass-env', 'MID_STOREPASS', '--expiring-days', '365', '--fail-on', 'warning'], { env, cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/mid-down\s+FAILED/);
    expect(strict.stdout).toMatch(/mid-0:\nSEVERITY\s+RULE\s+ALIAS\s+FINDING\nwarning\s+certificate-expiring\s+leaf-/);
  }, 60_000);

  it('refuses an inventory host without host key verification', async () => {
    const f = path.join(dir, 'nokey.yaml');
    fs.writeFileSync(f, 'hosts:\n  - { name: x, host: 127.0.0.1, user: root, midHome: /opt/mid }\n');
    const r = await midtrust(['plan', '-f', desired('a.yaml', [0]), '--inventory', f], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/give knownHostsFile or hostKeyFingerprint/);
  });
});
