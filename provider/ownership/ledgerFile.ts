import * as pathModule from 'node:path';
import { MidtrustError } from '../errors';
import { onHost, type Host } from '../host/host';
import { READ_LIMITS } from '../host/readLimits';
import { isWritableEntryDate } from '../keystore/entryDate';
import { OWNERSHIP_RECORD_SUFFIX } from '../host/tempFileName';
import { canonical, EMPTY_LEDGER, ledgerBeforeWrite, recordMap, sameLedger, type HeldValue, type Ledger, type OwnershipRecord } from './ownershipLedger';

/** `<file>.midtrust-owners.json`, beside the file it describes (its resolved target for a link). */
export const LEDGER_SUFFIX = OWNERSHIP_RECORD_SUFFIX;
/** As large as the largest keystore it can describe (a store taken over by `exclusive` is copied into it). */
const MAX_LEDGER_BYTES = READ_LIMITS.keystore;

/**
 * Where the ownership record of `file` lives on `host`: beside the file a write really replaces
 * (the target of Debian's cacerts link), so two spellings of one store share one record.
 *
 * @example
 * await ledgerPathFor(new LocalHost(), '/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts');
 * // '/etc/ssl/certs/java/cacerts.midtrust-owners.json'
 */
export async function ledgerPathFor(host: Host, file: string): Promise<string> {
  const st = await host.stat(file);
  return `${st?.realPath ?? file}${LEDGER_SUFFIX}`;
}

/**
 * Reads the ownership record (EMPTY_LEDGER when there is none). Call it under the file's lock.
 * A damaged record is an error, never "no claims": treating it as empty would make the next
 * delete leave behind what it should give back, or give back what others still own.
 */
export async function readLedger(host: Host, ledgerPath: string): Promise<Ledger> {
  if (!(await host.stat(ledgerPath))) return EMPTY_LEDGER;
  // Bounded and never through a link: the record is midtrust's own file, by name.
  const bytes = await host.readFile(ledgerPath, { maxBytes: MAX_LEDGER_BYTES, what: 'the ownership record', noFollow: true });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw damaged(host, ledgerPath, 'it is not JSON');
  }
  return validated(parsed, (why) => damaged(host, ledgerPath, why));
}

/**
 * Writes the ownership record atomically, 0600 (it can hold a previous trustStorePassword), or
 * removes it when no claims are left — a destroyed stack leaves nothing behind. Never writes
 * through a link planted where the record goes.
 */
export async function writeLedger(host: Host, ledgerPath: string, ledger: Ledger): Promise<void> {
  if (Object.keys(ledger.records).length === 0) {
    if (await host.stat(ledgerPath)) await host.removeFile(ledgerPath);
    return;
  }
  // replaceFile: an exclusive temporary file renamed over the name, so a link planted there is replaced, never followed.
  await host.replaceFile(ledgerPath, Buffer.from(`${JSON.stringify(canonical(ledger), null, 1)}\n`, 'utf8'), { mode: 0o600 });
}

/**
 * Runs the writes of one change to a file that has an ownership record, in the order that
 * survives a crash at any point: claims first (`ledgerBeforeWrite`), then the file itself, then
 * the record without what was given back. Call it under the file's lock.
 *
 * @example
 * await commitWithLedger(host, ledgerPath, before, after, () => host.writeFileAtomic(store, bytes, { verify }));
 */
export async function commitWithLedger(host: Host, ledgerPath: string, before: Ledger, after: Ledger, writeFile: (() => Promise<void>) | undefined): Promise<void> {
  const first = ledgerBeforeWrite(before, after);
  if (!sameLedger(first, before)) await writeLedger(host, ledgerPath, first);
  if (writeFile) await writeFile();
  if (!sameLedger(after, first)) await writeLedger(host, ledgerPath, after);
}

/** The directory part of a path in the host's own syntax. */
export function hostDirname(file: string): string {
  return /^[A-Za-z]:[\\/]/.test(file) ? pathModule.win32.dirname(file) : pathModule.posix.dirname(file);
}

function damaged(host: Host, ledgerPath: string, why: string): MidtrustError {
  return new MidtrustError(
    'CORRUPT',
    `${onHost(host, ledgerPath)}: the ownership record is damaged (${why}); midtrust will not guess what its Pulumi resources own — restore it from a backup, or move it away to let deletes leave every entry in place`,
  );
}

function validated(v: unknown, fail: (why: string) => MidtrustError): Ledger {
  if (typeof v !== 'object' || v === null || (v as { version?: unknown }).version !== 1) throw fail('no version 1 header');
  const records = (v as { records?: unknown }).records;
  if (typeof records !== 'object' || records === null || Array.isArray(records)) throw fail('no records');
  const out = recordMap();
  for (const [key, rec] of Object.entries(records as Record<string, unknown>)) {
    const r = rec as Partial<OwnershipRecord>;
    if (typeof r !== 'object' || r === null || !Array.isArray(r.owners) || !r.owners.every((o) => typeof o === 'string') || !isHeld(r.found) || !isHeld(r.put)) {
      throw fail(`record '${key}' is not a claim`);
    }
    out[key] = { found: r.found, put: r.put, owners: r.owners };
  }
  return { version: 1, records: out };
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
