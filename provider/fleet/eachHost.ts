import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import { SshHost } from '../host/ssh/sshHost';
import { hostFailure } from './hostFailure';
import type { InventoryHost } from './inventory';
import { mapLimited } from './mapLimited';

/** What every per-host outcome of a fleet command carries. */
export interface HostResult {
  readonly name: string;
  /** False when the host could not be worked on: `error` says why, the others went on. */
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

/** Options of {@link eachHost}. */
export interface EachHostOptions<T> {
  /** Hosts worked on at once (default 8). */
  readonly parallel?: number;
  /** A caller's pool is left open; one made here is closed at the end. */
  readonly pool?: SshConnectionPool;
  /** Called as each host finishes (progress display). */
  readonly onHostDone?: (outcome: T, done: number, total: number) => void;
}

/**
 * Runs `work` on every inventory host over one SSH pool (one connection per host), `parallel`
 * at a time, results in inventory order: each host's time is measured, a failure becomes that
 * host's outcome in the words of hostFailure while the others go on, and `onHostDone` sees each
 * outcome as it ends. The loop plan/apply and verify --inventory share.
 *
 * @example
 * const outcomes = await eachHost(hosts, { parallel: 8 }, async (host) => ({ plan: await planDesiredState(host, desired) }));
 */
export async function eachHost<T extends HostResult>(
  hosts: readonly InventoryHost[],
  opts: EachHostOptions<T>,
  work: (host: SshHost, h: InventoryHost, pool: SshConnectionPool) => Promise<Omit<T, keyof HostResult>>,
): Promise<T[]> {
  const pool = opts.pool ?? new SshConnectionPool();
  let done = 0;
  try {
    return await mapLimited(hosts, Math.max(1, opts.parallel ?? 8), async (h) => {
      const started = Date.now();
      let outcome: T;
      try {
        const result = await work(new SshHost(h.connection, pool), h, pool);
        // T adds only its own fields to HostResult: the spread gives them, the rest is set here.
        outcome = { ...result, name: h.name, ok: true, ms: Date.now() - started } as unknown as T;
      } catch (e) {
        outcome = { name: h.name, ok: false, error: hostFailure(e), ms: Date.now() - started } as T;
      }
      opts.onHostDone?.(outcome, ++done, hosts.length);
      return outcome;
    });
  } finally {
    if (!opts.pool) await pool.closeAll();
  }
}
