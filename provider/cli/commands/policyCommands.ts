import * as path from 'node:path';
import { Certificate } from '../../certificate/certificate';
import { MidtrustError } from '../../errors';
import { LocalHost } from '../../host/localHost';
import { readKeystore } from '../../keystore/keystoreCodec';
import { findReadableByEveryone } from '../../host/fileExposure';
import { effectiveStoreJson, effectiveStorePassword, resolveDesiredStore, resolveMidStore } from '../../mid/effectiveStore';
import type { DesiredStoreSource } from '../../plan/desiredState';
import { midLayout, upgradeBackupDirectories } from '../../mid/midLayout';
import { readMidSettings } from '../../mid/midSettingsReader';
import { openStore } from '../../mid/upgrade/upgradeRun';
import { certificatesOfStore, runRules } from '../../rules/runRules';
import { reaches, type Severity, type Violation } from '../../rules/violation';
import { samePathSpelling } from '../../resources/resourceInputs';
import { EXIT, type CliIo } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { loadDesiredStateFile } from '../desiredStateIo';
import { formatTable, terminalWidth, type TableColumn } from '../formatTable';
import { STORE_PASSWORD_OPTIONS, resolveStorePassword, type StorePasswordOptions } from '../storePassword';

const SEVERITIES: readonly Severity[] = ['advisory', 'warning', 'error'];

interface CommonOptions {
  json?: boolean;
  'fail-on'?: string;
  'expiring-days'?: string;
  incoming?: string;
  endpoint?: string[];
}

const COMMON = {
  json: { type: 'boolean' },
  'fail-on': { type: 'string' },
  'expiring-days': { type: 'string' },
  incoming: { type: 'string' },
  endpoint: { type: 'string', multiple: true },
} as const;

/** The findings table: the finding's text wraps on a narrow terminal, since its end is the fix. */
const FINDING_COLUMNS: ReadonlyArray<string | TableColumn> = ['SEVERITY', { header: 'RULE', fit: 'id' }, { header: 'ALIAS', fit: 'id' }, { header: 'FINDING', fit: 'wrap' }];

/**
 * A finding's message for the table, without the alias it opens with: the ALIAS column already
 * shows it. The message itself (JSON, reports) keeps it, since there it stands alone.
 */
function findingText(v: Violation): string {
  if (!v.alias) return v.message;
  for (const lead of [`${v.alias} `, `alias ${v.alias} `]) if (v.message.startsWith(lead)) return v.message.slice(lead.length);
  return v.message;
}

/** Loaded only when endpoints are checked: lint and audit without them never pay for TLS code. */
const endpointChecks = (): typeof import('../../verify/endpointChecks') => require('../../verify/endpointChecks');

function ruleOptions(opts: CommonOptions): { failOn: Severity; expiringDays?: number } {
  const failOn = (opts['fail-on'] ?? 'error') as Severity;
  if (!SEVERITIES.includes(failOn)) throw new MidtrustError('INVALID_INPUT', `--fail-on ${opts['fail-on']}: use advisory, warning or error`);
  if (opts['expiring-days'] === undefined) return { failOn };
  const n = Number(opts['expiring-days']);
  if (!Number.isInteger(n) || n < 0) throw new MidtrustError('INVALID_INPUT', `--expiring-days ${opts['expiring-days']}: give a whole number of days`);
  return { failOn, expiringDays: n };
}

/** Prints findings and returns the exit code: 1 when any reaches --fail-on. */
function report(violations: Violation[], failOn: Severity, opts: CommonOptions, io: CliIo, header: string, extra?: string, json: Record<string, unknown> = {}): number {
  if (opts.json) {
    io.stdout(`${JSON.stringify({ ...json, violations }, null, 2)}\n`);
  } else {
    io.stdout(`${header}\n`);
    if (extra) io.stdout(extra);
    if (violations.length === 0) io.stdout('No findings.\n');
    else io.stdout(formatTable(FINDING_COLUMNS, violations.map((v) => [v.severity, v.rule, v.alias ?? '-', `${findingText(v)}. Fix: ${v.remediation}`]), { width: terminalWidth(io) }));
  }
  const failing = violations.filter((v) => reaches(v, failOn)).length;
  if (failing > 0 && !opts.json) io.stderr(`${failing} finding(s) at or above '${failOn}'\n`);
  return failing > 0 ? EXIT.ERROR : EXIT.OK;
}

interface LintOptions extends CommonOptions {
  file?: string;
}

