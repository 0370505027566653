import type { Host } from '../host/host';
import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import { SshHost } from '../host/ssh/sshHost';
import { effectiveStorePassword, resolveMidStore } from '../mid/effectiveStore';
import { midLayout } from '../mid/midLayout';
import { readMidSettings } from '../mid/midSettingsReader';
import { openStore } from '../mid/upgrade/upgradeRun';
import type { HostPosture } from '../report/posture';
import type { PostureBuilder } from '../report/postureBuilder';
import type { Connector } from '../verify/fetchPresentedChain';
import type { EndpointGathering } from './endpointGatherer';
import { storePasswordOf, type InventoryHost } from './inventory';
import { mapLimited } from './mapLimited';
import { hostFailure } from './hostFailure';

/** One host to read for the report: its store, and its MID home when it is a MID Server. */
export interface PostureTarget {
  readonly name: string;
  /** The keystore; with midHome, the store its JVM reads is resolved on the host instead. */
  readonly storePath: string;
  readonly midHome?: string;
}

/** The declared endpoints to judge on each host, and how to reach them from there. */
export interface EndpointsToGather extends EndpointGathering {
  /** Default: TCP from this machine. */
  readonly connect?: Connector;
  /** The hosts are this machine (a plain keystore then takes this machine's JDK rules, as verify does). */
  readonly local: boolean;
}

/**
 * Reads one host (MID settings first, so a wrong home says so, then the store), judges its
 * declared endpoints when there are any, and measures it with the builder. Any failure to read
 * the host makes a failed host, never an exception: the report is still written.
 */
export async function observeHostOn(host: Host, target: PostureTarget, given: string | undefined, builder: PostureBuilder, endpoints?: EndpointsToGather): Promise<HostPosture> {
  try {
    // A MID home: the store its JVM reads (resolveMidStore), opened as the JVM opens it.
    const resolved = target.midHome ? await resolveMidStore(host, target.midHome) : undefined;
    const storePath = resolved?.path ?? target.storePath;
    const password = resolved ? effectiveStorePassword(resolved, given).password : given;
    const mid = target.midHome ? await readMidSettings(host, target.midHome, resolved ? { managed: { path: resolved.path, kind: resolved.kind } } : {}) : undefined;
    const store = await openStore(host, { path: storePath, password });
    // The TLS and verify code is loaded only when the desired state declares endpoints.
    const judged = endpoints?.targets.length
      ? await (require('./endpointGatherer') as typeof import('./endpointGatherer')).gatherHostEndpoints(
          host,
          { midHome: target.midHome, keystore: storePath, connect: endpoints.connect, local: endpoints.local },
          given,
          endpoints,
        )
      : undefined;
    return builder.observe({ name: target.name, storePath, store, mid, endpoints: judged, ...(resolved ? { storeSource: { kind: resolved.kind, why: resolved.why } } : {}) });
  } catch (e) {
    return builder.failed(target.name, hostFailure(e));
  }
}

/**
 * Every inventory host over SSH — one connection per host, `parallel` hosts at a time — in
 * inventory order. A host that cannot be reached or read shows as failed; the others go on.
 * Declared endpoints are reached *from the MID host*, through that same connection (SSH
 * direct-tcpip, as `verify --inventory` does), so the handshake sees the network as the MID does.
 */
export async function gatherFleetPosture(
  hosts: readonly InventoryHost[],
  builder: PostureBuilder,
  opts: { password?: string; parallel?: number; endpoints?: EndpointGathering; onHostDone?: (h: HostPosture, done: number, total: number) => void } = {},
): Promise<HostPosture[]> {
  const forwarded = opts.endpoints?.targets.length ? (require('./fleetVerify') as typeof import('./fleetVerify')).forwardedFrom : undefined;
  let done = 0;
  return mapLimited(hosts, opts.parallel ?? 8, async (h) => {
    // A pool per host: its one connection is closed as soon as the host is read, so 500 hosts
    // never hold 500 connections open at once.
    const pool = new SshConnectionPool();
    let posture: HostPosture;
    try {
      const target = { name: h.name, storePath: midLayout(h.midHome).cacerts, midHome: h.midHome };
      const endpoints = opts.endpoints && forwarded ? { ...opts.endpoints, connect: forwarded(pool, h.connection, opts.endpoints.timeoutMs), local: false } : undefined;
      posture = await observeHostOn(new SshHost(h.connection, pool), target, storePasswordOf(h, opts.password), builder, endpoints);
    } finally {
      await pool.closeAll();
    }
    opts.onHostDone?.(posture, ++done, hosts.length);
    return posture;
  });
}
