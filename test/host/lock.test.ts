import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MidtrustError } from '../../provider/errors';
import { LocalHost } from '../../provider/host/localHost';
import { readLockFile, takeoverPath } from '../../provider/host/localLockFile';
import { tempFileName } from '../../provider/host/tempFileName';
import { tempDir } from '../helpers/keytool';
import { buildHostLibForChildren, fixture } from './fixtures/hostLib';

const host = new LocalHost();

/** The pid of a process that has exited (and, right after, is not reused). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function plantLock(lockPath: string, owner: { pid: number; hostname: string }, ageMs = 0): void {
  fs.writeFileSync(lockPath, JSON.stringify({ ...owner, startedAt: new Date(Date.now() - ageMs).toISOString(), tool: 'midtrust', token: 'planted' }));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(lockPath, t, t);
}

let dir: string;
let f: string;
beforeEach(() => {
  dir = tempDir('mt-lock-');
  f = path.join(dir, 'cacerts');
  fs.writeFileSync(f, '0');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('LocalHost.lock', () => {
  it('writes who holds it beside the store, and releases idempotently', async () => {
    const lock = await host.lock(f);
    expect(lock.lockPath).toBe(`${fs.realpathSync(f)}.midtrust.lock`);
    const held = JSON.parse(fs.readFileSync(lock.lockPath, 'utf8')) as Record<string, unknown>;
    expect(held).toMatchObject({ pid: process.pid, hostname: os.hostname(), tool: 'midtrust' });
    expect(Date.now() - Date.parse(String(held.startedAt))).toBeLessThan(60_000);
    await lock.release();
    await lock.release();
    expect(fs.existsSync(lock.lockPath)).toBe(false);
  });

  it('makes a second locker wait, then fail with LOCKED naming the holder, and succeed after release', async () => {
    const first = await host.lock(f);
    const t0 = Date.now();
    const err = await host.lock(f, { timeoutMs: 400 }).catch((e: unknown) => e);
    const waited = Date.now() - t0;
    expect(err).toBeInstanceOf(MidtrustError);
    const m = err as MidtrustError;
    expect(m.code).toBe('LOCKED');
    expect(m.message).toContain(`pid ${process.pid} on host ${os.hostname()} since `);
    expect(m.message).toContain(`remove ${first.lockPath} if that process is gone`);
    expect(waited).toBeGreaterThanOrEqual(390);

    // A waiter gets the lock as soon as the holder lets go.
    const waiting = host.lock(f, { timeoutMs: 10_000 });
    setTimeout(() => void first.release(), 100);
    const second = await waiting;
    expect(JSON.parse(fs.readFileSync(second.lockPath, 'utf8')).pid).toBe(process.pid);
    await second.release();
  });

  it('locks the symlink target, so two paths to one store share one lock', async () => {
    const link = path.join(dir, 'jdk-cacerts');
    fs.symlinkSync(f, link);
    const lock = await host.lock(link);
    expect(lock.lockPath).toBe(`${fs.realpathSync(f)}.midtrust.lock`);
    expect(((await host.lock(f, { timeoutMs: 50 }).catch((e: unknown) => e)) as MidtrustError).code).toBe('LOCKED');
    await lock.release();
  });

  it('release does not remove a lock that is no longer its own', async () => {
    const lock = await host.lock(f);
    plantLock(lock.lockPath, { pid: process.pid, hostname: 'other-run' });
    await lock.release();
    expect(fs.existsSync(lock.lockPath)).toBe(true);
  });

  it('takes over the lock of a dead process on this host', async () => {
    const lockPath = `${fs.realpathSync(f)}.midtrust.lock`;
    plantLock(lockPath, { pid: deadPid(), hostname: os.hostname() });
    const lock = await host.lock(f, { timeoutMs: 2000 });
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(fs.readdirSync(dir)).toEqual(['cacerts']); // no takeover files left
  });

  it('takes over a stale lock whose takeover was itself interrupted by a killed process', async () => {
    const lockPath = `${fs.realpathSync(f)}.midtrust.lock`;
    plantLock(lockPath, { pid: deadPid(), hostname: os.hostname() });
    const stale = await readLockFile(lockPath);
    // A waiter that began the takeover of exactly this lock and was killed holding its mutex.
    plantLock(takeoverPath(lockPath, stale!), { pid: deadPid(), hostname: os.hostname() });
    const lock = await host.lock(f, { timeoutMs: 2000 });
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(fs.readdirSync(dir)).toEqual(['cacerts']);
  });

  it('waits for a live lock from another host until it is older than staleMs', async () => {
    const lockPath = `${fs.realpathSync(f)}.midtrust.lock`;
    plantLock(lockPath, { pid: 4242, hostname: 'mid-other' }, 5_000);
    const err = (await host.lock(f, { timeoutMs: 100, staleMs: 60_000 }).catch((e: unknown) => e)) as MidtrustError;
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain('pid 4242 on host mid-other since');
    const lock = await host.lock(f, { timeoutMs: 100, staleMs: 1_000 });
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8')).hostname).toBe(os.hostname());
    await lock.release();
  });

  it('keeps a long-held lock fresh for waiters on other machines (heartbeat)', async () => {
    // The holder beats every 100 ms (staleMs / 4); the waiter judges by 3 s and waits 4.5 s, so
    // without a heartbeat it would take the lock over, and only a 2.9 s stall of this process
    // (far beyond a loaded 2-core machine) could make the test fail spuriously.
    const lock = await host.lock(f, { staleMs: 400 });
    // Make the holder look remote to the waiter (same token, so the holder still owns it).
    const held = JSON.parse(fs.readFileSync(lock.lockPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(lock.lockPath, JSON.stringify({ ...held, hostname: 'mid-other' }));
    const written = fs.statSync(lock.lockPath).mtimeMs;
    const err = (await host.lock(f, { timeoutMs: 4500, staleMs: 3000 }).catch((e: unknown) => e)) as MidtrustError;
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain('on host mid-other');
    expect(fs.statSync(lock.lockPath).mtimeMs).toBeGreaterThan(written);
    await lock.release();
    expect(fs.existsSync(lock.lockPath)).toBe(false);
  });

  it('takes over an unreadable lock file left by a run killed while creating it', async () => {
    const lockPath = `${fs.realpathSync(f)}.midtrust.lock`;
    fs.writeFileSync(lockPath, '');
    const fresh = (await host.lock(f, { timeoutMs: 100 }).catch((e: unknown) => e)) as MidtrustError;
    expect(fresh.code).toBe('LOCKED'); // could be a run between create and write: wait
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPath, old, old);
    const lock = await host.lock(f, { timeoutMs: 1000 });
    await lock.release();
  });

  it('removes leftover temporary files of dead processes once the lock is held', async () => {
    const dead = deadPid();
    const leftovers = [tempFileName('cacerts', dead), tempFileName('cacerts.midtrust-backup-20260101T000000000Z', dead)];
    // A live process's temp file stays (jest's parent process: alive, and not this one).
    const kept = [tempFileName('cacerts', process.ppid), tempFileName('other-store', dead), 'cacerts.bak', 'cacerts.midtrust.lock.takeover-0123'];
    for (const n of [...leftovers, ...kept]) fs.writeFileSync(path.join(dir, n), 'x');
    // A takeover file of a dead waiter goes; one just being written (unreadable, fresh) stays.
    plantLock(path.join(dir, 'cacerts.midtrust.lock.takeover-4567'), { pid: dead, hostname: os.hostname() });
    const lock = await host.lock(f);
    await lock.release();
    expect(fs.readdirSync(dir).sort()).toEqual(['cacerts', ...kept].sort());
  });

  it('lets only one of many in-process waiters in at a time while they break a stale lock', async () => {
    const lockPath = `${fs.realpathSync(f)}.midtrust.lock`;
    plantLock(lockPath, { pid: deadPid(), hostname: os.hostname() });
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const lock = await host.lock(f, { timeoutMs: 20_000 });
        maxInside = Math.max(maxInside, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
        await lock.release();
      }),
    );
    expect(maxInside).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['cacerts']);
  });

  it('serializes 4 processes x 50 locked increments to exactly 200, starting from a stale lock', async () => {
    const lib = buildHostLibForChildren();
    try {
      plantLock(`${fs.realpathSync(f)}.midtrust.lock`, { pid: deadPid(), hostname: os.hostname() });
      const t0 = Date.now();
      const children = Array.from(
        { length: 4 },
        () =>
          new Promise<number>((resolve) => {
            const c = spawn(process.execPath, [fixture('counter.js'), f, '50'], {
              stdio: ['ignore', 'ignore', 'inherit'],
              env: { ...process.env, MIDTRUST_HOST_LIB: lib },
            });
            c.on('exit', (code) => resolve(code ?? -1));
          }),
      );
      expect(await Promise.all(children)).toEqual([0, 0, 0, 0]);
      console.log(`4 processes x 50 locked read-modify-writes: ${Date.now() - t0} ms`);
      expect(fs.readFileSync(f, 'utf8')).toBe('200');
      expect(fs.readdirSync(dir)).toEqual(['cacerts']);
    } finally {
      fs.rmSync(lib, { recursive: true, force: true });
    }
  });
});
