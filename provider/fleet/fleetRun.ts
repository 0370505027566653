import { applyDesiredState, planDesiredState } from '../apply/desiredStateRun';
import { KeystoreBatcher } from '../apply/keystoreBatcher';
import { MidtrustError } from '../errors';
import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import { SshHost } from '../host/ssh/sshHost';
import { midLayout } from '../mid/midLayout';
import type { DesiredState } from '../plan/desiredState';
import type { Plan } from '../plan/plan';
import type { InventoryHost } from './inventory';

/** What happened on one host. */
export interface HostOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly plan?: Plan;
  readonly written?: boolean;
  readonly restarted?: boolean;
  readonly error?: string;
  readonly ms: number;
}

export interface FleetOptions {
  readonly mode: 'plan' | 'apply';
  /** Hosts worked on at once (default 8). */
  readonly parallel?: number;
  /** Called as each host finishes (progress display). */
  readonly onHostDone?: (outcome: HostOutcome, done: number, total: number) => void;
  readonly pool?: SshConnectionPool;
}

/**
 * Runs one desired state against every host of an inventory over SSH: the desired store is each
 * host's `<midHome>/agent/jre/lib/security/cacerts`, one connection per host, at most `parallel`
 * hosts at a time. A failing host does not stop the others; its error is in its outcome. A host's
 * `restartCommand` runs only when that host's store was written.
 */
export async function runFleet(hosts: readonly InventoryHost[], desired: DesiredState, opts: FleetOptions): Promise<HostOutcome[]> {
  const pool = opts.pool ?? new SshConnectionPool();
  const parallel = Math.max(1, opts.parallel ?? 8);
  const outcomes: HostOutcome[] = new Array(hosts.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= hosts.length) return;
      const h = hosts[i];
      const started = Date.now();
      let outcome: HostOutcome;
      try {
        const host = new SshHost(h.connection, pool);
        const forHost: DesiredState = { ...desired, keystore: { ...desired.keystore, path: midLayout(h.midHome).cacerts } };
        if (opts.mode === 'plan') {
          outcome = { name: h.name, ok: true, plan: await planDesiredState(host, forHost), ms: Date.now() - started };
        } else {
          const r = await applyDesiredState(host, forHost, { batcher: new KeystoreBatcher(host) });
          const restarted = r.written && h.restartCommand ? await restart(pool, h) : false;
          outcome = { name: h.name, ok: true, plan: r.plan, written: r.written, restarted, ms: Date.now() - started };
        }
      } catch (e) {
        outcome = { name: h.name, ok: false, error: e instanceof MidtrustError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`, ms: Date.now() - started };
      }
      outcomes[i] = outcome;
      opts.onHostDone?.(outcome, ++done, hosts.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, hosts.length) }, worker));
  } finally {
    if (!opts.pool) await pool.closeAll();
  }
  return outcomes;
}

/** Runs the host's restart command over the shared connection; its failure fails the host. */
async function restart(pool: SshConnectionPool, h: InventoryHost): Promise<boolean> {
  const { client } = await pool.get(h.connection);
  const code = await new Promise<number>((resolve, reject) => {
    client.exec(h.restartCommand as string, (err, stream) => {
      if (err) return reject(err);
      stream.on('close', (c: number | null) => resolve(c ?? -1));
      stream.resume();
      stream.stderr.resume();
    });
  });
  if (code !== 0) throw new MidtrustError('IO', `${h.name}: the store was updated, but the restart command exited ${code}; restart the MID Server by hand`);
  return true;
}
