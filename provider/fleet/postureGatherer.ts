import { MidtrustError } from '../errors';
import type { Host } from '../host/host';
import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import { SshHost } from '../host/ssh/sshHost';
import { midLayout } from '../mid/midLayout';
import { readMidSettings } from '../mid/midSettingsReader';
import { openStore } from '../mid/upgrade/upgradeRun';
import type { HostPosture } from '../report/posture';
import type { PostureBuilder } from '../report/postureBuilder';
import type { InventoryHost } from './inventory';
import { mapLimited } from './mapLimited';

/** One host to read for the report: its store, and its MID home when it is a MID Server. */
export interface PostureTarget {
  readonly name: string;
  readonly storePath: string;
  readonly midHome?: string;
}

/**
 * Reads one host (MID settings first, so a wrong home says so, then the store) and measures it
 * with the builder. Any failure makes a failed host, never an exception: the report is still written.
 */
export async function observeHostOn(host: Host, target: PostureTarget, password: string | undefined, builder: PostureBuilder): Promise<HostPosture> {
  try {
    const mid = target.midHome ? await readMidSettings(host, target.midHome) : undefined;
    const store = await openStore(host, { path: target.storePath, password });
    return builder.observe({ name: target.name, storePath: target.storePath, store, mid });
  } catch (e) {
    return builder.failed(target.name, e instanceof MidtrustError ? e.message : `internal error: ${(e as Error)?.message ?? String(e)}`);
  }
}

/**
 * Every inventory host over SSH — one connection per host, `parallel` hosts at a time — in
 * inventory order. A host that cannot be reached or read shows as failed; the others go on.
 */
export async function gatherFleetPosture(
  hosts: readonly InventoryHost[],
  builder: PostureBuilder,
  opts: { password?: string; parallel?: number; onHostDone?: (h: HostPosture, done: number, total: number) => void } = {},
): Promise<HostPosture[]> {
  let done = 0;
  return mapLimited(hosts, opts.parallel ?? 8, async (h) => {
    // A pool per host: its one connection is closed as soon as the host is read, so 500 hosts
    // never hold 500 connections open at once.
    const pool = new SshConnectionPool();
    let posture: HostPosture;
    try {
      const target = { name: h.name, storePath: midLayout(h.midHome).cacerts, midHome: h.midHome };
      posture = await observeHostOn(new SshHost(h.connection, pool), target, opts.password, builder);
    } finally {
      await pool.closeAll();
    }
    opts.onHostDone?.(posture, ++done, hosts.length);
    return posture;
  });
}
