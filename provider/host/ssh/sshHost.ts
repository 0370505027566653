import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { MidtrustError } from '../../errors';
import { symlinkRefused, tooLarge } from '../boundedRead';
import type { CreateOptions, Host, HostLock, HostStat, LockOptions, MakeDirectoryOptions, ReadFileOptions, WriteAtomicOptions } from '../host';
import { isLockStale, parseLockFile, type LockOwner } from '../lockOwner';
import { READ_LIMITS } from '../readLimits';
import { accountNameIn, linkRuleOf, resolveWriteTarget, windowsLinkRefused, safeDirectory, type ComponentStat, type LinkRule, type PathWalkOps } from '../safeDirectory';
import { belongsToStore, tempFileName } from '../tempFileName';
import { connectionKey, type SshConnectionSpec } from './sshConnectionSpec';
import { sshPool, type SshConnectionPool } from './sshConnectionPool';
import { toSftpPath } from './sftpPath';
import { pauseAt } from '../testPause';

const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;
const TEMP_PATTERN = /^\.(.+)\.midtrust-(\d+)-[0-9a-f]+\.tmp$/;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const FILE_KINDS: Record<number, string> = { 0o010000: 'a FIFO (named pipe)', 0o020000: 'a character device', 0o060000: 'a block device', 0o140000: 'a socket', [S_IFDIR]: 'a directory', [S_IFLNK]: 'a symbolic link' };
/** Windows OpenSSH spells drives `/C:/`: no POSIX owners or modes to check there. */
const isWindowsSftpPath = (p: string): boolean => /^\/[A-Za-z]:\//.test(p);
/** How a call on a dead connection fails: the pool's "connection was lost", or ssh2's SFTP channel closing under it. */
const CONNECTION_LOST = /connection was lost|No response from server|Not connected|write after end/i;
/** Temporary files of killed runs are removed once they are this old (remote pids cannot be probed). */
const STALE_TEMP_MS = 10 * 60_000;

type Callback<T> = (err: Error | undefined | null, v?: T) => void;
/** Runs one SFTP call as a promise. */
type Call = <T>(fn: (cb: Callback<T>) => void) => Promise<T>;

/** An SFTP call bound to a session: a dropped connection never calls back, so it races the session's end. */
function boundCall(closed: Promise<never>): Call {
  return <T>(fn: (cb: Callback<T>) => void) => Promise.race([new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T)))), closed]);
}

/**
 * Keystores on a remote MID host, over one shared SSH connection and SFTP. Same guarantees as
 * LocalHost: the store is replaced by `posix-rename@openssh.com` of a fully written, fsynced and
 * verified temporary file beside it (a dropped connection leaves at most a temp file), under a
 * lock file created with O_EXCL. Paths are the host's own (`C:\...` is mapped for OpenSSH on Windows).
 */
export class SshHost implements Host {
  constructor(
    readonly spec: SshConnectionSpec,
    private readonly pool: SshConnectionPool = sshPool,
  ) {}

  describe(): string {
    return `ssh ${connectionKey(this.spec)}`;
  }

  private async open(): Promise<{ sftp: SFTPWrapper; call: Call }> {
    const session = await this.pool.get(this.spec);
    return { sftp: session.sftp, call: boundCall(session.closed) };
  }

  private error(e: unknown, file: string, doing: string): MidtrustError {
    if (e instanceof MidtrustError) return e;
    const code = (e as { code?: number }).code;
    const where = `${this.describe()} ${file}`;
    if (code === SFTP_NO_SUCH_FILE) return new MidtrustError('NOT_FOUND', `${where}: does not exist (while ${doing})`, { cause: e });
    if (code === SFTP_PERMISSION_DENIED) return new MidtrustError('IO', `${where}: permission denied while ${doing}; ${this.spec.become ? `${this.spec.become.user} cannot do this: become the account that owns the MID Server files` : 'connect as the user that owns the MID Server files, or act as it with become (sudo)'}`, { cause: e });
    return new MidtrustError('IO', `${where}: ${(e as Error)?.message ?? String(e)} while ${doing}`, { cause: e });
  }

