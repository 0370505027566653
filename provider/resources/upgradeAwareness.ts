import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import type { Host } from '../host/host';
import { aliasKey, findEntry, type Keystore } from '../keystore/model';
import { midLayout } from '../mid/midLayout';
import { copyGenerationsOf, migratedCopiesOf, vendorRemovedRoot, type MigratedCopy } from '../mid/upgrade/migratedCopies';
import { backupsNewestFirst, openStore } from '../mid/upgrade/upgradeRun';
import type { WantedAbsent, WantedCertificate } from '../ownership/keystoreClaims';
import { ownedKeys, type Ledger } from '../ownership/ownershipLedger';
import { hostFor } from './connectionInput';

/*
 * What the resources know about MID upgrades (issue 18, "upgrades as first-class events"): the JRE
 * a store belongs to (so refresh can say it was replaced), the product's migrated copies of the
 * declared certificates (`snc_<alias>`, provider/mid/upgrade/migratedCopies.ts — the same model as
 * the CLI's), and JDK roots the vendor dropped that a resource had only adopted.
 */

/** What `up` does with the upgrade's migrated copies of a declared certificate (input `migratedCopies`). */
export type MigratedCopyHandling = 'adopt' | 'keep' | 'remove';

/**
 * The default: the declared alias is trusted again and the copies holding the same certificate
 * are removed, claimed like any entry the resource changed — so the CA is trusted exactly once,
 * under its declared alias, the next upgrade makes no `snc_snc_` generation, and destroy gives
 * the copies back (the store ends as the upgrade left it).
 */
export const DEFAULT_MIGRATED_COPY_HANDLING: MigratedCopyHandling = 'adopt';

/** The handlings, for check. */
export const MIGRATED_COPY_HANDLINGS: readonly MigratedCopyHandling[] = ['adopt', 'keep', 'remove'];

/** One migrated copy in a resource's outputs. */
export interface MigratedCopyOutput {
  /** The copy's alias as stored (`snc_acme-root`). */
  readonly alias: string;
  /** The declared alias it is a copy of. */
  readonly of: string;
  readonly sha256Fingerprint: string;
  readonly generations: number;
  /** True when it holds the declared certificate. */
  readonly sameCertificate: boolean;
  /**
   * `adopted`: removed by `up` (or by the next one, while `inStore`), given back by destroy;
   * `removed`: removed by `up` for good; `kept`: left in place (migratedCopies: keep); `left`:
   * another certificate, or a vendor-dropped root's copy — never touched.
   */
  readonly state: 'kept' | 'adopted' | 'removed' | 'left';
  /** True while the copy is in the store (refresh before the next up). */
  readonly inStore: boolean;
  /** The sentence for people. */
  readonly note: string;
}

/** The JRE a store belongs to, as seen at the last create/update/refresh. */
export interface JreIdentity {
  /** SHA-256 of `<JRE>/release` (null: no such file). */
  readonly releaseSha256: string | null;
  /** The newest `agent/work/truststore_migration/<epoch>` backup's name (null: none, or not a MID's bundled cacerts). */
  readonly migrationBackup: string | null;
}

/** A JDK's `release` file is a few hundred bytes; anything far larger is not one. */
const MAX_RELEASE_BYTES = 64 * 1024;

/**
 * `<JRE>` and the MID home of a keystore path `<JRE>/lib/security/cacerts` (the MID home only when
 * the JRE is `<home>/agent/jre`); undefined for any other keystore.
 */
function jreOf(keystorePath: string): { jreHome: string; midHome?: string } | undefined {
  const m = /^(.*)[\\/]lib[\\/]security[\\/]cacerts$/i.exec(keystorePath);
  if (!m) return undefined;
  const jreHome = m[1];
  const mid = /^(.*)[\\/]agent[\\/]jre$/i.exec(jreHome);
  return { jreHome, ...(mid ? { midHome: mid[1] } : {}) };
}

/**
 * The identity of the JRE a store belongs to: its `release` file's digest and the newest upgrade
 * backup of its MID home. A MID upgrade replaces `agent/jre` wholesale (new `release`) and backs
 * the truststore up under `agent/work` (a new epoch): either change means the JRE was replaced.
 * Null for a keystore that is not a JRE's `lib/security/cacerts`.
 *
 * @example
 * await observeJre('/opt/servicenow/mid/agent/jre/lib/security/cacerts', undefined);
 * // { releaseSha256: '3f…', migrationBackup: '1764815000' }
 */
