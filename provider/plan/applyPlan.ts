import { aliasKey, storedAlias, type Keystore, type KeystoreEntry } from '../keystore/model';
import type { DesiredState, PresentCertificate } from './desiredState';
import type { Plan } from './plan';

/**
 * The store after the plan: untouched entries are the same objects (so codecs write their bytes
 * unchanged), a replaced entry keeps its place and alias spelling, new entries come last.
 * With nothing to change it returns `store` itself, which callers use to skip the write.
 */
export function applyPlan(store: Keystore | undefined, plan: Plan, desired: DesiredState, options: { now: Date }): Keystore {
  if (plan.changes === 0 && store) return store;
  const base: Keystore = store ?? emptyStore(plan, desired);
  const declared = new Map<string, PresentCertificate>();
  for (const d of desired.certificates) if (d.state === 'present' && !declared.has(aliasKey(d.alias))) declared.set(aliasKey(d.alias), d);
  const removals = new Set(plan.actions.filter((a) => a.action === 'remove').map((a) => aliasKey(a.alias)));
  const replacements = new Set(plan.actions.filter((a) => a.action === 'replace').map((a) => aliasKey(a.alias)));
  const timestamp = options.now.getTime();

  const entries: KeystoreEntry[] = [];
  for (const e of base.entries) {
    const key = aliasKey(e.alias);
    if (removals.has(key)) continue;
    if (replacements.has(key)) {
      const d = declared.get(key) as PresentCertificate;
      entries.push({ alias: e.alias, kind: 'trustedCertificate', timestamp, certificates: [d.der] });
    } else {
      entries.push(e);
    }
  }
  for (const a of plan.actions) {
    if (a.action !== 'add') continue;
    const d = declared.get(aliasKey(a.alias)) as PresentCertificate;
    entries.push({ alias: storedAlias(base.type, d.alias), kind: 'trustedCertificate', timestamp, certificates: [d.der] });
  }
  return { ...base, entries };
}

function emptyStore(plan: Plan, desired: DesiredState): Keystore {
  const type = plan.createStore?.type ?? desired.keystore.type ?? 'PKCS12';
  const passwordless = type === 'PKCS12' && !desired.keystore.password;
  return { type, entries: [], integrity: passwordless ? 'none' : 'verified' };
}