/** `midtrust lint -f desired.yaml`: the policy rules over the declared state (and the MID's settings when it names a midHome). */
export const lintCommand = defineCommand<LintOptions>({
  name: 'lint',
  usage: 'midtrust lint -f <desired.yaml> [--json] [--fail-on advisory|warning|error] [--expiring-days N] [--incoming <new JRE cacerts>] [--endpoint <target>]...',
  options: { ...COMMON, file: { type: 'string', short: 'f' } },
  async run(_p, opts, io) {
    const { failOn, expiringDays } = ruleOptions(opts);
    // The password only matters when endpoints are judged against the store after apply.
    const withoutPassword = loadDesiredStateFile(opts.file, io, { skipPassword: true });
    const targets = [...(withoutPassword.endpoints ?? []), ...(opts.endpoint ?? [])];
    const desired = targets.length ? loadDesiredStateFile(opts.file, io) : withoutPassword;
    const certificates = desired.certificates.filter((c) => c.state === 'present').map((c) => ({ alias: c.alias, certificate: Certificate.fromDer((c as { der: Uint8Array }).der) }));
    const host = new LocalHost();
    // keystore.midHome: the store it names is resolved as plan/apply resolve it; a path to a MID's
    // bundled cacerts is that MID's bundled store.
    const resolved = desired.keystore.midHome !== undefined ? await resolveDesiredStore(host, desired) : desired;
    const midHome = resolved.keystore.midHome ?? inferMidHome(resolved.keystore.path);
    const managed = { path: resolved.keystore.path, kind: resolved.keystore.source?.kind ?? (midHome ? 'bundled' : 'external') } as const;
    const mid = midHome && (await host.stat(midLayout(midHome).configXml)) ? await readMidSettings(host, midHome, { managed }) : undefined;
    const incoming = opts.incoming ? await openStore(host, { path: path.resolve(io.cwd, opts.incoming) }) : undefined;
    const endpoints = targets.length ? await endpointChecks().checkEndpointsAfterApply(host, resolved, { targets, env: io.env }) : undefined;
    const violations = runRules({ certificates, mid, incoming, endpoints }, { expiringDays });
    const store = resolved.keystore.source ? `\nStore: ${resolved.keystore.path}, the MID's ${resolved.keystore.source.why}` : '';
    return report(violations, failOn, opts, io, `Linted ${desired.sourceFile}: ${certificates.length} declared certificate(s)${mid ? `, MID ${mid.layout.home} (strategy ${mid.strategy})` : ''}${targets.length ? `, ${targets.length} endpoint(s) after apply` : ''}${store}`, undefined, storeJson(resolved.keystore.source));
  },
});

interface AuditOptions extends CommonOptions, StorePasswordOptions {
  'mid-home'?: string;
  inventory?: string;
  parallel?: string;
}

/** `midtrust audit <keystore> | --mid-home H`: the rules over a live store, with an expiry report. */
export const auditCommand = defineCommand<AuditOptions>({
  name: 'audit',
  usage: 'midtrust audit (<keystore> | --mid-home <H> | --inventory <hosts.yaml> [--parallel N]) [--storepass-env VAR | --storepass-file F | --storepass-stdin] [--json] [--fail-on advisory|warning|error] [--expiring-days N] [--incoming <store>] [--endpoint <target>]...',
  options: { ...COMMON, ...STORE_PASSWORD_OPTIONS, 'mid-home': { type: 'string' }, inventory: { type: 'string' }, parallel: { type: 'string' } },
  async run(positionals, opts, io) {
    const { failOn, expiringDays } = ruleOptions(opts);
    if (opts.inventory && opts.endpoint?.length) throw new MidtrustError('INVALID_INPUT', 'to check endpoints from every MID host, use midtrust verify --inventory (the connection is made from each host)');
    if (opts.inventory) return auditInventory(opts, failOn, expiringDays, io);
    const host = new LocalHost();
    const midHome = opts['mid-home'] ? path.resolve(io.cwd, opts['mid-home']) : undefined;
    // --mid-home alone: the store its JVM reads (opened with the wired password when one is wired).
    const resolved = midHome && !positionals[0] ? await resolveMidStore(host, midHome) : undefined;
    const file = positionals[0] ? path.resolve(io.cwd, positionals[0]) : resolved?.path;
    if (!file) throw new MidtrustError('INVALID_INPUT', 'give a keystore path or --mid-home <dir>');
    const given = await resolveStorePassword(opts, io);
    const password = resolved ? effectiveStorePassword(resolved, given).password : given;
    let store;
    try {
      store = readKeystore(await host.readFile(file), { password });
    } catch (e) {
      throw e instanceof MidtrustError ? e.withContext(file) : e;
    }
    // A keystore given with --mid-home that is the MID's bundled cacerts is audited as that store.
    const kind = resolved?.kind ?? (midHome && samePathSpelling(file, midLayout(midHome).cacerts) ? 'bundled' : 'external');
    const mid = midHome ? await readMidSettings(host, midHome, { managed: { path: file, kind } }) : undefined;
    const incoming = opts.incoming ? await openStore(host, { path: path.resolve(io.cwd, opts.incoming), password }) : undefined;
    const certificates = certificatesOfStore(store);
    let endpoints;
    if (opts.endpoint?.length) {
      const { judgedKeystore, judgedMidStore } = require('../../verify/judgedStore') as typeof import('../../verify/judgedStore');
      const { trustPolicyFor } = require('../../verify/verifyEndpoint') as typeof import('../../verify/verifyEndpoint');
      const judged = midHome && !positionals[0] ? await judgedMidStore(host, midHome, password) : await judgedKeystore(host, file, password);
      const policy = await trustPolicyFor(host, judged, { env: io.env, local: !midHome });
      endpoints = endpointChecks().endpointChecks(await endpointChecks().fetchEndpoints(opts.endpoint), judged, policy, 'now');
    }
    const homeOfStore = midHome ?? inferMidHome(file);
    const exposures = await findReadableByEveryone(host, {
      store: file,
      storeHoldsKeys: store.entries.some((e) => e.kind !== 'trustedCertificate'),
      backupDirectories: homeOfStore ? await upgradeBackupDirectories(host, midLayout(homeOfStore)) : [],
      platform: process.platform,
    });
    const violations = runRules({ certificates, mid, incoming, endpoints, exposures }, { expiringDays });
    const expiry = [...certificates]
      .map((c) => ({ alias: c.alias, notAfter: safeNotAfter(c.certificate) }))
      .filter((c): c is { alias: string; notAfter: Date } => c.notAfter !== undefined)
      .sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())
      .slice(0, 10);
    const extra = `Soonest expiries:\n${formatTable(['NOT AFTER', { header: 'ALIAS', fit: 'id' }], expiry.map((e) => [e.notAfter.toISOString().slice(0, 10), e.alias]), { width: terminalWidth(io) })}`;
    const why = resolved ? `\nStore: the MID's ${resolved.why}` : '';
    return report(violations, failOn, opts, io, `Audited ${file}: ${store.type}, ${certificates.length} trusted certificate(s)${mid ? `, strategy ${mid.strategy}` : ''}${why}`, extra, resolved ? { store: effectiveStoreJson(resolved) } : {});
  },
});