export async function observeJre(keystorePath: string, connection: unknown): Promise<JreIdentity | null> {
  const at = jreOf(keystorePath);
  if (!at) return null;
  const host = hostFor(connection);
  const sep = keystorePath.includes('\\') && !keystorePath.includes('/') ? '\\' : '/';
  const release = `${at.jreHome}${sep}release`;
  try {
    const releaseSha256 = (await host.stat(release)) ? sha256Hex(await host.readFile(release, { maxBytes: MAX_RELEASE_BYTES, what: 'the JRE release file' })) : null;
    const backup = at.midHome ? (await newestBackup(host, at.midHome))?.split(/[\\/]/).pop() ?? null : null;
    return { releaseSha256, migrationBackup: backup };
  } catch (e) {
    // Unreadable (permissions, an oversized file): unknown, never "replaced" — the store itself decides the rest.
    if (e instanceof MidtrustError) return null;
    throw e;
  }
}

/** Whether the JRE was replaced since `recorded` was seen (unknown → false: state from before this output). */
export function jreReplaced(recorded: unknown, now: JreIdentity | null): boolean {
  if (!now || typeof recorded !== 'object' || recorded === null) return false;
  const r = recorded as Partial<JreIdentity>;
  return r.releaseSha256 !== now.releaseSha256 || r.migrationBackup !== now.migrationBackup;
}

/** The sentence refresh puts in `upgradeNote` when the JRE was replaced since the last up. */
export function jreReplacedNote(keystorePath: string, now: JreIdentity | null): string {
  const backup = now?.migrationBackup ? ` (the upgrade's truststore backup: agent/work/truststore_migration/${now.migrationBackup})` : '';
  return `the JRE of ${keystorePath} was replaced since the last pulumi up — a MID upgrade${backup}; run pulumi up to trust the declared certificates under their aliases again (see migratedCopies)`;
}

async function newestBackup(host: Host, midHome: string): Promise<string | undefined> {
  try {
    return (await backupsNewestFirst(host, midLayout(midHome)))[0];
  } catch (e) {
    if (e instanceof MidtrustError && e.code === 'NOT_FOUND') return undefined;
    throw e;
  }
}

/**
 * The SHA-256s of the vendor cacerts the last upgrade brought (`cacerts_from_upgrade` of the
 * newest backup, opened with the store's password, which the product keeps): what the vendor
 * ships now. Undefined when the store is not a MID's bundled cacerts or there is no readable
 * backup — then no root counts as vendor-dropped.
 */
export async function vendorIncomingShas(keystorePath: string, password: string | undefined, connection: unknown): Promise<ReadonlySet<string> | undefined> {
  const at = jreOf(keystorePath);
  if (!at?.midHome) return undefined;
  const host = hostFor(connection);
  const dir = await newestBackup(host, at.midHome);
  if (!dir) return undefined;
  try {
    const store = await openStore(host, { path: `${dir}${dir.includes('\\') && !dir.includes('/') ? '\\' : '/'}cacerts_from_upgrade`, password });
    return new Set(store.entries.filter((e) => e.kind === 'trustedCertificate' && e.certificates[0]).map((e) => sha256Hex(e.certificates[0])));
  } catch (e) {
    if (e instanceof MidtrustError) return undefined; // a backup that cannot be read tells nothing
    throw e;
  }
}

/** A certificate a resource declares, with whether it adopted the entry (found it there, identical). */
export interface DeclaredTrust extends WantedCertificate {
  readonly adopted: boolean;
}

/** How the resource treats the upgrade's work this time. */
export interface UpgradeHandling {
  readonly migratedCopies: MigratedCopyHandling;
  /** Put back adopted JDK roots the vendor's next cacerts dropped. Default false. */
  readonly restoreVendorDropped: boolean;
  /** From {@link vendorIncomingShas}. */
  readonly vendorIncoming: ReadonlySet<string> | undefined;
}

