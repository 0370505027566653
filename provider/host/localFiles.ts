import * as fs from 'node:fs/promises';
import { constants as C } from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { ioError } from './ioError';
import { accountNameIn, resolveWriteTarget, safeDirectory, windowsLinkRefused, type ComponentStat, type LinkRule, type PathWalkOps } from './safeDirectory';
import { tempFileName, useTempFile } from './tempFileName';
import { readRegularFile, symlinkRefused } from './boundedRead';
import { READ_LIMITS } from './readLimits';
import { renameOver } from './renameOver';

/**
 * O_CREAT|O_EXCL|O_NOFOLLOW|O_WRONLY: the only way midtrust creates a file. With O_EXCL the open
 * fails on *any* existing name — a file, a directory, a symlink, even a dangling one (POSIX) — so
 * nothing planted at the name is ever written through or overwritten. O_NOFOLLOW says the same
 * for systems that would otherwise follow a final link.
 */
export const CREATE_EXCLUSIVE = C.O_WRONLY | C.O_CREAT | C.O_EXCL | (C.O_NOFOLLOW ?? 0);
/** {@link CREATE_EXCLUSIVE}, readable too: a temporary file is read back through its own descriptor. */
export const CREATE_EXCLUSIVE_READ_WRITE = C.O_RDWR | C.O_CREAT | C.O_EXCL | (C.O_NOFOLLOW ?? 0);

/** Whether the walk applies: POSIX only (Windows has no uids, modes or planted-link problem of this kind). */
const posixWalk = process.platform !== 'win32' && typeof process.getuid === 'function';

function toComponent(st: import('node:fs').Stats): ComponentStat {
  return { kind: st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'other', uid: st.uid, mode: st.mode & 0o7777 };
}

/** The local file system for {@link safeDirectory}: root and this process's uid are trusted. */
export function localWalkOps(): PathWalkOps {
  const me = process.getuid?.() ?? 0;
  return {
    lstat: async (p) => {
      try {
        return toComponent(await fs.lstat(p));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw ioError(e, p, 'checking the directory');
      }
    },
    readlink: (p) => fs.readlink(p),
    trustedUids: me === 0 ? [0] : [0, me],
    where: '',
    accountName: async (uid) => accountNameIn((await readRegularFile('/etc/passwd', { maxBytes: READ_LIMITS.smallRecord, what: '/etc/passwd' })).toString('utf8'), uid),
  };
}

/**
 * The canonical path of a local directory midtrust may create files in (see
 * {@link safeDirectory} for the rule). On Windows: the resolved path, unchecked.
 *
 * @example
 * await safeLocalDirectory('/etc/ssl/certs/java'); // '/etc/ssl/certs/java'
 */
export async function safeLocalDirectory(dir: string): Promise<string> {
  if (!posixWalk) return path.resolve(dir);
  return safeDirectory(dir, localWalkOps());
}

/**
 * The file a write to `file` really replaces (see {@link resolveWriteTarget}). On Windows: the
 * resolved path, links followed by the system.
 *
 * @example
 * await resolveLocalWriteTarget('/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts'); // '/etc/ssl/certs/java/cacerts'
 */
export async function resolveLocalWriteTarget(file: string, link?: LinkRule): Promise<string> {
  if (posixWalk) return resolveWriteTarget(path.resolve(file), localWalkOps(), link);
  if ((await fs.lstat(file).catch(() => undefined))?.isSymbolicLink()) {
    if (link && !link.follow) throw symlinkRefused(file, link.what);
    throw windowsLinkRefused(file);
  }
  return fs.realpath(file).catch(() => path.resolve(file));
}

/** Options for files midtrust creates. */
export interface CreateFileOptions {
  /** Permission bits of the new file (set exactly, whatever the umask). Default 0o600. */
  readonly mode?: number;
}

/**
 * Creates `file` as a new file holding `bytes` — exclusively ({@link CREATE_EXCLUSIVE}), in a
 * directory that passed {@link safeDirectory}, flushed to disk with its directory entry. Returns
 * false, writing nothing, when the name already exists in any form (file, directory, symlink,
 * dangling symlink): the caller picks another name or fails. A partly written file (disk full)
 * is removed before the error is thrown.
 *
 * @example
 * if (!(await createNewLocalFile(backup, bytes, { mode: 0o600 }))) backup = nextName(backup);
 */
