import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import type { Host, HostLock, HostStat, LockOptions, WriteAtomicOptions } from './host';
import { ioError } from './ioError';
import { acquireLocalLockFile, LOCK_SUFFIX, readLockFile, TAKEOVER_INFIX } from './localLockFile';
import { isLockStale } from './lockOwner';
import { isProcessAlive } from './processAlive';
import { parseTempFileName, tempFileName } from './tempFileName';
import { pauseAt } from './testPause';

/** Backups are written through writeFileAtomic too; their temporaries belong to the store. */
const BACKUP_INFIX = '.midtrust-backup-';
/** Symlink hops followed before giving up, as Linux does (ELOOP after 40). */
const MAX_LINK_HOPS = 40;

/**
 * Keystores on this machine's file system, through node's fs/promises only (no shelling out).
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

  /**
   * The file a write really replaces: the symlink's target, because replacing the link itself
   * would cut it (Debian links every JDK's cacerts to /etc/ssl/certs/java/cacerts). A dangling
   * link is followed to where its target would be, as `cp` does.
   *
   * @example
   * await host.resolveTarget('/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts'); // '/etc/ssl/certs/java/cacerts'
   */
  async resolveTarget(file: string): Promise<string> {
    let p = path.resolve(file);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      try {
        return await fs.realpath(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file, 'resolving the path');
      }
      let link: string;
      try {
        link = await fs.readlink(p);
      } catch {
        // Not a link and not there: a new file in a directory that must exist.
        return path.join(await this.realDirectory(path.dirname(p), file), path.basename(p));
      }
      p = path.resolve(path.dirname(p), link);
    }
    throw new MidtrustError('INVALID_INPUT', `${file}: too many levels of symbolic links; check where the links point`);
  }

  /**
   * Temporary file (O_EXCL, 0600) beside the target → write all → chmod/chown like the original
   * → fsync → read back + `verify` → rename over the target → fsync the directory.
   *
   * Owner: as root the original uid/gid are always restored (failure is IO). Without root a
   * process can only give a file to itself and its own groups, so the owner is kept when it is
   * already ours, the group when possible, and otherwise the file becomes the writer's — the
   * best an unprivileged writer can do without failing a write the directory allows.
   */
  async writeFileAtomic(file: string, bytes: Uint8Array, opts: WriteAtomicOptions = {}): Promise<void> {
    const target = await this.resolveTarget(file);
    const before = await this.stat(target);
    const tmp = path.join(path.dirname(target), tempFileName(path.basename(target)));
    let handle: fs.FileHandle | undefined;
    let renamed = false;
    let step = 'creating a temporary file in its directory';
    try {
      handle = await fs.open(tmp, 'wx', 0o600);
      step = 'writing the new content';
      await handle.writeFile(bytes);
      // chown before chmod: Linux clears set-uid/set-gid bits on chown, even for root.
      step = 'keeping the owner';
      await keepOwner(handle, before);
      step = 'setting the file mode';
      await handle.chmod(before?.mode ?? opts.mode ?? 0o644);
      step = 'flushing the new content to disk';
      await handle.sync();
      await handle.close();
      handle = undefined;
      await pauseAt('temp-written', target);
      if (opts.verify) {
        step = 'reading the new content back';
        const readBack = await fs.readFile(tmp);
        await runVerify(opts.verify, readBack, target);
      }
      await pauseAt('before-rename', target);
      step = 'replacing the file';
      await fs.rename(tmp, target);
      renamed = true;
      await pauseAt('after-rename', target);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      if (!renamed) await fs.unlink(tmp).catch(() => undefined);
      throw ioError(e, target, step, 'the original was left untouched');
    }
    await syncDirectory(path.dirname(target));
  }

  async lock(file: string, opts: LockOptions = {}): Promise<HostLock> {
    const target = await this.resolveTarget(file);
    const lock = await acquireLocalLockFile(`${target}${LOCK_SUFFIX}`, target, opts);
    try {
      await this.cleanupStaleTemps(target);
    } catch (e) {
      await lock.release().catch(() => undefined);
      throw e;
    }
    await pauseAt('after-lock', target);
    return lock;
  }

  async cleanupStaleTemps(file: string): Promise<number> {
    const target = await this.resolveTarget(file);
    const dir = path.dirname(target);
    const base = path.basename(target);
    let removed = 0;
    for (const name of await this.listDir(dir)) {
      if (await isLeftover(dir, name, base)) {
        await this.removeFile(path.join(dir, name));
        removed++;
      }
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

  private async realDirectory(dir: string, file: string): Promise<string> {
    try {
      return await fs.realpath(dir);
    } catch (e) {
      throw ioError(e, dir, `resolving the directory of ${file}`);
    }
  }
}

/** A temporary file of a killed write, or a takeover file of a killed lock waiter, for `base`. */
async function isLeftover(dir: string, name: string, base: string): Promise<boolean> {
  const temp = parseTempFileName(name);
  if (temp) {
    const ours = temp.targetBase === base || temp.targetBase.startsWith(`${base}${BACKUP_INFIX}`);
    return ours && !isProcessAlive(temp.pid);
  }
  if (name.startsWith(`${base}${LOCK_SUFFIX}${TAKEOVER_INFIX}`)) {
    // Held for milliseconds by a live waiter; only one whose process is gone is left over.
    const owner = await readLockFile(path.join(dir, name));
    return owner !== undefined && isLockStale(owner, 10 * 60_000);
  }
  return false;
}

async function keepOwner(handle: fs.FileHandle, before: HostStat | undefined): Promise<void> {
  if (!before) return;
  const st = await handle.stat();
  if (st.uid === before.uid && st.gid === before.gid) return;
  try {
    await handle.chown(before.uid, before.gid);
  } catch (e) {
    if (process.getuid?.() === 0) throw e;
    // Unprivileged: keep at least the group (allowed for groups we belong to).
    await handle.chown(-1, before.gid).catch(() => undefined);
  }
}

async function runVerify(verify: NonNullable<WriteAtomicOptions['verify']>, readBack: Uint8Array, target: string): Promise<void> {
  try {
    await verify(readBack);
  } catch (e) {
    if (e instanceof MidtrustError) throw e;
    throw new MidtrustError('CORRUPT', `${target}: the new content failed verification before replacing the file, which was left untouched: ${String(e)}`, { cause: e });
  }
}

/** The rename is durable only once the directory entry is on disk. */
async function syncDirectory(dir: string): Promise<void> {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch (e) {
    // Some file systems (and Windows) cannot fsync a directory; the rename itself has happened.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'ENOTSUP' || code === 'EISDIR' || code === 'EPERM' || code === 'EACCES') return;
    throw ioError(e, dir, 'flushing the directory after the new content was renamed into place (the new content is in place; run `sync`)');
  } finally {
    await h?.close().catch(() => undefined);
  }
}
