/**
 * A simulated MID Server upgrade, for the deployment harness (deploymentEngine.ts) and CLI tests:
 * what the product does to a MID home when an upgrade brings a new JRE (FACTS.md §1, §7).
 *
 * 1. A new JRE directory is laid out beside agent/ (`release` file naming a new build, and the
 *    vendor's next cacerts as `lib/security/cacerts`).
 * 2. The truststore migration runs with the strategy in the *old* config.xml, exactly as
 *    `midtrust migrate` runs it (provider/mid/upgrade `migrateMid`, the same code): backups under
 *    `agent/work/truststore_migration/<epoch>/cacerts_before` and `cacerts_from_upgrade`, migrated
 *    certificates under `snc_<alias>`, written in the incoming store's format and password.
 * 3. `agent/jre/` is replaced wholesale by the new directory holding the migrated cacerts:
 *    everything else that was in the old `jre/lib/security/` (an ownership record beside cacerts)
 *    goes with it, as it does on a real MID.
 * 4. config.xml and wrapper-override.conf are kept, or rewritten with the texts given (the
 *    installer's defaults) — the product does not say which, so tests cover both.
 *
 * Nothing here asserts; keytool judges the stores in the tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalHost } from '../../provider/host/localHost';
import { midLayout } from '../../provider/mid/midLayout';
import { migrateMid } from '../../provider/mid/upgrade/upgradeRun';
import type { UpgradeResult } from '../../provider/mid/upgrade/upgradeModel';

/** Options of {@link simulateMidUpgrade}. */
export interface SimulatedUpgrade {
  /** The MID home (the directory holding agent/). */
  readonly midHome: string;
  /** The vendor's next cacerts (a keystore file, copied into the new JRE). */
  readonly nextCacerts: string;
  /** Password of the current and the incoming cacerts (the product keeps the incoming one's). */
  readonly password: string;
  /** What the new JRE's `release` file says (JAVA_VERSION); a unique build id is appended. */
  readonly javaVersion?: string;
  /** Rewrite config.xml / wrapper-override.conf with these texts after the upgrade; omitted: kept. */
  readonly rewrite?: { readonly configXml?: string; readonly wrapperOverride?: string };
  /** The migration's clock (the backup directory's epoch); default now. */
  readonly now?: Date;
}

/** What the simulated upgrade did. */
export interface UpgradeDone extends UpgradeResult {
  /** `agent/work/truststore_migration/<epoch>`. */
  readonly backupDir: string;
  /** The new `agent/jre/release` text. */
  readonly release: string;
}

let builds = 0;

/**
 * Upgrades a MID home's JRE as the product does (see the file comment).
 *
 * @example
 * const done = await simulateMidUpgrade({ midHome, nextCacerts, password: 'changeit' });
 * done.result.filter((e) => e.outcome === 'migrated'); // the snc_ copies
 */
export async function simulateMidUpgrade(opts: SimulatedUpgrade): Promise<UpgradeDone> {
  const layout = midLayout(opts.midHome);
  const agent = path.join(layout.home, 'agent');
  const jre = path.join(agent, 'jre');
  const staged = path.join(agent, `jre.incoming-${process.pid}-${++builds}`);
  const stagedCacerts = path.join(staged, 'lib', 'security', 'cacerts');
  fs.mkdirSync(path.dirname(stagedCacerts), { recursive: true, mode: 0o755 });
  fs.copyFileSync(opts.nextCacerts, stagedCacerts);
  fs.chmodSync(stagedCacerts, fs.statSync(layout.cacerts).mode & 0o777);
  const release = `JAVA_VERSION="${opts.javaVersion ?? '17.0.13'}"\nIMPLEMENTOR="Eclipse Adoptium"\nIMPLEMENTOR_VERSION="midtrust-sim-${Date.now()}-${process.pid}-${builds}"\n`;
  fs.writeFileSync(path.join(staged, 'release'), release);
  fs.writeFileSync(path.join(staged, 'lib', 'security', 'java.security'), '# the new JRE\'s own security properties\n');
  try {
    const done = await migrateMid(new LocalHost(), {
      midHome: layout.home,
      incoming: { path: stagedCacerts, password: opts.password },
      currentPassword: opts.password,
      ...(opts.now ? { now: opts.now } : {}),
    });
    // migrateMid wrote the migrated store over the old JRE's cacerts: that store moves into the new JRE.
    fs.copyFileSync(layout.cacerts, stagedCacerts);
    fs.rmSync(jre, { recursive: true, force: true });
    fs.renameSync(staged, jre);
    if (opts.rewrite?.configXml !== undefined) fs.writeFileSync(layout.configXml, opts.rewrite.configXml);
    if (opts.rewrite?.wrapperOverride !== undefined) fs.writeFileSync(layout.wrapperOverride, opts.rewrite.wrapperOverride);
    return { ...done, release };
  } finally {
    fs.rmSync(staged, { recursive: true, force: true });
  }
}

/** The aliases of the migrated certificates an upgrade made, by the alias they had before. */
export function migratedAliases(done: UpgradeResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of done.result) if ((e.outcome === 'migrated' || e.outcome === 'resurrected') && e.previousAlias) out[e.previousAlias] = e.alias;
  return out;
}