export async function createNewLocalFile(file: string, bytes: Uint8Array, opts: CreateFileOptions = {}): Promise<boolean> {
  const dir = await safeLocalDirectory(path.dirname(path.resolve(file)));
  const target = path.join(dir, path.basename(file));
  let h: fs.FileHandle;
  try {
    h = await fs.open(target, CREATE_EXCLUSIVE, opts.mode ?? 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(e, target, 'creating the file');
  }
  let step = 'writing the new file';
  try {
    await h.writeFile(bytes);
    step = 'setting the file mode';
    await h.chmod(opts.mode ?? 0o600);
    step = 'flushing the new file to disk';
    await h.sync();
  } catch (e) {
    await h.close().catch(() => undefined);
    await fs.unlink(target).catch(() => undefined);
    throw ioError(e, target, step, 'the partial file was removed');
  }
  await h.close();
  await syncLocalDirectory(dir);
  return true;
}

/**
 * Creates one directory (its parent must exist and pass {@link safeDirectory}), exclusively:
 * false when the name exists in any form, a link included. Mode 0700 unless given.
 *
 * @example
 * await createLocalDirectory('/opt/mid/agent/work/truststore_migration/1764205323'); // true, or false if it exists
 */
export async function createLocalDirectory(dir: string, opts: CreateFileOptions = {}): Promise<boolean> {
  const parent = await safeLocalDirectory(path.dirname(path.resolve(dir)));
  const target = path.join(parent, path.basename(dir));
  const mode = opts.mode ?? 0o700;
  try {
    await fs.mkdir(target, { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(e, target, 'creating the directory');
  }
  // mkdir's mode is filtered by the umask; set exactly what was asked.
  await fs.chmod(target, mode).catch((e: unknown) => {
    throw ioError(e, target, 'setting the directory mode');
  });
  await syncLocalDirectory(parent);
  return true;
}

/**
 * Replaces `file` with `bytes` atomically without ever following a link at its name: a new
 * temporary file is created exclusively beside it, written, flushed, and renamed over the name —
 * and rename replaces a symlink itself, never its target. For files midtrust owns by name
 * (backup manifest) and for output files a person names (`report -o FILE`): a link at that name
 * is replaced by the new file, the file it pointed to is left as it was.
 *
 * @example
 * await replaceLocalFile('/var/www/mid-trust.html', Buffer.from(html), { mode: 0o644 });
 */
export async function replaceLocalFile(file: string, bytes: Uint8Array, opts: CreateFileOptions = {}): Promise<void> {
  const dir = await safeLocalDirectory(path.dirname(path.resolve(file)));
  const target = path.join(dir, path.basename(file));
  const tmpName = tempFileName(path.basename(file));
  const tmp = path.join(dir, tmpName);
  const doneWithTemp = useTempFile(tmpName);
  try {
    if (!(await createNewLocalFile(tmp, bytes, opts))) {
      throw new MidtrustError('IO', `${tmp}: a file with this random temporary name already exists; run again`);
    }
    try {
      await renameOver(tmp, target, 'it was left as it was');
    } catch (e) {
      await fs.unlink(tmp).catch(() => undefined);
      throw e;
    }
  } finally {
    doneWithTemp();
  }
  await syncLocalDirectory(dir);
}

/**
 * Flushes a directory's entries (a create or rename is durable only then). File systems that
 * cannot fsync a directory (and Windows) are accepted: the entry is in place either way.
 *
 * @example
 * await syncLocalDirectory('/etc/ssl/certs/java');
 */
export async function syncLocalDirectory(dir: string): Promise<void> {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'ENOTSUP' || code === 'EISDIR' || code === 'EPERM' || code === 'EACCES') return;
    throw ioError(e, dir, 'flushing the directory (the new entry is in place; run `sync`)');
  } finally {
    await h?.close().catch(() => undefined);
  }
}
