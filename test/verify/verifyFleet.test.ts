/**
 * `midtrust verify --inventory` over real sshd instances on loopback: each host's verdict is made
 * against that host's truststore, and the TCP connection to the endpoint is opened by the MID
 * host's sshd (direct-tcpip) — a host whose sshd forbids forwarding cannot reach the endpoint,
 * though this machine can.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadInventory } from '../../provider/fleet/inventory';
import { verifyFleet } from '../../provider/fleet/fleetVerify';
import { SshConnectionPool } from '../../provider/host/ssh/sshConnectionPool';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { parseEndpointTarget } from '../../provider/verify/endpointTarget';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { PROFILE, startTlsServer, TestPki, type TlsServer } from './testPki';


needs('sshd', 'openssl').describe('midtrust verify --inventory: the check from each MID host, through its SSH connection', () => {
  const dir = tempDir('mt-verify-fleet-');
  const pki = new TestPki(path.join(dir, 'pki'));
  const sshds: TestSshd[] = [];
  let server: TlsServer;
  const env = { MID_STOREPASS: 'changeit' };

  const midHome = (name: string, trusted: boolean): string => {
    const home = path.join(dir, name);
    fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
    const cert = trusted ? 'root' : 'other';
    const model = { type: 'JKS' as const, integrity: 'verified' as const, entries: [{ alias: cert, kind: 'trustedCertificate' as const, timestamp: 0, certificates: [pki.der(cert)] }] };
    fs.writeFileSync(path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'), writeKeystore(model, 'changeit'));
    return home;
  };
  const inventory = (name: string, hosts: Array<[string, TestSshd, string]>): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(
      f,
      `defaults:\n  user: root\nhosts:\n${hosts.map(([n, s, home]) => `  - name: ${n}\n    host: 127.0.0.1\n    port: ${s.port}\n    privateKeyFile: ${path.join(s.dir, 'userkey')}\n    hostKeyFingerprint: ${s.hostKeyFingerprint}\n    midHome: ${home}\n`).join('')}`,
    );
    return f;
  };

  beforeAll(async () => {
    pki.issue('root', { subject: '/CN=Fleet Root CA', issuer: 'self', ext: PROFILE.root });
    pki.issue('other', { subject: '/CN=Fleet Other Root', issuer: 'self', ext: PROFILE.root });
    pki.issue('inter', { subject: '/CN=Fleet Issuing CA', issuer: 'root', ext: PROFILE.intermediate });
    pki.issue('leaf', { subject: '/CN=localhost', issuer: 'inter', ext: PROFILE.server() });
    server = await startTlsServer(pki, 'leaf', ['inter']);
    sshds.push(...(await Promise.all([startSshd(), startSshd(), startSshd(['AllowTcpForwarding no'])])));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([server?.stop(), ...sshds.map((s) => s.stop())]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('each host judged against its own store: one trusts, one does not (exit 2), progress and summary', async () => {
    const f = inventory('two.yaml', [['mid-trusting', sshds[0], midHome('mid-a', true)], ['mid-lacking', sshds[1], midHome('mid-b', false)]]);
    const r = await midtrust(['verify', '--target', `localhost:${server.port}`, '--inventory', f, '--storepass-env', 'MID_STOREPASS'], { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/mid-trusting\s+trusted\s+root/);
    expect(r.stdout).toMatch(/mid-lacking\s+NOT TRUSTED\s+ROOT_NOT_TRUSTED/);
    expect(r.stdout).toMatch(/2 host\(s\): 1 trust localhost:\d+, 1 do not, 0 failed\./);
    expect(r.stderr).toMatch(/\[\d\/2\] mid-trusting: trusted \(anchor root\)/);
    const json = await midtrust(['verify', '--target', `localhost:${server.port}`, '--inventory', f, '--storepass-env', 'MID_STOREPASS', '--json'], { env, cwd: dir });
    const hosts = JSON.parse(json.stdout).hosts as Array<{ name: string; ok: boolean; verdict: { trusted: boolean } }>;
    expect(hosts.map((h) => `${h.name}:${h.ok}:${h.verdict.trusted}`)).toEqual(['mid-trusting:true:true', 'mid-lacking:true:false']);
  }, 60_000);

  it('the connection is opened by the MID host: where its sshd forbids forwarding the endpoint is unreachable (an error, exit 1); one SSH connection per host', async () => {
    const f = inventory('forbidden.yaml', [['mid-trusting', sshds[0], midHome('mid-c', true)], ['mid-no-forwarding', sshds[2], midHome('mid-d', true)]]);
    const pool = new SshConnectionPool();
    try {
      const results = await verifyFleet(loadInventory(f, env), parseEndpointTarget(`localhost:${server.port}`), 'changeit', { pool });
      expect(results[0]).toMatchObject({ name: 'mid-trusting', ok: true });
      expect(results[0].verdict?.trusted).toBe(true);
      expect(results[1]).toMatchObject({ name: 'mid-no-forwarding', ok: false, error: expect.stringMatching(/the MID host cannot connect to localhost:\d+ .*AllowTcpForwarding/) });
      expect([...pool.opened.values()]).toEqual([1, 1]);
    } finally {
      await pool.closeAll();
    }
    const r = await midtrust(['verify', '--target', `localhost:${server.port}`, '--inventory', f, '--storepass-env', 'MID_STOREPASS'], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/mid-no-forwarding\s+FAILED/);
  }, 60_000);
});