  private myUid?: Promise<number | undefined>;

  /**
   * The remote account's uid, trusted like root by the directory walk: the owner of the SFTP
   * start directory (the login's home). Unknown (only root trusted) when that cannot be read.
   * Under become the SFTP server runs as the become account but starts in the login's home, so
   * its uid is the owner of /proc/self (the server process itself); without /proc, unknown.
   */
  private remoteUid(): Promise<number | undefined> {
    this.myUid ??= (async () => {
      const { sftp, call } = await this.open();
      try {
        if (this.spec.become) return (await call<import('ssh2').Stats>((cb) => sftp.stat('/proc/self', cb))).uid;
        const home = await call<string>((cb) => sftp.realpath('.', cb));
        return (await call<import('ssh2').Stats>((cb) => sftp.stat(home, cb))).uid;
      } catch {
        return undefined;
      }
    })();
    return this.myUid;
  }

  /** The remote file system for the shared directory walk (safeDirectory.ts). */
  private async walkOps(): Promise<PathWalkOps> {
    const { sftp, call } = await this.open();
    const me = await this.remoteUid();
    return {
      lstat: async (p) => {
        try {
          const st = await call<import('ssh2').Stats>((cb) => sftp.lstat(p, cb));
          const type = st.mode & S_IFMT;
          return { kind: type === S_IFLNK ? 'symlink' : type === S_IFDIR ? 'directory' : 'other', uid: st.uid, mode: st.mode & 0o7777 } satisfies ComponentStat;
        } catch (e) {
          if ((e as { code?: number }).code === SFTP_NO_SUCH_FILE) return undefined;
          throw this.error(e, p, 'checking the directory');
        }
      },
      readlink: (p) => call<string>((cb) => sftp.readlink(p, cb)),
      trustedUids: me === undefined || me === 0 ? [0] : [0, me],
      where: `${this.describe()} `,
      accountName: async (uid) => accountNameIn(Buffer.from(await this.readFile('/etc/passwd', { maxBytes: READ_LIMITS.smallRecord, what: '/etc/passwd' })).toString('utf8'), uid),
    };
  }

  /** The canonical remote directory midtrust may create files in (safeDirectory's rule). */
  private async safeDir(dir: string): Promise<string> {
    const p = toSftpPath(dir);
    if (isWindowsSftpPath(p)) return p;
    return safeDirectory(p, await this.walkOps());
  }

