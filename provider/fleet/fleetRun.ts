import { applyDesiredState, planDesiredState } from '../apply/desiredStateRun';
import { KeystoreBatcher } from '../apply/keystoreBatcher';
import { MidtrustError } from '../errors';
import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import { runSshCommand } from '../host/ssh/sshExec';
import { SshHost } from '../host/ssh/sshHost';
import { midLayout } from '../mid/midLayout';
import type { DesiredState } from '../plan/desiredState';
import type { Plan } from '../plan/plan';
import type { InventoryHost } from './inventory';
import { mapLimited } from './mapLimited';
import { hostFailure } from './hostFailure';

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
  let done = 0;
  const run = async (h: InventoryHost): Promise<HostOutcome> => {
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
      outcome = { name: h.name, ok: false, error: hostFailure(e), ms: Date.now() - started };
    }
    opts.onHostDone?.(outcome, ++done, hosts.length);
    return outcome;
  };
  try {
    return await mapLimited(hosts, parallel, run);
  } finally {
    if (!opts.pool) await pool.closeAll();
  }
}

/** Runs the host's restart command over the shared connection; its failure fails the host. */
async function restart(pool: SshConnectionPool, h: InventoryHost): Promise<boolean> {
  const { code, stderrTail } = await runSshCommand(pool, h.connection, h.restartCommand as string);
  if (code !== 0) throw new MidtrustError('IO', `${h.name}: the store was updated, but the restart command exited ${code}${stderrTail ? ` (${stderrTail})` : ''}; restart the MID Server by hand`);
  return true;
}
