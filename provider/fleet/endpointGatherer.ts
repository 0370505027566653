import { isMidtrustError } from '../errors';
import type { Host } from '../host/host';
import type { Keystore } from '../keystore/model';
import type { EndpointVerdictPosture, HostEndpoint } from '../report/posture';
import type { EndpointCheck } from '../rules/endpointRules';
import { endpointChecks, fetchEndpoints } from '../verify/endpointChecks';
import type { Connector } from '../verify/fetchPresentedChain';
import type { JdkTrustPolicy } from '../verify/jdkTrustPolicy';
import { judgedAfterUpgrade, judgedKeystore, judgedMidStore, type JudgedStore } from '../verify/judgedStore';
import { trustPolicyFor, type EndpointVerdict } from '../verify/verifyEndpoint';

type MidStore = Awaited<ReturnType<typeof judgedMidStore>>;

/** What the report asks of every host about its declared endpoints. */
export interface EndpointGathering {
  /** The desired state's `endpoints:`, in file order. */
  readonly targets: readonly string[];
  /** Connection and handshake timeout per endpoint. */
  readonly timeoutMs: number;
  readonly now: Date;
  /** The next JRE's cacerts, already read (with --incoming): MID hosts are judged after the upgrade too. */
  readonly incoming?: { readonly path: string; readonly store: Keystore };
  /** For a plain keystore on this machine: where this machine's JDK is ($JAVA_HOME, PATH). */
  readonly env?: Record<string, string | undefined>;
}

/** Where one host's endpoints are checked from, and against which store. */
export interface EndpointSite {
  /** The MID home (its JVM's real truststore: external, jssecacerts or cacerts); else `keystore`. */
  readonly midHome?: string;
  readonly keystore: string;
  /** How to reach an endpoint: through the MID host's SSH connection for an inventory; TCP from here by default. */
  readonly connect?: Connector;
  /** The store is on this machine: a plain keystore is judged with this machine's JDK rules, as verify does. */
  readonly local: boolean;
}

/**
 * The declared endpoints of one host, judged by `midtrust verify`'s engine: one handshake per
 * endpoint (4 at a time, each bounded by `timeoutMs`), judged against the store the host's JVM
 * really uses — and, for a MID with `incoming`, against that store as the next upgrade leaves it
 * (the same handshake). An endpoint that cannot be reached, or a store that cannot be read, gives
 * no verdict (`trusted: null` and the reason): never a pass, never a failure of the whole host.
 *
 * @example
 * const endpoints = await gatherHostEndpoints(new LocalHost(), { midHome: '/opt/servicenow/mid', keystore: cacerts, local: true }, 'changeit', { targets: ['ldaps://ad:636'], timeoutMs: 10_000, now: new Date() });
 */
export async function gatherHostEndpoints(host: Host, site: EndpointSite, password: string | undefined, opts: EndpointGathering): Promise<HostEndpoint[]> {
  let judged: MidStore | JudgedStore;
  let policy: JdkTrustPolicy;
  try {
    judged = site.midHome ? await judgedMidStore(host, site.midHome, password) : await judgedKeystore(host, site.keystore, password);
    policy = await trustPolicyFor(host, judged, { env: opts.env, local: site.local && !site.midHome });
  } catch (e) {
    if (!isMidtrustError(e)) throw e;
    const none = noVerdict(`its truststore could not be judged: ${e.message}`, null);
    return opts.targets.map((target) => ({ target, ...none, afterUpgrade: null }));
  }
  const fetched = await fetchEndpoints(opts.targets, { timeoutMs: opts.timeoutMs, connect: site.connect });
  const now = endpointChecks(fetched, judged, policy, 'now', opts.now);
  let after: Array<EndpointVerdictPosture | null> = now.map(() => null);
  if (site.midHome && opts.incoming) {
    try {
      const current = 'layout' in judged ? (judged as MidStore) : undefined;
      const upgraded = await judgedAfterUpgrade(host, site.midHome, opts.incoming, password, { now: opts.now, current });
      after = endpointChecks(fetched, upgraded, policy, 'after the upgrade', opts.now).map(shortVerdict);
    } catch (e) {
      if (!isMidtrustError(e)) throw e;
      after = now.map(() => noVerdict(`the store after the upgrade could not be modelled: ${e.message}`, null));
    }
  }
  return now.map((c, i) => ({ target: c.target, ...shortVerdict(c), afterUpgrade: after[i] }));
}

function noVerdict(error: string, store: string | null): EndpointVerdictPosture {
  return { trusted: null, anchor: null, problems: [], suggest: [], error, store };
}

/** The verdict as the report keeps it: verify's verdict contract without the presented chain. */
function shortVerdict(c: EndpointCheck & { full?: EndpointVerdict }): EndpointVerdictPosture {
  if (!c.verdict || !c.full) return noVerdict(c.error ?? 'no verdict', c.store ?? null);
  const anchor = c.full.trusted ? c.full.judgement.anchor : undefined;
  return {
    trusted: c.verdict.trusted,
    anchor: anchor ? { alias: anchor.alias, sha256: anchor.certificate.sha256 } : null,
    problems: c.verdict.problems,
    suggest: c.verdict.suggest,
    error: null,
    store: c.store ?? null,
  };
}
