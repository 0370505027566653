import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import { aliasKey, findEntry, type Keystore, type KeystoreEntry } from '../keystore/model';
import { applyPlan } from '../plan/applyPlan';
import { computePlan, shortFingerprint } from '../plan/computePlan';
import type { DesiredCertificate, DesiredState } from '../plan/desiredState';
import { confirm, ownedKeys, reclaim, recordOf, reconcileClaims, sameValue, withPut, type HeldValue, type Ledger } from './ownershipLedger';

/** A certificate a resource wants under an alias. */
export interface WantedCertificate {
  readonly alias: string;
  readonly der: Uint8Array;
  readonly sha256: string;
  /** For messages: "alias acme-root", "certificates[2]". */
  readonly source: string;
}

/** An alias a resource wants free of trusted certificates (a Truststore with `exclusive: true`). */
export interface WantedAbsent {
  readonly alias: string;
  readonly absent: true;
}

/** What one resource wants in one keystore, by alias key ({@link aliasKey}). */
export type WantedEntries = ReadonlyMap<string, WantedCertificate | WantedAbsent>;

/** Options of {@link reconcileOwnedEntries}. */
export interface ReconcileOptions {
  /** The keystore, for messages. */
  readonly keystorePath: string;
  /** Take over an alias holding another certificate nobody of midtrust put there. */
  readonly overwrite: boolean;
  /** Creation date of new entries. */
  readonly now: Date;
  /**
   * The resource's own claims as its outputs recorded them (`claims`, from the last create, update
   * or refresh). Where the record no longer has them but the store still holds exactly what the
   * resource put, they are claimed back first: so a lost record never makes the resource refuse
   * its own alias, nor record its own old certificate as "found".
   */
  readonly mine?: readonly ClaimMirror[];
}

/** One value as a resource's outputs mirror it: a certificate's SHA-256 and the entry's creation date. */
export interface MirroredValue {
  readonly sha256: string;
  readonly createdAt?: number;
}

/**
 * One claim as it appears in a resource's outputs (`claims`): what the alias held before the
 * resource's first claim, what the resource keeps there (null: kept free by `exclusive`), and how
 * many other resources claim it too (a shared entry stays until the last of them lets go).
 */
export interface ClaimMirror {
  readonly alias: string;
  readonly found: MirroredValue | null;
  readonly put: MirroredValue | null;
  readonly otherOwners: number;
}

/** What {@link reconcileOwnedEntries} returns. */
export interface Reconciled {
  readonly store: Keystore;
  readonly ledger: Ledger;
  /** The resource's claims after the change, for its outputs. */
  readonly claims: ClaimMirror[];
  /** What a person should know: claims taken back from the outputs, entries left because they changed since. */
  readonly notes: string[];
}

/**
 * One resource's entries, reconciled with what it owns: the keys it owns but no longer wants are
 * released (the last owner gives back what was found), the ones it wants are claimed and put in
 * place — all as one new store model and one new ownership record, for one write.
 *
 * An alias holding another certificate that this resource does not own is refused unless
 * `overwrite` (the same rule for TrustedCertificate and Truststore); every such alias is named in
 * one error. Key entries are never touched (computePlan refuses them).
 *
 * @example
 * const { store, ledger } = reconcileOwnedEntries(current, ledger0, ownerId, new Map([['acme-root', wanted]]), { keystorePath, overwrite: false, now: new Date() });
 */
