import * as path from 'node:path';
import { MidtrustError } from '../errors';
import type { Host } from '../host/host';
import { readKeystore } from '../keystore/keystoreCodec';
import type { Keystore } from '../keystore/model';
import type { EffectiveStore } from '../mid/effectiveStore';
import type { MidLayout } from '../mid/midLayout';
import type { StoreRef } from '../mid/upgrade/upgradeRun';
import type { UpgradeResult } from '../mid/upgrade/upgradeModel';
import type { DesiredState } from '../plan/desiredState';
import type { Plan } from '../plan/plan';
import { jdkShippedRootsOf } from './jdkTrustPolicy';

/**
 * The truststore a verdict is judged against — as it is, as it will be after apply, or as it
 * will be after the next MID upgrade — with what the JVM's other inputs depend on.
 */
export interface JudgedStore {
  /** For people: which file, and in which state ("… as it will be after apply"). */
  readonly label: string;
  readonly store: Keystore;
  /** The JRE whose java.security and shipped roots apply (a MID's bundled `agent/jre`). */
  readonly javaHome?: string;
  readonly platform?: 'posix' | 'win32';
  /** Overrides the JDK-shipped roots read from `javaHome` (after an upgrade they are the new store's). */
  readonly jdkCaSha256?: ReadonlySet<string>;
  /** Worth telling (an external truststore an upgrade does not touch, …). */
  readonly note?: string;
}

/**
 * The Java home a store belongs to when it is a JRE's own truststore (`<java.home>/lib/security/
 * cacerts` or `jssecacerts`, as a MID's bundled JRE has it): that JRE's java.security and
 * shipped roots apply, not this machine's.
 *
 * @example
 * javaHomeOfStore('/opt/servicenow/mid/agent/jre/lib/security/cacerts') // '/opt/servicenow/mid/agent/jre'
 */
export function javaHomeOfStore(file: string): string | undefined {
  return /^(.+)[\\/]lib[\\/]security[\\/](?:cacerts|jssecacerts)$/.exec(file)?.[1];
}

/** `<home>/agent/jre`, spelled the way the MID host spells paths. */
function midJavaHome(midHome: string): string {
  const { midLayout } = require('../mid/midLayout') as typeof import('../mid/midLayout');
  const layout = midLayout(midHome);
  return (layout.platform === 'win32' ? path.win32 : path.posix).join(layout.home, 'agent', 'jre');
}

/** Reads a store with errors that name the file. */
async function read(host: Host, file: string, password: string | undefined): Promise<Keystore> {
  try {
    return readKeystore(await host.readFile(file), { password });
  } catch (e) {
    throw e instanceof MidtrustError ? e.withContext(file) : e;
  }
}

/**
 * A keystore file as it is now.
 *
 * @example
 * const judged = await judgedKeystore(new LocalHost(), '/etc/mid/truststore.p12', undefined);
 */
export async function judgedKeystore(host: Host, file: string, password: string | undefined): Promise<JudgedStore> {
  const javaHome = javaHomeOfStore(file);
  return { label: file, store: await read(host, file, password), ...(javaHome ? { javaHome } : {}) };
}

/**
 * The store of a desired-state file as `apply` would leave it: the same plan and the same
 * in-memory apply, written nowhere.
 *
 * @example
 * const { store, plan } = await judgedAfterApply(new LocalHost(), loadDesiredStateFile('desired.yaml', io));
 */
export async function judgedAfterApply(host: Host, given: DesiredState, now = new Date()): Promise<JudgedStore & { plan: Plan }> {
  // The plan and upgrade code is loaded only for the modes that need it (CLI start-up).
  const { computePlan } = require('../plan/computePlan') as typeof import('../plan/computePlan');
  const { applyPlan } = require('../plan/applyPlan') as typeof import('../plan/applyPlan');
  const { resolveDesiredStore } = require('../mid/effectiveStore') as typeof import('../mid/effectiveStore');
  // A midHome: the store its JVM reads, as plan and apply resolve it.
  const desired = await resolveDesiredStore(host, given);
  const file = desired.keystore.path;
  const current = (await host.stat(file)) ? await read(host, file, desired.keystore.password?.reveal()) : undefined;
  const plan = computePlan(current, desired);
  const store = applyPlan(current, plan, desired, { now });
  const pending = plan.changes === 0 ? 'nothing to apply' : `${plan.changes} change(s) from ${desired.sourceFile} applied in memory`;
  // A MID's JVM judges with its bundled JRE's java.security, whichever store it reads.
  const javaHome = desired.keystore.midHome !== undefined ? midJavaHome(desired.keystore.midHome) : javaHomeOfStore(file);
  const why = desired.keystore.source && desired.keystore.source.kind !== 'bundled' ? `, ${desired.keystore.source.why}` : '';
  return { label: `${file} as it will be after apply (${pending}${why})`, store, plan, ...(javaHome ? { javaHome } : {}) };
}

