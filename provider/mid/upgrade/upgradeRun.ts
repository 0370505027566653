import * as path from 'node:path';
import { KeystoreBatcher } from '../../apply/keystoreBatcher';
import { Certificate } from '../../certificate/certificate';
import { MidtrustError } from '../../errors';
import type { Host } from '../../host/host';
import { withKeystoreLock } from '../../host/keystoreMutex';
import { readKeystore, writeKeystore } from '../../keystore/keystoreCodec';
import { aliasKey, findEntry, type Keystore, type KeystoreEntry } from '../../keystore/model';
import { READ_LIMITS } from '../../host/readLimits';
import { assertWellFormed, describeDuplicate, duplicateMidParameters, getMidParameter } from '../configXml';
import { midLayout, midPath, upgradeBackupFile, validateMidLayout, type MidLayout } from '../midLayout';
import { DEFAULT_MIGRATION_STRATEGY, MIGRATION_STRATEGY_PARAMETER, parseMigrationStrategy, type MigrationStrategy } from '../migrationStrategy';
import { parseRelease, releaseHonoursStrategy, ruleForRelease, ruleForStrategy, type MigrationRule } from './releaseRules';
import { describeCopy, migratedCopiesOf, vendorRemovedRoot } from './migratedCopies';
import { modelUpgrade, type UpgradeResult } from './upgradeModel';

/** A keystore to open: where and with which password (undefined: password-less or unverified). */
export interface StoreRef {
  readonly path: string;
  readonly password?: string;
}

/** Reads a store with errors that name the file. */
export async function openStore(host: Host, ref: StoreRef): Promise<Keystore> {
  try {
    return readKeystore(await host.readFile(ref.path), { password: ref.password });
  } catch (e) {
    throw e instanceof MidtrustError ? e.withContext(ref.path) : e;
  }
}

/**
 * A MID's config.xml, read bounded and checked well-formed.
 *
 * @example
 * const text = await readConfigXml(host, midLayout('/opt/servicenow/mid'));
 */
export async function readConfigXml(host: Host, layout: MidLayout): Promise<string> {
  const text = Buffer.from(await host.readFile(layout.configXml, { maxBytes: READ_LIMITS.configFile, what: 'config.xml' })).toString('utf8');
  assertWellFormed(text, layout.configXml);
  return text;
}

/**
 * The migration strategy configured in a MID's config.xml (the default when the parameter is
 * absent; the last one when it is set several times, as the MID reads it — `source` then says
 * so). An encrypted (`secure="true"`) value cannot be read: INVALID_INPUT saying so.
 */
export async function configuredStrategy(host: Host, layout: MidLayout): Promise<{ strategy: MigrationStrategy; source: string }> {
  const text = await readConfigXml(host, layout);
  const p = getMidParameter(text, MIGRATION_STRATEGY_PARAMETER);
  if (!p) return { strategy: DEFAULT_MIGRATION_STRATEGY, source: `${layout.configXml} (parameter absent: default)` };
  if (p.secure) {
    throw new MidtrustError(
      'INVALID_INPUT',
      `${layout.configXml}: ${MIGRATION_STRATEGY_PARAMETER} is encrypted (secure="true"), and midtrust cannot read encrypted values; give --strategy to preview with a strategy you know, or set the parameter without encryption (it is not a secret)`,
    );
  }
  const duplicate = duplicateMidParameters(text).find((d) => d.name === MIGRATION_STRATEGY_PARAMETER);
  const strategy = parseMigrationStrategy(p.value, `${layout.configXml}: ${MIGRATION_STRATEGY_PARAMETER}`);
  return { strategy, source: duplicate ? `${layout.configXml}; ${describeDuplicate(duplicate, layout.configXml)}` : layout.configXml };
}

/** Chooses the rule from an explicit strategy, a release, or the MID's config.xml. */
export async function chooseRule(host: Host, opts: { strategy?: string; release?: string; layout?: MidLayout }): Promise<{ rule: MigrationRule; why: string }> {
  if (opts.strategy !== undefined && opts.release !== undefined) {
    throw new MidtrustError('INVALID_INPUT', 'give --strategy or --release, not both (from Rome on, --release uses the strategy in config.xml or the default)');
  }
  // config.xml is read only when its strategy decides: an explicit --strategy, or a release
  // before Rome, works even when the parameter cannot be read (encrypted).
  if (opts.strategy !== undefined) return ruleForStrategy(parseMigrationStrategy(opts.strategy, '--strategy'));
  if (opts.release !== undefined) {
    const release = parseRelease(opts.release);
    const strategy = opts.layout && releaseHonoursStrategy(release) ? (await configuredStrategy(host, opts.layout)).strategy : undefined;
    return ruleForRelease(release, strategy);
  }
  const configured = opts.layout ? await configuredStrategy(host, opts.layout) : undefined;
  if (configured) return ruleForStrategy(configured.strategy, `${MIGRATION_STRATEGY_PARAMETER}=${configured.strategy} (from ${configured.source})`);
  return ruleForStrategy(DEFAULT_MIGRATION_STRATEGY, `${MIGRATION_STRATEGY_PARAMETER} not given: the default ${DEFAULT_MIGRATION_STRATEGY}`);
}

