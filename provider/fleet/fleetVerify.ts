import type { Duplex } from 'node:stream';
import { MidtrustError } from '../errors';
import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import type { SshConnectionSpec } from '../host/ssh/sshConnectionSpec';
import { SshHost } from '../host/ssh/sshHost';
import type { EndpointTarget } from '../verify/endpointTarget';
import type { Connector } from '../verify/fetchPresentedChain';
import { judgedMidStore } from '../verify/judgedStore';
import { trustPolicyFor, verifyEndpoint, type EndpointVerdict } from '../verify/verifyEndpoint';
import type { InventoryHost } from './inventory';
import { mapLimited } from './mapLimited';
import { hostFailure } from './hostFailure';

/** One host's verdict, or why it could not be judged. */
export interface HostVerdict {
  readonly name: string;
  /** False when the host, its store or the endpoint could not be reached: an error, not a verdict. */
  readonly ok: boolean;
  readonly verdict?: EndpointVerdict;
  readonly error?: string;
  readonly ms: number;
}

/** Options of {@link verifyFleet}. */
export interface FleetVerifyOptions {
  readonly parallel?: number;
  readonly timeoutMs?: number;
  readonly now?: Date;
  readonly onHostDone?: (outcome: HostVerdict, done: number, total: number) => void;
  readonly pool?: SshConnectionPool;
}

/**
 * `verify` for every MID host of an inventory: the TCP connection to the endpoint is opened
 * *from the MID host* (SSH direct-tcpip forwarding over the host's one shared connection), so
 * the handshake sees the network, DNS and proxies as the MID does; the chain is judged against
 * the truststore that host's JVM uses, with its bundled JRE's java.security.
 *
 * @example
 * const verdicts = await verifyFleet(loadInventory('hosts.yaml', process.env), parseEndpointTarget('ldaps://ad:636'), 'changeit');
 */
export async function verifyFleet(hosts: readonly InventoryHost[], target: EndpointTarget, password: string | undefined, opts: FleetVerifyOptions = {}): Promise<HostVerdict[]> {
  const pool = opts.pool ?? new SshConnectionPool();
  let done = 0;
  const run = async (h: InventoryHost): Promise<HostVerdict> => {
    const started = Date.now();
    let outcome: HostVerdict;
    try {
      const host = new SshHost(h.connection, pool);
      const judged = await judgedMidStore(host, h.midHome, password);
      const policy = await trustPolicyFor(host, judged);
      const verdict = await verifyEndpoint(target, { store: judged, policy, timeoutMs: opts.timeoutMs, now: opts.now, connect: forwardedFrom(pool, h.connection, opts.timeoutMs ?? 10_000) });
      outcome = { name: h.name, ok: true, verdict, ms: Date.now() - started };
    } catch (e) {
      outcome = { name: h.name, ok: false, error: hostFailure(e), ms: Date.now() - started };
    }
    opts.onHostDone?.(outcome, ++done, hosts.length);
    return outcome;
  };
  try {
    return await mapLimited(hosts, opts.parallel ?? 8, run);
  } finally {
    if (!opts.pool) await pool.closeAll();
  }
}

/**
 * A connector that asks the MID host's sshd to open the TCP connection (direct-tcpip): the
 * destination is resolved and reached from the MID host, not from here.
 */
export function forwardedFrom(pool: SshConnectionPool, spec: SshConnectionSpec, timeoutMs: number): Connector {
  return async (host, port) => {
    const session = await pool.get(spec);
    return new Promise<Duplex>((resolve, reject) => {
      const timer = setTimeout(() => reject(new MidtrustError('IO', `${session.key}: the MID host did not open a connection to ${host}:${port} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      session.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        clearTimeout(timer);
        if (err) {
          return reject(new MidtrustError('IO', `${session.key}: the MID host cannot connect to ${host}:${port} (${err.message}); from the MID's network the endpoint is unreachable, or sshd forbids forwarding (AllowTcpForwarding)`, { cause: err }));
        }
        resolve(channel);
      });
    });
  };
}
