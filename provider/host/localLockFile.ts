import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { MidtrustError } from '../errors';
import type { HostLock, LockOptions } from './host';
import { describeFileKind } from './boundedRead';
import { ioError } from './ioError';
import { CREATE_EXCLUSIVE } from './localFiles';
import { describeLockOwner, isJudgedByAge, isLockStale, newLockOwner, parseLockFile, type LockFileState, type LockOwner, type StaleContext } from './lockOwner';

/** Suffix of the lock file beside a store. */
export const LOCK_SUFFIX = '.midtrust.lock';
/** Infix of the short-lived files that serialize the takeover of one stale lock. */
export const TAKEOVER_INFIX = '.takeover-';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_STALE_MS = 10 * 60_000;

/** Tokens of the lock and takeover files this process holds now (one with our pid and another token is a dead predecessor's). */
const heldHere = new Set<string>();
/** How this process judges a lock file it finds (see isLockStale). */
const judge: StaleContext = { heldTokens: heldHere };

/**
 * Takes the lock file `lockPath` on this machine's file system, waiting with backoff while a live
 * run holds it and taking over a stale one. `what` names the locked store in messages.
 *
 * The lock is a file created with O_EXCL (`wx`): of several runs creating it at once, exactly one
 * succeeds, on every local file system and on NFSv3+.
 *
 * @example
 * const lock = await acquireLocalLockFile('/etc/ssl/certs/java/cacerts.midtrust.lock', '/etc/ssl/certs/java/cacerts');
 * try { ... } finally { await lock.release(); }
 */
export async function acquireLocalLockFile(lockPath: string, what: string, opts: LockOptions = {}): Promise<HostLock> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const me = newLockOwner(randomBytes(12).toString('hex'));
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    // startedAt is when the lock was taken, not when the wait began.
    if (await createExclusive(lockPath, { ...me, startedAt: new Date().toISOString() })) return heldLock(lockPath, me.token, staleMs);
    const holder = await readLockFile(lockPath);
    if (!holder) continue; // released between our create and our read: try again at once
    if (isLockStale(holder, staleMs, judge)) {
      await breakStaleLock(lockPath, holder, staleMs);
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new MidtrustError(
        'LOCKED',
        `${what} is locked by ${describeLockOwner(holder)}; waited ${formatSeconds(timeoutMs)}. ` +
          `Wait for that run to finish, or remove ${lockPath} if that process is gone${takeoverNote(holder, staleMs)}`,
      );
    }
    // Exponential backoff with jitter, so waiting processes do not poll in step.
    await sleep(Math.min(left, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 2, 500);
  }
}

/**
 * Whether a lock or takeover file found on this machine is stale, judged by this process (which
 * knows the tokens it holds): see isLockStale.
 *
 * @example
 * isLockFileStale(await readLockFile(p), 600_000);
 */
export function isLockFileStale(owner: LockFileState, staleMs: number): boolean {
  return isLockStale(owner, staleMs, judge);
}

/**
 * Reads a lock (or takeover) file through one open handle, so content and identity belong to
 * the same inode. `undefined` when it does not exist.
 *
 * @example
 * (await readLockFile('/etc/ssl/certs/java/cacerts.midtrust.lock'))?.pid; // 1234
 */
export async function readLockFile(file: string): Promise<LockFileState | undefined> {
  let h: fs.FileHandle;
  try {
    // Never follow a link and never block on a FIFO someone planted at the lock's name.
    h = await fs.open(file, LOCK_READ_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw notALock(file, 'a symbolic link');
    throw ioError(e, file, 'reading the lock file');
  }
  try {
    const st = await h.stat();
    if (!st.isFile()) throw notALock(file, describeFileKind(st));
    // A lock file is one short line; a huge one is not ours — read only its start.
    const buf = Buffer.alloc(Math.min(st.size, 4096));
    const { bytesRead } = await h.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const owner = parseLockFile(text, st.mtimeMs);
    return { ...owner, mtimeMs: st.mtimeMs, identity: `${st.dev}:${st.ino}:${st.mtimeMs}:${owner.token}` };
  } catch (e) {
    throw ioError(e, file, 'reading the lock file');
  } finally {
    await h.close().catch(() => undefined);
  }
}

const LOCK_READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0);

function notALock(file: string, kind: string): MidtrustError {
  return new MidtrustError('LOCKED', `${file}: is ${kind}, not a midtrust lock file; midtrust never makes one — someone else put it there. Remove it, then run again`);
}

