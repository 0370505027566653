/**
 * The ownership record of one file midtrust manages for Pulumi resources (a keystore, config.xml,
 * wrapper-override.conf): for every key a resource claimed (an alias, a parameter, a system
 * property), what the key held before the first claim, what the owners hold there now, and which
 * resources own it.
 *
 * Why it exists: a Pulumi deployment deletes a renamed or moved resource *after* its successor was
 * created, and a resource that adopted an existing value cannot tell from the file alone whether
 * that value was there before midtrust. Keyed reference counting answers both: a delete gives the
 * key back only when its last owner lets go, and then restores exactly what was found.
 *
 * Pure functions over immutable values; reading and writing the record is ledgerFile.ts.
 */

/**
 * What a key holds: nothing, or a value identified by its digest, with what putting it back needs
 * (`data`: base64 DER or the text value; for keystore entries the alias as stored and its creation
 * date, so a given-back entry lists in keytool exactly as it did).
 */
export type HeldValue = null | { readonly digest: string; readonly data: string; readonly alias?: string; readonly timestamp?: number };

/** One claimed key. */
export interface OwnershipRecord {
  /** What the key held before the first owner claimed it; given back when the last owner lets go. */
  readonly found: HeldValue;
  /**
   * What the owners put there (the value a give-back expects to find). For a keystore entry it
   * carries the entry's creation date too: the same certificate deleted and re-added by hand since
   * has another date, so it is somebody else's entry now and no give-back touches it.
   */
  readonly put: HeldValue;
  /** Owner ids, one per resource, in claim order. */
  readonly owners: readonly string[];
  /**
   * Owner id → when a create, update or refresh of that resource last confirmed the claim (epoch
   * ms). An owner whose resource left the state without a delete (`pulumi state delete`) stops
   * being confirmed: `midtrust owners` shows it as stale and `owners prune` removes it.
   */
  readonly confirmed?: Readonly<Record<string, number>>;
}

/** All claims on one file. */
export interface Ledger {
  /** 1: records of midtrust ≤ 0.x beside the file (read for migration); 2: written now. */
  readonly version: 1 | 2;
  readonly records: Readonly<Record<string, OwnershipRecord>>;
  /** The file the record describes, relative to where the record lives (see ledgerFile.ts); checked on read. */
  readonly file?: string;
  /** SHA-256 of the file as it was when the record was last written: a later change is reported. */
  readonly fileSha256?: string;
}

/**
 * A records map keyed by alias or parameter name: without a prototype, so a key named
 * `constructor`, `toString` or `__proto__` is a key like any other (on a plain object the first
 * two read Object.prototype's members and assigning the last replaces the prototype).
 *
 * @example
 * const r = recordMap({ 'acme-root': rec }); r.constructor; // undefined
 */
export function recordMap(from: Readonly<Record<string, OwnershipRecord>> = {}): Record<string, OwnershipRecord> {
  const out = Object.create(null) as Record<string, OwnershipRecord>;
  for (const key of Object.keys(from)) out[key] = from[key];
  return out;
}

/** A ledger with no claims. */
export const EMPTY_LEDGER: Ledger = Object.freeze({ version: 2, records: Object.freeze(recordMap()) }) as Ledger;

/** The record of `key`, only when the ledger holds one (never an inherited member). */
export function recordOf(ledger: Ledger, key: string): OwnershipRecord | undefined {
  return Object.prototype.hasOwnProperty.call(ledger.records, key) ? ledger.records[key] : undefined;
}

/** The most owners one key may have: a record claiming more was not written by midtrust. */
export const MAX_OWNERS_PER_KEY = 64;

/**
 * True when both hold the same value (or both nothing). Keystore values also compare their
 * creation dates when both know one: a certificate re-added by hand is not the entry midtrust put.
 */
export function sameValue(a: HeldValue, b: HeldValue): boolean {
  if (a === null || b === null) return a === b;
  if (a.digest !== b.digest) return false;
  return a.timestamp === undefined || b.timestamp === undefined || a.timestamp === b.timestamp;
}

/**
 * `owner` claims `key`, which holds `current` and will hold `desired` once the caller writes it.
 *
 * The first claim records `current` as what was found. Later claims keep that record while it is
 * still valid — the key holds what the owners put there, or the claimant already owns it (an
 * update after drift) — so a successor created in the same deployment as its predecessor's delete
 * inherits what the predecessor found. A record the file no longer matches, claimed by someone new,
 * is stale (its owners' resources are gone or the value changed by hand): it starts over.
 *
 * @example
 * const l = claim(EMPTY_LEDGER, 'acme-root', 'owner-1', null, { digest: sha, data: der64 });
 * l.records['acme-root'].found; // null: the alias was free, so giving it back removes it
 */
