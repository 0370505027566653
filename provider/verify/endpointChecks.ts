import type { Host } from '../host/host';
import type { UpgradeResult } from '../mid/upgrade/upgradeModel';
import type { DesiredState } from '../plan/desiredState';
import type { EndpointCheck } from '../rules/endpointRules';
import { mapLimited } from '../fleet/mapLimited';
import { isMidtrustError } from '../errors';
import { parseEndpointTarget, type EndpointTarget } from './endpointTarget';
import { fetchPresentedChain, type Connector, type PresentedChain } from './fetchPresentedChain';
import { verdictJson, wrap } from './formatVerdict';
import { jdkShippedRootsOf, type JdkTrustPolicy } from './jdkTrustPolicy';
import { judgedAfterApply, type JudgedStore } from './judgedStore';
import { judgeEndpoint, trustPolicyFor, type EndpointVerdict } from './verifyEndpoint';

/** One endpoint's handshake, made once and judged against several stores (before and after a change). */
export interface FetchedEndpoint {
  readonly target: EndpointTarget;
  readonly presented?: PresentedChain;
  /** Why there is no chain (unreachable, handshake failed). */
  readonly error?: string;
}

/**
 * Connects to every endpoint (4 at a time) and keeps what each presented; an endpoint that
 * cannot be reached is kept with its error rather than failing the others.
 *
 * @example
 * const fetched = await fetchEndpoints(desired.endpoints ?? []);
 */
export async function fetchEndpoints(targets: readonly string[], opts: { timeoutMs?: number; connect?: Connector } = {}): Promise<FetchedEndpoint[]> {
  return mapLimited(targets, 4, async (text) => {
    const target = parseEndpointTarget(text);
    try {
      return { target, presented: await fetchPresentedChain(target, opts) };
    } catch (e) {
      if (!isMidtrustError(e)) throw e;
      return { target, error: e.message };
    }
  });
}

/** The verdicts of fetched endpoints against one store, as the rules' input (`when`: "after apply", …). */
export function endpointChecks(fetched: readonly FetchedEndpoint[], judged: JudgedStore, policy: JdkTrustPolicy, when: string, now = new Date()): Array<EndpointCheck & { full?: EndpointVerdict }> {
  return fetched.map((f) => {
    if (!f.presented) return { target: f.target.text, when, store: judged.label, error: f.error };
    const full = judgeEndpoint(f.target, f.presented, judged, policy, now);
    return { target: f.target.text, when, store: judged.label, verdict: verdictJson(full), full };
  });
}

/**
 * Endpoints (by default the desired state's `endpoints:`) judged against the store as apply will
 * leave it: what `plan` shows and `lint` checks. The store is read, never written. When the store
 * is not on this machine (a MID home linted elsewhere), the declared certificates alone are the
 * anchors, and the check says so.
 *
 * @example
 * const checks = await checkEndpointsAfterApply(new LocalHost(), desired, { env: process.env });
 */
export async function checkEndpointsAfterApply(
  host: Host,
  desired: DesiredState,
  opts: { targets?: readonly string[]; env?: Record<string, string | undefined>; timeoutMs?: number; now?: Date } = {},
): Promise<Array<EndpointCheck & { full?: EndpointVerdict }>> {
  const reachable = desired.keystore.create || (await host.stat(desired.keystore.path).catch(() => undefined)) !== undefined;
  const judged: JudgedStore = reachable
    ? { ...(await judgedAfterApply(host, desired, opts.now)), label: desired.keystore.path }
    : {
        label: `the certificates declared in ${desired.sourceFile} only (${desired.keystore.path} is not on this machine)`,
        store: { type: 'PKCS12', integrity: 'none', entries: desired.certificates.flatMap((c) => (c.state === 'present' ? [{ alias: c.alias, kind: 'trustedCertificate' as const, certificates: [c.der] }] : [])) },
      };
  const policy = await trustPolicyFor(host, judged, { env: opts.env, local: true });
  return endpointChecks(await fetchEndpoints(opts.targets ?? desired.endpoints ?? [], { timeoutMs: opts.timeoutMs }), judged, policy, 'after apply', opts.now);
}

/** Endpoint checks for a person, one block per endpoint: verdict, then the problems and the fix. */
export function formatEndpointChecks(title: string, checks: ReadonlyArray<EndpointCheck>): string {
  const lines = [title];
  for (const c of checks) {
    if (!c.verdict) {
      lines.push(wrap(`? ${c.target}: not checked (${c.error})`, '  ', '      '));
      continue;
    }
    if (c.verdict.trusted) {
      lines.push(`  ✓ ${c.target}: trusted ${c.when}`);
      continue;
    }
    lines.push(`  ✗ ${c.target}: NOT TRUSTED ${c.when}`);
    for (const p of c.verdict.problems) lines.push(wrap(`${p.code}: ${p.message}`, '      ', '        '));
    for (const s of c.verdict.suggest) {
      lines.push(wrap(`fix: ${s.reason}: ${s.subject}`, '      ', '        '));
      if (s.sha256) lines.push(`        sha256 ${s.sha256}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON form of endpoint checks (plan, upgrade-preview): the verdict contract, or the error. */
export function endpointChecksJson(checks: ReadonlyArray<EndpointCheck>): Array<Record<string, unknown>> {
  return checks.map((c) => ({ target: c.target, when: c.when, ...(c.verdict ? { trusted: c.verdict.trusted, problems: c.verdict.problems, suggest: c.verdict.suggest } : { trusted: null, error: c.error }) }));
}

/** One endpoint before and after an upgrade. */
export interface UpgradeEndpointCheck {
  readonly target: string;
  readonly before: EndpointCheck;
  readonly after: EndpointCheck;
  /** Trusted now, not after the upgrade. */
  readonly breaks: boolean;
}

/**
 * The endpoints judged now and after the upgrade the preview models (one handshake each): the
 * store after is the upgrade model's (incoming cacerts plus what the strategy migrates), with the
 * JDK-shipped roots of that new store. A MID on an external truststore keeps it across upgrades.
 */
export async function checkEndpointsAcrossUpgrade(
  host: Host,
  targets: readonly string[],
  before: JudgedStore & { external?: boolean },
  upgrade: UpgradeResult,
  opts: { env?: Record<string, string | undefined>; timeoutMs?: number; now?: Date } = {},
): Promise<UpgradeEndpointCheck[]> {
  const fetched = await fetchEndpoints(targets, { timeoutMs: opts.timeoutMs });
  const policy = await trustPolicyFor(host, before, { env: opts.env, local: !before.javaHome });
  const after: JudgedStore = before.external
    ? { ...before, label: `${before.label}, unchanged by the upgrade` }
    : { label: `the store after the upgrade (${upgrade.why})`, store: upgrade.store, ...(before.javaHome ? { javaHome: before.javaHome } : {}), jdkCaSha256: jdkShippedRootsOf(upgrade.store) };
  const now = endpointChecks(fetched, before, policy, 'now', opts.now);
  const later = endpointChecks(fetched, after, policy, 'after the upgrade', opts.now);
  return now.map((b, i) => ({ target: b.target, before: b, after: later[i], breaks: Boolean(b.verdict?.trusted && later[i].verdict && !later[i].verdict?.trusted) }));
}
