import * as os from 'node:os';
import { isProcessAlive } from './processAlive';

/**
 * What a lock file holds (one line of JSON): who took it and when. `token` is random per lock so
 * a run never releases a lock that is no longer its own.
 *
 * @example
 * { "pid": 1234, "hostname": "mid01", "startedAt": "2026-11-27T01:02:03.456Z", "tool": "midtrust", "token": "9f3a…" }
 */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
  readonly tool: string;
  readonly token: string;
}

/** A lock file as read from disk: its owner plus what identifies this very file. */
export interface LockFileState extends LockOwner {
  readonly mtimeMs: number;
  /**
   * Inode, mtime and token together: a lock file that was removed and created again never has the
   * same identity, even when both are unreadable (empty) — the compare of a stale-lock takeover
   * relies on it.
   */
  readonly identity: string;
}

/**
 * A fresh owner record for this process.
 *
 * @example
 * const me = newLockOwner('f00dfeed'); // { pid: process.pid, hostname: os.hostname(), ... }
 */
export function newLockOwner(token: string, now = new Date()): LockOwner {
  return { pid: process.pid, hostname: os.hostname(), startedAt: now.toISOString(), tool: 'midtrust', token };
}

/**
 * Parses a lock file; a garbled or empty one (a run killed between creating and writing it, or
 * a file that is not ours) gets pid -1 and is dated by its mtime.
 *
 * @example
 * parseLockFile('{"pid":1,"hostname":"h","startedAt":"…","tool":"midtrust","token":"t"}', Date.now()).pid; // 1
 */
export function parseLockFile(text: string, mtimeMs: number): LockOwner {
  try {
    const o = JSON.parse(text) as Partial<LockOwner> | null;
    if (o && typeof o.pid === 'number' && typeof o.hostname === 'string' && typeof o.startedAt === 'string') {
      return { pid: o.pid, hostname: o.hostname, startedAt: o.startedAt, tool: String(o.tool ?? 'unknown'), token: String(o.token ?? text) };
    }
  } catch {
    // not JSON: described below
  }
  return { pid: -1, hostname: 'unknown', startedAt: new Date(mtimeMs).toISOString(), tool: 'unknown', token: text };
}

/**
 * A lock is stale when its process is known to be dead (same host, pid gone) or, when that
 * cannot be checked (another host sharing the file system), when it is older than `staleMs`.
 *
 * @example
 * isLockStale(await readLockFile(p), 600_000); // true when its pid no longer runs here
 */
export function isLockStale(owner: LockOwner & { mtimeMs: number }, staleMs: number, hostname = os.hostname(), now = Date.now()): boolean {
  // A lock file is written microseconds after it is created: one still unreadable after 5 s
  // belongs to a run killed in between.
  if (owner.pid === -1) return now - owner.mtimeMs > 5000;
  if (owner.hostname === hostname) return !isProcessAlive(owner.pid);
  return now - owner.mtimeMs > staleMs;
}

/**
 * "pid 1234 on host mid01 since 2026-…": who holds a lock, for messages.
 *
 * @example
 * describeLockOwner(owner); // 'pid 1234 on host mid01 since 2026-11-27T01:02:03.456Z'
 */
export function describeLockOwner(owner: LockOwner): string {
  if (owner.pid === -1) return `an unreadable lock (created ${owner.startedAt})`;
  return `pid ${owner.pid} on host ${owner.hostname} since ${owner.startedAt}`;
}
