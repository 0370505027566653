import * as fs from 'node:fs';
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
  /**
   * Linux: the pid namespace the pid belongs to (`pid:[4026531836]`, from /proc/self/ns/pid). A
   * pid is only meaningful inside its namespace: a container, or `unshare --pid`, sharing this
   * file system and host name has its own pid 1, 2, … Absent elsewhere and in older lock files.
   */
  readonly pidNamespace?: string;
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
  const ns = currentPidNamespace();
  return { pid: process.pid, hostname: os.hostname(), startedAt: now.toISOString(), tool: 'midtrust', token, ...(ns === undefined ? {} : { pidNamespace: ns }) };
}

let pidNamespace: string | null | undefined;

/**
 * This process's pid namespace on Linux (`pid:[4026531836]`), undefined where there is none to
 * read (Windows, macOS, a Linux without /proc).
 *
 * @example
 * currentPidNamespace(); // 'pid:[4026531836]'
 */
export function currentPidNamespace(): string | undefined {
  if (pidNamespace === undefined) {
    try {
      pidNamespace = process.platform === 'linux' ? fs.readlinkSync('/proc/self/ns/pid') : null;
    } catch {
      pidNamespace = null;
    }
  }
  return pidNamespace ?? undefined;
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
      const ns = typeof o.pidNamespace === 'string' ? { pidNamespace: o.pidNamespace } : {};
      return { pid: o.pid, hostname: o.hostname, startedAt: o.startedAt, tool: String(o.tool ?? 'unknown'), token: String(o.token ?? text), ...ns };
    }
  } catch {
    // not JSON: described below
  }
  return { pid: -1, hostname: 'unknown', startedAt: new Date(mtimeMs).toISOString(), tool: 'unknown', token: text };
}

/** What {@link isLockStale} needs to know about the process asking. */
export interface StaleContext {
  readonly hostname?: string;
  readonly pidNamespace?: string;
  readonly now?: number;
  /**
   * Tokens of the locks this process holds right now. Given, a lock carrying this process's own
   * pid but none of these tokens is stale: it was left by an earlier process that had the same
   * pid — Windows and Wine reuse pids quickly (Wine's restart at 32 with its server), so a killed
   * run's lock would otherwise look alive to the very run that inherited its pid, which would
   * wait for itself. Omitted (SSH locks, whose tokens are not tracked here), own-pid locks are
   * judged alive as before.
   */
  readonly heldTokens?: ReadonlySet<string>;
}

/**
 * A lock is stale when:
 * - it is unreadable and older than 5 s (a run killed between creating and writing it);
 * - it holds this process's own pid but is not one of its locks (see {@link StaleContext.heldTokens});
 * - it comes from this host and pid namespace and its process is gone;
 * - otherwise — another host, or another pid namespace on this host (a container, `unshare
 *   --pid`), where whether the pid runs cannot be asked — when its heartbeat is older than
 *   `staleMs`: a live holder touches its lock every staleMs / 4 at most (localLockFile.ts), so
 *   an older one is a killed or frozen run. Such a lock blocks for at most `staleMs`, never forever.
 *
 * @example
 * isLockStale(await readLockFile(p), 600_000); // true when its pid no longer runs here
 */
export function isLockStale(owner: LockOwner & { mtimeMs: number }, staleMs: number, context: StaleContext = {}): boolean {
  const now = context.now ?? Date.now();
  // A lock file is written microseconds after it is created: one still unreadable after 5 s
  // belongs to a run killed in between.
  if (owner.pid === -1) return now - owner.mtimeMs > 5000;
  if (sameProcessSpace(owner, context)) {
    if (owner.pid === process.pid && context.heldTokens) return !context.heldTokens.has(owner.token);
    return !isProcessAlive(owner.pid);
  }
  return now - owner.mtimeMs > staleMs;
}

/**
 * Whether a lock is judged by the age of its heartbeat alone: its process runs on another host
 * or in another pid namespace, where this one cannot ask whether it is alive.
 *
 * @example
 * isJudgedByAge({ ...owner, hostname: 'mid-other' }); // true
 */
export function isJudgedByAge(owner: LockOwner, context: StaleContext = {}): boolean {
  return owner.pid !== -1 && !sameProcessSpace(owner, context);
}

/** Whether `owner.pid` names a process this one can ask about: same host, same pid namespace. */
function sameProcessSpace(owner: LockOwner, context: StaleContext): boolean {
  if (owner.hostname !== (context.hostname ?? os.hostname())) return false;
  const mine = 'pidNamespace' in context ? context.pidNamespace : currentPidNamespace();
  // A lock without a namespace (older midtrust, other systems) is taken as ours.
  return owner.pidNamespace === undefined || mine === undefined || owner.pidNamespace === mine;
}

/**
 * "pid 1234 on host mid01 since 2026-…": who holds a lock, for messages.
 *
 * @example
 * describeLockOwner(owner); // 'pid 1234 on host mid01 since 2026-11-27T01:02:03.456Z'
 */
export function describeLockOwner(owner: LockOwner): string {
  if (owner.pid === -1) return `an unreadable lock (created ${owner.startedAt})`;
  const space = owner.pidNamespace !== undefined && currentPidNamespace() !== undefined && owner.pidNamespace !== currentPidNamespace() ? ` (pid namespace ${owner.pidNamespace})` : '';
  return `pid ${owner.pid}${space} on host ${owner.hostname} since ${owner.startedAt}`;
}