export function reconcileOwnedEntries(store: Keystore, ledger0: Ledger, owner: string, wanted: WantedEntries, opts: ReconcileOptions): Reconciled {
  const currentOf = (key: string): HeldValue => heldBy(findEntry(store, key));
  const at = opts.now.getTime();
  const notes: string[] = [];
  // Claims the record lost but the outputs remember, only where the entry is still what this resource put (a create has none).
  let ledger = ledger0;
  if (wanted.size > 0) {
    for (const c of opts.mine ?? []) {
      const key = aliasKey(c.alias);
      if (recordOf(ledger, key)?.owners.includes(owner)) continue;
      const next = reclaim(ledger, key, owner, currentOf(key), { found: fromMirror(c.found), put: fromMirror(c.put) }, at);
      if (next !== ledger) notes.push(`alias ${c.alias}: claimed back from this resource's outputs (the ownership record did not have it)`);
      ledger = next;
    }
  }
  for (const key of ownedKeys(ledger, owner)) {
    const rec = ledger.records[key];
    if (rec.owners.length === 1 && !wanted.has(key) && !sameValue(currentOf(key), rec.put)) {
      notes.push(`alias ${findEntry(store, key)?.alias ?? key}: changed since midtrust put it (another certificate, or re-added by hand): left as it is`);
    }
  }
  const taken: string[] = [];
  const values = new Map<string, HeldValue>();
  for (const [key, want] of wanted) {
    if ('absent' in want) {
      values.set(key, null);
      continue;
    }
    const current = currentOf(key);
    const owns = recordOf(ledger, key)?.owners.includes(owner) ?? false;
    if (current && current.digest !== want.sha256 && !opts.overwrite && !owns) {
      taken.push(`alias ${want.alias} (${want.source}) already trusts another certificate (sha256 ${shortFingerprint(current.digest)}${subjectOf(findEntry(store, key)!)})`);
    }
    values.set(key, { digest: want.sha256, data: '' });
  }
  if (taken.length > 0) {
    throw new MidtrustError(
      'INVALID_INPUT',
      `${taken.join('; ')}; set overwrite: true to take ${taken.length === 1 ? 'the alias' : 'these aliases'} over (destroy gives the previous certificate back), or choose another alias`,
    );
  }
  const { ledger: claimed, restores } = reconcileClaims(ledger, owner, values, currentOf, at);
  const declarations: DesiredCertificate[] = [];
  for (const [key, value] of restores) {
    // A found certificate known only by its digest (the record holding its bytes was lost): it cannot be put back.
    if (value !== null && value.data === '') {
      notes.push(`alias ${findEntry(store, key)?.alias ?? key}: the certificate it held before cannot be given back (the ownership record that kept it was lost): left as it is`);
      continue;
    }
    declarations.push(givenBack(findEntry(store, key)?.alias ?? key, value));
  }
  for (const want of wanted.values()) {
    if (!('absent' in want)) declarations.push({ alias: want.alias, state: 'present', der: want.der, sha256: want.sha256, source: want.source });
    else if (findEntry(store, want.alias)?.kind === 'trustedCertificate') declarations.push({ alias: findEntry(store, want.alias)!.alias, state: 'absent', source: 'not declared (exclusive: true)' });
  }
  const desired: DesiredState = { sourceFile: '<pulumi>', keystore: { path: opts.keystorePath, create: false }, exclusive: false, backup: 0, certificates: declarations };
  const next = applyPlan(store, computePlan(store, desired), desired, { now: opts.now });
  // Each claim is tied to the entry as it now is: its certificate and its creation date.
  let stamped = claimed;
  for (const key of wanted.keys()) {
    const held = heldBy(findEntry(next, key));
    stamped = withPut(stamped, key, held === null ? null : { digest: held.digest, data: '', ...(held.timestamp !== undefined ? { timestamp: held.timestamp } : {}) });
  }
  return { store: next, ledger: stamped, claims: claimsOf(stamped, owner, next), notes };
}

/**
 * The resource's claims as its outputs show them, and (refresh) claimed back where the record lost
 * them: used by `read`, which writes no entry. Notes say what was claimed back.
 *
 * @example
 * const { ledger, claims } = confirmClaims(store, ledger, ownerId, props.claims, new Date());
 */
export function confirmClaims(store: Keystore, ledger0: Ledger, owner: string, mine: readonly ClaimMirror[], now: Date): { ledger: Ledger; claims: ClaimMirror[]; notes: string[] } {
  const at = now.getTime();
  const notes: string[] = [];
  let ledger = ledger0;
  // Still claimed and still what was put: confirmed (so `midtrust owners` can tell live owners from stale ones).
  for (const key of ownedKeys(ledger, owner)) if (sameValue(heldBy(findEntry(store, key)), ledger.records[key].put)) ledger = confirm(ledger, key, owner, at);
  for (const c of mine) {
    const key = aliasKey(c.alias);
    if (recordOf(ledger, key)?.owners.includes(owner)) continue;
    const current = heldBy(findEntry(store, key));
    const next = reclaim(ledger, key, owner, current, { found: fromMirror(c.found), put: fromMirror(c.put) }, at);
    if (next !== ledger) notes.push(`alias ${c.alias}: claimed back (the ownership record did not have this resource's claim)`);
    else if (current !== null) notes.push(`alias ${c.alias}: not claimed by this resource in the ownership record, and it holds another entry than this resource put there: destroy leaves it`);
    ledger = next;
  }
  return { ledger, claims: claimsOf(ledger, owner, store), notes };
}