/**
 * The truststore a MID Server's JVM really uses, as {@link resolveMidStore} answers for every
 * door (the external truststore wired in wrapper-override.conf, opened with the wired password;
 * else the bundled JRE's `jssecacerts` when present; else its `cacerts`). The label names the
 * store and why.
 *
 * @example
 * const judged = await judgedMidStore(new LocalHost(), '/opt/servicenow/mid', 'changeit');
 */
export async function judgedMidStore(host: Host, midHome: string, password: string | undefined): Promise<JudgedStore & { layout: MidLayout; external: boolean; resolved: EffectiveStore }> {
  const { resolveMidStore, effectiveStorePassword } = require('../mid/effectiveStore') as typeof import('../mid/effectiveStore');
  const resolved = await resolveMidStore(host, midHome);
  const { layout } = resolved;
  const javaHome = midJavaHome(layout.home);
  const { password: storePassword } = effectiveStorePassword(resolved, password);
  return {
    javaHome,
    platform: layout.platform,
    layout,
    resolved,
    external: resolved.kind === 'external',
    label: resolved.kind === 'bundled' ? layout.cacerts : `${resolved.path} (${resolved.why})`,
    store: await read(host, resolved.path, storePassword),
  };
}

/**
 * The incoming JRE's cacerts: a file on the MID's host, or a store already read elsewhere (a
 * fleet report reads it once on this machine and judges every host's upgrade against it).
 */
export type IncomingStore = StoreRef | { readonly path: string; readonly store: Keystore };

/** Options of {@link judgedAfterUpgrade}. */
export interface AfterUpgradeOptions {
  /** Alias prefix of migrated certificates (default `snc_`). */
  readonly prefix?: string;
  readonly now?: Date;
  /** The MID's store as {@link judgedMidStore} read it just before, so it is not read twice. */
  readonly current?: Awaited<ReturnType<typeof judgedMidStore>>;
}

/**
 * The MID's truststore as it will be after the next upgrade: the incoming JRE's cacerts plus what
 * the configured migration strategy carries over (the same model as `upgrade-preview`). A MID
 * with an external truststore keeps it: the upgrade does not change what it trusts.
 *
 * @example
 * const judged = await judgedAfterUpgrade(host, '/opt/servicenow/mid', { path: 'new/cacerts', password: 'changeit' }, 'changeit');
 * judged.upgrade?.lost // what the upgrade drops
 */
export async function judgedAfterUpgrade(host: Host, midHome: string, incoming: IncomingStore, password: string | undefined, opts: AfterUpgradeOptions = {}): Promise<JudgedStore & { upgrade?: UpgradeResult }> {
  const current = opts.current ?? (await judgedMidStore(host, midHome, password));
  if (current.external) {
    return { ...current, note: 'the MID uses an external truststore, which an upgrade does not replace: the verdict after the upgrade is the verdict now' };
  }
  const { chooseRule, openStore } = require('../mid/upgrade/upgradeRun') as typeof import('../mid/upgrade/upgradeRun');
  const { modelUpgrade } = require('../mid/upgrade/upgradeModel') as typeof import('../mid/upgrade/upgradeModel');
  const { rule, why } = await chooseRule(host, { layout: current.layout });
  const cacerts = current.label === current.layout.cacerts ? current.store : await read(host, current.layout.cacerts, password);
  const incomingStore = 'store' in incoming ? incoming.store : await openStore(host, incoming);
  const upgrade = modelUpgrade(cacerts, incomingStore, rule, why, { prefix: opts.prefix, now: opts.now });
  return {
    label: `${current.layout.cacerts} as it will be after the upgrade (${why}; incoming ${incoming.path})`,
    store: upgrade.store,
    javaHome: current.javaHome,
    platform: current.platform,
    jdkCaSha256: jdkShippedRootsOf(upgrade.store),
    upgrade,
    note: `java.security of the current bundled JRE is assumed for the new one${upgrade.lost.length ? `; the upgrade loses ${upgrade.lost.length} certificate(s): ${upgrade.lost.map((l) => l.alias).join(', ')}` : ''}`,
  };
}
