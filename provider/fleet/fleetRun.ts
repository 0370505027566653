import { applyDesiredState, planDesiredState } from '../apply/desiredStateRun';
import { KeystoreBatcher } from '../apply/keystoreBatcher';
import { MidtrustError } from '../errors';
import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import { runSshCommand } from '../host/ssh/sshExec';
import { midLayout } from '../mid/midLayout';
import type { DesiredState } from '../plan/desiredState';
import type { Plan } from '../plan/plan';
import type { InventoryHost } from './inventory';
import { eachHost, type EachHostOptions, type HostResult } from './eachHost';

/** What happened on one host. */
export interface HostOutcome extends HostResult {
  readonly plan?: Plan;
  readonly written?: boolean;
  readonly restarted?: boolean;
}

export interface FleetOptions extends EachHostOptions<HostOutcome> {
  readonly mode: 'plan' | 'apply';
}

/**
 * Runs one desired state against every host of an inventory over SSH: the desired store is the
 * one each host's MID JVM reads (resolveMidStore: a wired external truststore, else
 * `<midHome>/agent/jre/lib/security/cacerts`; `keystore.store: bundled` the latter), one connection per host, at most `parallel`
 * hosts at a time. A failing host does not stop the others; its error is in its outcome. A host's
 * `restartCommand` runs only when that host's store was written.
 */
export async function runFleet(hosts: readonly InventoryHost[], desired: DesiredState, opts: FleetOptions): Promise<HostOutcome[]> {
  return eachHost<HostOutcome>(hosts, opts, async (host, h, pool) => {
    // Each host's store is resolved on that host (planDesiredState/applyDesiredState): the one its JVM reads.
    // A host's own store password (inventory storePasswordEnv/File) wins over the desired file's.
    const { source: _resolvedElsewhere, ...keystore } = desired.keystore;
    const forHost: DesiredState = {
      ...desired,
      keystore: { ...keystore, path: midLayout(h.midHome).cacerts, midHome: h.midHome, midStore: desired.keystore.midStore ?? 'effective', password: h.storePassword ?? desired.keystore.password },
    };
    if (opts.mode === 'plan') return { plan: await planDesiredState(host, forHost) };
    const r = await applyDesiredState(host, forHost, { batcher: new KeystoreBatcher(host) });
    const restarted = r.written && h.restartCommand ? await restart(pool, h) : false;
    return { plan: r.plan, written: r.written, restarted };
  });
}

/** Runs the host's restart command over the shared connection; its failure fails the host. */
async function restart(pool: SshConnectionPool, h: InventoryHost): Promise<boolean> {
  const { code, stderrTail } = await runSshCommand(pool, h.connection, h.restartCommand as string);
  if (code !== 0) throw new MidtrustError('IO', `${h.name}: the store was updated, but the restart command exited ${code}${stderrTail ? ` (${stderrTail})` : ''}; restart the MID Server by hand`);
  return true;
}
