import * as pathModule from 'node:path';
import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import { onHost, type Host } from '../host/host';
import { READ_LIMITS } from '../host/readLimits';
import { isWritableEntryDate } from '../keystore/entryDate';
import { OWNERSHIP_RECORD_SUFFIX } from '../host/tempFileName';
import { canonical, EMPTY_LEDGER, ledgerBeforeWrite, MAX_OWNERS_PER_KEY, recordMap, sameLedger, type HeldValue, type Ledger, type OwnershipRecord } from './ownershipLedger';

/** `<file>.midtrust-owners.json`: where records lived beside their file (still so outside a MID home). */
export const LEDGER_SUFFIX = OWNERSHIP_RECORD_SUFFIX;
/** The directory under `<MID home>/agent/work/` holding the records of the MID's files. */
export const MID_RECORDS_DIR = 'midtrust-owners';
/** The most claims one record may hold (a record holding more was not written by midtrust). */
const MAX_RECORDS = 100_000;
/** A record needs at most this much beyond twice the size of the file it describes. */
const RECORD_SLACK_BYTES = 1024 * 1024;

/**
 * Where the ownership record of one file lives, and what it must say about itself.
 *
 * A file inside a MID home (`<home>/agent/...`: the bundled cacerts, config.xml,
 * wrapper-override.conf) has its record under `<home>/agent/work/midtrust-owners/`: an upgrade
 * replaces `agent/jre/` wholesale — a record beside the bundled cacerts went with it — and keeps
 * `agent/work/`, where the product keeps its own truststore_migration backups. Any other file (an
 * external truststore, a store named by keystorePath) has it beside itself, as before.
 */
export interface RecordLocation {
  /** Where the record is read from and written to. */
  readonly path: string;
  /** Where releases before 0.x kept it (beside the file); read once when `path` has none, then removed. */
  readonly legacyPath: string;
  /** The file the record describes, as the record names it (relative to the MID's agent/, or its base name). */
  readonly file: string;
  /** The described file's real path (the target of Debian's cacerts link). */
  readonly describedPath: string;
  /** The account that owns the described file (its directory's when the file does not exist yet). */
  readonly describedUid: number | undefined;
  /** Its size in bytes (0 when missing): a record can never need much more. */
  readonly describedSize: number;
  /** For a file in a MID home: agent/ (the owner of directories made for the record). */
  readonly agentDir?: string;
}

/** What {@link readLedger} found. */
export interface LedgerRead {
  /** The claims to act on: EMPTY_LEDGER when there is no record or it was refused. */
  readonly ledger: Ledger;
  /** `none`: no record; `ok`; `legacy`: read from the old place (moved on the next write); `refused`: reported, not used. */
  readonly status: 'none' | 'ok' | 'legacy' | 'refused';
  /** What a person should know (refusals, a file changed since the record was written); empty when all is well. */
  readonly notes: readonly string[];
  /** The account owning the record that was used (ok or legacy). */
  readonly recordUid?: number;
}

/**
 * Where the ownership record of `file` lives on `host` (see {@link RecordLocation}). Two spellings of
 * one store (a link and its target) share one record.
 *
 * @example
 * (await recordLocation(host, '/opt/servicenow/mid/agent/jre/lib/security/cacerts')).path;
 * // '/opt/servicenow/mid/agent/work/midtrust-owners/jre%2Flib%2Fsecurity%2Fcacerts.json'
 */
export async function recordLocation(host: Host, file: string): Promise<RecordLocation> {
  const st = await host.stat(file);
  const real = st?.realPath ?? file;
  const p = /^[A-Za-z]:[\\/]/.test(real) ? pathModule.win32 : pathModule.posix;
  const dirSt = st ? undefined : await host.stat(p.dirname(real)).catch(() => undefined);
  const describedUid = st?.uid ?? dirSt?.uid;
  const base = { legacyPath: `${real}${LEDGER_SUFFIX}`, describedPath: real, describedUid, describedSize: st?.size ?? 0 };
  const agent = await midAgentDirOf(host, real, p);
  if (agent) {
    const rel = p.relative(agent, real).split(p.sep).join('/');
    return { ...base, path: p.join(agent, 'work', MID_RECORDS_DIR, `${encodeURIComponent(rel)}.json`), file: `agent/${rel}`, agentDir: agent };
  }
  return { ...base, path: base.legacyPath, file: p.basename(real) };
}

/** The `agent/` directory of the MID home holding `real` (one with agent/config.xml), if any. */
async function midAgentDirOf(host: Host, real: string, p: typeof pathModule.posix): Promise<string | undefined> {
  const parts = real.split(p.sep);
  // The innermost `agent` first: a home nested in another is its own MID.
  for (let i = parts.length - 2, tried = 0; i > 0 && tried < 3; i--) {
    if (parts[i] !== 'agent') continue;
    tried++;
    const agent = parts.slice(0, i + 1).join(p.sep) || p.sep;
    if (await host.stat(p.join(agent, 'config.xml')).catch(() => undefined)) return agent;
  }
  return undefined;
}