export interface PreviewOptions {
  readonly current: StoreRef;
  readonly incoming: StoreRef;
  readonly strategy?: string;
  readonly release?: string;
  readonly midHome?: string;
  readonly prefix?: string;
  readonly vendorBaseline?: StoreRef;
}

/** "Which of my certificates survive the upgrade?" — nothing is written. */
export async function previewUpgrade(host: Host, opts: PreviewOptions): Promise<UpgradeResult> {
  const layout = opts.midHome ? midLayout(opts.midHome) : undefined;
  if (layout) await validateMidLayout(host, layout);
  const { rule, why } = await chooseRule(host, { strategy: opts.strategy, release: opts.release, layout });
  const [current, incoming] = [await openStore(host, opts.current), await openStore(host, opts.incoming)];
  const vendorBaseline = opts.vendorBaseline ? await openStore(host, opts.vendorBaseline) : undefined;
  return modelUpgrade(current, incoming, rule, why, { prefix: opts.prefix, vendorBaseline });
}

/**
 * Rehearses an upgrade on a MID layout exactly as the product does it: back up the old store to
 * `agent/work/truststore_migration/<epoch seconds>/cacerts_before` and the incoming one to
 * `cacerts_from_upgrade`, then replace the JRE's cacerts with the incoming store plus the
 * migrated certificates (written in the incoming store's format and password).
 *
 * A backup is never overwritten: the epoch directory is created exclusively, and when that
 * second's directory exists (a second run in the same second, or anything else at that name) the
 * next second's is used — waiting for it, as the product's layout is one directory per second.
 * The copies inside are created exclusively too, with the store's mode.
 */
export async function migrateMid(
  host: Host,
  opts: { midHome: string; incoming: StoreRef; currentPassword?: string; prefix?: string; now?: Date },
): Promise<UpgradeResult & { backupDir: string }> {
  const layout = midLayout(opts.midHome);
  await validateMidLayout(host, layout);
  return withKeystoreLock(host, layout.cacerts, async () => {
    const now = opts.now ?? new Date();
    const { rule, why } = await chooseRule(host, { layout });
    const currentBytes = await host.readFile(layout.cacerts);
    const incomingBytes = await host.readFile(opts.incoming.path);
    const current = readKeystore(currentBytes, { password: opts.currentPassword });
    const incoming = readKeystore(incomingBytes, { password: opts.incoming.password });
    const result = modelUpgrade(current, incoming, rule, why, { prefix: opts.prefix, now });
    await host.makeDirectory(layout.migrationDir);
    const backupDir = await createEpochDirectory(host, layout.migrationDir, now, midPath(layout));
    const mode = ((await host.stat(layout.cacerts))?.mode ?? 0o600) & 0o777;
    for (const [name, bytes] of [['cacerts_before', currentBytes], ['cacerts_from_upgrade', incomingBytes]] as const) {
      if (!(await host.createNewFile(upgradeBackupFile(layout, backupDir, name), bytes, { mode }))) {
        throw new MidtrustError('IO', `${upgradeBackupFile(layout, backupDir, name)} appeared while midtrust was writing the backup it had just made the directory for; look at what is there, then run again`);
      }
    }
    const bytes = writeKeystore(result.store, opts.incoming.password);
    await host.writeFileAtomic(layout.cacerts, bytes, {
      verify: (b) => {
        readKeystore(b, { password: opts.incoming.password });
      },
    });
    return { ...result, backupDir };
  });
}

/** Seconds tried after the first taken one before refusing. */
const MAX_EPOCH_TRIES = 5;

/**
 * `<migrationDir>/<epoch seconds>`, created exclusively: a taken second moves on to the next one,
 * waiting (at most a second or two) until the clock reaches it, so directory names still say
 * when the backup was made. An injected clock far from the real one is never waited on.
 */
async function createEpochDirectory(host: Host, migrationDir: string, now: Date, sep: typeof path.posix): Promise<string> {
  const first = Math.floor(now.getTime() / 1000);
  for (let epoch = first; epoch < first + MAX_EPOCH_TRIES; epoch++) {
    const wait = epoch * 1000 - Date.now();
    if (wait > 0 && wait <= 2000) await new Promise((r) => setTimeout(r, wait));
    const dir = sep.join(migrationDir, String(epoch));
    if (await host.createDirectory(dir)) return dir;
  }
  throw new MidtrustError(
    'IO',
    `${migrationDir}: the backup directories ${first} to ${first + MAX_EPOCH_TRIES - 1} already exist; midtrust never overwrites an upgrade backup — look at what is there, then run again`,
  );
}