/** `{store: {kind, path, why, bypassed?}}` for --json when a MID home named the store. */
function storeJson(source: DesiredStoreSource | undefined): Record<string, unknown> {
  if (!source) return {};
  return { store: { kind: source.kind, path: source.path, why: source.why, ...(source.bypassed ? { bypassed: source.bypassed } : {}) } };
}

function safeNotAfter(c: Certificate): Date | undefined {
  try {
    return c.facts.notAfter;
  } catch {
    return undefined;
  }
}

/** `<home>/agent/jre/lib/security/cacerts` → `<home>`, so lint can read the MID's settings. */
function inferMidHome(storePath: string): string | undefined {
  const m = /^(.*)[\\/]agent[\\/]jre[\\/]lib[\\/]security[\\/]cacerts$/.exec(storePath);
  return m?.[1];
}

/** `audit --inventory`: every host's live store and settings; exit 1 when a host failed or a finding reaches --fail-on. */
async function auditInventory(opts: AuditOptions, failOn: Severity, expiringDays: number | undefined, io: CliIo): Promise<number> {
  if (opts.incoming) {
    // Not silently dropped: the fleet audit judges each host's live store and settings only.
    throw new MidtrustError('INVALID_INPUT', '--incoming is not checked per host by audit --inventory; for the whole fleet after an upgrade use midtrust report --inventory <hosts.yaml> --incoming <new cacerts>');
  }
  const { loadInventory } = require('../../fleet/inventory') as typeof import('../../fleet/inventory');
  const { auditFleet } = require('../../fleet/fleetAudit') as typeof import('../../fleet/fleetAudit');
  const hosts = loadInventory(path.resolve(io.cwd, opts.inventory as string), io.env);
  const password = await resolveStorePassword(opts, io);
  const { parseParallel } = require('../fleetDoor') as typeof import('../fleetDoor');
  const parallel = parseParallel(opts.parallel);
  const audits = await auditFleet(hosts, password, { parallel, rules: { expiringDays } });
  const failing = (a: { violations: readonly Violation[] }): number => a.violations.filter((v) => reaches(v, failOn)).length;
  if (opts.json) {
    io.stdout(`${JSON.stringify({ hosts: audits }, null, 2)}\n`);
  } else {
    io.stdout(formatTable([{ header: 'HOST', fit: 'id' }, 'RESULT', 'FINDINGS', `AT/ABOVE ${failOn.toUpperCase()}`, { header: 'ERROR', fit: 'wrap' }], audits.map((a) => [a.name, a.ok ? 'ok' : 'FAILED', String(a.violations.length), String(failing(a)), a.error ?? '']), { width: terminalWidth(io) }));
    for (const a of audits.filter((x) => failing(x) > 0)) {
      io.stdout(`\n${a.name}:\n${formatTable(FINDING_COLUMNS, a.violations.filter((v) => reaches(v, failOn)).map((v) => [v.severity, v.rule, v.alias ?? '-', findingText(v)]), { width: terminalWidth(io) })}`);
    }
  }
  return audits.some((a) => !a.ok || failing(a) > 0) ? EXIT.ERROR : EXIT.OK;
}
