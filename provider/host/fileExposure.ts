import type { FileExposure } from '../rules/fileExposureRules';
import type { Host } from './host';

/** Others may read (r) — for a directory, list it. */
const OTHER_READ = 0o004;

/** What to look at: the store, whether it holds keys, and the directories its backups live in. */
export interface ExposureQuestion {
  readonly store: string;
  /** The store holds private or secret key entries (a truststore of certificates only is public). */
  readonly storeHoldsKeys: boolean;
  /** Directories of keystore backups (`agent/work/truststore_migration` and its `<epoch>/`s). */
  readonly backupDirectories: readonly string[];
  /** The platform of the host's file system; on win32 modes mean nothing and nothing is found. */
  readonly platform: NodeJS.Platform;
}

/**
 * Which of the store and its backup directories every account can read, from POSIX permission
 * bits. On Windows there is nothing to read them from: node reports 0o666/0o444 whatever the ACL,
 * and what protects a MID home there is its ACL (inherited by what midtrust creates), which
 * node cannot read — so nothing is reported rather than a guess.
 *
 * @example
 * await findReadableByEveryone(new LocalHost(), { store, storeHoldsKeys: false, backupDirectories: [dir], platform: process.platform });
 */
export async function findReadableByEveryone(host: Host, q: ExposureQuestion): Promise<FileExposure[]> {
  if (q.platform === 'win32') return [];
  const out: FileExposure[] = [];
  const candidates = [...(q.storeHoldsKeys ? [{ path: q.store, what: 'keystore with private keys', directory: false }] : []), ...q.backupDirectories.map((d) => ({ path: d, what: 'keystore backup directory', directory: true }))];
  for (const c of candidates) {
    const st = await host.stat(c.path);
    if (st && (st.mode & OTHER_READ) !== 0) out.push({ ...c, mode: st.mode & 0o7777 });
  }
  return out;
}
