import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import { aliasKey, findEntry, type Keystore, type KeystoreEntry } from '../keystore/model';
import { applyPlan } from '../plan/applyPlan';
import { computePlan, shortFingerprint } from '../plan/computePlan';
import type { DesiredCertificate, DesiredState } from '../plan/desiredState';
import { ownedKeys, reconcileClaims, recordOf, type HeldValue, type Ledger } from './ownershipLedger';

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
export function reconcileOwnedEntries(store: Keystore, ledger: Ledger, owner: string, wanted: WantedEntries, opts: ReconcileOptions): { store: Keystore; ledger: Ledger } {
  const currentOf = (key: string): HeldValue => heldBy(findEntry(store, key));
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
  const { ledger: next, restores } = reconcileClaims(ledger, owner, values, currentOf);
  const declarations: DesiredCertificate[] = [...restores].map(([key, value]) => givenBack(findEntry(store, key)?.alias ?? key, value));
  for (const want of wanted.values()) {
    if (!('absent' in want)) declarations.push({ alias: want.alias, state: 'present', der: want.der, sha256: want.sha256, source: want.source });
    else if (findEntry(store, want.alias)?.kind === 'trustedCertificate') declarations.push({ alias: findEntry(store, want.alias)!.alias, state: 'absent', source: 'not declared (exclusive: true)' });
  }
  const desired: DesiredState = { sourceFile: '<pulumi>', keystore: { path: opts.keystorePath, create: false }, exclusive: false, backup: 0, certificates: declarations };
  return { store: applyPlan(store, computePlan(store, desired), desired, { now: opts.now }), ledger: next };
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
