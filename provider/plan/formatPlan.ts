import { shortFingerprint } from './computePlan';
import type { Plan, PlanAction } from './plan';

const SIGN = { add: '+', replace: '~', remove: '-', unchanged: '=' } as const;

/** Options of `formatPlan`. */
export interface FormatPlanOptions {
  /** Also list `= unchanged` entries (hidden by default, like terraform and pulumi do). */
  readonly verbose?: boolean;
}

/**
 * A plan for a person, in the style of terraform/pulumi previews:
 * ```
 * Keystore /opt/mid/agent/jre/lib/security/cacerts (JKS)
 * + add     acme-root  (sha256 ab12cd34ef56…) from certs/acme-root.pem
 * ~ replace proxy      (sha256 0f1e2d3c4b5a… → 99aa88bb77cc…) from certs/proxy.pem
 * - remove  old-proxy  (sha256 5566778899aa…): declared absent
 * note: …
 * Plan: 1 to add, 1 to replace, 1 to remove.
 * ```
 * or "No changes. <path> matches the desired state." Never shows passwords or PEMs (plans hold none).
 */
export function formatPlan(plan: Plan, opts: FormatPlanOptions = {}): string {
  const lines: string[] = [`Keystore ${plan.keystorePath} (${plan.storeType})`];
  // A MID home names its store: which one the JVM reads decides whether the plan matters.
  if (plan.store) lines.push(`  ${plan.store.why}`);
  if (plan.createStore) lines.push(`+ create  a new ${plan.createStore.type} store`);
  const shown = plan.actions.filter((a) => opts.verbose || a.action !== 'unchanged');
  const width = Math.max(0, ...shown.map((a) => a.alias.length));
  for (const a of shown) lines.push(`${SIGN[a.action]} ${a.action.padEnd(7)} ${a.alias.padEnd(width)}  ${details(a)}`.trimEnd());
  for (const n of plan.notes) lines.push(`note: ${n}`);
  const count = (k: PlanAction['action']): number => plan.actions.filter((a) => a.action === k).length;
  if (plan.changes === 0) {
    lines.push(`No changes. ${plan.keystorePath} matches the desired state.`);
  } else {
    const unchanged = count('unchanged');
    lines.push(
      `Plan: ${plan.createStore ? 'create the store, ' : ''}${count('add')} to add, ${count('replace')} to replace, ${count('remove')} to remove${unchanged ? ` (${unchanged} unchanged)` : ''}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function details(a: PlanAction): string {
  const fp =
    a.action === 'replace' && a.previousSha256 && a.sha256
      ? `(sha256 ${shortFingerprint(a.previousSha256)} → ${shortFingerprint(a.sha256)})`
      : a.sha256
        ? `(sha256 ${shortFingerprint(a.sha256)})`
        : '';
  // add and replace say why with their sign and fingerprints; remove and unchanged need the reason.
  if (a.action === 'add' || a.action === 'replace') return `${fp}${a.source ? ` from ${a.source}` : ''}`;
  return fp ? `${fp}: ${a.reason}` : `(${a.reason})`;
}

/** The JSON form of one action; field names and order are a contract (docs/desired-state.md). */
export interface PlanActionJson {
  action: PlanAction['action'];
  alias: string;
  sha256?: string;
  previousSha256?: string;
  reason: string;
  source?: string;
}

/** The `--json` form of a plan; field names are a contract (docs/desired-state.md). */
export interface PlanJson {
  keystorePath: string;
  storeType: Plan['storeType'];
  store?: { kind: string; path: string; why: string; bypassed?: string };
  createStore?: { type: Plan['storeType'] };
  changes: number;
  actions: PlanActionJson[];
  notes: string[];
}

/**
 * The `--json` form: `{keystorePath, storeType, store?: {kind, path, why, bypassed?}, createStore?, changes, actions: [{action, alias,
 * sha256?, previousSha256?, reason, source?}], notes}`, fields always in this order. Built field by
 * field, so nothing else a plan object might carry reaches the output.
 *
 * @example
 * JSON.stringify(planToJson(plan)) // '{"keystorePath":"/x/cacerts","storeType":"JKS","changes":1,"actions":[...],"notes":[]}'
 */
export function planToJson(plan: Plan): PlanJson {
  return {
    keystorePath: plan.keystorePath,
    storeType: plan.storeType,
    ...(plan.store ? { store: { kind: plan.store.kind, path: plan.store.path, why: plan.store.why, ...(plan.store.bypassed ? { bypassed: plan.store.bypassed } : {}) } } : {}),
    ...(plan.createStore ? { createStore: { type: plan.createStore.type } } : {}),
    changes: plan.changes,
    actions: plan.actions.map((a) => ({
      action: a.action,
      alias: a.alias,
      ...(a.sha256 !== undefined ? { sha256: a.sha256 } : {}),
      ...(a.previousSha256 !== undefined ? { previousSha256: a.previousSha256 } : {}),
      reason: a.reason,
      ...(a.source !== undefined ? { source: a.source } : {}),
    })),
    notes: [...plan.notes],
  };
}
