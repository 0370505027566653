import * as path from 'node:path';
import type { Host } from './host';

const BACKUP_INFIX = '.midtrust-backup-';

/** `20261127T010203456Z`: sorts by time as text. */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * Copies the current store to `<store>.midtrust-backup-<UTC time>` (atomically, same mode) and
 * keeps only the newest `keep` backups. Returns the backup's path.
 */
export async function backupBeforeWrite(host: Host, file: string, keep: number, now = new Date()): Promise<string> {
  const st = await host.stat(file);
  const target = st?.realPath ?? file;
  const bytes = await host.readFile(target);
  const backup = `${target}${BACKUP_INFIX}${stamp(now)}`;
  await host.writeFileAtomic(backup, bytes, { mode: st?.mode });
  const dir = path.dirname(target);
  const prefix = `${path.basename(target)}${BACKUP_INFIX}`;
  const all = (await host.listDir(dir)).filter((n) => n.startsWith(prefix)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await host.removeFile(path.join(dir, old));
  return backup;
}