/** What {@link wantsAfterUpgrade} decided. */
export interface UpgradeWants {
  /** Alias key → what the resource wants there (declared certificates, adopted copies freed). */
  readonly wanted: Map<string, WantedCertificate | WantedAbsent>;
  /** Copies `remove` takes out without a claim (destroy does not give them back). */
  readonly removeUnclaimed: readonly string[];
  /** Declared aliases not put back: adopted JDK roots the vendor dropped. */
  readonly vendorDropped: readonly string[];
  /**
   * Adopted JDK roots the vendor dropped that `restoreVendorDropped` puts back: the upgrade left the
   * store without them, so destroy takes them out again (the store as the upgrade left it).
   */
  readonly vendorRestored: readonly string[];
  /** The copies seen and what this change does with them. */
  readonly copies: readonly MigratedCopyOutput[];
}

/**
 * The one rule the resources follow after an upgrade, for a change of `current` by `owner`:
 * - a declared certificate is wanted under its alias — unless it is an adopted JDK root that the
 *   vendor's next cacerts dropped (the rule of upgrade-preview's "resurrected", {@link vendorRemovedRoot})
 *   and `restoreVendorDropped` is off: then it is not put back, and its copies are left;
 * - its migrated copies holding the declared certificate: `adopt` frees them as claimed absences
 *   (destroy gives them back; copies freed earlier stay freed), `remove` takes them out unclaimed,
 *   `keep` leaves them; copies holding another certificate are always left.
 *
 * @example
 * const { wanted, removeUnclaimed } = wantsAfterUpgrade(store, ledger, ownerId, declared, handling);
 */
export function wantsAfterUpgrade(current: Keystore, ledger: Ledger, owner: string, declared: readonly DeclaredTrust[], handling: UpgradeHandling): UpgradeWants {
  const declaredKeys = new Set(declared.map((d) => aliasKey(d.alias)));
  const wanted = new Map<string, WantedCertificate | WantedAbsent>();
  const removeUnclaimed: string[] = [];
  const vendorDropped: string[] = [];
  const vendorRestored: string[] = [];
  const copies: MigratedCopyOutput[] = [];
  const freedBefore = new Set(ownedKeys(ledger, owner).filter((k) => ledger.records[k].put === null));
  for (const d of declared) {
    const present = findEntry(current, d.alias);
    const dropped = isVendorDropped(d, present === undefined, handling);
    if (dropped) vendorDropped.push(d.alias);
    else if (present === undefined && isVendorDropped(d, true, { ...handling, restoreVendorDropped: false })) vendorRestored.push(d.alias);
    if (!dropped) wanted.set(aliasKey(d.alias), { alias: d.alias, der: d.der, sha256: d.sha256, source: d.source });
    for (const c of migratedCopiesOf(current, d.alias, d.sha256)) {
      if (declaredKeys.has(aliasKey(c.alias))) continue; // declared in its own right
      const state = dropped || !c.sameCertificate ? 'left' : handling.migratedCopies === 'adopt' ? 'adopted' : handling.migratedCopies === 'remove' ? 'removed' : 'kept';
      if (state === 'adopted') wanted.set(aliasKey(c.alias), { alias: c.alias, absent: true });
      if (state === 'removed') removeUnclaimed.push(c.alias);
      copies.push(copyOutput(c, state, dropped, state === 'kept' || state === 'left'));
    }
    // Copies this owner freed at an earlier up stay freed (else reconciling would give them back).
    for (const key of freedBefore) {
      if (!wanted.has(key) && !declaredKeys.has(key) && isCopyKeyOf(key, d.alias) && handling.migratedCopies === 'adopt' && !dropped) wanted.set(key, { alias: key, absent: true });
    }
  }
  return { wanted, removeUnclaimed, vendorDropped, vendorRestored, copies };
}

/** The rule for "an adopted JDK root the vendor's next cacerts dropped": not put back without opt-in. */
function isVendorDropped(d: DeclaredTrust, missing: boolean, handling: UpgradeHandling): boolean {
  if (!d.adopted || !missing || handling.restoreVendorDropped || !handling.vendorIncoming) return false;
  return vendorRemovedRoot(d.alias, d.sha256, handling.vendorIncoming);
}

function isCopyKeyOf(key: string, alias: string): boolean {
  return copyGenerationsOf(key, alias) > 0;
}

