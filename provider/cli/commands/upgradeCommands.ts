import { MidtrustError } from '../../errors';
import { LocalHost } from '../../host/localHost';
import { effectiveStoreJson, resolveMidStore, type EffectiveStore } from '../../mid/effectiveStore';
import { midLayout, upgradeBackupFile } from '../../mid/midLayout';
import { migrateMid, previewUpgrade, restoreMid, type RestoreResult } from '../../mid/upgrade/upgradeRun';
import type { UpgradeEntry, UpgradeResult } from '../../mid/upgrade/upgradeModel';
import type { UpgradeEndpointCheck } from '../../verify/endpointChecks';
import { EXIT, type CliIo } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { foldProse, formatTable, printable, terminalWidth } from '../formatTable';
import { loadDesiredStateFile } from '../desiredStateIo';
import { STORE_PASSWORD_OPTIONS, passwordFromEnv, resolveStorePassword, type StorePasswordOptions } from '../storePassword';

interface PreviewOptions extends StorePasswordOptions {
  current?: string;
  incoming?: string;
  'incoming-storepass-env'?: string;
  strategy?: string;
  release?: string;
  'mid-home'?: string;
  prefix?: string;
  'vendor-baseline'?: string;
  endpoint?: string[];
  file?: string;
  'fail-on-loss'?: boolean;
  json?: boolean;
}

function envPassword(name: string | undefined, io: CliIo, option: string): string | undefined {
  return name === undefined ? undefined : passwordFromEnv(name, option, io);
}

