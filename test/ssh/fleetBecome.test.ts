/**
 * become: an SSH login that is not the MID account acts on the store through `sudo -n` — the
 * SFTP server runs under sudo on an exec channel (provider/host/ssh/becomeSftp.ts). Real
 * accounts (useradd), a real sudoers rule (NOPASSWD for exactly the SFTP server), a real sshd;
 * keytool judges the store after every command; the MID home belongs to the MID account.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SshConnectionPool } from '../../provider/host/ssh/sshConnectionPool';
import { SshHost } from '../../provider/host/ssh/sshHost';
import { migrateMid, restoreMid } from '../../provider/mid/upgrade/upgradeRun';
import { createBecomeAccounts, type BecomeAccounts } from '../helpers/becomeAccounts';
import { keytoolList, runKeytool, tempDir } from '../helpers/keytool';
import { midtrust, startMidtrust } from '../helpers/midtrustCli';
import { exitOf, PauseControl } from '../helpers/pausePoints';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { env, makeCertificateSet, makeStore, writeDesired } from '../cli/applyFixtures';

needs('sshd', 'sudo', 'keytool').describe('become: acting on the MID store through sudo -n', () => {
  let accounts: BecomeAccounts;
  let sshd: TestSshd;
  let certs: ReturnType<typeof makeCertificateSet>;
  let dir: string;
  let home: string;
  let cacerts: string;
  const pause = new PauseControl();
  const security = () => path.dirname(cacerts);
  const aliases = () => keytoolList(cacerts, env.MID_STOREPASS).map((e) => e.alias).sort();
  const inventory = (name: string, login: string, become: string, extra = '') => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, `hosts:\n  - name: mid-become\n    host: 127.0.0.1\n    port: ${sshd.port}\n    user: ${login}\n    privateKeyFile: ${path.join(sshd.dir, 'userkey')}\n    hostKeyFingerprint: ${sshd.hostKeyFingerprint}\n    become: ${become}\n    midHome: ${home}\n${extra}`);
    return f;
  };
  const desired = (name: string, ids: number[]) =>
    writeDesired(certs.dir, name, `keystore:\n  midHome: /ignored/by/inventory\n  password: { env: MID_STOREPASS }\ncertificates:\n${ids.map((i) => `  - alias: leaf-${i}\n    file: leaf${i}.pem\n`).join('')}`);
  /** Every file of the security directory with its owner and mode (what a refused run must leave as it was). */
  const snapshot = () => fs.readdirSync(security()).sort().map((n) => {
    const st = fs.statSync(path.join(security(), n));
    return `${n} ${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)} ${st.size} ${st.mtimeMs}`;
  });

  beforeAll(async () => {
    accounts = createBecomeAccounts();
    sshd = await startSshd();
    // sshd reads authorized_keys as the login user.
    fs.chmodSync(sshd.dir, 0o755);
    fs.chmodSync(path.join(sshd.dir, 'authorized_keys'), 0o644);
    certs = makeCertificateSet(4);
    dir = tempDir('mt-become-');
    fs.chmodSync(dir, 0o755);
    home = path.join(dir, 'mid');
    fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
    cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
    makeStore(cacerts, 'JKS');
    fs.chmodSync(cacerts, 0o640);
    // The MID home belongs to the MID account, 0700 directories: the login user cannot even look in.
    for (const p of [home, path.join(home, 'agent'), path.join(home, 'agent', 'jre'), path.join(home, 'agent', 'jre', 'lib'), security()]) {
      fs.chownSync(p, accounts.midUid, accounts.midGid);
      fs.chmodSync(p, 0o700);
    }
    fs.chownSync(path.join(home, 'agent', 'config.xml'), accounts.midUid, accounts.midGid);
    fs.chownSync(cacerts, accounts.midUid, accounts.midGid);
  }, 120_000);
  afterAll(async () => {
    await sshd?.stop();
    accounts?.remove();
  });

  it('without become the login user is refused (permission denied, told to use become)', async () => {
    const f = path.join(dir, 'plain.yaml');
    fs.writeFileSync(f, fs.readFileSync(inventory('tmp.yaml', accounts.login, accounts.mid), 'utf8').replace(/ {4}become: .*\n/, ''));
    const r = await midtrust(['plan', '-f', desired('a.yaml', [0, 1]), '--inventory', f], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/permission denied[^]*become/);
  }, 60_000);

  it('plan, apply, plan again and report as the MID account: keytool reads the result; owner and mode kept', async () => {
    const inv = inventory('hosts.yaml', accounts.login, accounts.mid);
    const f = desired('a.yaml', [0, 1]);
    const plan = await midtrust(['plan', '-f', f, '--inventory', inv, '--json'], { env, cwd: dir });
    expect(plan.code).toBe(2);
    expect(JSON.parse(plan.stdout).hosts[0]).toMatchObject({ name: 'mid-become', ok: true, changes: 2 });
    expect(aliases()).toEqual(['mid-key']);
    const apply = await midtrust(['apply', '-f', f, '--inventory', inv], { env, cwd: dir });
    expect(apply.code).toBe(0);
    expect(aliases()).toEqual(['leaf-0', 'leaf-1', 'mid-key']);
    const st = fs.statSync(cacerts);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([accounts.midUid, accounts.midGid, 0o640]);
    expect(fs.readdirSync(security())).toEqual(['cacerts']); // no temp file, no lock left
    expect((await midtrust(['plan', '-f', f, '--inventory', inv], { env, cwd: dir })).code).toBe(0);
    const report = await midtrust(['report', '--inventory', inv, '-f', f, '--storepass-env', 'MID_STOREPASS', '--format', 'json'], { env, cwd: dir });
    expect(report.code).toBe(0);
    const hosts = JSON.parse(report.stdout).hosts as Array<{ name: string; ok?: boolean; error?: string }>;
    expect(hosts.map((h) => [h.name, h.error ?? null])).toEqual([['mid-become', null]]);
    expect(aliases()).toEqual(['leaf-0', 'leaf-1', 'mid-key']); // read-only: unchanged
  }, 120_000);

  it('become root writes a root-owned store the same way', async () => {
    const rootHome = path.join(dir, 'rootmid');
    const rootStore = path.join(rootHome, 'agent', 'jre', 'lib', 'security', 'cacerts');
    fs.mkdirSync(path.dirname(rootStore), { recursive: true });
    fs.writeFileSync(path.join(rootHome, 'agent', 'config.xml'), '<parameters/>\n');
    makeStore(rootStore, 'JKS');
    fs.chmodSync(rootStore, 0o644);
    const inv = path.join(dir, 'root.yaml');
    fs.writeFileSync(inv, fs.readFileSync(inventory('tmp.yaml', accounts.login, 'root'), 'utf8').replace(home, rootHome));
    expect((await midtrust(['apply', '-f', desired('r.yaml', [2]), '--inventory', inv], { env, cwd: dir })).code).toBe(0);
    expect(keytoolList(rootStore, env.MID_STOREPASS).map((e) => e.alias).sort()).toEqual(['leaf-2', 'mid-key']);
    const st = fs.statSync(rootStore);
    expect([st.uid, st.mode & 0o7777]).toEqual([0, 0o644]);
  }, 60_000);

  it('migrate and restore through become: backups owned by the MID account, keytool reads every store', async () => {
    const pool = new SshConnectionPool();
    try {
      const host = new SshHost({ host: '127.0.0.1', port: sshd.port, user: accounts.login, privateKey: sshd.privateKey, hostKeyFingerprint: sshd.hostKeyFingerprint, become: { user: accounts.mid } }, pool);
      // The upgrade's incoming cacerts: a store without our leaves, in the MID's directory.
      const incoming = path.join(dir, 'incoming-cacerts');
      runKeytool(['-importcert', '-noprompt', '-alias', 'vendor-root', '-file', certs.root, '-keystore', incoming, '-storetype', 'JKS', '-storepass:env', 'MID_STOREPASS'], { env });
      fs.chownSync(incoming, accounts.midUid, accounts.midGid);
      const migrated = await migrateMid(host, { midHome: home, incoming: { path: incoming, password: env.MID_STOREPASS }, currentPassword: env.MID_STOREPASS });
      expect(aliases()).toEqual(expect.arrayContaining(['vendor-root', 'snc_leaf-0', 'snc_leaf-1']));
      const before = path.join(migrated.backupDir, 'cacerts_before');
      expect(keytoolList(before, env.MID_STOREPASS).map((e) => e.alias).sort()).toEqual(['leaf-0', 'leaf-1', 'mid-key']);
      expect(fs.statSync(before).uid).toBe(accounts.midUid);
      expect(fs.statSync(migrated.backupDir).uid).toBe(accounts.midUid);
      // Someone drops a migrated certificate by hand; restore brings it back from cacerts_before.
      runKeytool(['-delete', '-alias', 'snc_leaf-0', '-keystore', cacerts, '-storepass:env', 'MID_STOREPASS'], { env });
      const restored = await restoreMid(host, { midHome: home, password: env.MID_STOREPASS });
      expect(restored.restored.map((e) => e.alias)).toEqual(['leaf-0']);
      expect(restored.unrestored.map((e) => e.alias)).toEqual(['mid-key']); // a private key entry is never restored
      expect(aliases()).toEqual(expect.arrayContaining(['leaf-0', 'snc_leaf-1', 'vendor-root']));
      expect(fs.statSync(cacerts).uid).toBe(accounts.midUid);
    } finally {
      await pool.closeAll();
    }
  }, 120_000);

  it('a kill -9 during a become apply leaves the old or the new store, complete; the next run converges', async () => {
    const inv = inventory('hosts.yaml', accounts.login, accounts.mid);
    const add = writeDesired(certs.dir, 'k-add.yaml', 'keystore:\n  midHome: /x\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: leaf-3\n    file: leaf3.pem\n');
    const remove = writeDesired(certs.dir, 'k-remove.yaml', 'keystore:\n  midHome: /x\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: leaf-3\n    state: absent\n');
    // Killed before the rename: the old store; killed after it: the new one.
    for (const [point, f, want] of [['temp-written', add, 'old'], ['after-rename', remove, 'new']] as const) {
      const before = aliases();
      const child = startMidtrust(['apply', '-f', f, '--inventory', inv], { env: { ...env, ...pause.env(point) }, cwd: dir });
      const ended = exitOf(child, 60_000);
      ended.catch(() => undefined);
      await pause.waitFor(point, child.pid!, child);
      child.kill('SIGKILL');
      await ended;
      pause.resume(point, child.pid!);
      const now = aliases(); // keytool verifies the store's integrity with the password
      const after = f === add ? [...before, 'leaf-3'].sort() : before.filter((a) => a !== 'leaf-3');
      expect({ point, now }).toEqual({ point, now: want === 'old' ? before : after });
      // The killed run's lock names a dead process of this machine: stale, taken over; its temp file is removed under the lock.
      expect((await midtrust(['apply', '-f', f, '--inventory', inv], { env, cwd: dir })).code).toBe(0);
      expect(aliases()).toEqual(after);
      expect(fs.readdirSync(security())).toEqual(['cacerts']);
      expect(fs.statSync(cacerts).uid).toBe(accounts.midUid);
    }
  }, 180_000);

  it('sudo that asks for a password: a clear error naming the host, nothing written', async () => {
    const inv = inventory('askpw.yaml', accounts.askPassword, accounts.mid);
    const was = snapshot();
    const r = await midtrust(['apply', '-f', desired('p.yaml', [0, 1, 2, 3]), '--inventory', inv, '--json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    const host = JSON.parse(r.stdout).hosts[0];
    expect(host.name).toBe('mid-become');
    expect(host.error).toMatch(new RegExp(`${accounts.askPassword}@127\\.0\\.0\\.1:${sshd.port} as ${accounts.mid}: sudo asks for a password[^]*NOPASSWD[^]*nothing was read or written`));
    expect(snapshot()).toEqual(was);
  }, 60_000);

  it('sudo that does not allow the account: refused, named, nothing written', async () => {
    const inv = inventory('notallowed.yaml', accounts.login, 'nobody');
    const was = snapshot();
    const r = await midtrust(['apply', '-f', desired('p.yaml', [0, 1, 2, 3]), '--inventory', inv, '--json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).hosts[0].error).toMatch(/as nobody: sudo (refused|asks for a password)[^]*nothing was read or written/);
    expect(snapshot()).toEqual(was);
  }, 60_000);
});
