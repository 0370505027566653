import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { readRegularFile } from './boundedRead';
import type { CreateOptions, Host, HostLock, HostStat, LockOptions, MakeDirectoryOptions, ReadFileOptions, WriteAtomicOptions } from './host';
import { ioError } from './ioError';
import { createLocalDirectory, createNewLocalFile, CREATE_EXCLUSIVE_READ_WRITE, replaceLocalFile, resolveLocalWriteTarget, syncLocalDirectory } from './localFiles';
import { READ_LIMITS } from './readLimits';
import { acquireLocalLockFile, isLockFileStale, LOCK_SUFFIX, readLockFile, TAKEOVER_INFIX } from './localLockFile';
import { isProcessAlive } from './processAlive';
import { belongsToStore, isOwnTempInUse, parseTempFileName, tempFileName, useTempFile } from './tempFileName';
import { linkRuleOf, type LinkRule } from './safeDirectory';
import { pauseAt } from './testPause';
import { renameOver } from './renameOver';

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

  async readFile(file: string, opts: ReadFileOptions = {}): Promise<Uint8Array> {
    return readRegularFile(file, { maxBytes: opts.maxBytes ?? READ_LIMITS.keystore, what: opts.what ?? 'the keystore', noFollow: opts.noFollow });
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
   * The file a write really replaces: the keystore link's target (Debian links every JDK's
   * cacerts to /etc/ssl/certs/java/cacerts), in a directory checked by safeDirectory.
   *
   * @example
   * await host.resolveTarget('/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts'); // '/etc/ssl/certs/java/cacerts'
   */
  async resolveTarget(file: string, link?: LinkRule): Promise<string> {
    return resolveLocalWriteTarget(file, link);
  }

  /**
   * Temporary file (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) beside the target → write all →
   * chmod/chown like the original → fsync → read back through the same descriptor + `verify` →
   * rename over the target → fsync the directory.
   *
   * Owner: as root the original uid/gid are always restored (failure is IO). Without root a
   * process can only give a file to itself and its own groups, so the owner is kept when it is
   * already ours, the group when possible, and otherwise the file becomes the writer's — the
   * best an unprivileged writer can do without failing a write the directory allows.
   */
  async writeFileAtomic(file: string, bytes: Uint8Array, opts: WriteAtomicOptions = {}): Promise<void> {
    const target = await this.resolveTarget(file, linkRuleOf(opts));
    const before = await this.stat(target);
    const tmpName = tempFileName(path.basename(target));
    const tmp = path.join(path.dirname(target), tmpName);
    const doneWithTemp = useTempFile(tmpName);
    let handle: fs.FileHandle | undefined;
    let renamed = false;
    let step = 'creating a temporary file in its directory';
    try {
      handle = await fs.open(tmp, CREATE_EXCLUSIVE_READ_WRITE, 0o600);
      step = 'writing the new content';
      await handle.writeFile(bytes);
      // chown before chmod: Linux clears set-uid/set-gid bits on chown, even for root.
      step = 'keeping the owner';
      await keepOwner(handle, before);
      step = 'setting the file mode';
      await handle.chmod(opts.setMode ?? before?.mode ?? opts.mode ?? 0o644);
      step = 'flushing the new content to disk';
      await handle.sync();
      await pauseAt('temp-written', target);
      if (opts.verify) {
        // Through our own descriptor, not the name: what is verified is what gets renamed.
        step = 'reading the new content back';
        const readBack = Buffer.alloc(bytes.length);
        const { bytesRead } = await handle.read(readBack, 0, bytes.length, 0);
        await runVerify(opts.verify, readBack.subarray(0, bytesRead), target);
      }
      await handle.close();
      handle = undefined;
      await pauseAt('before-rename', target);
      step = 'replacing the file';
      await renameOver(tmp, target, 'the original was left untouched');
      renamed = true;
      await pauseAt('after-rename', target);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      if (!renamed) await fs.unlink(tmp).catch(() => undefined);
      throw ioError(e, target, step, 'the original was left untouched');
    } finally {
      doneWithTemp();
    }
    await syncLocalDirectory(path.dirname(target));
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

  async makeDirectory(dir: string, opts: MakeDirectoryOptions = {}): Promise<string[]> {
    const missing: string[] = [];
    for (let d = path.resolve(dir); !(await exists(d)); d = path.dirname(d)) {
      missing.unshift(d);
      if (path.dirname(d) === d) break;
    }
    for (const d of missing) {
      try {
        await fs.mkdir(d, { mode: opts.mode ?? 0o700 });
        // mkdir's mode is cut by the umask; the asked-for bits are what the reader needs.
        await fs.chmod(d, opts.mode ?? 0o700);
        if (opts.owner) await fs.chown(d, opts.owner.uid, opts.owner.gid);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // made by someone else meanwhile
        throw ioError(e, d, 'creating the directory');
      }
    }
    return missing;
  }

  async removeEmptyDirectory(dir: string): Promise<boolean> {
    try {
      await fs.rmdir(dir);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      throw ioError(e, dir, 'removing the directory');
    }
  }

  async createNewFile(file: string, bytes: Uint8Array, opts: CreateOptions = {}): Promise<boolean> {
    return createNewLocalFile(file, bytes, opts);
  }

  async createDirectory(dir: string, opts: CreateOptions = {}): Promise<boolean> {
    return createLocalDirectory(dir, opts);
  }

  async replaceFile(file: string, bytes: Uint8Array, opts: CreateOptions = {}): Promise<void> {
    return replaceLocalFile(file, bytes, opts);
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** A temporary file of a killed write, or a takeover file of a killed lock waiter, for `base`. */
async function isLeftover(dir: string, name: string, base: string): Promise<boolean> {
  const temp = parseTempFileName(name);
  if (temp) {
    const ours = belongsToStore(temp.targetBase, base);
    // Windows (and Wine) hand a dead process's pid to the next one soon: our own pid on a temp
    // file we are not writing is a predecessor's.
    const gone = temp.pid === process.pid ? !isOwnTempInUse(name) : !isProcessAlive(temp.pid);
    return ours && gone;
  }
  if (name.startsWith(`${base}${LOCK_SUFFIX}${TAKEOVER_INFIX}`)) {
    // Held for milliseconds by a live waiter; only one whose process is gone is left over.
    const owner = await readLockFile(path.join(dir, name));
    return owner !== undefined && isLockFileStale(owner, 10 * 60_000);
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
