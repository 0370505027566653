/**
 * Per-host secrets in the inventory, against a real sshd: a key held by a real ssh-agent
 * (`agent: true`, SSH_AUTH_SOCK), an encrypted key whose passphrase comes from the environment
 * or a file, and three hosts with three store passwords (host, group and defaults levels).
 * keytool opens each store with its own password; no password or passphrase ever shows in what
 * midtrust prints or writes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, runKeytool, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { makeCertificateSet, writeDesired } from '../cli/applyFixtures';

const SECRETS = { PW_A: 'store-A-pass-7f1c', PW_C: 'store-C-pass-0d3e', KEY_PASS: 'key-passphrase-91aa' };
const PW_B = 'store-B-pass-52b9';
const KEY_PASS_FILE_VALUE = 'file-passphrase-6c20';

needs('sshd', 'sshAgent', 'keytool').describe('inventory secrets: agent, encrypted keys, a store password per host', () => {
  const sshds: Record<string, TestSshd> = {};
  let agent: ChildProcess;
  let certs: ReturnType<typeof makeCertificateSet>;
  let dir: string;
  let sock: string;
  const homes: Record<string, string> = {};
  const passwords: Record<string, string> = { a: SECRETS.PW_A, b: PW_B, c: SECRETS.PW_C };
  const store = (h: string) => path.join(homes[h], 'agent', 'jre', 'lib', 'security', 'cacerts');
  const fingerprint = (pub: string) => execFileSync('ssh-keygen', ['-lf', pub], { encoding: 'utf8' }).split(' ')[1];
  const leaks = (text: string) => [...Object.values(SECRETS), PW_B, KEY_PASS_FILE_VALUE].filter((s) => text.includes(s));

  beforeAll(async () => {
    [sshds.a, sshds.b, sshds.c] = await Promise.all([startSshd(), startSshd(), startSshd()]);
    certs = makeCertificateSet(2);
    dir = tempDir('mt-secrets-');
    for (const h of ['a', 'b', 'c']) {
      homes[h] = path.join(dir, `mid-${h}`);
      fs.mkdirSync(path.dirname(store(h)), { recursive: true });
      fs.writeFileSync(path.join(homes[h], 'agent', 'config.xml'), '<parameters/>\n');
      runKeytool(['-importcert', '-noprompt', '-alias', 'vendor', '-file', certs.root, '-keystore', store(h), '-storetype', 'JKS', '-storepass:env', 'PW'], { env: { PW: passwords[h] } });
    }
    // A key only the agent holds, and keys encrypted with a passphrase (test set-up: ssh-keygen takes it on argv).
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'agentkey')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', SECRETS.KEY_PASS, '-f', path.join(dir, 'enckey')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', KEY_PASS_FILE_VALUE, '-f', path.join(dir, 'enckey2')]);
    for (const s of Object.values(sshds)) for (const k of ['agentkey', 'enckey', 'enckey2']) fs.appendFileSync(path.join(s.dir, 'authorized_keys'), fs.readFileSync(path.join(dir, `${k}.pub`)));
    fs.writeFileSync(path.join(dir, 'pw-b.txt'), `${PW_B}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'passphrase.txt'), `${KEY_PASS_FILE_VALUE}\n`, { mode: 0o600 });
    sock = path.join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    for (let i = 0; !fs.existsSync(sock); i++) {
      if (i > 200) throw new Error('ssh-agent did not create its socket');
      await new Promise((r) => setTimeout(r, 25));
    }
    execFileSync('ssh-add', ['-q', path.join(dir, 'agentkey')], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
    fs.rmSync(path.join(dir, 'agentkey')); // from now on only the agent has it
  }, 120_000);
  afterAll(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    await Promise.all(Object.values(sshds).map((s) => s.stop()));
  });

  /** a: agent, own store password (env); b: encrypted key, group's password file; c: encrypted key, defaults' password env. */
  const at = (h: string) => `host: 127.0.0.1, port: ${sshds[h].port}, hostKeyFingerprint: '${sshds[h].hostKeyFingerprint}'`;
  const inventory = (name: string, overrides = '') => {
    const f = path.join(dir, name);
    fs.writeFileSync(
      f,
      `defaults:
  user: root
  privateKeyFile: enckey
  privateKeyPassphraseEnv: KEY_PASS
  storePasswordEnv: PW_C
groups:
  emea:
    storePasswordFile: pw-b.txt
    privateKeyFile: enckey2
    privateKeyPassphraseFile: passphrase.txt
hosts:
  - { name: mid-a, ${at('a')}, midHome: ${homes.a}, agent: true, storePasswordEnv: PW_A${overrides} }
  - { name: mid-b, ${at('b')}, midHome: ${homes.b}, group: emea }
  - { name: mid-c, ${at('c')}, midHome: ${homes.c} }
`,
    );
    return f;
  };
  const env = () => ({ ...SECRETS, SSH_AUTH_SOCK: sock });
  // No password in the desired file: every host brings its own.
  const desired = () => writeDesired(certs.dir, 'd.yaml', 'keystore:\n  midHome: /ignored/by/inventory\ncertificates:\n  - alias: leaf-0\n    file: leaf0.pem\n');

  it('apply with three store passwords, an agent key and two encrypted keys: keytool opens each store with its own password', async () => {
    const inv = inventory('hosts.yaml');
    const apply = await midtrust(['apply', '-f', desired(), '--inventory', inv, '--json'], { env: env(), cwd: dir });
    expect(JSON.parse(apply.stdout).hosts.map((h: { name: string; ok: boolean; error: string | null }) => `${h.name}:${h.ok}:${h.error}`)).toEqual(['mid-a:true:null', 'mid-b:true:null', 'mid-c:true:null']);
    expect(apply.code).toBe(0);
    for (const h of ['a', 'b', 'c']) expect(keytoolList(store(h), passwords[h]).map((e) => e.alias).sort()).toEqual(['leaf-0', 'vendor']);
    // The agent's key, and each encrypted key, is what sshd accepted.
    const accepted = Object.values(sshds).flatMap((s) => [...fs.readFileSync(s.log, 'utf8').matchAll(/Accepted publickey for root from 127\.0\.0\.1 port \d+ ssh2: ED25519 (SHA256:\S+)/g)].map((m) => m[1]));
    expect(accepted).toEqual(['agentkey.pub', 'enckey2.pub', 'enckey.pub'].map((pub) => fingerprint(path.join(dir, pub)))); // a, b, c: one connection each
    expect(leaks(apply.stdout + apply.stderr)).toEqual([]);
  }, 120_000);

  it('plan, report (every format) and audit use each host\'s password and never print one', async () => {
    const inv = inventory('hosts.yaml');
    const outputs: string[] = [];
    const plan = await midtrust(['plan', '-f', desired(), '--inventory', inv, '--json'], { env: env(), cwd: dir });
    expect(plan.code).toBe(0);
    outputs.push(plan.stdout, plan.stderr);
    for (const format of ['json', 'html', 'prometheus']) {
      const out = path.join(dir, `report.${format}`);
      const r = await midtrust(['report', '--inventory', inv, '-f', desired(), '--format', format, '-o', out], { env: env(), cwd: dir });
      expect({ format, code: r.code }).toEqual({ format, code: 0 });
      outputs.push(r.stdout, r.stderr, fs.readFileSync(out, 'utf8'));
    }
    expect((JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')).hosts as Array<{ name: string; error?: string }>).map((h) => `${h.name}:${h.error ?? 'ok'}`)).toEqual(['mid-a:ok', 'mid-b:ok', 'mid-c:ok']);
    const audit = await midtrust(['audit', '--inventory', inv, '--json'], { env: env(), cwd: dir });
    expect(JSON.parse(audit.stdout).hosts.map((h: { name: string; ok: boolean }) => `${h.name}:${h.ok}`)).toEqual(['mid-a:true', 'mid-b:true', 'mid-c:true']);
    outputs.push(audit.stdout, audit.stderr);
    expect(leaks(outputs.join('\n'))).toEqual([]);
  }, 180_000);

  it('a wrong store password fails that host only, a wrong passphrase says so; neither is printed', async () => {
    const wrong = await midtrust(['plan', '-f', desired(), '--inventory', inventory('wrong.yaml'), '--json'], { env: { ...env(), PW_A: 'not-the-password-3e1' }, cwd: dir });
    expect(wrong.code).toBe(1);
    const hosts = JSON.parse(wrong.stdout).hosts as Array<{ name: string; ok: boolean; error: string | null }>;
    expect(hosts.map((h) => `${h.name}:${h.ok}`)).toEqual(['mid-a:false', 'mid-b:true', 'mid-c:true']);
    expect(hosts[0].error).toMatch(/password/i);
    expect(wrong.stdout).not.toContain('not-the-password-3e1');
    const badKey = await midtrust(['plan', '-f', desired(), '--inventory', inventory('hosts.yaml'), '--json'], { env: { ...env(), KEY_PASS: 'wrong-passphrase-77' }, cwd: dir });
    expect(badKey.code).toBe(1);
    const c = (JSON.parse(badKey.stdout).hosts as Array<{ name: string; error: string | null }>).find((h) => h.name === 'mid-c');
    expect(c?.error).toMatch(/cannot use the private key[^]*passphrase/);
    expect(badKey.stdout + badKey.stderr).not.toContain('wrong-passphrase-77');
    const unset = await midtrust(['plan', '-f', desired(), '--inventory', inventory('hosts.yaml')], { env: { PW_A: SECRETS.PW_A, PW_C: SECRETS.PW_C, SSH_AUTH_SOCK: sock }, cwd: dir });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/host mid-c: the environment variable KEY_PASS \(private key passphrase\) is not set/);
  }, 120_000);
});
