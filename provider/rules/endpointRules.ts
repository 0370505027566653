import type { RuleOptions, Violation } from './violation';
import { violation } from './certificateRules';

/**
 * An endpoint judged against a store in some state. Rules are pure: the verdict is made by
 * provider/verify before the rules run (the doors do the network), so lint, audit, plan,
 * upgrade-preview and the CrossGuard pack share this one rule.
 */
export interface EndpointCheck {
  /** As written: `ldaps://ad.example.com`, `proxy:8443`. */
  readonly target: string;
  /** When the verdict applies, for the message: "now", "after apply", "after the upgrade". */
  readonly when: string;
  /** The verdict; absent when the endpoint could not be reached (see `error`). */
  readonly verdict?: {
    readonly trusted: boolean;
    readonly problems: ReadonlyArray<{ readonly code: string; readonly message: string }>;
    readonly suggest: ReadonlyArray<{ readonly subject: string; readonly sha256?: string; readonly reason: string }>;
  };
  /** Why no verdict could be made (unreachable, handshake failed). */
  readonly error?: string;
  /** Which store it was judged against, for the message. */
  readonly store?: string;
}

/**
 * `endpoint-not-trusted` for every endpoint the JVM would refuse with that store, with the
 * verdict's fix as remediation; `endpoint-unreachable` when no verdict could be made (so a check
 * that did not happen is never mistaken for a pass).
 *
 * @example
 * checkEndpoints([{ target: 'ldaps://ad:636', when: 'after apply', verdict: verdictJson(v) }], opts)
 */
export function checkEndpoints(checks: readonly EndpointCheck[], opts: Pick<RuleOptions, 'severities'>): Violation[] {
  const out: Violation[] = [];
  for (const c of checks) {
    const where = c.store ? ` with ${c.store}` : '';
    if (!c.verdict) {
      out.push(violation('endpoint-unreachable', opts, null, null, `${c.target} could not be checked ${c.when}${where}: ${c.error ?? 'no verdict'}`, 'check that the endpoint is reachable from here (or use verify --inventory to check from the MID hosts)'));
      continue;
    }
    if (c.verdict.trusted) continue;
    const fix = c.verdict.suggest.map((s) => `${s.reason}: ${s.subject}${s.sha256 ? ` (sha256 ${s.sha256})` : ''}`);
    out.push(
      violation(
        'endpoint-not-trusted',
        opts,
        null,
        c.verdict.suggest.find((s) => s.sha256)?.sha256 ?? null,
        `${c.target} will not be trusted ${c.when}${where}: ${c.verdict.problems.map((p) => p.message).join('; ')}`,
        fix.length ? fix.join('; ') : 'see midtrust verify for the details',
      ),
    );
  }
  return out;
}
