/**
 * The fixes the Windows trial found, each checked where Linux can check it (the Windows side runs
 * under node.exe in windowsCli.test.ts and windowsFaults.test.ts):
 * 1. the replace retried while Windows says the target is in use, then Windows advice;
 * 2. stale locks: this process's own pid with a token it does not hold; another pid namespace
 *    (`unshare --pid`) judged by heartbeat age, never forever;
 * 3. audit's readable-by-everyone where POSIX modes tell;
 * 4. one path style below a MID home;
 * 5. --write-desired keeps CRLF (and a BOM).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MidtrustError } from '../../provider/errors';
import { ioError } from '../../provider/host/ioError';
import { LocalHost } from '../../provider/host/localHost';
import { currentPidNamespace } from '../../provider/host/lockOwner';
import { renameOver } from '../../provider/host/renameOver';
import { readKeystore, writeKeystore } from '../../provider/keystore/keystoreCodec';
import { midLayout, upgradeBackupFile } from '../../provider/mid/midLayout';
import { appendDesiredCertificate } from '../../provider/plan/desiredStateEdit';
import { keytoolList, tempDir } from '../helpers/keytool';
import { CLI, midtrust } from '../helpers/midtrustCli';
import { exitOf, PauseControl } from '../helpers/pausePoints';
import { JDK_CACERTS, needs } from '../helpers/requireTools';
import { env, makeCertificateSet, makeStore } from '../cli/applyFixtures';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: fake`), { code });

describe('1. renameOver: Windows "in use" is retried with backoff, then explained for Windows', () => {
  it('retries EPERM/EBUSY/EACCES on win32 until the rename goes through', async () => {
    const codes = ['EPERM', 'EBUSY', 'EACCES'];
    const slept: number[] = [];
    const waited = await renameOver('a.tmp', 'C:\\mid\\cacerts', 'the original was left untouched', {
      platform: 'win32',
      rename: async () => {
        const next = codes.shift();
        if (next) throw errno(next);
      },
      sleep: async (ms) => void slept.push(ms),
    });
    expect(slept).toEqual([10, 20, 40]);
    expect(waited).toBe(70);
  });

  it('gives up after its budget with Windows advice (no lsattr, no root), saying how long it retried', async () => {
    const err = await renameOver('a.tmp', 'C:\\mid\\cacerts', 'the original was left untouched', { platform: 'win32', budgetMs: 1000, rename: async () => Promise.reject(errno('EPERM')), sleep: async () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MidtrustError);
    const m = (err as MidtrustError).message;
    expect(m).toMatch(/^C:\\mid\\cacerts: in use by another program or access denied \(while replacing the file, retried for 1\.0 s\); the original was left untouched; if another program has it open \(an antivirus scanner/);
    expect(m).toContain('icacls');
    expect(m).not.toMatch(/lsattr|root/);
  });

  it('does not retry on Linux, where EPERM is final, and keeps the Linux advice', async () => {
    let tries = 0;
    const err = await renameOver('a.tmp', '/opt/mid/cacerts', 'the original was left untouched', { platform: 'linux', rename: async () => {
          tries++;
          throw errno('EPERM');
        },
      }).catch((e: unknown) => e);
    expect(tries).toBe(1);
    expect((err as MidtrustError).message).toContain('lsattr');
    expect(ioError(errno('EBUSY'), 'C:\\x', 'reading', undefined, 'win32').message).toContain('antivirus');
  });
});

describe('2. stale locks', () => {
  it('a lock holding this process’s own pid but not one of its locks is a dead predecessor’s: taken at once', async () => {
    const dir = tempDir('mt-ownpid-');
    const f = path.join(dir, 'cacerts');
    fs.writeFileSync(f, '0');
    const ns = currentPidNamespace();
    fs.writeFileSync(`${f}.midtrust.lock`, JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), tool: 'midtrust', token: 'a-dead-run', ...(ns ? { pidNamespace: ns } : {}) }));
    const host = new LocalHost();
    const lock = await host.lock(f, { timeoutMs: 200 });
    // And this process's own live lock still makes a second in-process locker wait.
    const second = await host.lock(f, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect((second as MidtrustError).code).toBe('LOCKED');
    await lock.release();
    expect(fs.readdirSync(dir)).toEqual(['cacerts']);
  });

  needs('keytool', 'jdkCacerts', 'openssl', 'root').it('a run killed in another pid namespace (unshare --pid) blocks only until its heartbeat is stale; keytool judges the store', async () => {
    const certs = makeCertificateSet(1);
    const store = path.join(certs.dir, 'cacerts');
    fs.writeFileSync(store, writeKeystore(readKeystore(fs.readFileSync(JDK_CACERTS), { password: 'changeit' }), env.MID_STOREPASS));
    fs.writeFileSync(path.join(certs.dir, 'd.yaml'), `keystore:\n  path: ./cacerts\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: leaf-0\n    file: leaf0.pem\n`);
    const pause = new PauseControl();
    // node is pid 1 of its own namespace; --kill-child takes it down with unshare.
    const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, CLI, 'apply', '-f', 'd.yaml'], {
      cwd: certs.dir,
      env: { ...process.env, ...env, ...pause.env('after-lock') },
      stdio: 'ignore',
    });
    const exited = exitOf(child);
    const at = await pause.waitFor('after-lock', 1, child);
    expect(at.pid).toBe(1);
    child.kill('SIGKILL');
    await exited;
    pause.resume('after-lock', 1);
    const lockFile = `${store}.midtrust.lock`;
    const held = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number; pidNamespace?: string };
    expect(held.pid).toBe(1);
    expect(held.pidNamespace).toMatch(/^pid:\[\d+\]$/);
    expect(held.pidNamespace).not.toBe(currentPidNamespace());
    // Pid 1 is alive here (our init), yet says nothing about that run: the lock is judged by age.
    const waiting = await midtrust(['apply', '-f', 'd.yaml', '--lock-timeout', '0.3'], { env, cwd: certs.dir });
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toContain(`is locked by pid 1 (pid namespace ${held.pidNamespace}) on host ${os.hostname()}`);
    expect(waiting.stderr).toMatch(/the lock is taken over once it has gone 600 s without a heartbeat \(after \d{4}-/);
    // Ten minutes later (no heartbeat since): taken over, applied.
    const old = new Date(Date.now() - 11 * 60_000);
    fs.utimesSync(lockFile, old, old);
    const applied = await midtrust(['apply', '-f', 'd.yaml', '--lock-timeout', '0.3'], { env, cwd: certs.dir });
    expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
    expect(keytoolList(store, env.MID_STOREPASS).map((e) => e.alias)).toContain('leaf-0');
    expect(fs.readdirSync(certs.dir).filter((n) => n.startsWith('.') || n.includes('midtrust'))).toEqual([]);
  });
});

describe('3. audit: readable by everyone, where POSIX modes tell', () => {
  needs('keytool').it('reports a keystore holding keys and upgrade backup directories others can read; not a truststore of certificates', async () => {
    const dir = tempDir('mt-exposed-');
    const home = path.join(dir, 'mid');
    const security = path.join(home, 'agent', 'jre', 'lib', 'security');
    fs.mkdirSync(security, { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
    const cacerts = path.join(security, 'cacerts');
    fs.writeFileSync(cacerts, writeKeystore({ type: 'JKS', integrity: 'verified', entries: [] }, env.MID_STOREPASS));
    fs.chmodSync(cacerts, 0o644);
    const epoch = path.join(home, 'agent', 'work', 'truststore_migration', '1796358129');
    fs.mkdirSync(epoch, { recursive: true });
    fs.chmodSync(path.dirname(epoch), 0o700);
    fs.chmodSync(epoch, 0o755);
    const audit = async (): Promise<string[]> => {
      const r = await midtrust(['audit', '--mid-home', home, '--storepass-env', 'MID_STOREPASS', '--json'], { env });
      return (JSON.parse(r.stdout) as { violations: Array<{ rule: string; message: string }> }).violations.filter((v) => v.rule === 'readable-by-everyone').map((v) => v.message);
    };
    expect(await audit()).toEqual([`${epoch} (keystore backup directory) is readable by every account on the machine (mode 0755)`]);
    fs.chmodSync(epoch, 0o700);
    expect(await audit()).toEqual([]);
    // A keystore holding a private key, readable by all: reported.
    fs.rmSync(cacerts);
    makeStore(cacerts, 'JKS');
    fs.chmodSync(cacerts, 0o644);
    expect(await audit()).toEqual([`${cacerts} (keystore with private keys) is readable by every account on the machine (mode 0644)`]);
  });
});

describe('4. one path style below a MID home', () => {
  it('joins backup files with backslashes for a Windows home and slashes for a POSIX one', () => {
    const win = midLayout('C:\\ServiceNow\\mid1');
    expect(upgradeBackupFile(win, `${win.migrationDir}\\1796358129`, 'cacerts_before')).toBe('C:\\ServiceNow\\mid1\\agent\\work\\truststore_migration\\1796358129\\cacerts_before');
    const posix = midLayout('/opt/servicenow/mid');
    expect(upgradeBackupFile(posix, `${posix.migrationDir}/1796358129`, 'cacerts_from_upgrade')).toBe('/opt/servicenow/mid/agent/work/truststore_migration/1796358129/cacerts_from_upgrade');
  });
});

describe('5. --write-desired keeps the file’s line endings', () => {
  const der = Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]);
  const sha = 'a'.repeat(64);
  it('a CRLF file with a BOM stays CRLF with its BOM; an LF file stays LF', () => {
    const crlf = '\uFEFF# Notepad\r\nkeystore:\r\n  path: ./cacerts\r\ncertificates:\r\n  - alias: a\r\n    file: a.pem\r\n';
    const out = appendDesiredCertificate(crlf, { alias: 'new-ca', der, sha256: sha, comment: 'added' });
    expect(out.startsWith('\uFEFF# Notepad\r\nkeystore:\r\n')).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(out).toContain('\r\n  # added\r\n  - alias: new-ca\r\n');
    const lf = appendDesiredCertificate(crlf.replace(/\r\n/g, '\n').slice(1), { alias: 'new-ca', der, sha256: sha });
    expect(lf).not.toContain('\r');
  });
});
