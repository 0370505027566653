import * as os from 'node:os';
import { isProcessAlive } from './processAlive';

/** What a lock file holds: who took it and when (JSON, one line). */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
  readonly tool: string;
  /** Random per lock, so a run never releases a lock that is no longer its own. */
  readonly token: string;
}

/** Parses a lock file; a garbled one (a run killed while writing it) gets placeholder values dated by its mtime. */
export function parseLockFile(text: string, mtimeMs: number): LockOwner {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.hostname === 'string' && typeof o.startedAt === 'string') {
      return { pid: o.pid, hostname: o.hostname, startedAt: o.startedAt, tool: String(o.tool ?? 'unknown'), token: String(o.token ?? text) };
    }
  } catch {
    // fall through
  }
  return { pid: -1, hostname: 'unknown', startedAt: new Date(mtimeMs).toISOString(), tool: 'unknown', token: text };
}

/**
 * A lock is stale when its process is known to be dead (same host, pid gone), or, when that
 * cannot be checked (another host, unreadable file), when it is older than `staleMs`.
 */
export function isLockStale(owner: LockOwner & { mtimeMs: number }, staleMs: number, hostname = os.hostname()): boolean {
  // A lock file is written microseconds after it is created: one still unreadable after 5 s
  // belongs to a run killed in between.
  if (owner.pid === -1) return Date.now() - owner.mtimeMs > 5000;
  if (owner.hostname === hostname && owner.pid > 0) return !isProcessAlive(owner.pid);
  return Date.now() - owner.mtimeMs > staleMs;
}
