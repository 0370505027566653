import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import type { Host } from './host';
import { READ_LIMITS } from './readLimits';

/** `<store>.midtrust-backup-<stamp>[-<n>]`: the backups of a store, beside its resolved target. */
export const BACKUP_INFIX = '.midtrust-backup-';
/** `<store>.midtrust-backups.json`: the record of the backups midtrust made of that store. */
export const BACKUP_MANIFEST_SUFFIX = '.midtrust-backups.json';
/** Names tried when the stamped name is taken (`-2` … `-99`) before giving up. */
const MAX_NAME_TRIES = 99;

/**
 * One backup as the manifest records it. `sha256` and `size` are of the content written, so a
 * file found under that name later is provably the one midtrust made only if they still match.
 */
export interface BackupRecord {
  /** Base name, in the store's directory. */
  readonly file: string;
  /** When it was made (the caller's clock; informative only — order is the manifest's). */
  readonly createdAt: string;
  readonly size: number;
  readonly sha256: string;
}

/**
 * The manifest: `{ "format": 1, "store": "<store base name>", "backups": [BackupRecord, …] }`,
 * backups in the order midtrust made them, oldest first.
 *
 * Why a manifest: a name or an mtime proves nothing — anyone who can write the directory can
 * make a file called `cacerts.midtrust-backup-29991231T…Z`, and clocks step back. So pruning
 * considers only files this record lists, in the order it lists them, and deletes one only when
 * it still has the recorded size and SHA-256 and is a regular file (not a link). Everything else
 * that looks like a backup is left alone. Backups made before the manifest existed are therefore
 * never pruned: remove them by hand when no longer needed.
 *
 * The manifest is replaced atomically (exclusive temporary file + rename, which replaces a link
 * planted at its name rather than following it), under the store's lock like the backup itself.
 * A manifest that cannot be read or makes no sense is started afresh: the backups it listed are
 * then forgotten — kept forever rather than pruned by guesswork.
 */
export interface BackupManifest {
  readonly format: 1;
  readonly store: string;
  readonly backups: readonly BackupRecord[];
}

/** `20261127T010203456Z`: UTC to the millisecond. */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * Copies the current store to a new file `<resolved store>.midtrust-backup-<UTC time ms>` (same
 * mode: a store with private keys stays as closed as the original) and prunes the oldest backups
 * midtrust recorded so only the newest `keep` remain — never the one just written, never a file
 * it did not provably make (see {@link BackupManifest}).
 *
 * The backup is created exclusively (Host.createNewFile): a name that already exists — a file,
 * or a link planted to redirect the copy — is never written through or overwritten; the next
 * free name (`-2`, `-3`, …) is used instead. Returns the backup's path, or `undefined` when
 * there is no store yet. Call it under the store's lock ({@link withKeystoreLock}) so the copy
 * is the content replaced.
 *
 * @example
 * await backupBeforeWrite(host, '/opt/mid/agent/jre/lib/security/cacerts', 3);
 * // → '/opt/mid/agent/jre/lib/security/cacerts.midtrust-backup-20261127T010203456Z'
 */
export async function backupBeforeWrite(host: Host, file: string, keep: number, now = new Date()): Promise<string | undefined> {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new MidtrustError('INVALID_INPUT', `backups to keep must be a whole number of at least 1 (got ${keep}); to keep none, do not ask for a backup`);
  }
  const target = await host.resolveTarget(file);
  const st = await host.stat(target);
  if (!st) return undefined;
  const bytes = await host.readFile(target);
  const sep = /^[A-Za-z]:[\\/]/.test(target) ? path.win32 : path.posix;
  const dir = sep.dirname(target);
  const base = sep.basename(target);

  let name: string | undefined;
  for (let n = 1; n <= MAX_NAME_TRIES && name === undefined; n++) {
    const candidate = `${base}${BACKUP_INFIX}${stamp(now)}${n === 1 ? '' : `-${n}`}`;
    if (await host.createNewFile(sep.join(dir, candidate), bytes, { mode: st.mode & 0o777 })) name = candidate;
  }
  if (name === undefined) {
    throw new MidtrustError('IO', `${target}: ${MAX_NAME_TRIES} backup names for ${stamp(now)} are already taken in ${dir}; look at what is there (midtrust never overwrites a backup), then run again`);
  }

  const manifestPath = `${target}${BACKUP_MANIFEST_SUFFIX}`;
  const recorded = [...(await readBackupManifest(host, manifestPath, base)), { file: name, createdAt: now.toISOString(), size: bytes.length, sha256: sha256(bytes) }];
  const excess = recorded.slice(0, Math.max(0, recorded.length - keep));
  for (const old of excess) {
    // Only what is provably the file midtrust wrote goes; anything else is forgotten, not deleted.
    if (await isUnchangedBackup(host, sep.join(dir, old.file), old)) await host.removeFile(sep.join(dir, old.file));
  }
  const manifest: BackupManifest = { format: 1, store: base, backups: recorded.slice(excess.length) };
  await host.replaceFile(manifestPath, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'), { mode: 0o600 });
  return sep.join(dir, name);
}

/**
 * The backups recorded for the store `storeBase`, oldest first; empty when there is no usable
 * manifest (missing, a planted link, unreadable, not a manifest of this store). Entries that do
 * not name a backup of this store in its own directory are dropped.
 *
 * @example
 * (await readBackupManifest(host, '/etc/ssl/certs/java/cacerts.midtrust-backups.json', 'cacerts')).map((b) => b.file);
 */
export async function readBackupManifest(host: Host, manifestPath: string, storeBase: string): Promise<BackupRecord[]> {
  let text: string;
  try {
    text = Buffer.from(await host.readFile(manifestPath, { maxBytes: READ_LIMITS.smallRecord, what: 'the backup manifest', noFollow: true })).toString('utf8');
  } catch {
    return [];
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  const m = data as Partial<BackupManifest> | null;
  if (!m || m.format !== 1 || m.store !== storeBase || !Array.isArray(m.backups)) return [];
  const prefix = `${storeBase}${BACKUP_INFIX}`;
  return m.backups.filter(
    (b): b is BackupRecord =>
      typeof b === 'object' &&
      b !== null &&
      typeof b.file === 'string' &&
      b.file.startsWith(prefix) &&
      !/[\\/]/.test(b.file) &&
      typeof b.size === 'number' &&
      typeof b.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(b.sha256) &&
      typeof b.createdAt === 'string',
  );
}

async function isUnchangedBackup(host: Host, file: string, r: BackupRecord): Promise<boolean> {
  try {
    const bytes = await host.readFile(file, { maxBytes: r.size, what: 'a recorded backup', noFollow: true });
    return bytes.length === r.size && sha256(bytes) === r.sha256;
  } catch {
    return false;
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
