import * as path from 'node:path';
import { KeystoreBatcher } from '../../apply/keystoreBatcher';
import { Certificate } from '../../certificate/certificate';
import { MidtrustError } from '../../errors';
import type { Host } from '../../host/host';
import { withKeystoreLock } from '../../host/keystoreMutex';
import { readKeystore, writeKeystore } from '../../keystore/keystoreCodec';
import { aliasKey, type Keystore, type KeystoreEntry } from '../../keystore/model';
import { assertWellFormed, getMidParameter } from '../configXml';
import { midLayout, validateMidLayout, type MidLayout } from '../midLayout';
import { DEFAULT_MIGRATION_STRATEGY, MIGRATION_STRATEGY_PARAMETER, parseMigrationStrategy, type MigrationStrategy } from '../migrationStrategy';
import { parseRelease, ruleForRelease, ruleForStrategy, type MigrationRule } from './releaseRules';
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

/** The migration strategy configured in a MID's config.xml (the default when the parameter is absent). */
export async function configuredStrategy(host: Host, layout: MidLayout): Promise<{ strategy: MigrationStrategy; source: string }> {
  const text = Buffer.from(await host.readFile(layout.configXml)).toString('utf8');
  assertWellFormed(text, layout.configXml);
  const p = getMidParameter(text, MIGRATION_STRATEGY_PARAMETER);
  if (!p) return { strategy: DEFAULT_MIGRATION_STRATEGY, source: `${layout.configXml} (parameter absent: default)` };
  return { strategy: parseMigrationStrategy(p.value, `${layout.configXml}: ${MIGRATION_STRATEGY_PARAMETER}`), source: layout.configXml };
}

/** Chooses the rule from an explicit strategy, a release, or the MID's config.xml. */
export async function chooseRule(host: Host, opts: { strategy?: string; release?: string; layout?: MidLayout }): Promise<{ rule: MigrationRule; why: string }> {
  if (opts.strategy !== undefined && opts.release !== undefined) {
    throw new MidtrustError('INVALID_INPUT', 'give --strategy or --release, not both (from Rome on, --release uses the strategy in config.xml or the default)');
  }
  const configured = opts.layout ? await configuredStrategy(host, opts.layout) : undefined;
  if (opts.release !== undefined) return ruleForRelease(parseRelease(opts.release), configured?.strategy);
  if (opts.strategy !== undefined) return ruleForStrategy(parseMigrationStrategy(opts.strategy, '--strategy'));
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
 */
export async function migrateMid(
  host: Host,
  opts: { midHome: string; incoming: StoreRef; currentPassword?: string; prefix?: string; now?: Date },
): Promise<UpgradeResult & { backupDir: string }> {
  const layout = midLayout(opts.midHome);
  await validateMidLayout(host, layout);
  const now = opts.now ?? new Date();
  return withKeystoreLock(host, layout.cacerts, async () => {
    const { rule, why } = await chooseRule(host, { layout });
    const currentBytes = await host.readFile(layout.cacerts);
    const incomingBytes = await host.readFile(opts.incoming.path);
    const current = readKeystore(currentBytes, { password: opts.currentPassword });
    const incoming = readKeystore(incomingBytes, { password: opts.incoming.password });
    const result = modelUpgrade(current, incoming, rule, why, { prefix: opts.prefix, now });
    const sep = layout.platform === 'win32' ? path.win32 : path.posix;
    const backupDir = sep.join(layout.migrationDir, String(Math.floor(now.getTime() / 1000)));
    await host.makeDirectory(backupDir);
    await host.writeFileAtomic(sep.join(backupDir, 'cacerts_before'), currentBytes);
    await host.writeFileAtomic(sep.join(backupDir, 'cacerts_from_upgrade'), incomingBytes);
    const bytes = writeKeystore(result.store, opts.incoming.password);
    await host.writeFileAtomic(layout.cacerts, bytes, {
      verify: (b) => {
        readKeystore(b, { password: opts.incoming.password });
      },
    });
    return { ...result, backupDir };
  });
}

/** A certificate brought back by `restore`. */
export interface RestoredEntry {
  readonly alias: string;
  readonly sha256: string;
  readonly from: string;
}

/**
 * After an upgrade: puts back every certificate of the backup's `cacerts_before` that the
 * current store lacks (by fingerprint), under its old alias (or `restored_<alias>` when that
 * alias now holds another certificate). One locked, verified write; nothing lost → nothing written.
 */
export async function restoreMid(
  host: Host,
  opts: { midHome: string; from?: string; password?: string; beforePassword?: string; now?: Date },
): Promise<{ restored: RestoredEntry[]; backupDir: string; written: boolean }> {
  const layout = midLayout(opts.midHome);
  await validateMidLayout(host, layout);
  const backupDir = opts.from ?? (await newestBackup(host, layout));
  const sep = layout.platform === 'win32' ? path.win32 : path.posix;
  const beforePath = sep.join(backupDir, 'cacerts_before');
  const before = await openStore(host, { path: beforePath, password: opts.beforePassword ?? opts.password });
  const batcher = new KeystoreBatcher(host);
  const timestamp = (opts.now ?? new Date()).getTime();
  const outcome = await batcher.submit({ path: layout.cacerts, password: opts.password }, (current) => {
    if (!current) throw new MidtrustError('NOT_FOUND', `${layout.cacerts} does not exist`);
    const have = new Set(current.entries.map((e) => (e.certificates[0] ? Certificate.fromDer(e.certificates[0]).sha256 : '')));
    const aliases = new Set(current.entries.map((e) => aliasKey(e.alias)));
    const added: KeystoreEntry[] = [];
    const restored: RestoredEntry[] = [];
    for (const e of before.entries) {
      if (e.kind !== 'trustedCertificate') continue;
      const sha = Certificate.fromDer(e.certificates[0]).sha256;
      if (have.has(sha)) continue;
      let alias = e.alias;
      if (aliases.has(aliasKey(alias))) alias = `restored_${e.alias}`;
      if (aliases.has(aliasKey(alias))) continue;
      aliases.add(aliasKey(alias));
      have.add(sha);
      added.push({ alias: current.type === 'PKCS12' ? alias : alias.toLowerCase(), kind: 'trustedCertificate', timestamp, certificates: [e.certificates[0]] });
      restored.push({ alias, sha256: sha, from: beforePath });
    }
    return { store: added.length ? { ...current, entries: [...current.entries, ...added] } : current, result: restored };
  });
  return { restored: outcome.result, backupDir, written: outcome.written };
}

/** The newest `agent/work/truststore_migration/<epoch>` directory. */
export async function newestBackup(host: Host, layout: MidLayout): Promise<string> {
  const names = (await host.listDir(layout.migrationDir)).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(b) - Number(a));
  if (names.length === 0) {
    throw new MidtrustError('NOT_FOUND', `${layout.migrationDir} holds no upgrade backups (<epoch>/cacerts_before); give one with --from`);
  }
  const sep = layout.platform === 'win32' ? path.win32 : path.posix;
  return sep.join(layout.migrationDir, names[0]);
}