/** A certificate brought back by `restore`. */
export interface RestoredEntry {
  readonly alias: string;
  readonly sha256: string;
  readonly from: string;
}

/** An entry of the backup that `restore` could not put back, and why. */
export interface UnrestoredEntry {
  readonly alias: string;
  readonly sha256: string;
  readonly reason: string;
}

/** A backup certificate the store holds only as its migrated copy. */
export interface MigratedRestoreEntry {
  /** Its alias in the backup. */
  readonly alias: string;
  readonly sha256: string;
  /** The copy's alias in the store. */
  readonly trustedAs: string;
  /** "trusted as snc_acme-root (migrated by the upgrade)". */
  readonly note: string;
}

/** What `restore` did: which backup it used, which it passed over and why, what came back and what could not. */
export interface RestoreResult {
  /** The backup used (the newest one holding something the store lacks), or the newest checked when none did. */
  readonly backupDir: string;
  /** Newer backups passed over, with the reason — every backup checked when none held anything of use. */
  readonly skipped: ReadonlyArray<{ readonly backupDir: string; readonly reason: string }>;
  readonly restored: RestoredEntry[];
  /** Entries the store lacks that could not be restored: the caller must report them and fail. */
  readonly unrestored: UnrestoredEntry[];
  /**
   * Certificates of the backup missing under their old alias but trusted as the upgrade's migrated
   * copy of it (`snc_<alias>`, {@link migratedCopiesOf}): already trusted, so not restored — said.
   */
  readonly migrated: MigratedRestoreEntry[];
  /**
   * JDK vendor roots of the backup that the new JRE no longer ships (removed or distrusted by the
   * vendor; upgrade-preview calls bringing them back "resurrected"): left out unless
   * `includeVendorRemoved`, and listed here so the door can say so.
   */
  readonly vendorRemoved: UnrestoredEntry[];
  readonly written: boolean;
}

interface LoadedBackup {
  readonly backupDir: string;
  readonly beforePath: string;
  readonly store?: Keystore;
  /** What the new JRE shipped (`cacerts_from_upgrade`), when readable. */
  readonly shipped?: ReadonlySet<string>;
  readonly problem?: string;
}

const firstCertSha = (e: KeystoreEntry): string | undefined => (e.certificates[0] ? Certificate.fromDer(e.certificates[0]).sha256 : undefined);

/**
 * After an upgrade: puts back every certificate of a backup's `cacerts_before` that the current
 * store lacks (by fingerprint), under its old alias (or `restored_<alias>` when that alias now
 * holds another certificate). One locked, verified write; nothing lost → nothing written.
 *
 * Which backup: `from` when given; otherwise the newest backup that holds something the store
 * lacks — a newer one that holds nothing of use (a second rehearsal backs up the already-migrated
 * store) is passed over and reported in `skipped`. Every entry that cannot be put back (both
 * aliases taken, a private key entry) is listed in `unrestored`; the doors exit non-zero on it.
 */
