import type { Duplex } from 'node:stream';
import { MidtrustError } from '../errors';
import { SshConnectionPool } from '../host/ssh/sshConnectionPool';
import type { SshConnectionSpec } from '../host/ssh/sshConnectionSpec';
import type { EndpointTarget } from '../verify/endpointTarget';
import type { Connector } from '../verify/fetchPresentedChain';
import { judgedMidStore } from '../verify/judgedStore';
import { trustPolicyFor, verifyEndpoint, type EndpointVerdict } from '../verify/verifyEndpoint';
import { storePasswordOf, type InventoryHost } from './inventory';
import { eachHost, type EachHostOptions, type HostResult } from './eachHost';

/** One host's verdict, or why it could not be judged: `ok` false when the host, its store or the endpoint could not be reached: an error, not a verdict. */
export interface HostVerdict extends HostResult {
  readonly verdict?: EndpointVerdict;
}

/** Options of {@link verifyFleet}. */
export interface FleetVerifyOptions extends EachHostOptions<HostVerdict> {
  /** Per connection and handshake (default 10 s). */
  readonly timeoutMs?: number;
  readonly now?: Date;
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
  return eachHost<HostVerdict>(hosts, opts, async (host, h, pool) => {
    const judged = await judgedMidStore(host, h.midHome, storePasswordOf(h, password));
    const policy = await trustPolicyFor(host, judged);
    return { verdict: await verifyEndpoint(target, { store: judged, policy, timeoutMs: opts.timeoutMs, now: opts.now, connect: forwardedFrom(pool, h.connection, opts.timeoutMs ?? 10_000) }) };
  });
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
