import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import type { Host, HostLock, HostStat, LockOptions, WriteAtomicOptions } from './host';
import { ioError } from './ioError';
import { isLockStale, parseLockFile, type LockOwner } from './lockOwner';
import { isProcessAlive } from './processAlive';

/** Where the temporary file of a write lives: beside the target, so rename is atomic. */
export function tempNameFor(realTarget: string, pid = process.pid): string {
  const dir = path.dirname(realTarget);
  return path.join(dir, `.${path.basename(realTarget)}.midtrust-${pid}-${randomBytes(6).toString('hex')}.tmp`);
}

const TEMP_PATTERN = /^\.(.+)\.midtrust-(\d+)-[0-9a-f]+\.tmp$/;

/**
 * Keystores on this machine's file system.
 *
 * @example
 * const host = new LocalHost();
 * const lock = await host.lock('/opt/servicenow/mid/agent/jre/lib/security/cacerts');
 * try { await host.writeFileAtomic(path, bytes, { verify }); } finally { await lock.release(); }
 */
export class LocalHost implements Host {
  describe(): string {
    return 'local';
  }

  async readFile(file: string): Promise<Uint8Array> {
    try {
      return await fs.readFile(file);
    } catch (e) {
      throw ioError(e, file, 'reading');
    }
  }

  async stat(file: string): Promise<HostStat | undefined> {
    try {
      const st = await fs.stat(file);
      return { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, realPath: await fs.realpath(file) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError(e, file, 'checking the file');
    }
  }

  /** The file a write really replaces: the symlink's target (Debian links every JDK's cacerts to one file). */
  async resolveTarget(file: string): Promise<string> {
    try {
      return await fs.realpath(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file, 'resolving the path');
      // A dangling symlink: write its target, like `cp` would.
      const link = await fs.readlink(file).catch(() => undefined);
      if (link !== undefined) return path.resolve(path.dirname(file), link);
      const dir = await fs.realpath(path.dirname(path.resolve(file))).catch((err: unknown) => {
        throw ioError(err, path.dirname(file), 'resolving the directory');
      });
      return path.join(dir, path.basename(file));
    }
  }

  async writeFileAtomic(file: string, bytes: Uint8Array, opts: WriteAtomicOptions = {}): Promise<void> {
    const target = await this.resolveTarget(file);
    const before = await this.stat(target);
    const tmp = tempNameFor(target);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(tmp, 'wx', 0o600);
      await handle.writeFile(bytes);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.chmod(tmp, before?.mode ?? opts.mode ?? 0o644);
      if (before && (before.uid !== process.getuid?.() || before.gid !== process.getgid?.())) {
        await fs.chown(tmp, before.uid, before.gid);
      }
      if (opts.verify) await opts.verify(await fs.readFile(tmp));
      await fs.rename(tmp, target);
      await syncDirectory(path.dirname(target));
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await fs.unlink(tmp).catch(() => undefined);
      if (e instanceof MidtrustError) throw e;
      throw ioError(e, target, 'writing (the original was left untouched)');
    }
  }

  async lock(file: string, opts: LockOptions = {}): Promise<HostLock> {
    const target = await this.resolveTarget(file);
    const lockPath = `${target}.midtrust.lock`;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const staleMs = opts.staleMs ?? 10 * 60_000;
    const me: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), tool: 'midtrust', token: randomBytes(8).toString('hex') };
    const deadline = Date.now() + timeoutMs;
    let delay = 20;
    for (;;) {
      if (await this.tryCreateLock(lockPath, me)) return this.heldLock(lockPath, me.token);
      const holder = await readLockFile(lockPath);
      if (holder && isLockStale(holder, staleMs)) {
        await this.removeStaleLock(lockPath, holder.token);
        continue;
      }
      if (Date.now() >= deadline) {
        const who = holder ? `pid ${holder.pid} on host ${holder.hostname} since ${holder.startedAt}` : 'another run';
        throw new MidtrustError(
          'LOCKED',
          `${target} is locked by ${who}; waited ${Math.round(timeoutMs / 1000)} s. Wait for that run to finish, or delete ${lockPath} if that process is gone`,
        );
      }
      await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
      delay = Math.min(delay * 2, 500);
    }
  }

  async cleanupStaleTemps(file: string): Promise<number> {
    const target = await this.resolveTarget(file);
    const dir = path.dirname(target);
    let removed = 0;
    for (const name of await this.listDir(dir)) {
      const m = TEMP_PATTERN.exec(name);
      if (!m || m[1] !== path.basename(target)) continue;
      if (isProcessAlive(Number(m[2]))) continue;
      await fs.unlink(path.join(dir, name)).catch(() => undefined);
      removed++;
    }
    return removed;
  }

  async listDir(dir: string): Promise<string[]> {
    try {
      return await fs.readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError(e, dir, 'listing the directory');
    }
  }

  async removeFile(file: string): Promise<void> {
    try {
      await fs.unlink(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file, 'removing');
    }
  }

  async makeDirectory(dir: string): Promise<void> {
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw ioError(e, dir, 'creating the directory');
    }
  }

  private async tryCreateLock(lockPath: string, me: LockOwner): Promise<boolean> {
    try {
      // O_EXCL: of two runs creating the lock at once, exactly one succeeds.
      await fs.writeFile(lockPath, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw ioError(e, lockPath, 'creating the lock file');
    }
  }

  /**
   * Removes a stale lock without stealing a fresh one: a second O_EXCL "takeover" file
   * serializes the racers, and the lock is re-read under it so only the stale token is removed.
   */
  private async removeStaleLock(lockPath: string, staleToken: string): Promise<void> {
    const takeover = `${lockPath}.takeover`;
    try {
      await fs.writeFile(takeover, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(e, takeover, 'taking over a stale lock');
      // Someone else is taking over; a takeover file left by a killed run expires after 10 s.
      const st = await fs.stat(takeover).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > 10_000) await fs.unlink(takeover).catch(() => undefined);
      await sleep(20);
      return;
    }
    try {
      const current = await readLockFile(lockPath);
      if (current && current.token === staleToken) await fs.unlink(lockPath).catch(() => undefined);
    } finally {
      await fs.unlink(takeover).catch(() => undefined);
    }
  }

  private heldLock(lockPath: string, token: string): HostLock {
    let released = false;
    return {
      lockPath,
      release: async () => {
        if (released) return;
        released = true;
        const current = await readLockFile(lockPath);
        if (current?.token === token) await fs.unlink(lockPath).catch(() => undefined);
      },
    };
  }
}

async function readLockFile(lockPath: string): Promise<(LockOwner & { mtimeMs: number }) | undefined> {
  try {
    const [text, st] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath)]);
    return { ...parseLockFile(text, st.mtimeMs), mtimeMs: st.mtimeMs };
  } catch {
    return undefined; // gone between the failed create and now: the next attempt will tell
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // The rename is durable only once the directory entry is on disk.
  const h = await fs.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