export async function restoreMid(
  host: Host,
  opts: { midHome: string; from?: string; password?: string; beforePassword?: string; includeVendorRemoved?: boolean; now?: Date },
): Promise<RestoreResult> {
  const layout = midLayout(opts.midHome);
  await validateMidLayout(host, layout);
  const dirs = opts.from !== undefined ? [opts.from] : await backupsNewestFirst(host, layout);
  const backups: LoadedBackup[] = [];
  for (const backupDir of dirs) {
    const beforePath = upgradeBackupFile(layout, backupDir, 'cacerts_before');
    try {
      const store = await openStore(host, { path: beforePath, password: opts.beforePassword ?? opts.password });
      backups.push({ backupDir, beforePath, store, shipped: await shippedBy(host, upgradeBackupFile(layout, backupDir, 'cacerts_from_upgrade'), opts.beforePassword ?? opts.password) });
    } catch (e) {
      if (opts.from !== undefined || !(e instanceof MidtrustError)) throw e;
      backups.push({ backupDir, beforePath, problem: `cannot be read (${e.message.split('\n')[0]})` });
    }
  }
  const timestamp = (opts.now ?? new Date()).getTime();
  const batcher = new KeystoreBatcher(host);
  const outcome = await batcher.submit({ path: layout.cacerts, password: opts.password }, (current) => {
    if (!current) throw new MidtrustError('NOT_FOUND', `${layout.cacerts} does not exist`);
    const have = new Set(current.entries.map(firstCertSha).filter((x): x is string => x !== undefined));
    const missingFrom = (b: LoadedBackup): KeystoreEntry[] => (b.store?.entries ?? []).filter((e) => {
      const sha = firstCertSha(e);
      return sha !== undefined && !have.has(sha);
    });
    const skipped: Array<{ backupDir: string; reason: string }> = [];
    const chosen = backups.find((b) => {
      if (b.problem !== undefined) skipped.push({ backupDir: b.backupDir, reason: `${b.beforePath} ${b.problem}` });
      else if (missingFrom(b).length === 0) skipped.push({ backupDir: b.backupDir, reason: `every certificate of ${b.beforePath} is already trusted` });
      else return true;
      return false;
    });
    const migrated = migratedOnly(current, chosen ?? backups.find((b) => b.store));
    if (!chosen) return { store: current, result: { backupDir: backups[0].backupDir, skipped, restored: [], unrestored: [], migrated, vendorRemoved: [] } };
    // What the new JRE ships: its store from the backup, else what the live store holds now.
    const shipped = chosen.shipped ?? have;
    const vendorRemoved: UnrestoredEntry[] = [];
    const aliases = new Set(current.entries.map((e) => aliasKey(e.alias)));
    const added: KeystoreEntry[] = [];
    const restored: RestoredEntry[] = [];
    const unrestored: UnrestoredEntry[] = [];
    for (const e of missingFrom(chosen)) {
      const sha = firstCertSha(e) as string;
      if (have.has(sha)) continue; // the same certificate twice in the backup: restored once
      if (e.kind !== 'trustedCertificate') {
        unrestored.push({ alias: e.alias, sha256: sha, reason: `a ${e.kind === 'privateKey' ? 'private key' : e.kind} entry: restore only puts back trusted certificates; copy it with keytool -importkeystore -srckeystore ${chosen.beforePath} -srcalias ${e.alias}` });
        continue;
      }
      if (!opts.includeVendorRemoved && vendorRemovedRoot(e.alias, sha, shipped)) {
        vendorRemoved.push({ alias: e.alias, sha256: sha, reason: 'a JDK vendor root the new JRE no longer ships (removed or distrusted by the vendor)' });
        continue;
      }
      const alias = [e.alias, `restored_${e.alias}`].find((a) => !aliases.has(aliasKey(a)));
      if (alias === undefined) {
        unrestored.push({ alias: e.alias, sha256: sha, reason: `the aliases ${e.alias} and restored_${e.alias} are both taken by other certificates; import it under another alias (keytool -importcert -alias <new alias>), from ${chosen.beforePath}` });
        continue;
      }
      aliases.add(aliasKey(alias));
      have.add(sha);
      added.push({ alias: current.type === 'PKCS12' ? alias : alias.toLowerCase(), kind: 'trustedCertificate', timestamp, certificates: [e.certificates[0]] });
      restored.push({ alias, sha256: sha, from: chosen.beforePath });
    }
    return {
      store: added.length ? { ...current, entries: [...current.entries, ...added] } : current,
      result: { backupDir: chosen.backupDir, skipped, restored, unrestored, migrated, vendorRemoved },
    };
  });
  return { ...outcome.result, written: outcome.written };
}

/** The backup's trusted certificates that the store lacks under their alias but holds as a migrated copy of it. */
function migratedOnly(current: Keystore, backup: LoadedBackup | undefined): MigratedRestoreEntry[] {
  const out: MigratedRestoreEntry[] = [];
  for (const e of backup?.store?.entries ?? []) {
    const sha = firstCertSha(e);
    if (e.kind !== 'trustedCertificate' || sha === undefined || findEntry(current, e.alias)) continue;
    const copy = migratedCopiesOf(current, e.alias, sha).find((c) => c.sameCertificate);
    if (copy) out.push({ alias: e.alias, sha256: sha, trustedAs: copy.alias, note: describeCopy(copy) });
  }
  return out;
}

/** The fingerprints of a backup's `cacerts_from_upgrade`, or undefined when it is absent or unreadable. */
async function shippedBy(host: Host, file: string, password: string | undefined): Promise<Set<string> | undefined> {
  try {
    return new Set((await openStore(host, { path: file, password })).entries.map(firstCertSha).filter((x): x is string => x !== undefined));
  } catch (e) {
    if (e instanceof MidtrustError) return undefined;
    throw e;
  }
}

/** Every `agent/work/truststore_migration/<epoch>` directory, newest first. */
export async function backupsNewestFirst(host: Host, layout: MidLayout): Promise<string[]> {
  const names = (await host.listDir(layout.migrationDir)).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(b) - Number(a));
  if (names.length === 0) {
    throw new MidtrustError('NOT_FOUND', `${layout.migrationDir} holds no upgrade backups (<epoch>/cacerts_before); give one with --from`);
  }
  return names.map((n) => midPath(layout).join(layout.migrationDir, n));
}