  async readFile(file: string, opts: ReadFileOptions = {}): Promise<Uint8Array> {
    const { sftp, call } = await this.open();
    const p = toSftpPath(file);
    const maxBytes = opts.maxBytes ?? READ_LIMITS.keystore;
    const what = opts.what ?? 'the keystore';
    let handle: Buffer | undefined;
    try {
      // Check before opening: an SFTP server opening a FIFO blocks until a writer comes.
      const st = await call<import('ssh2').Stats>((cb) => (opts.noFollow ? sftp.lstat(p, cb) : sftp.stat(p, cb)));
      if ((st.mode & S_IFMT) !== S_IFREG) {
        throw new MidtrustError('INVALID_INPUT', `${this.describe()} ${file}: is ${FILE_KINDS[st.mode & S_IFMT] ?? 'not a regular file'}, not a regular file; ${what} must be a regular file`);
      }
      if (st.size > maxBytes) throw tooLarge(`${this.describe()} ${file}`, what, maxBytes, st.size);
      handle = await call<Buffer>((cb) => sftp.open(p, 'r', cb));
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const want = Math.min(32 * 1024, maxBytes + 1 - total);
        const buf = Buffer.alloc(want);
        const n = await call<number>((cb) => sftp.read(handle as Buffer, buf, 0, want, total, (err, bytesRead) => cb(err, bytesRead)));
        if (!n) break;
        total += n;
        if (total > maxBytes) throw tooLarge(`${this.describe()} ${file}`, what, maxBytes);
        chunks.push(buf.subarray(0, n));
      }
      return Buffer.concat(chunks, total);
    } catch (e) {
      throw this.error(e, file, `reading ${what}`);
    } finally {
      if (handle) await call((cb) => sftp.close(handle as Buffer, cb)).catch(() => undefined);
    }
  }

  async stat(file: string): Promise<HostStat | undefined> {
    const { sftp, call } = await this.open();
    const p = toSftpPath(file);
    try {
      const st = await call<import('ssh2').Stats>((cb) => sftp.stat(p, cb));
      const realPath = await call<string>((cb) => sftp.realpath(p, cb));
      return { size: st.size, mtimeMs: st.mtime * 1000, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, realPath };
    } catch (e) {
      if ((e as { code?: number }).code === SFTP_NO_SUCH_FILE) return undefined;
      throw this.error(e, file, 'checking the file');
    }
  }

  /**
   * The file really written: the keystore link's target, in directories checked by safeDirectory.
   * A Windows host's SFTP server reports no owners, so a link there is refused
   * ({@link windowsLinkRefused}): who made it cannot be checked.
   */
  async resolveTarget(file: string, link?: LinkRule): Promise<string> {
    const p = toSftpPath(file);
    if (!isWindowsSftpPath(p)) return resolveWriteTarget(p, await this.walkOps(), link);
    const { sftp, call } = await this.open();
    try {
      const st = await call<import('ssh2').Stats>((cb) => sftp.lstat(p, cb)).catch(() => undefined);
      if (st?.isSymbolicLink()) {
        if (link && !link.follow) throw symlinkRefused(`${this.describe()} ${file}`, link.what);
        throw windowsLinkRefused(`${this.describe()} ${file}`);
      }
      await call((cb) => sftp.stat(p, cb));
      return await call<string>((cb) => sftp.realpath(p, cb));
    } catch (e) {
      if ((e as { code?: number }).code !== SFTP_NO_SUCH_FILE) throw this.error(e, file, 'resolving the path');
      const dir = await call<string>((cb) => sftp.realpath(path.posix.dirname(p), cb)).catch((err: unknown) => {
        throw this.error(err, path.posix.dirname(p), 'resolving the directory');
      });
      return path.posix.join(dir, path.posix.basename(p));
    }
  }

  async writeFileAtomic(file: string, bytes: Uint8Array, opts: WriteAtomicOptions = {}): Promise<void> {
    const { sftp, call } = await this.open();
    const target = await this.resolveTarget(file, linkRuleOf(opts));
    const before = await this.stat(target);
    const tmp = path.posix.join(path.posix.dirname(target), tempFileName(path.posix.basename(target)));
    let handle: Buffer | undefined;
    try {
      // SSH_FXF_CREAT|SSH_FXF_EXCL: the server's open(2) gets O_EXCL, which fails on any existing name, links included.
      handle = await call<Buffer>((cb) => sftp.open(tmp, 'xw+', { mode: 0o600 }, cb));
      for (let off = 0; off < bytes.length; ) {
        const n = Math.min(32 * 1024, bytes.length - off);
        await call((cb) => sftp.write(handle as Buffer, Buffer.from(bytes.buffer, bytes.byteOffset + off, n), 0, n, off, cb));
        off += n;
        if (off === n && off < bytes.length) await pauseAt('temp-partial', target);
      }
      await call((cb) => sftp.ext_openssh_fsync(handle as Buffer, cb)).catch(() => undefined); // older servers lack fsync@openssh.com
      await call((cb) => sftp.fchmod(handle as Buffer, opts.setMode ?? before?.mode ?? opts.mode ?? 0o644, cb));
      if (before) await call((cb) => sftp.fchown(handle as Buffer, before.uid, before.gid, cb)).catch(() => undefined); // best effort, as a non-root user cannot chown
      await pauseAt('temp-written', target);
      if (opts.verify) {
        // Through our own handle, not the name: what is verified is what gets renamed.
        const readBack = Buffer.alloc(bytes.length);
        let got = 0;
        while (got < bytes.length) {
          const n = await call<number>((cb) => sftp.read(handle as Buffer, readBack, got, Math.min(32 * 1024, bytes.length - got), got, (err, bytesRead) => cb(err, bytesRead)));
          if (!n) break;
          got += n;
        }
        await opts.verify(readBack.subarray(0, got));
      }
      await call((cb) => sftp.close(handle as Buffer, cb));
      handle = undefined;
      await pauseAt('before-rename', target);
      await this.renameOver(sftp, call, tmp, target);
      await pauseAt('after-rename', target);
    } catch (e) {
      if (handle) await call((cb) => sftp.close(handle as Buffer, cb)).catch(() => undefined);
      await call((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
      throw this.error(e, target, 'writing (the original was left untouched)');
    }
  }

  /**
   * posix-rename@openssh.com replaces the target atomically. A server without it (plain SFTP
   * rename refuses to overwrite) gets a fallback with a short window: the old store is moved
   * aside, the new one moved in, then the old one removed.
   */
  private async renameOver(sftp: SFTPWrapper, call: Call, tmp: string, target: string): Promise<void> {
    try {
      await call((cb) => sftp.ext_openssh_rename(tmp, target, cb));
      return;
    } catch (e) {
      if (!/not supported|unsupported/i.test((e as Error).message ?? '')) throw e;
    }
    const aside = `${tmp}.old`;
    await call((cb) => sftp.rename(target, aside, cb)).catch(() => undefined);
    await call((cb) => sftp.rename(tmp, target, cb));
    await call((cb) => sftp.unlink(aside, cb)).catch(() => undefined);
  }

  async lock(file: string, opts: LockOptions = {}): Promise<HostLock> {
    const { sftp, call } = await this.open();
    const target = await this.resolveTarget(file);
    const lockPath = `${target}.midtrust.lock`;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const staleMs = opts.staleMs ?? 10 * 60_000;
    const me: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), tool: 'midtrust', token: randomBytes(8).toString('hex') };
    const deadline = Date.now() + timeoutMs;
    let delay = 50;
    for (;;) {
      try {
        const h = await call<Buffer>((cb) => sftp.open(lockPath, 'wx', { mode: 0o644 }, cb));
        const text = Buffer.from(`${JSON.stringify(me)}\n`);
        await call((cb) => sftp.write(h, text, 0, text.length, 0, cb));
        await call((cb) => sftp.close(h, cb));
        const held = this.heldLock(lockPath, me.token);
        try {
          // Under the store's lock no other run can be writing it: every temp file of it is a
          // leftover of a run that was killed or lost its connection, however young.
          await this.removeLeftoverTemps(target, 0);
        } catch (e) {
          await held.release().catch(() => undefined);
          throw e;
        }
        await pauseAt('after-lock', target);
        return held;
      } catch (e) {
        if ((e as { code?: number }).code === SFTP_PERMISSION_DENIED) throw this.error(e, lockPath, 'creating the lock file');
      }
      const holder = await this.readLock(sftp, call, lockPath);
      if (holder && isLockStale(holder, staleMs)) {
        const again = await this.readLock(sftp, call, lockPath);
        if (again?.token === holder.token) await call((cb) => sftp.unlink(lockPath, cb)).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline) {
        const who = holder ? `pid ${holder.pid} on host ${holder.hostname} since ${holder.startedAt}` : 'another run';
        throw new MidtrustError('LOCKED', `${this.describe()} ${target} is locked by ${who}; waited ${Math.round(timeoutMs / 1000)} s. Wait for that run to finish, or delete ${lockPath} if that process is gone`);
      }
      await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, deadline - Date.now()))));
      delay = Math.min(delay * 2, 1000);
    }
  }

  private async readLock(sftp: SFTPWrapper, call: Call, lockPath: string): Promise<(LockOwner & { mtimeMs: number }) | undefined> {
    let st: import('ssh2').Stats;
    try {
      st = await call<import('ssh2').Stats>((cb) => sftp.lstat(lockPath, cb));
    } catch {
      return undefined;
    }
    if ((st.mode & S_IFMT) !== S_IFREG) {
      // Opening a planted FIFO would block the SFTP server; a link is not ours to follow.
      throw new MidtrustError('LOCKED', `${this.describe()} ${lockPath}: is ${FILE_KINDS[st.mode & S_IFMT] ?? 'not a regular file'}, not a midtrust lock file; midtrust never makes one — someone else put it there. Remove it, then run again`);
    }
    try {
      const buf = await this.readFile(lockPath, { maxBytes: READ_LIMITS.smallRecord, what: 'the lock file', noFollow: true });
      return { ...parseLockFile(Buffer.from(buf).toString('utf8'), st.mtime * 1000), mtimeMs: st.mtime * 1000 };
    } catch {
      return undefined;
    }
  }

  private heldLock(lockPath: string, token: string): HostLock {
    let released = false;
    return {
      lockPath,
      release: async () => {
        if (released) return;
        released = true;
        // Through the pool's current connection: the lock file outlives a connection that dropped
        // while it was held (the write itself reconnects), and must not be left for 10 minutes.
        // A connection that died just before (its SFTP call failed before the pool saw it close)
        // is given a moment to be dropped, then the release is tried once more on a new one.
        for (let attempt = 1; attempt <= 2; attempt++) {
          const session = await this.pool.get(this.spec).catch(() => undefined);
          if (!session) return;
          const call = boundCall(session.closed);
          try {
            const text = await call<Buffer>((cb) => session.sftp.readFile(lockPath, cb));
            if (parseLockFile(text.toString('utf8'), 0).token === token) await call((cb) => session.sftp.unlink(lockPath, cb));
            return;
          } catch (e) {
            if ((e as { code?: number }).code === SFTP_NO_SUCH_FILE || !CONNECTION_LOST.test((e as Error).message ?? '')) return;
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([session.closed.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 2000)))]);
            clearTimeout(timer);
          }
        }
      },
    };
  }

  async cleanupStaleTemps(file: string): Promise<number> {
    return this.removeLeftoverTemps(await this.resolveTarget(file), STALE_TEMP_MS);
  }

  /** Removes temp files of `target` (and of its backups) at least `minAgeMs` old; returns how many. */
  private async removeLeftoverTemps(target: string, minAgeMs: number): Promise<number> {
    const { sftp, call } = await this.open();
    const dir = path.posix.dirname(target);
    const base = path.posix.basename(target);
    let removed = 0;
    const list = await call<import('ssh2').FileEntryWithStats[]>((cb) => sftp.readdir(dir, cb)).catch(() => []);
    for (const f of list) {
      const m = TEMP_PATTERN.exec(f.filename);
      if (!m || !belongsToStore(m[1], base)) continue;
      if (Date.now() - f.attrs.mtime * 1000 < minAgeMs) continue;
      await call((cb) => sftp.unlink(path.posix.join(dir, f.filename), cb)).catch(() => undefined);
      removed++;
    }
    return removed;
  }

  async listDir(dir: string): Promise<string[]> {
    const { sftp, call } = await this.open();
    try {
      return (await call<import('ssh2').FileEntryWithStats[]>((cb) => sftp.readdir(toSftpPath(dir), cb))).map((f) => f.filename);
    } catch (e) {
      if ((e as { code?: number }).code === SFTP_NO_SUCH_FILE) return [];
      throw this.error(e, dir, 'listing the directory');
    }
  }

  async removeFile(file: string): Promise<void> {
    const { sftp, call } = await this.open();
    try {
      await call((cb) => sftp.unlink(toSftpPath(file), cb));
    } catch (e) {
      if ((e as { code?: number }).code !== SFTP_NO_SUCH_FILE) throw this.error(e, file, 'removing');
    }
  }

  async makeDirectory(dir: string, opts: MakeDirectoryOptions = {}): Promise<string[]> {
    const { sftp, call } = await this.open();
    const parts = toSftpPath(dir).split('/');
    const created: string[] = [];
    for (let i = 2; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!p) continue;
      const exists = await call((cb) => sftp.lstat(p, cb)).then(() => true, () => false);
      if (exists) continue;
      try {
        await call((cb) => sftp.mkdir(p, { mode: opts.mode ?? 0o700 }, cb));
        await call((cb) => sftp.chmod(p, opts.mode ?? 0o700, cb));
        if (opts.owner) await call((cb) => sftp.chown(p, opts.owner!.uid, opts.owner!.gid, cb));
        created.push(p);
      } catch (e) {
        const nowExists = await call((cb) => sftp.stat(p, cb)).then(() => true, () => false);
        if (!nowExists) throw this.error(e, p, 'creating the directory');
      }
    }
    return created;
  }

  async removeEmptyDirectory(dir: string): Promise<boolean> {
    const { sftp, call } = await this.open();
    try {
      await call((cb) => sftp.rmdir(toSftpPath(dir), cb));
      return true;
    } catch (e) {
      // SFTP v3 has no "not empty" status: a directory still there (or gone) is simply left.
      const code = (e as { code?: number }).code;
      if (code === SFTP_NO_SUCH_FILE || code === 4 /* SSH_FX_FAILURE */) return false;
      throw this.error(e, dir, 'removing the directory');
    }
  }

  async createNewFile(file: string, bytes: Uint8Array, opts: CreateOptions = {}): Promise<boolean> {
    const { sftp, call } = await this.open();
    const target = path.posix.join(await this.safeDir(path.posix.dirname(toSftpPath(file))), path.posix.basename(toSftpPath(file)));
    let handle: Buffer;
    try {
      handle = await call<Buffer>((cb) => sftp.open(target, 'wx', { mode: opts.mode ?? 0o600 }, cb));
    } catch (e) {
      // SFTP reports EEXIST as a plain failure: the name being there is what tells.
      if (await this.exists(target)) return false;
      throw this.error(e, target, 'creating the file');
    }
    try {
      for (let off = 0; off < bytes.length; ) {
        const n = Math.min(32 * 1024, bytes.length - off);
        await call((cb) => sftp.write(handle, Buffer.from(bytes.buffer, bytes.byteOffset + off, n), 0, n, off, cb));
        off += n;
      }
      await call((cb) => sftp.fchmod(handle, opts.mode ?? 0o600, cb));
      await call((cb) => sftp.ext_openssh_fsync(handle, cb)).catch(() => undefined); // older servers lack fsync@openssh.com
      await call((cb) => sftp.close(handle, cb));
    } catch (e) {
      await call((cb) => sftp.close(handle, cb)).catch(() => undefined);
      await call((cb) => sftp.unlink(target, cb)).catch(() => undefined);
      throw this.error(e, target, 'writing the new file (the partial file was removed)');
    }
    return true;
  }

  async createDirectory(dir: string, opts: CreateOptions = {}): Promise<boolean> {
    const { sftp, call } = await this.open();
    const p = toSftpPath(dir);
    const target = path.posix.join(await this.safeDir(path.posix.dirname(p)), path.posix.basename(p));
    const mode = opts.mode ?? 0o700;
    try {
      await call((cb) => sftp.mkdir(target, { mode }, cb));
    } catch (e) {
      if (await this.exists(target)) return false;
      throw this.error(e, target, 'creating the directory');
    }
    await call((cb) => sftp.setstat(target, { mode }, cb)).catch(() => undefined); // the server's umask may have narrowed it
    return true;
  }

  async replaceFile(file: string, bytes: Uint8Array, opts: CreateOptions = {}): Promise<void> {
    const { sftp, call } = await this.open();
    const p = toSftpPath(file);
    const dir = await this.safeDir(path.posix.dirname(p));
    const target = path.posix.join(dir, path.posix.basename(p));
    const tmp = path.posix.join(dir, tempFileName(path.posix.basename(p)));
    if (!(await this.createNewFile(tmp, bytes, opts))) throw new MidtrustError('IO', `${this.describe()} ${tmp}: a file with this random temporary name already exists; run again`);
    try {
      await this.renameOver(sftp, call, tmp, target);
    } catch (e) {
      await call((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
      throw this.error(e, target, 'replacing the file (it was left as it was)');
    }
  }

  /** Whether anything (a dangling link included) has this name. */
  private async exists(p: string): Promise<boolean> {
    const { sftp, call } = await this.open();
    return call((cb) => sftp.lstat(p, cb)).then(
      () => true,
      () => false,
    );
  }
}