/** The claims `owner` holds in `ledger`, as outputs show them. */
export function claimsOf(ledger: Ledger, owner: string, store: Keystore): ClaimMirror[] {
  return ownedKeys(ledger, owner).map((key) => {
    const rec = ledger.records[key];
    return { alias: findEntry(store, key)?.alias ?? rec.found?.alias ?? key, found: toMirror(rec.found), put: toMirror(rec.put), otherOwners: rec.owners.length - 1 };
  });
}

/** A resource's `claims` output, validated (anything else in state counts as no claims). */
export function claimsFromOutputs(v: unknown): ClaimMirror[] {
  if (!Array.isArray(v)) return [];
  const value = (x: unknown): MirroredValue | null | undefined => {
    if (x === null) return null;
    const m = x as { sha256?: unknown; createdAt?: unknown };
    if (typeof m !== 'object' || typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) return undefined;
    return { sha256: m.sha256, ...(Number.isSafeInteger(m.createdAt) ? { createdAt: m.createdAt as number } : {}) };
  };
  const out: ClaimMirror[] = [];
  for (const c of v as Array<Record<string, unknown>>) {
    if (typeof c !== 'object' || c === null || typeof c.alias !== 'string') continue;
    const found = value(c.found);
    const put = value(c.put);
    if (found === undefined || put === undefined) continue;
    out.push({ alias: c.alias, found, put, otherOwners: Number(c.otherOwners) || 0 });
  }
  return out;
}

function toMirror(v: HeldValue): MirroredValue | null {
  return v === null ? null : { sha256: v.digest, ...(v.timestamp !== undefined ? { createdAt: v.timestamp } : {}) };
}

function fromMirror(v: MirroredValue | null): HeldValue {
  return v === null ? null : { digest: v.sha256, data: '', ...(v.createdAt !== undefined ? { timestamp: v.createdAt } : {}) };
}

/**
 * What a Truststore with `exclusive: true` wants free: every undeclared trusted entry in the store,
 * and every alias it already freed (so an update does not give those back).
 */
export function exclusiveAbsences(store: Keystore, ledger: Ledger, owner: string, declaredKeys: ReadonlySet<string>): Map<string, WantedAbsent> {
  const out = new Map<string, WantedAbsent>();
  for (const key of ownedKeys(ledger, owner)) {
    if (!declaredKeys.has(key) && ledger.records[key].put === null) out.set(key, { alias: key, absent: true });
  }
  for (const e of store.entries) {
    const key = aliasKey(e.alias);
    if (e.kind === 'trustedCertificate' && !declaredKeys.has(key)) out.set(key, { alias: e.alias, absent: true });
  }
  return out;
}

/** What a trusted-certificate entry holds, as the ownership record keeps it (enough to put it back as it was). */
export function heldBy(entry: KeystoreEntry | undefined): HeldValue {
  if (!entry || entry.kind !== 'trustedCertificate' || !entry.certificates[0]) return null;
  const der = entry.certificates[0];
  return {
    digest: sha256Hex(der),
    data: Buffer.from(der).toString('base64'),
    alias: entry.alias,
    ...(entry.timestamp !== undefined ? { timestamp: entry.timestamp } : {}),
  };
}

/** The declaration that puts a found value back: remove the alias, or the certificate that was there. */
function givenBack(storedAliasNow: string, value: HeldValue): DesiredCertificate {
  if (value === null) return { alias: storedAliasNow, state: 'absent', source: 'given back (it was not there before)' };
  const der = new Uint8Array(Buffer.from(value.data, 'base64'));
  if (der.length === 0 || sha256Hex(der) !== value.digest) {
    throw new MidtrustError('CORRUPT', `alias ${value.alias ?? storedAliasNow}: the ownership record's copy of the previous certificate does not match its fingerprint; the record was edited by hand`);
  }
  return {
    alias: value.alias ?? storedAliasNow,
    state: 'present',
    der,
    sha256: value.digest,
    source: 'given back (it was there before)',
    ...(value.timestamp !== undefined ? { timestamp: value.timestamp } : {}),
  };
}

function subjectOf(entry: KeystoreEntry): string {
  try {
    const { Certificate } = require('../certificate/certificate') as typeof import('../certificate/certificate');
    return `, subject ${Certificate.fromDer(entry.certificates[0]).facts.subject}`;
  } catch {
    return ''; // the subject only decorates the message
  }
}
