/**
 * Issue #13 items 1, 5, 6 over SSH: backups, migration copies and locks on a remote MID host are
 * created with an exclusive SFTP open, never through a planted link, and a planted FIFO never
 * hangs the SFTP session.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backupBeforeWrite } from '../../provider/host/backup';
import { SshConnectionPool } from '../../provider/host/ssh/sshConnectionPool';
import { SshHost } from '../../provider/host/ssh/sshHost';
import { tempDir } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';

needs('sshd').describe('SshHost never writes through a planted link', () => {
  let sshd: TestSshd;
  let pool: SshConnectionPool;
  let host: SshHost;
  let dir: string;
  beforeAll(async () => {
    sshd = await startSshd();
    pool = new SshConnectionPool();
    host = new SshHost({ host: '127.0.0.1', port: sshd.port, user: 'root', privateKey: sshd.privateKey, knownHostsFile: sshd.knownHostsFile }, pool);
  }, 30_000);
  afterAll(async () => {
    await pool?.closeAll();
    await sshd?.stop();
    fs.rmSync(sshd.dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    dir = tempDir('mt-sshredir-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a backup over SSH leaves a link planted at the predictable name (and its victim) alone', async () => {
    const store = path.join(dir, 'cacerts');
    const victim = path.join(dir, 'passwd');
    fs.writeFileSync(store, 'store bytes');
    fs.writeFileSync(victim, 'root:x:0:0\n');
    const now = new Date(Date.UTC(2026, 10, 27, 1, 2, 3, 456));
    const predicted = `${store}.midtrust-backup-20261127T010203456Z`;
    fs.symlinkSync(victim, predicted);
    const backup = await backupBeforeWrite(host, store, 2, now);
    expect(fs.readFileSync(victim, 'utf8')).toBe('root:x:0:0\n');
    expect(fs.lstatSync(predicted).isSymbolicLink()).toBe(true);
    expect(backup).toBe(`${predicted}-2`);
    expect(fs.readFileSync(backup!, 'utf8')).toBe('store bytes');
  });

  it('createNewFile / createDirectory over SFTP are exclusive; replaceFile replaces a link itself', async () => {
    const f = path.join(dir, 'new');
    expect(await host.createNewFile(f, Buffer.from('one'), { mode: 0o600 })).toBe(true);
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(await host.createNewFile(f, Buffer.from('two'))).toBe(false);
    expect(fs.readFileSync(f, 'utf8')).toBe('one');
    fs.symlinkSync(path.join(dir, 'target'), path.join(dir, 'dangling'));
    expect(await host.createNewFile(path.join(dir, 'dangling'), Buffer.from('x'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
    expect(await host.createDirectory(path.join(dir, '1764205323'))).toBe(true);
    expect(await host.createDirectory(path.join(dir, '1764205323'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'victim'), 'precious');
    fs.symlinkSync(path.join(dir, 'victim'), path.join(dir, 'out'));
    await host.replaceFile(path.join(dir, 'out'), Buffer.from('report'));
    expect(fs.readFileSync(path.join(dir, 'victim'), 'utf8')).toBe('precious');
    expect(fs.readFileSync(path.join(dir, 'out'), 'utf8')).toBe('report');
  });

  it('a FIFO planted as the lock file or given as the store fails at once instead of hanging the session', async () => {
    const store = path.join(dir, 'cacerts');
    fs.writeFileSync(store, 'x');
    execFileSync('mkfifo', [`${store}.midtrust.lock`]);
    await expect(host.lock(store, { timeoutMs: 500 })).rejects.toThrow(/is a FIFO \(named pipe\), not a midtrust lock file.*Remove it/);
    execFileSync('mkfifo', [path.join(dir, 'fifo-store')]);
    await expect(host.readFile(path.join(dir, 'fifo-store'))).rejects.toThrow(/is a FIFO \(named pipe\), not a regular file; the keystore must be a regular file/);
    // The session still answers.
    expect(Buffer.from(await host.readFile(store)).toString()).toBe('x');
  }, 20_000);
});