async function createExclusive(file: string, owner: LockOwner): Promise<boolean> {
  try {
    // O_EXCL|O_NOFOLLOW: of several runs exactly one creates it, and a planted link or FIFO is never opened.
    await fs.writeFile(file, `${JSON.stringify(owner)}\n`, { flag: CREATE_EXCLUSIVE, mode: 0o644 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw ioError(e, file, 'creating the lock file');
  }
}

/**
 * Removes the stale lock `file` — but only if it is still the very file judged stale.
 *
 * Why not just unlink it: two waiters may both judge the same lock stale; the first removes it
 * and takes a fresh lock, and the second, unlinking by name, would then remove that *fresh* lock,
 * leaving two runs inside. Renaming the stale file away has the same flaw (the name may already
 * point at a fresh lock) and cannot be undone without another race.
 *
 * So this is a compare-then-unlink under a mutex that is specific to the stale lock: the mutex is
 * a file `<file>.takeover-<hash of the stale lock's identity>` created with O_EXCL, so of all the
 * racers that judged *this* lock stale only one holds it at a time. Under it the lock is re-read
 * and removed only if its identity (device, inode, mtime, token) is unchanged. A racer that gets
 * the mutex later re-reads a different identity (or nothing) and does nothing, because a removed
 * lock never comes back with the same identity — which is also why the mutex can be deleted right
 * after use.
 *
 * A mutex left behind by a run killed while holding it (a millisecond window) is itself a stale
 * lock and is broken the same way, one level down; levels are capped because each needs another
 * crash inside that window.
 */
async function breakStaleLock(file: string, stale: LockFileState, staleMs: number, depth = 0): Promise<void> {
  const mutex = takeoverPath(file, stale);
  const me = newLockOwner(randomBytes(12).toString('hex'));
  heldHere.add(me.token); // before the file exists: no moment where it looks like a predecessor's
  try {
    await takeOver(file, stale, staleMs, depth, mutex, me);
  } finally {
    heldHere.delete(me.token);
  }
}

async function takeOver(file: string, stale: LockFileState, staleMs: number, depth: number, mutex: string, me: LockOwner): Promise<void> {
  if (!(await createExclusive(mutex, me))) {
    const other = await readLockFile(mutex);
    if (other && depth < 3 && isLockStale(other, staleMs, judge)) await breakStaleLock(mutex, other, staleMs, depth + 1);
    else await sleep(5 + Math.random() * 10); // another waiter is taking over right now
    return;
  }
  try {
    const current = await readLockFile(file);
    if (current && current.identity === stale.identity) await unlinkIfPresent(file, 'removing a stale lock');
  } finally {
    await unlinkIfPresent(mutex, 'removing the lock takeover file');
  }
}

/**
 * The mutex file that serializes the takeover of one stale lock (see breakStaleLock):
 * `<lock file>.takeover-<16 hex of sha256(identity)>`.
 *
 * @example
 * takeoverPath('/etc/ssl/certs/java/cacerts.midtrust.lock', (await readLockFile(lockPath))!);
 * // '/etc/ssl/certs/java/cacerts.midtrust.lock.takeover-3f9c0a…'
 */
export function takeoverPath(lockFile: string, stale: LockFileState): string {
  return `${lockFile}${TAKEOVER_INFIX}${createHash('sha256').update(stale.identity).digest('hex').slice(0, 16)}`;
}

function heldLock(lockPath: string, token: string, staleMs: number): HostLock {
  let released = false;
  heldHere.add(token);
  // Heartbeat: a run on another machine judges this lock by its age, so a long run keeps the
  // mtime fresh. Safe with the takeover compare: a touched lock has a new identity, so a waiter
  // that judged the old one stale removes nothing.
  const heartbeat = setInterval(() => void touchIfOurs(lockPath, token), Math.max(100, Math.min(60_000, staleMs / 4)));
  heartbeat.unref();
  return {
    lockPath,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      heldHere.delete(token);
      // Only our own lock is removed: if it was taken over (judged stale), the file is someone else's.
      const current = await readLockFile(lockPath);
      if (current?.token === token) await unlinkIfPresent(lockPath, 'releasing the lock');
    },
  };
}

async function touchIfOurs(lockPath: string, token: string): Promise<void> {
  try {
    if ((await readLockFile(lockPath))?.token !== token) return;
    const now = new Date();
    await fs.utimes(lockPath, now, now);
  } catch {
    // Best effort: a missed heartbeat only matters to a waiter on another machine after staleMs.
  }
}

async function unlinkIfPresent(file: string, doing: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, file, doing);
  }
}

/**
 * For a lock whose process cannot be asked about (another host or pid namespace): when it counts
 * as stale — its heartbeat older than `staleMs` — so a person knows the wait is bounded.
 */
function takeoverNote(holder: LockFileState, staleMs: number): string {
  if (!isJudgedByAge(holder, judge)) return '';
  return `. Its process cannot be checked from here (another host or pid namespace): the lock is taken over once it has gone ${formatSeconds(staleMs)} without a heartbeat (after ${new Date(holder.mtimeMs + staleMs).toISOString()})`;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
