import * as path from 'node:path';
import { MidtrustError } from '../errors';
import type { Host } from './host';

/** `<store>.midtrust-backup-<stamp>`; the stamp is fixed-width so names sort by time as text. */
const BACKUP_INFIX = '.midtrust-backup-';
const STAMP = /^\d{8}T\d{9}Z$/;

/** `20261127T010203456Z`: UTC to the millisecond. */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * Copies the current store to `<resolved store>.midtrust-backup-<UTC time ms>` (atomically, same
 * mode: a store with private keys stays as closed as the original) and prunes older backups so
 * only the newest `keep` remain. Files that merely look similar (another stamp format, temporary
 * files) are never pruned. Returns the backup's path, or `undefined` when there is no store yet.
 * Call it under the store's lock ({@link withKeystoreLock}) so the copy is the content replaced.
 *
 * @example
 * await backupBeforeWrite(host, '/opt/mid/agent/jre/lib/security/cacerts', 3);
 * // → '/opt/mid/agent/jre/lib/security/cacerts.midtrust-backup-20261127T010203456Z'
 */
export async function backupBeforeWrite(host: Host, file: string, keep: number, now = new Date()): Promise<string | undefined> {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new MidtrustError('INVALID_INPUT', `backups to keep must be a whole number of at least 1 (got ${keep}); to keep none, do not ask for a backup`);
  }
  const st = await host.stat(file);
  if (!st) return undefined;
  const target = st.realPath;
  const bytes = await host.readFile(target);
  const backup = `${target}${BACKUP_INFIX}${stamp(now)}`;
  // writeFileAtomic keeps the mode of an existing file, so a backup made twice in one millisecond
  // still gets the store's mode.
  await host.writeFileAtomic(backup, bytes, { mode: st.mode });
  const dir = path.dirname(target);
  const prefix = `${path.basename(target)}${BACKUP_INFIX}`;
  const all = (await host.listDir(dir)).filter((n) => n.startsWith(prefix) && STAMP.test(n.slice(prefix.length))).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await host.removeFile(path.join(dir, old));
  return backup;
}