/** `midtrust upgrade-preview`: which certificates survive the next MID upgrade. */
export const upgradePreviewCommand = defineCommand<PreviewOptions>({
  name: 'upgrade-preview',
  usage:
    'midtrust upgrade-preview (--current <store> | --mid-home <H>) --incoming <store> [--strategy migrate_delta|migrate_non_ca|do_not_migrate | --release <family[-pN]>] [--prefix snc_] [--vendor-baseline <store>] [--storepass-env VAR] [--incoming-storepass-env VAR] [--endpoint <target>]... [-f <desired.yaml> (its endpoints)] [--fail-on-loss] [--json]',
  options: {
    ...STORE_PASSWORD_OPTIONS,
    current: { type: 'string' },
    incoming: { type: 'string' },
    'incoming-storepass-env': { type: 'string' },
    strategy: { type: 'string' },
    release: { type: 'string' },
    'mid-home': { type: 'string' },
    prefix: { type: 'string' },
    'vendor-baseline': { type: 'string' },
    endpoint: { type: 'string', multiple: true },
    file: { type: 'string', short: 'f' },
    'fail-on-loss': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(_p, opts, io) {
    if (!opts.incoming) throw new MidtrustError('INVALID_INPUT', 'give the incoming (new JRE) truststore with --incoming <store>');
    const midHome = opts['mid-home'];
    const currentPath = opts.current ?? (midHome ? midLayout(midHome).cacerts : undefined);
    if (!currentPath) throw new MidtrustError('INVALID_INPUT', 'give the current truststore with --current <store>, or a MID home with --mid-home <dir>');
    const password = await resolveStorePassword(opts, io);
    const incomingPassword = envPassword(opts['incoming-storepass-env'], io, '--incoming-storepass-env') ?? password;
    const resolve = (p: string): string => (midLayout(p).platform === 'win32' ? p : require('node:path').resolve(io.cwd, p));
    const result = await previewUpgrade(new LocalHost(), {
      current: { path: resolve(currentPath), password },
      incoming: { path: resolve(opts.incoming), password: incomingPassword },
      strategy: opts.strategy,
      release: opts.release,
      midHome: midHome ? resolve(midHome) : undefined,
      prefix: opts.prefix,
      vendorBaseline: opts['vendor-baseline'] ? { path: resolve(opts['vendor-baseline']), password: incomingPassword } : undefined,
    });
    const targets = [...(opts.file ? (loadDesiredStateFile(opts.file, io).endpoints ?? []) : []), ...(opts.endpoint ?? [])];
    const endpoints = targets.length ? await upgradeEndpoints(result, targets, { midHome: midHome ? resolve(midHome) : undefined, current: resolve(currentPath), password }, io) : undefined;
    // The upgrade replaces the bundled cacerts; say whether that is the store the MID's JVM reads.
    const mid = midHome && !opts.current ? await resolveMidStore(new LocalHost(), resolve(midHome), { choice: 'bundled' }) : undefined;
    if (opts.json) {
      io.stdout(`${JSON.stringify({ ...(mid ? { store: effectiveStoreJson(mid) } : {}), ...upgradeJson(result), ...(endpoints ? { endpoints: endpoints.map((e) => ({ target: e.target, breaks: e.breaks, ...endpointJson(e) })) } : {}) }, null, 2)}\n`);
    } else {
      if (mid) io.stdout(bundledStoreLines(mid));
      io.stdout(renderUpgrade(result, terminalWidth(io)));
      if (endpoints) io.stdout(renderUpgradeEndpoints(endpoints));
    }
    // A CI gate: losing a certificate (or breaking a given endpoint) fails, as lint --incoming does.
    const breaking = endpoints?.filter((e) => e.breaks).length ?? 0;
    if (opts['fail-on-loss'] && (result.lost.length > 0 || breaking > 0)) {
      if (!opts.json) io.stderr(`midtrust upgrade-preview: the upgrade loses ${result.lost.length} certificate(s)${breaking ? ` and breaks ${breaking} endpoint(s)` : ''} (--fail-on-loss)\n`);
      return EXIT.ERROR;
    }
    return EXIT.OK;
  },
});

/**
 * Which store upgrade-preview, migrate and restore work on — always the bundled cacerts, the one
 * an upgrade replaces — and, when the MID's JVM reads an external truststore instead, that the
 * upgrade does not change what the MID trusts.
 */
function bundledStoreLines(mid: EffectiveStore): string {
  const lines = [`Store: ${mid.path}`, `  ${mid.why}`];
  if (mid.external) lines.push('  (an upgrade keeps the external truststore: what the MID trusts does not change)');
  return `${lines.join('\n')}\n`;
}

/** Endpoints judged now and after the modelled upgrade (loaded only when --endpoint is given). */
async function upgradeEndpoints(result: UpgradeResult, targets: string[], where: { midHome?: string; current: string; password?: string }, io: CliIo): Promise<UpgradeEndpointCheck[]> {
  const { judgedKeystore, judgedMidStore } = require('../../verify/judgedStore') as typeof import('../../verify/judgedStore');
  const { checkEndpointsAcrossUpgrade } = require('../../verify/endpointChecks') as typeof import('../../verify/endpointChecks');
  const host = new LocalHost();
  const before = where.midHome ? await judgedMidStore(host, where.midHome, where.password) : await judgedKeystore(host, where.current, where.password);
  return checkEndpointsAcrossUpgrade(host, targets, before, result, { env: io.env });
}

function endpointJson(e: UpgradeEndpointCheck): Record<string, unknown> {
  const side = (c: UpgradeEndpointCheck['before']) => (c.verdict ? { trusted: c.verdict.trusted, problems: c.verdict.problems, suggest: c.verdict.suggest } : { trusted: null, error: c.error });
  return { now: side(e.before), afterUpgrade: side(e.after) };
}

/** Endpoints for a person: the ones the upgrade breaks first. */
function renderUpgradeEndpoints(endpoints: UpgradeEndpointCheck[]): string {
  const mark = (c: UpgradeEndpointCheck['before']): string => (c.verdict ? (c.verdict.trusted ? 'trusted' : 'NOT trusted') : 'not checked');
  const lines = ['Endpoints (now → after the upgrade):'];
  for (const e of [...endpoints].sort((a, b) => Number(b.breaks) - Number(a.breaks))) {
    lines.push(`  ${e.breaks ? '✗ BREAKS' : e.after.verdict?.trusted ? '✓' : '-'} ${e.target}: ${mark(e.before)} → ${mark(e.after)}${e.after.error ? ` (${e.after.error})` : ''}`);
    if (e.after.verdict && !e.after.verdict.trusted) for (const p of e.after.verdict.problems) lines.push(`      ${p.code}: ${p.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The --json contract: the resulting store's entries plus the lost ones (and the vendor roots the new JRE retires). */
export function upgradeJson(r: UpgradeResult): Record<string, unknown> {
  const shape = (e: UpgradeEntry) => ({ alias: e.alias, sha256: e.sha256, outcome: e.outcome, reason: e.reason, ...(e.previousAlias ? { previousAlias: e.previousAlias } : {}), ...(e.copyOf ? { copyOf: e.copyOf } : {}) });
  return { rule: r.rule, why: r.why, entries: r.result.map(shape), lost: r.lost.map(shape), retired: r.retired.map(shape) };
}

/**
 * Entries grouped by their reason, in first-seen order: a reason shared by twelve CAs is printed
 * once above their aliases instead of twelve times in a column.
 */
function byReason(entries: readonly UpgradeEntry[]): [string, UpgradeEntry[]][] {
  const groups = new Map<string, UpgradeEntry[]>();
  for (const e of entries) groups.set(e.reason, [...(groups.get(e.reason) ?? []), e]);
  return [...groups];
}

/** The preview for a person: what is lost first (that is what causes outages), then the rest; `width` fits its tables to a terminal. */
export function renderUpgrade(r: UpgradeResult, width?: number): string {
  const count = (o: string) => r.result.filter((e) => e.outcome === o).length;
  const lines = [`Upgrade rule: ${r.rule} — ${r.why}`];
  const lost = r.lost;
  lines.push(lost.length === 0 ? 'Nothing is lost.' : `LOST (${lost.length}): these certificates will not be trusted after the upgrade`);
  for (const [reason, group] of byReason(lost)) {
    lines.push(foldProse(`Because ${reason.replace(/^(a|an|the) /i, (m) => m.toLowerCase())}:`, width, '  '));
    const table = formatTable([{ header: 'ALIAS', fit: 'id' }, { header: 'SHA-256', fit: 'id' }], group.map((e) => [e.alias, `${e.sha256.slice(0, 16)}…`]), { width: width === undefined ? undefined : width - 4 });
    lines.push(...table.trimEnd().split('\n').map((l) => `    ${l}`));
  }
  const migrated = r.result.filter((e) => e.outcome === 'migrated' || e.outcome === 'resurrected');
  if (migrated.length) {
    lines.push(`MIGRATED (${migrated.length}):`);
    lines.push(formatTable([{ header: 'NEW ALIAS', fit: 'id' }, { header: 'WAS', fit: 'id' }, { header: 'NOTE', fit: 'wrap' }], migrated.map((e) => [e.alias, e.previousAlias ?? '', migratedNote(e)]), { width }).trimEnd());
  }
  if (r.retired.length) {
    const names = r.retired.map((e) => e.alias);
    lines.push(foldProse(`Retired by the JDK vendor (not shipped by the new JRE, not a loss): ${r.retired.length} — ${names.slice(0, 3).join(', ')}${names.length > 3 ? `, +${names.length - 3} more` : ''}.`, width));
  }
  lines.push(`Kept (already in the incoming store): ${count('kept')}; new from the incoming store: ${count('incoming')}.`);
  if (lost.length) lines.push('To keep them: declare them in midtrust and re-apply after the upgrade, choose\nmigrate_delta, or use an external truststore outside the MID home.');
  return `${lines.join('\n')}\n`;
}

/** The NOTE of a migrated entry: a resurrected vendor root, or a further generation of a copy (`snc_snc_…`). */
function migratedNote(e: UpgradeEntry): string {
  if (e.outcome === 'resurrected') return 'RESURRECTED vendor-removed root';
  if (e.copyOf && e.copyOf.generations > 1) return `copy of ${e.copyOf.original} again (generation ${e.copyOf.generations}): re-apply midtrust to trust it once`;
  return '';
}

interface MigrateOptions extends StorePasswordOptions {
  'mid-home'?: string;
  incoming?: string;
  'incoming-storepass-env'?: string;
  prefix?: string;
  json?: boolean;
}

/**
 * `midtrust migrate`: carries out an upgrade's truststore migration on a MID layout now — the
 * incoming cacerts with what the strategy migrates replaces the live store, as the upgrade would
 * (a test of the upgrade on a copy of the MID home, or the repair after one), keeping the
 * product's backups for `restore`. Not a preview: that is upgrade-preview.
 */
export const migrateCommand = defineCommand<MigrateOptions>({
  name: 'migrate',
  usage: 'midtrust migrate --mid-home <H> --incoming <store> [--storepass-env VAR] [--incoming-storepass-env VAR] [--prefix snc_] [--json]',
  options: { ...STORE_PASSWORD_OPTIONS, 'mid-home': { type: 'string' }, incoming: { type: 'string' }, 'incoming-storepass-env': { type: 'string' }, prefix: { type: 'string' }, json: { type: 'boolean' } },
  async run(_p, opts, io) {
    if (!opts['mid-home'] || !opts.incoming) throw new MidtrustError('INVALID_INPUT', 'migrate needs --mid-home and --incoming');
    const password = await resolveStorePassword(opts, io);
    const incomingPassword = envPassword(opts['incoming-storepass-env'], io, '--incoming-storepass-env') ?? password;
    const path = require('node:path') as typeof import('node:path');
    // Resolved first: a wiring midtrust cannot read stops the command before anything is written.
    const mid = await resolveMidStore(new LocalHost(), path.resolve(io.cwd, opts['mid-home']), { choice: 'bundled' });
    const r = await migrateMid(new LocalHost(), {
      midHome: path.resolve(io.cwd, opts['mid-home']),
      incoming: { path: path.resolve(io.cwd, opts.incoming), password: incomingPassword },
      currentPassword: password,
      prefix: opts.prefix,
    });
    const layout = midLayout(path.resolve(io.cwd, opts['mid-home']));
    const cacerts = mid.path;
    io.stdout(
      opts.json
        ? `${JSON.stringify({ ...upgradeJson(r), cacerts, store: effectiveStoreJson(mid), backupDir: r.backupDir }, null, 2)}\n`
        : `${bundledStoreLines(mid)}${renderUpgrade(r, terminalWidth(io))}Replaced ${cacerts} with the migrated store (restart the MID Server to use it).\nBackups: ${upgradeBackupFile(layout, r.backupDir, 'cacerts_before')}, cacerts_from_upgrade (midtrust restore puts back what is lost)\n`,
    );
    return EXIT.OK;
  },
});

interface RestoreOptions extends StorePasswordOptions {
  'mid-home'?: string;
  from?: string;
  'include-vendor-removed'?: boolean;
  json?: boolean;
}

/** `midtrust restore`: bring back what an upgrade lost, from its backup. */
export const restoreCommand = defineCommand<RestoreOptions>({
  name: 'restore',
  usage: 'midtrust restore --mid-home <H> [--from <backup dir>] [--include-vendor-removed] [--storepass-env VAR] [--json]',
  options: { ...STORE_PASSWORD_OPTIONS, 'mid-home': { type: 'string' }, from: { type: 'string' }, 'include-vendor-removed': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(_p, opts, io) {
    if (!opts['mid-home']) throw new MidtrustError('INVALID_INPUT', 'restore needs --mid-home');
    const password = await resolveStorePassword(opts, io);
    const path = require('node:path') as typeof import('node:path');
    const mid = await resolveMidStore(new LocalHost(), path.resolve(io.cwd, opts['mid-home']), { choice: 'bundled' });
    const r = await restoreMid(new LocalHost(), {
      midHome: path.resolve(io.cwd, opts['mid-home']),
      from: opts.from ? path.resolve(io.cwd, opts.from) : undefined,
      password,
      includeVendorRemoved: opts['include-vendor-removed'],
    });
    if (opts.json) io.stdout(`${JSON.stringify({ ...r, store: effectiveStoreJson(mid) }, null, 2)}\n`);
    else io.stdout(`${bundledStoreLines(mid)}${renderRestore(r)}`);
    if (r.unrestored.length > 0) {
      io.stderr(
        `midtrust restore: error: could not restore ${r.unrestored.length} certificate(s) from ${r.backupDir}:\n` +
          `${r.unrestored.map((e) => `  ${printable(e.alias)}  sha256 ${e.sha256.slice(0, 12)}…  ${e.reason}`).join('\n')}\n`,
      );
      return EXIT.ERROR;
    }
    return EXIT.OK;
  },
});

/** What restore did, for a person: which backup, which were passed over, what came back. */
function renderRestore(r: RestoreResult): string {
  const lines: string[] = [];
  const vendor = r.vendorRemoved.length
    ? [
        `Left out ${r.vendorRemoved.length} JDK vendor root(s) the new JRE no longer ships (the vendor removed or distrusted them):`,
        ...r.vendorRemoved.map((e) => `  - ${printable(e.alias)}  sha256 ${e.sha256.slice(0, 12)}…`),
        'Give --include-vendor-removed to restore them anyway.',
      ]
    : [];
  if (r.restored.length === 0 && r.unrestored.length === 0) {
    lines.push(vendor.length ? 'Nothing else to restore: every other certificate in the backups is already trusted.' : 'Nothing to restore: every certificate in the backups is already trusted.');
    for (const s of r.skipped) lines.push(`  ${s.backupDir}: ${s.reason}`);
    for (const m of r.migrated) lines.push(`  ${printable(m.alias)}: ${printable(m.note)}`);
    return `${[...lines, ...vendor].join('\n')}\n`;
  }
  for (const s of r.skipped) lines.push(`Passed over ${s.backupDir}: ${s.reason}.`);
  if (r.migrated.length > 0) {
    lines.push(`Trusted as the upgrade's migrated copies (${r.migrated.length}), not restored under their old aliases:`);
    lines.push(...r.migrated.map((m) => `  ${printable(m.alias)}: ${printable(m.note)}`));
  }
  lines.push(`Using the backup ${r.backupDir}.`);
  if (r.restored.length > 0) {
    lines.push(`Restored ${r.restored.length} certificate(s):`);
    lines.push(...r.restored.map((e) => `  + ${printable(e.alias)}  sha256 ${e.sha256.slice(0, 12)}…`));
    lines.push('Restart the MID Server to load them.');
  }
  return `${[...lines, ...vendor].join('\n')}\n`;
}
