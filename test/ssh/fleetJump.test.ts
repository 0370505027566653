/**
 * proxyJump: a MID host that only a bastion reaches. Real sshd processes: a bastion (and a second
 * hop) on 127.0.0.1, the target on 127.0.0.2. Every connection to the target must come through
 * the bastion: the target's log counts the connections it accepted, the bastion's log (DEBUG1)
 * the direct-tcpip channels it opened to the target, and the two numbers must agree. Each hop's
 * host key is verified as the target's is; keytool judges the store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadInventory } from '../../provider/fleet/inventory';
import { runFleet } from '../../provider/fleet/fleetRun';
import { SshConnectionPool } from '../../provider/host/ssh/sshConnectionPool';
import { hopKey } from '../../provider/host/ssh/sshConnectionSpec';
import { keytoolList, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { env, makeCertificateSet, makeStore, writeDesired } from '../cli/applyFixtures';
import { PROFILE, startTlsServer, TestPki, type TlsServer } from '../verify/testPki';
import { loadDesiredState, type DesiredState } from '../../provider/plan/desiredStateFile';

const desiredStateFromFile = (f: string): DesiredState => loadDesiredState(fs.readFileSync(f, 'utf8'), f, { readFile: (x) => fs.readFileSync(x), env });
const count = (log: string, pattern: RegExp): number => (fs.readFileSync(log, 'utf8').match(pattern) ?? []).length;

needs('sshd', 'keytool', 'openssl').describe('proxyJump: apply and verify through a bastion', () => {
  let bastion: TestSshd;
  let second: TestSshd;
  let target: TestSshd;
  let certs: ReturnType<typeof makeCertificateSet>;
  let dir: string;
  let home: string;
  let cacerts: string;
  let knownHosts: string;
  let server: TlsServer;
  /** Connections the target accepted, and direct-tcpip channels each hop opened to it, since `mark()`. */
  let marks = { target: 0, bastion: 0, second: 0 };
  const toTarget = () => new RegExp(`direct_tcpip: originator [^\\n]*target 127\\.0\\.0\\.2 port ${target.port}\\b`, 'g');
  const toSecond = () => new RegExp(`direct_tcpip: originator [^\\n]*target 127\\.0\\.0\\.1 port ${second.port}\\b`, 'g');
  const now = () => ({ target: count(target.log, new RegExp(`Connection from [^\\n]* on 127\\.0\\.0\\.2 port ${target.port}`, 'g')), bastion: count(bastion.log, toTarget()), second: count(second.log, toTarget()) + count(bastion.log, toSecond()) });
  const mark = () => (marks = now());
  const since = () => {
    const n = now();
    return { target: n.target - marks.target, bastion: n.bastion - marks.bastion, second: n.second - marks.second };
  };
  const inventory = (name: string, hops: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, `defaults:\n  user: root\n  knownHostsFile: ${knownHosts}\nhosts:\n  - name: mid-behind\n    host: 127.0.0.2\n    port: ${target.port}\n    privateKeyFile: ${path.join(target.dir, 'userkey')}\n    midHome: ${home}\n    proxyJump:\n${hops}`);
    return f;
  };
  const viaBastion = () => `      - { host: 127.0.0.1, port: ${bastion.port} }\n`;

  beforeAll(async () => {
    [bastion, second, target] = await Promise.all([startSshd(['LogLevel DEBUG1']), startSshd(['LogLevel DEBUG1']), startSshd(['LogLevel DEBUG1'], '127.0.0.2')]);
    // The hops accept the target's key too: a hop without its own key uses the host's, as OpenSSH's ProxyJump does.
    for (const hop of [bastion, second]) fs.appendFileSync(path.join(hop.dir, 'authorized_keys'), fs.readFileSync(path.join(target.dir, 'userkey.pub')));
    certs = makeCertificateSet(3);
    dir = tempDir('mt-jump-');
    knownHosts = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHosts, [bastion, second, target].map((s) => fs.readFileSync(s.knownHostsFile, 'utf8')).join(''));
    home = path.join(dir, 'mid');
    fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
    cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
    makeStore(cacerts, 'JKS');
    const pki = new TestPki(path.join(dir, 'pki'));
    pki.issue('root', { subject: '/CN=Jump Root CA', issuer: 'self', ext: PROFILE.root });
    pki.issue('leaf', { subject: '/CN=localhost', issuer: 'root', ext: PROFILE.server() });
    fs.writeFileSync(path.join(dir, 'root.pem'), fs.readFileSync(pki.file('root.pem')));
    server = await startTlsServer(pki, 'leaf', []);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), bastion?.stop(), second?.stop(), target?.stop()]);
  });

  const desired = (name: string, lines: string) => writeDesired(certs.dir, name, `keystore:\n  midHome: /ignored/by/inventory\n  password: { env: MID_STOREPASS }\ncertificates:\n${lines}`);

  it('apply, plan and verify through one bastion: every target connection came through it', async () => {
    const inv = inventory('one-hop.yaml', viaBastion());
    mark();
    const f = desired('a.yaml', `  - alias: leaf-0\n    file: leaf0.pem\n  - alias: jump-root\n    file: ${path.join(dir, 'root.pem')}\n`);
    const apply = await midtrust(['apply', '-f', f, '--inventory', inv], { env, cwd: dir });
    expect(apply.code).toBe(0);
    expect(keytoolList(cacerts, env.MID_STOREPASS).map((e) => e.alias).sort()).toEqual(['jump-root', 'leaf-0', 'mid-key']);
    expect((await midtrust(['plan', '-f', f, '--inventory', inv], { env, cwd: dir })).code).toBe(0);
    const verify = await midtrust(['verify', '--target', `localhost:${server.port}`, '--inventory', inv, '--storepass-env', 'MID_STOREPASS', '--json'], { env, cwd: dir });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout).hosts[0]).toMatchObject({ name: 'mid-behind', ok: true, verdict: { trusted: true } });
    // The endpoint was reached from the target (its own direct-tcpip), not from the bastion or here.
    expect(count(target.log, new RegExp(`direct_tcpip: originator [^\\n]*target localhost port ${server.port}\\b`, 'g'))).toBe(1);
    const seen = since();
    expect(seen.target).toBe(3); // one connection per command
    expect(seen.bastion).toBe(seen.target); // …each of them a channel of the bastion: none made directly
  }, 120_000);

  it('two hops, each host key checked: through bastion then second hop', async () => {
    const inv = inventory('two-hops.yaml', `${viaBastion()}      - { host: 127.0.0.1, port: ${second.port} }\n`);
    mark();
    const r = await midtrust(['apply', '-f', desired('b.yaml', '  - alias: leaf-1\n    file: leaf1.pem\n'), '--inventory', inv], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(keytoolList(cacerts, env.MID_STOREPASS).map((e) => e.alias)).toContain('leaf-1');
    expect(since()).toEqual({ target: 1, bastion: 0, second: 2 }); // bastion → second hop (1), second hop → target (1)
  }, 60_000);

  it("a hop whose host key does not match is refused before anything reaches the target", async () => {
    const inv = inventory('bad-hop.yaml', `      - { host: 127.0.0.1, port: ${bastion.port}, hostKeyFingerprint: '${target.hostKeyFingerprint}' }\n`);
    mark();
    const before = fs.readFileSync(cacerts);
    const r = await midtrust(['apply', '-f', desired('c.yaml', '  - alias: leaf-2\n    file: leaf2.pem\n'), '--inventory', inv, '--json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).hosts[0].error).toMatch(new RegExp(`HOST KEY MISMATCH for 127\\.0\\.0\\.1:${bastion.port}`));
    expect(since()).toEqual({ target: 0, bastion: 0, second: 0 });
    expect(fs.readFileSync(cacerts).equals(before)).toBe(true);
  }, 60_000);

  it('hosts behind one bastion share one connection to it', async () => {
    const inv = path.join(dir, 'three.yaml');
    // Three inventory hosts, the same machine under three logins' worth of names: one bastion connection for all.
    const hosts = ['a', 'b', 'c'].map((n) => `  - { name: mid-${n}, host: 127.0.0.2, port: ${target.port}, midHome: ${home} }\n`).join('');
    fs.writeFileSync(inv, `defaults:\n  user: root\n  knownHostsFile: ${knownHosts}\n  privateKeyFile: ${path.join(target.dir, 'userkey')}\n  proxyJump: [{ host: 127.0.0.1, port: ${bastion.port} }]\nhosts:\n${hosts}`);
    const pool = new SshConnectionPool();
    try {
      const loaded = loadInventory(inv, env);
      const outcomes = await runFleet(loaded, desiredStateFromFile(desired('d.yaml', '  - alias: leaf-0\n    file: leaf0.pem\n')), { mode: 'plan', pool, parallel: 3 });
      expect(outcomes.map((o) => `${o.name}:${o.ok}:${o.plan?.changes}`)).toEqual(['mid-a:true:0', 'mid-b:true:0', 'mid-c:true:0']);
      expect(pool.opened.get(hopKey(loaded[0].connection.jump!))).toBe(1);
    } finally {
      await pool.closeAll();
    }
  }, 60_000);
});
