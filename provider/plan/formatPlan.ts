import { shortFingerprint } from './computePlan';
import type { Plan } from './plan';

const SIGN = { add: '+', replace: '~', remove: '-', unchanged: '=' } as const;

/**
 * A plan for a person, in the style of `pulumi preview`:
 * `+ add acme-root  sha256 ab12cd34ef56…  from certs/acme.pem`, then a summary line.
 */
export function formatPlan(plan: Plan, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [`Keystore ${plan.keystorePath}${plan.storeType ? ` (${plan.storeType})` : ''}`];
  if (plan.createStore) lines.push(`+ create ${plan.createStore.type} store`);
  const width = Math.max(0, ...plan.actions.map((a) => a.alias.length));
  for (const a of plan.actions) {
    if (a.action === 'unchanged' && !opts.verbose) continue;
    const fp = a.sha256 ? `sha256 ${shortFingerprint(a.sha256)}` : '';
    const from = a.source && a.action !== 'remove' ? `  from ${a.source}` : '';
    lines.push(`${SIGN[a.action]} ${a.action.padEnd(9)} ${a.alias.padEnd(width)}  ${fp}${from}  (${a.reason})`.replace(/\s+\(/, '  ('));
  }
  for (const n of plan.notes) lines.push(`note: ${n}`);
  const count = (k: string): number => plan.actions.filter((a) => a.action === k).length;
  if (plan.changes === 0) {
    lines.push(`No changes: ${plan.keystorePath} matches the desired state (${count('unchanged')} declared entries in place).`);
  } else {
    lines.push(`Plan: ${count('add')} to add, ${count('replace')} to replace, ${count('remove')} to remove, ${count('unchanged')} unchanged.`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The `--json` form: `{keystorePath, storeType, createStore?, changes, actions: [{action, alias,
 * sha256?, previousSha256?, reason, source?}], notes}`. Field names are a contract.
 */
export function planToJson(plan: Plan): Record<string, unknown> {
  return {
    keystorePath: plan.keystorePath,
    storeType: plan.storeType ?? null,
    ...(plan.createStore ? { createStore: plan.createStore } : {}),
    changes: plan.changes,
    actions: plan.actions.map((a) => ({ ...a })),
    notes: [...plan.notes],
  };
}
