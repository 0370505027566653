import * as path from 'node:path';
import { MidtrustError } from '../errors';
import type { Host } from '../host/host';
import { isWindowsPath } from '../plan/desiredStateFile';

/** Where a MID Server keeps what midtrust manages, below its home. */
export interface MidLayout {
  readonly home: string;
  readonly configXml: string;
  readonly cacerts: string;
  readonly wrapperOverride: string;
  /** Where upgrades back up truststores: <epoch seconds>/cacerts_before, cacerts_from_upgrade. */
  readonly migrationDir: string;
  readonly platform: 'posix' | 'win32';
}

/**
 * The layout of a MID home on POSIX (`/opt/servicenow/mid`) or Windows (`C:\ServiceNow\mid1`):
 * paths are joined in the home's own style. A home given as `.../agent` is accepted too.
 */
export function midLayout(midHome: string, platform?: 'posix' | 'win32'): MidLayout {
  const win = platform === 'win32' || isWindowsPath(midHome);
  const p = win ? path.win32 : path.posix;
  const home = p.basename(p.normalize(midHome)) === 'agent' ? p.dirname(p.normalize(midHome)) : p.normalize(midHome);
  const agent = p.join(home, 'agent');
  return {
    home,
    configXml: p.join(agent, 'config.xml'),
    cacerts: p.join(agent, 'jre', 'lib', 'security', 'cacerts'),
    wrapperOverride: p.join(agent, 'conf', 'wrapper-override.conf'),
    migrationDir: p.join(agent, 'work', 'truststore_migration'),
    platform: win ? 'win32' : 'posix',
  };
}

/**
 * The path rules of a MID home's own platform: every path below a home is joined with these, so
 * a Windows home never gets a `/` (`…\truststore_migration\1796358129\cacerts_before`).
 *
 * @example
 * midPath(midLayout('C:\\ServiceNow\\mid1')).join(backupDir, 'cacerts_before');
 */
export function midPath(layout: Pick<MidLayout, 'platform'>): typeof path.posix {
  return layout.platform === 'win32' ? path.win32 : path.posix;
}

/** The product's copies in one upgrade backup directory (`<epoch>/`). */
export type UpgradeBackupName = 'cacerts_before' | 'cacerts_from_upgrade';

/**
 * One file of an upgrade backup directory, joined in the home's style.
 *
 * @example
 * upgradeBackupFile(layout, 'C:\\ServiceNow\\mid1\\agent\\work\\truststore_migration\\1796358129', 'cacerts_before');
 * // 'C:\\ServiceNow\\mid1\\agent\\work\\truststore_migration\\1796358129\\cacerts_before'
 */
export function upgradeBackupFile(layout: Pick<MidLayout, 'platform'>, backupDir: string, name: UpgradeBackupName): string {
  return midPath(layout).join(backupDir, name);
}

/**
 * The directories holding the upgrade backups of a MID home: `agent/work/truststore_migration`
 * and each `<epoch>/` in it, those that exist.
 *
 * @example
 * await upgradeBackupDirectories(host, midLayout('/opt/servicenow/mid')); // ['/opt/…/truststore_migration', '/opt/…/truststore_migration/1796358129']
 */
export async function upgradeBackupDirectories(host: Host, layout: MidLayout): Promise<string[]> {
  if (!(await host.stat(layout.migrationDir))) return [];
  const epochs = (await host.listDir(layout.migrationDir)).filter((n) => /^\d+$/.test(n)).sort();
  return [layout.migrationDir, ...epochs.map((n) => midPath(layout).join(layout.migrationDir, n))];
}

/** Checks that a MID home looks like one (config.xml and the bundled JRE's cacerts exist). */
export async function validateMidLayout(host: Host, layout: MidLayout): Promise<void> {
  const missing: string[] = [];
  for (const f of [layout.configXml, layout.cacerts]) if (!(await host.stat(f))) missing.push(f);
  if (missing.length > 0) {
    throw new MidtrustError(
      'NOT_FOUND',
      `${layout.home} does not look like a MID Server home: missing ${missing.join(' and ')}; give the directory that contains agent/ (e.g. /opt/servicenow/mid or C:\\ServiceNow\\<mid name>)`,
    );
  }
}

/** Whether `candidate` lies inside the MID home (an upgrade replaces what is there). */
export function isInsideMidHome(layout: MidLayout, candidate: string): boolean {
  const p = midPath(layout);
  const norm = (s: string): string => (layout.platform === 'win32' ? p.normalize(s).toLowerCase() : p.normalize(s));
  const rel = p.relative(norm(layout.home), norm(p.resolve(candidate)));
  return rel === '' || (!rel.startsWith('..') && !p.isAbsolute(rel));
}