export function claim(ledger: Ledger, key: string, owner: string, current: HeldValue, desired: HeldValue, at: number = Date.now()): Ledger {
  const rec = recordOf(ledger, key);
  const valid = rec !== undefined && (sameValue(current, rec.put) || rec.owners.includes(owner));
  // What was put is only ever compared, never restored: keep its digest, not its data (a password).
  const put: HeldValue = desired === null ? null : { digest: desired.digest, data: '', ...(desired.timestamp !== undefined ? { timestamp: desired.timestamp } : {}) };
  if (valid && !rec.owners.includes(owner) && rec.owners.length >= MAX_OWNERS_PER_KEY) {
    const { MidtrustError } = require('../errors') as typeof import('../errors');
    throw new MidtrustError('INVALID_INPUT', `${key}: already has ${rec.owners.length} owners, the most one entry may have; list them with \`midtrust owners\` and prune the stale ones`);
  }
  const next: OwnershipRecord = valid && rec
    ? { found: rec.found, put, owners: rec.owners.includes(owner) ? rec.owners : [...rec.owners, owner], confirmed: confirmedFor(rec, rec.owners.includes(owner) ? rec.owners : [...rec.owners, owner], owner, at) }
    : { found: current, put, owners: [owner], confirmed: { [owner]: at } };
  return withRecord(ledger, key, next);
}

/** The confirmation times of `owners`, with `owner` confirmed at `at`. */
function confirmedFor(rec: OwnershipRecord, owners: readonly string[], owner: string, at: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of owners) {
    const t = o === owner ? at : rec.confirmed?.[o];
    if (t !== undefined) out[o] = t;
  }
  return out;
}

/**
 * Removes `owner` from every key of the ledger without giving anything back (its resource is gone
 * from the Pulumi state: `pulumi state delete`). A key it owned alone loses its record — the entry
 * stays as it is, now nobody's. Returns the keys it owned.
 *
 * @example
 * const { ledger, keys } = pruneOwner(l, 'b3c1…'); // keys: ['acme-root']
 */
export function pruneOwner(ledger: Ledger, owner: string): { ledger: Ledger; keys: string[] } {
  let next = ledger;
  const keys = ownedKeys(ledger, owner);
  for (const key of keys) {
    const rec = next.records[key];
    const owners = rec.owners.filter((o) => o !== owner);
    next = withRecord(next, key, owners.length === 0 ? undefined : { ...rec, owners, confirmed: confirmedFor(rec, owners, '', 0) });
  }
  return { ledger: next, keys };
}

/** What {@link release} decided. */
export interface Release {
  readonly ledger: Ledger;
  /**
   * `undefined`: leave the key as it is (not ours, others still own it, or it was changed by hand
   * since). Otherwise the value to put back: `null` removes the key.
   */
  readonly restore: HeldValue | undefined;
  /** True when `owner` owned the key. */
  readonly owned: boolean;
}

/**
 * `owner` lets go of `key`, which holds `current`. When it was the last owner, the record goes and
 * the found value is given back — but only while the key still holds what the owners put there:
 * a value someone changed by hand since is theirs now and stays.
 *
 * @example
 * const { restore } = release(ledger, 'acme-root', 'owner-1', current);
 * // restore === null → remove the alias; a HeldValue → put it back; undefined → leave it
 */
export function release(ledger: Ledger, key: string, owner: string, current: HeldValue): Release {
  const rec = recordOf(ledger, key);
  if (!rec || !rec.owners.includes(owner)) return { ledger, restore: undefined, owned: false };
  const owners = rec.owners.filter((o) => o !== owner);
  if (owners.length > 0) return { ledger: withRecord(ledger, key, { ...rec, owners, confirmed: confirmedFor(rec, owners, '', 0) }), restore: undefined, owned: true };
  const restore = sameValue(current, rec.put) && !sameValue(current, rec.found) ? rec.found : undefined;
  return { ledger: withRecord(ledger, key, undefined), restore, owned: true };
}

/** What {@link reconcileClaims} decided: the new record, and what to put back where `owner` let go. */
export interface Reconciled {
  readonly ledger: Ledger;
  /** Key → value to put back (null: remove it), only for keys this owner was the last to let go of. */
  readonly restores: ReadonlyMap<string, HeldValue>;
}

/**
 * One owner's claims brought in line with what it wants now: keys it owns but no longer wants are
 * released, wanted keys claimed. `currentOf` tells what a key holds in the file as it is.
 *
 * @example
 * const { ledger, restores } = reconcileClaims(l, owner, new Map([['url', textValue('https://x')]]), (k) => textValue(params.get(k)));
 */
export function reconcileClaims(ledger: Ledger, owner: string, wanted: ReadonlyMap<string, HeldValue>, currentOf: (key: string) => HeldValue, at: number = Date.now()): Reconciled {
  let next = ledger;
  const restores = new Map<string, HeldValue>();
  for (const key of ownedKeys(ledger, owner)) {
    if (wanted.has(key)) continue;
    const r = release(next, key, owner, currentOf(key));
    next = r.ledger;
    if (r.restore !== undefined) restores.set(key, r.restore);
  }
  for (const [key, desired] of wanted) next = claim(next, key, owner, currentOf(key), desired, at);
  return { ledger: next, restores };
}

