import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import { aliasKey, storedAlias, type Keystore, type KeystoreEntry } from '../keystore/model';
import { isWritableEntryDate } from '../keystore/entryDate';
import type { DesiredState, PresentCertificate } from './desiredState';
import type { Plan, PlanAction } from './plan';

/**
 * The store after the plan, as a new model; pure, no I/O.
 * - Untouched entries are the *same objects*, so codecs write their bytes unchanged.
 * - A replaced entry keeps its place in the entry order and its alias spelling (lowercased for
 *   JKS/JCEKS, where Java cannot reach an uppercase stored alias), with timestamp `now`.
 * - New entries are appended, with alias `storedAlias(type, alias)` and timestamp `now`.
 * - With nothing to change it returns `store` itself: callers use identity to skip the write.
 *
 * The plan is checked against the store first (it must be the store it was computed from): a
 * stale plan, or one that would touch a key entry, is refused rather than half applied.
 *
 * @param store the store the plan was computed from; undefined only with `plan.createStore`
 * @example
 * const next = applyPlan(store, computePlan(store, desired), desired, { now: new Date() });
 * if (next !== store) host.write(path, writeKeystore(next, password));
 */
export function applyPlan(store: Keystore | undefined, plan: Plan, desired: DesiredState, options: { now: Date }): Keystore {
  if (store && plan.changes === 0) return store;
  if (!store && !plan.createStore) throw stale(plan, 'the plan is for an existing store, but none was given');
  const base: Keystore = store ?? emptyStore(plan, desired);
  const timestamp = options.now.getTime();
  // Never write a date a JavaScript Date cannot show (keytool would list year 292278994).
  if (!isWritableEntryDate(timestamp)) throw new MidtrustError('INVALID_INPUT', `the clock gave an invalid date (${String(options.now.getTime())}); set the system time and run again`);

  // Aliases fold as the JDK that reads the store folds them (javaAliasCase.ts).
  const javaVersion = base.javaVersion ?? desired.keystore.javaVersion;
  const keyOf = (alias: string): string => aliasKey(alias, javaVersion);
  // Indexed once, first match kept (what a search from the start would find): one lookup per
  // action, so 60,000 aliases plan and apply in linear time (issue 19 item 4).
  const declared = new Map<string, PresentCertificate>();
  for (const c of desired.certificates) {
    const k = `${keyOf(c.alias)}\u0000${c.state === 'present' ? c.sha256 : ''}`;
    if (c.state === 'present' && !declared.has(k)) declared.set(k, c);
  }
  const byStoredAlias = new Map<string, KeystoreEntry>();
  const byKey = new Map<string, KeystoreEntry>();
  for (const e of base.entries) {
    if (!byStoredAlias.has(e.alias)) byStoredAlias.set(e.alias, e);
    const k = keyOf(e.alias);
    if (!byKey.has(k)) byKey.set(k, e);
  }
  const declaredFor = (a: PlanAction): PresentCertificate => {
    const d = declared.get(`${keyOf(a.alias)}\u0000${a.sha256 ?? ''}`);
    if (!d) throw stale(plan, `alias ${a.alias}: the desired state declares no certificate with sha256 ${a.sha256 ?? '(none)'}`);
    return d;
  };
  // The entry an action is about: the exact stored alias first (plans name it), then Java's lookup.
  const target = (a: PlanAction): KeystoreEntry => {
    const e = byStoredAlias.get(a.alias) ?? byStoredAlias.get(keyOf(a.alias)) ?? byKey.get(keyOf(a.alias));
    const expected = a.action === 'replace' ? a.previousSha256 : a.sha256;
    if (!e || e.kind !== 'trustedCertificate') {
      throw stale(plan, `alias ${a.alias}: expected a trusted certificate to ${a.action}, found ${e ? `a ${e.kind} entry (never touched)` : 'no entry'}`);
    }
    if (expected !== undefined && (!e.certificates[0] || sha256Hex(e.certificates[0]) !== expected)) {
      throw stale(plan, `alias ${a.alias}: the entry no longer holds the planned certificate`);
    }
    return e;
  };

  const replaced = new Map<KeystoreEntry, PresentCertificate>();
  const removed = new Set<KeystoreEntry>();
  const added: KeystoreEntry[] = [];
  const addedKeys = new Set<string>();
  for (const a of plan.actions) {
    if (a.action === 'replace') replaced.set(target(a), declaredFor(a));
    else if (a.action === 'remove') removed.add(target(a));
    else if (a.action === 'add') {
      const key = keyOf(a.alias);
      if (byKey.has(key) || addedKeys.has(key)) throw stale(plan, `alias ${a.alias}: planned as new, but the store already holds it`);
      addedKeys.add(key);
      const d = declaredFor(a);
      added.push({ alias: storedAlias(base.type, a.alias, javaVersion), kind: 'trustedCertificate', timestamp: isWritableEntryDate(d.timestamp) ? d.timestamp : timestamp, certificates: [d.der] });
    }
  }

  const entries: KeystoreEntry[] = [];
  for (const e of base.entries) {
    if (removed.has(e)) continue;
    const d = replaced.get(e);
    // A replaced entry gets no codecData: it is new content, encoded fresh by the codec.
    entries.push(d ? { alias: storedAlias(base.type, e.alias, javaVersion), kind: 'trustedCertificate', timestamp: isWritableEntryDate(d.timestamp) ? d.timestamp : timestamp, certificates: [d.der] } : e);
  }
  entries.push(...added);
  return { ...base, entries, ...(javaVersion === undefined ? {} : { javaVersion }) };
}

/** The model of a store apply is about to create: PKCS12 without a password is password-less. */
function emptyStore(plan: Plan, desired: DesiredState): Keystore {
  const type = plan.createStore?.type ?? plan.storeType;
  const passwordless = type === 'PKCS12' && !desired.keystore.password;
  return { type, entries: [], integrity: passwordless ? 'none' : 'verified' };
}

function stale(plan: Plan, detail: string): MidtrustError {
  return new MidtrustError('INVALID_INPUT', `the plan does not fit ${plan.keystorePath} (${detail}); compute the plan again from the store as it is now`);
}