/** The store without the given aliases (copies `remove` takes out). */
export function withoutAliases(store: Keystore, aliases: readonly string[]): Keystore {
  if (aliases.length === 0) return store;
  const keys = new Set(aliases.map(aliasKey));
  return { ...store, entries: store.entries.filter((e) => !keys.has(aliasKey(e.alias))) };
}

/** One copy in the outputs, with its sentence. */
function copyOutput(c: MigratedCopy, state: MigratedCopyOutput['state'], vendorDropped: boolean, inStore: boolean): MigratedCopyOutput {
  const by = c.generations === 1 ? 'migrated by the upgrade' : `migrated by ${c.generations} upgrades in a row`;
  const notes: Record<MigratedCopyOutput['state'], string> = {
    adopted: inStore
      ? `trusted as ${c.alias} (${by}); the next pulumi up trusts it under ${c.of} again and removes this copy (destroy gives it back)`
      : `removed by pulumi up (the CA is trusted under ${c.of}); destroy gives ${c.alias} back`,
    removed: inStore ? `trusted as ${c.alias} (${by}); the next pulumi up removes this copy for good (migratedCopies: remove)` : `removed by pulumi up for good (migratedCopies: remove)`,
    kept: `trusted as ${c.alias} (${by}); kept (migratedCopies: keep): the CA is trusted twice, and the next upgrade migrates the copy again (snc_snc_…)`,
    left: vendorDropped
      ? `${c.alias} (${by}) is a JDK root the vendor dropped, brought back by migrate_delta; left as the upgrade made it (migratedCopies: remove takes it out)`
      : `${c.alias} (${by}) holds another certificate than the one declared (sha256 ${c.sha256.slice(0, 16)}…); left as it is`,
  };
  return { alias: c.alias, of: c.of, sha256Fingerprint: c.sha256, generations: c.generations, sameCertificate: c.sameCertificate, state, inStore, note: notes[state] };
}

/**
 * The copies for refresh: those in the store now (what the next `up` will do with them), and those
 * an earlier `up` adopted (removed, still claimed: destroy gives them back).
 */
export function copiesSeen(store: Keystore | undefined, declared: ReadonlyArray<{ alias: string; sha256: string | undefined }>, handling: MigratedCopyHandling, previous: unknown, vendorDropped: ReadonlySet<string>): MigratedCopyOutput[] {
  const out: MigratedCopyOutput[] = [];
  const declaredKeys = new Set(declared.map((d) => aliasKey(d.alias)));
  for (const d of declared) {
    if (!store) break;
    for (const c of migratedCopiesOf(store, d.alias, d.sha256)) {
      if (declaredKeys.has(aliasKey(c.alias))) continue;
      const dropped = vendorDropped.has(aliasKey(d.alias));
      const state = dropped || !c.sameCertificate ? 'left' : handling === 'keep' ? 'kept' : handling === 'remove' ? 'removed' : 'adopted';
      out.push(copyOutput(c, state, dropped, true));
    }
  }
  const inStore = new Set(out.map((c) => aliasKey(c.alias)));
  for (const p of Array.isArray(previous) ? (previous as MigratedCopyOutput[]) : []) {
    if (p.state !== 'adopted' || inStore.has(aliasKey(p.alias)) || !declaredKeys.has(aliasKey(p.of))) continue;
    if (store && findEntry(store, p.of) === undefined) continue;
    out.push({ ...p, inStore: false });
  }
  return out;
}

/**
 * What destroy will leave, in one sentence (delete cannot return outputs, so it is said ahead):
 * copies given back, copies left, vendor-dropped roots not touched.
 */
export function destroyNote(copies: readonly MigratedCopyOutput[], vendorDropped: readonly string[]): string {
  const parts: string[] = ['destroy gives back what was found under each declared alias'];
  const back = copies.filter((c) => c.state === 'adopted' && !c.inStore).map((c) => c.alias);
  const left = copies.filter((c) => c.inStore).map((c) => c.alias);
  if (back.length) parts.push(`puts the upgrade's migrated ${back.length === 1 ? 'copy' : 'copies'} ${back.join(', ')} back (the CA stays trusted as the upgrade left it)`);
  if (left.length) parts.push(`leaves ${left.join(', ')} (migrated by the upgrade, not midtrust's)`);
  if (vendorDropped.length) parts.push(`does not touch ${vendorDropped.join(', ')} (dropped by the JDK vendor, not put back)`);
  return parts.join('; ');
}
