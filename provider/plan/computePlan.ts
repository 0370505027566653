import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import { aliasKey, type Keystore, type KeystoreEntry, type KeystoreType } from '../keystore/model';
import type { DesiredState, PresentCertificate } from './desiredState';
import type { Plan, PlanAction } from './plan';

/** "ab12cd34ef56…": enough of a fingerprint to tell two certificates apart in a message. */
export function shortFingerprint(sha256: string): string {
  return `${sha256.slice(0, 12)}…`;
}

/**
 * Compares a store with the desired state. Identity is alias + SHA-256 of the DER; aliases are
 * compared as Java does (case-insensitively). Key entries are never replaced or removed.
 * Order: declared entries in declaration order, then `exclusive` removals sorted by alias.
 *
 * @example
 * const plan = computePlan(readKeystore(bytes, { password }), desired);
 * plan.changes // 0 when the store already matches
 */
export function computePlan(store: Keystore | undefined, desired: DesiredState): Plan {
  const keystorePath = desired.keystore.path;
  let storeType: KeystoreType | undefined = store?.type;
  let createStore: Plan['createStore'];
  if (!store) {
    if (!desired.keystore.create) {
      throw new MidtrustError('NOT_FOUND', `${keystorePath} does not exist; check the path, or set keystore.create: true (with keystore.type) to create it`);
    }
    storeType = desired.keystore.type ?? 'PKCS12';
    createStore = { type: storeType };
  }
  const entries = new Map<string, KeystoreEntry>();
  for (const e of store?.entries ?? []) entries.set(aliasKey(e.alias), e);
  const bySha = new Map<string, string[]>();
  for (const e of store?.entries ?? []) {
    if (e.kind !== 'trustedCertificate' || !e.certificates[0]) continue;
    const sha = sha256Hex(e.certificates[0]);
    bySha.set(sha, [...(bySha.get(sha) ?? []), e.alias]);
  }

  const declared = dedupe(desired);
  const actions: PlanAction[] = [];
  const notes: string[] = [];
  for (const d of declared) {
    const existing = entries.get(aliasKey(d.alias));
    if (existing && existing.kind !== 'trustedCertificate') {
      throw new MidtrustError(
        'INVALID_INPUT',
        `alias ${d.alias}: ${keystorePath} holds a ${existing.kind === 'privateKey' ? 'private key' : 'secret key'} entry under this alias; midtrust never replaces or deletes key entries — choose another alias`,
      );
    }
    if (d.state === 'absent') {
      if (!existing) actions.push({ action: 'unchanged', alias: d.alias, reason: 'already absent', source: d.source });
      else actions.push({ action: 'remove', alias: existing.alias, sha256: shaOf(existing), reason: 'declared absent', source: d.source });
      continue;
    }
    const others = (bySha.get(d.sha256) ?? []).filter((a) => aliasKey(a) !== aliasKey(d.alias));
    if (others.length > 0) {
      notes.push(`${d.alias}: the same certificate (sha256 ${shortFingerprint(d.sha256)}) is also trusted as ${others.join(', ')}; both aliases are kept`);
    }
    if (!existing) {
      actions.push({ action: 'add', alias: d.alias, sha256: d.sha256, reason: 'not in the store', source: d.source });
    } else if (shaOf(existing) === d.sha256) {
      actions.push({ action: 'unchanged', alias: d.alias, sha256: d.sha256, reason: 'already trusted', source: d.source });
    } else {
      const previous = shaOf(existing);
      actions.push({
        action: 'replace',
        alias: existing.alias,
        sha256: d.sha256,
        previousSha256: previous,
        reason: `the alias holds another certificate (sha256 ${shortFingerprint(previous ?? '')}, declared ${shortFingerprint(d.sha256)})`,
        source: d.source,
      });
    }
  }
  if (desired.exclusive && store) {
    const managed = new Set(declared.map((d) => aliasKey(d.alias)));
    const unmanaged = store.entries
      .filter((e) => e.kind === 'trustedCertificate' && !managed.has(aliasKey(e.alias)))
      .sort((a, b) => (aliasKey(a.alias) < aliasKey(b.alias) ? -1 : 1));
    for (const e of unmanaged) actions.push({ action: 'remove', alias: e.alias, sha256: shaOf(e), reason: 'not declared (exclusive: true)' });
  }
  const changes = actions.filter((a) => a.action !== 'unchanged').length + (createStore ? 1 : 0);
  return { keystorePath, ...(storeType ? { storeType } : {}), ...(createStore ? { createStore } : {}), actions, notes, changes };
}

function shaOf(e: KeystoreEntry): string | undefined {
  return e.certificates[0] ? sha256Hex(e.certificates[0]) : undefined;
}

/** The same alias declared twice: fine when identical, an error when it disagrees. */
function dedupe(desired: DesiredState): DesiredState['certificates'] {
  const seen = new Map<string, DesiredState['certificates'][number]>();
  const out: DesiredState['certificates'][number][] = [];
  for (const d of desired.certificates) {
    const key = aliasKey(d.alias);
    const prior = seen.get(key);
    if (!prior) {
      seen.set(key, d);
      out.push(d);
      continue;
    }
    const same = prior.state === d.state && (d.state === 'absent' || (prior as PresentCertificate).sha256 === d.sha256);
    if (!same) {
      throw new MidtrustError('INVALID_INPUT', `alias ${d.alias} is declared twice with different content (${prior.source} and ${d.source}); aliases are case-insensitive — keep one`);
    }
  }
  return out;
}