/** A text value as the ownership record keeps it (digest, so equal values compare equal; data to put it back). */
export function textValue(value: string | undefined | null): HeldValue {
  if (value === undefined || value === null) return null;
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return { digest: createHash('sha256').update(value, 'utf8').digest('hex'), data: value };
}

/**
 * `owner`'s claim on `key` rebuilt from what its resource's outputs say (the record was lost to an
 * upgrade, deleted, refused, or never had it after `pulumi import`-style adoption), used only when
 * the key still holds exactly what the outputs say the resource put there. Another owner's claim
 * that still matches is joined (it keeps what it found); one that no longer matches is replaced.
 * What was found comes from the outputs too, as digests: a certificate found there can then not be
 * given back (its bytes were only in the lost record), so a later delete leaves the entry instead.
 *
 * @example
 * reclaim(ledger, 'acme-root', owner, current, { found: null, put: current }); // the alias was free when this resource put it
 */
export function reclaim(ledger: Ledger, key: string, owner: string, current: HeldValue, mirror: { found: HeldValue; put: HeldValue }, at: number = Date.now()): Ledger {
  const rec = recordOf(ledger, key);
  if (rec?.owners.includes(owner)) return ledger;
  // Another owner's claim that still matches the entry, holding the certificate this resource keeps there
  // (it re-added it after an upgrade, with a later creation date): joined.
  const sameCertificate = current !== null && mirror.put !== null && current.digest === mirror.put.digest;
  if (rec && sameValue(current, rec.put) && (sameCertificate || sameValue(current, mirror.put))) return claim(ledger, key, owner, current, current === null ? null : { digest: current.digest, data: '', ...(current.timestamp !== undefined ? { timestamp: current.timestamp } : {}) }, at);
  if (!sameValue(current, mirror.put)) return ledger;
  return withRecord(ledger, key, { found: mirror.found, put: mirror.put, owners: [owner], confirmed: { [owner]: at } });
}

/** `owner`'s claim on `key` confirmed at `at` (a refresh saw it still holds what was put). */
export function confirm(ledger: Ledger, key: string, owner: string, at: number): Ledger {
  const rec = recordOf(ledger, key);
  if (!rec?.owners.includes(owner)) return ledger;
  return withRecord(ledger, key, { ...rec, confirmed: confirmedFor(rec, rec.owners, owner, at) });
}

/**
 * The same ledger with `key`'s found value replaced: what a last release gives back. For an entry
 * the store lost for a reason midtrust must not undo on destroy (a vendor root the new JRE retired).
 */
export function withFound(ledger: Ledger, key: string, found: HeldValue): Ledger {
  const rec = recordOf(ledger, key);
  return rec ? withRecord(ledger, key, { ...rec, found }) : ledger;
}

/** The same ledger with `key`'s put value replaced (its creation date known once the store is built). */
export function withPut(ledger: Ledger, key: string, put: HeldValue): Ledger {
  const rec = recordOf(ledger, key);
  return rec ? withRecord(ledger, key, { ...rec, put }) : ledger;
}

/** The keys `owner` owns, sorted. */
export function ownedKeys(ledger: Ledger, owner: string): string[] {
  return Object.keys(ledger.records)
    .filter((k) => ledger.records[k].owners.includes(owner))
    .sort();
}

/**
 * What to write before the file itself changes: the final ledger, but with every record the change
 * drops kept as it was. Claims are on disk before the value they protect, and a record is dropped
 * only after its value was given back — so a crash between the two writes never leaves a value
 * midtrust put without the record that lets a later delete give it back.
 */
export function ledgerBeforeWrite(before: Ledger, after: Ledger): Ledger {
  const records = recordMap(after.records);
  for (const [key, rec] of Object.entries(before.records)) if (!(key in records)) records[key] = rec;
  return { ...after, records };
}

/** True when the two ledgers hold the same records (write nothing when a change left it alone). */
export function sameLedger(a: Ledger, b: Ledger): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Keys sorted, so equal ledgers serialize equally (and diffs of the file stay readable). */
export function canonical(ledger: Ledger): Ledger {
  const records = recordMap();
  for (const key of Object.keys(ledger.records).sort()) records[key] = ledger.records[key];
  return { version: 2, ...(ledger.file !== undefined ? { file: ledger.file } : {}), ...(ledger.fileSha256 !== undefined ? { fileSha256: ledger.fileSha256 } : {}), records };
}

function withRecord(ledger: Ledger, key: string, rec: OwnershipRecord | undefined): Ledger {
  const records = recordMap(ledger.records);
  if (rec === undefined) delete records[key];
  else records[key] = rec;
  return { ...ledger, records };
}