/**
 * The largest record `loc`'s file can need: twice the file (a store taken over by `exclusive` is
 * copied into its record, base64) plus 1 MiB, never more than a keystore may be. A larger one was
 * not written by midtrust and is refused before a byte of it is read.
 */
export function maxRecordBytes(loc: Pick<RecordLocation, 'describedSize'>): number {
  return Math.min(READ_LIMITS.keystore, RECORD_SLACK_BYTES + 2 * loc.describedSize);
}

/**
 * Reads the ownership record of a file (call it under the file's lock). A record that cannot be
 * trusted is **reported, never acted on**: its claims are not used (deletes then leave every entry
 * in place), and the reason is in `notes`:
 * - larger than the file it describes can need (checked from its size, not read);
 * - not owned by root or by the account owning the described file — a file another account can
 *   write is never trusted about any other file;
 * - not JSON, not a record, naming another file, or claiming more owners than midtrust allows.
 *
 * `fileSha256`, when given, is the described file's digest now: a record written for other bytes
 * is reported (an upgrade, keytool, a restored copy); each claim is then checked entry by entry.
 */
export async function readLedger(host: Host, loc: RecordLocation, fileSha256?: string): Promise<LedgerRead> {
  let from = loc.path;
  let st = await host.stat(loc.path);
  if (!st && loc.legacyPath !== loc.path) {
    from = loc.legacyPath;
    st = await host.stat(loc.legacyPath);
  }
  if (!st) return { ledger: EMPTY_LEDGER, status: 'none', notes: [] };
  const refuse = (why: string): LedgerRead => ({
    ledger: EMPTY_LEDGER,
    status: 'refused',
    notes: [`${onHost(host, from)}: ownership record not used (${why}); its claims are ignored — deletes leave every entry in place; see \`midtrust owners\``],
  });
  const limit = maxRecordBytes(loc);
  if (st.size > limit) return refuse(`${mib(st.size)}, more than the ${mib(limit)} a record of this file can need`);
  if (loc.describedUid !== undefined && st.uid !== 0 && st.uid !== loc.describedUid) {
    return refuse(`owned by uid ${st.uid}, neither root nor the owner of ${loc.describedPath}: a file another account can write says nothing about this one`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await host.readFile(from, { maxBytes: limit, what: 'the ownership record', noFollow: true });
  } catch (e) {
    if (e instanceof MidtrustError && e.code !== 'IO') return refuse(e.message);
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return refuse('it is not JSON: truncated or damaged');
  }
  const checked = validated(parsed, loc, from === loc.legacyPath);
  if (typeof checked === 'string') return refuse(checked);
  const notes: string[] = [];
  if (fileSha256 !== undefined && checked.fileSha256 !== undefined && checked.fileSha256 !== fileSha256) {
    notes.push(`${loc.describedPath} changed since its ownership record was written (an upgrade, keytool, a restored copy of either): each claim is checked against its entry, and one that no longer matches is left alone`);
  }
  return { ledger: checked, status: from === loc.path ? 'ok' : 'legacy', notes, recordUid: st.uid };
}

/**
 * Writes the ownership record atomically, compact, 0600 (it can hold a previous trustStorePassword),
 * or removes it when no claims are left — a destroyed stack leaves nothing behind. A record still
 * at the old place beside the file is removed once the new one is written. Never writes through a
 * link planted where the record goes.
 */
export async function writeLedger(host: Host, loc: RecordLocation, ledger: Ledger): Promise<void> {
  const dir = hostDirname(loc.path);
  const dirExists = loc.agentDir !== undefined && (await host.stat(dir)) !== undefined;
  // Leftovers of a record write that was killed (called under the store's lock, like the store's own temporaries).
  if (dirExists) await host.cleanupStaleTemps(loc.path).catch(() => 0);
  if (Object.keys(ledger.records).length === 0) {
    if (await host.stat(loc.path)) await host.removeFile(loc.path);
    await removeLegacy(host, loc);
    if (dirExists) await host.removeEmptyDirectory(dir).catch(() => false);
    return;
  }
  if (loc.agentDir && !dirExists) {
    // Owned like agent/ (the MID's account can already change every file the record describes); 0700.
    const agent = await host.stat(loc.agentDir);
    await host.makeDirectory(dir, { mode: 0o700, ...(agent ? { owner: { uid: agent.uid, gid: agent.gid } } : {}) });
  }
  const text = JSON.stringify(canonical({ ...ledger, file: loc.file }));
  // replaceFile: an exclusive temporary file renamed over the name, so a link planted there is replaced, never followed.
  await host.replaceFile(loc.path, Buffer.from(`${text}\n`, 'utf8'), { mode: 0o600 });
  await removeLegacy(host, loc);
}

async function removeLegacy(host: Host, loc: RecordLocation): Promise<void> {
  if (loc.legacyPath !== loc.path && (await host.stat(loc.legacyPath))) await host.removeFile(loc.legacyPath);
}

/**
 * Runs the writes of one change to a file that has an ownership record, in the order that
 * survives a crash at any point: claims first (`ledgerBeforeWrite`), then the file itself, then
 * the record without what was given back, stamped with the file's digest as the change left it
 * (`writeFile` returns the digest of what it wrote; `fileSha256Now` is the digest when the file is
 * not written). Call it under the file's lock. `before` is what {@link readLedger} returned: a
 * record at the old place is moved with the first write.
 *
 * @example
 * await commitWithLedger(host, loc, read, after, async () => { await host.writeFileAtomic(store, bytes); return fileDigest(bytes); }, digestBefore);
 */
export async function commitWithLedger(
  host: Host,
  loc: RecordLocation,
  before: LedgerRead,
  after: Ledger,
  writeFile: (() => Promise<string | undefined>) | undefined,
  fileSha256Now?: string,
): Promise<void> {
  const stampOf = (digest: string | undefined): Ledger => (Object.keys(after.records).length > 0 && digest !== undefined ? { ...after, fileSha256: digest } : after);
  let onDisk = before.ledger;
  let moved = before.status !== 'legacy';
  let digest = fileSha256Now;
  if (writeFile) {
    // The claims this change adds go on disk first; what it drops stays there until the file is written.
    const first = ledgerBeforeWrite(before.ledger, stampOf(before.ledger.fileSha256));
    if (!moved || !sameClaims(first, before.ledger)) {
      await writeLedger(host, loc, first);
      onDisk = first;
      moved = true;
    }
    digest = await writeFile();
  }
  const final = stampOf(digest);
  if (!moved || !sameLedger(final, onDisk)) await writeLedger(host, loc, final);
}

/** The same claims (records), whatever the stamps. */
function sameClaims(a: Ledger, b: Ledger): boolean {
  return sameLedger({ version: 2, records: a.records }, { version: 2, records: b.records });
}

/** The directory part of a path in the host's own syntax. */
export function hostDirname(file: string): string {
  return /^[A-Za-z]:[\\/]/.test(file) ? pathModule.win32.dirname(file) : pathModule.posix.dirname(file);
}

/** "25.0 MiB". */
function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** SHA-256 of a file's bytes, as records keep it. */
export function fileDigest(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

/** The parsed record, or why it is not one midtrust wrote for this file. */
function validated(v: unknown, loc: RecordLocation, legacy: boolean): Ledger | string {
  if (typeof v !== 'object' || v === null) return 'no record header';
  const header = v as { version?: unknown; file?: unknown; fileSha256?: unknown; records?: unknown };
  if (header.version !== 1 && header.version !== 2) return 'no version 1 or 2 header';
  // Version 1 records (no `file`) were only ever written beside their file.
  if (header.version === 1 && !legacy) return 'a version 1 record where only version 2 records are written';
  if (header.version === 2 && header.file !== loc.file) return `it describes ${typeof header.file === 'string' ? JSON.stringify(header.file) : 'no file'}, not ${loc.file}`;
  if (header.fileSha256 !== undefined && (typeof header.fileSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(header.fileSha256))) return 'a malformed file digest';
  const records = header.records;
  if (typeof records !== 'object' || records === null || Array.isArray(records)) return 'no records';
  const entries = Object.entries(records as Record<string, unknown>);
  if (entries.length > MAX_RECORDS) return `${entries.length} claims, more than the ${MAX_RECORDS} midtrust ever writes`;
  const out = recordMap();
  for (const [key, rec] of entries) {
    const r = rec as Partial<OwnershipRecord>;
    if (typeof r !== 'object' || r === null || !Array.isArray(r.owners) || !r.owners.every((o) => typeof o === 'string') || !isHeld(r.found) || !isHeld(r.put)) {
      return `record '${key}' is not a claim`;
    }
    if (r.owners.length > MAX_OWNERS_PER_KEY) return `record '${key}' names ${r.owners.length} owners, more than the ${MAX_OWNERS_PER_KEY} midtrust allows`;
    if (r.confirmed !== undefined && (typeof r.confirmed !== 'object' || r.confirmed === null || !Object.values(r.confirmed).every((t) => Number.isSafeInteger(t)))) {
      return `record '${key}' has malformed confirmation times`;
    }
    const confirmed = Object.create(null) as Record<string, number>;
    for (const o of r.owners) if (r.confirmed && Object.prototype.hasOwnProperty.call(r.confirmed, o)) confirmed[o] = r.confirmed[o];
    out[key] = { found: r.found, put: r.put, owners: r.owners, confirmed };
  }
  return { version: 2, file: loc.file, ...(typeof header.fileSha256 === 'string' ? { fileSha256: header.fileSha256 } : {}), records: out };
}

function isHeld(v: unknown): v is HeldValue {
  if (v === null) return true;
  const h = v as { digest?: unknown; data?: unknown; alias?: unknown; timestamp?: unknown };
  return (
    typeof h === 'object' &&
    typeof h.digest === 'string' &&
    typeof h.data === 'string' &&
    (h.alias === undefined || typeof h.alias === 'string') &&
    (h.timestamp === undefined || (typeof h.timestamp === 'number' && isWritableEntryDate(h.timestamp)))
  );
}
