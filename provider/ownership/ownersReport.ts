import { MidtrustError } from '../errors';
import type { Host } from '../host/host';
import { withKeystoreLock } from '../host/keystoreMutex';
import { readKeystore } from '../keystore/keystoreCodec';
import { findEntry, type Keystore } from '../keystore/model';
import { sniffKeystoreType } from '../keystore/sniff';
import { heldBy } from './keystoreClaims';
import { readLedger, recordLocation, writeLedger } from './ledgerFile';
import { pruneOwner, sameValue, type HeldValue } from './ownershipLedger';

/** One owner of one claimed key, as `midtrust owners` shows it. */
export interface OwnerView {
  readonly id: string;
  /** When a create, update or refresh of that resource last confirmed the claim (ISO 8601), or null (a record from before confirmations). */
  readonly confirmed: string | null;
  /** True when this owner looks gone (see {@link describeOwners}); `reason` says why. */
  readonly stale: boolean;
  readonly reason: string | null;
}

/** One claimed key (an alias, a config.xml parameter, the javax.net.ssl lines, …). */
export interface ClaimView {
  readonly key: string;
  /** SHA-256 of what the key held before the first claim (null: it was free). */
  readonly found: string | null;
  /** SHA-256 of what the owners keep there (null: kept free by `exclusive`). */
  readonly put: string | null;
  /** For a keystore: true when the entry is still what the owners put there (digest and creation date); null when not known (a text file, an unreadable store). */
  readonly matches: boolean | null;
  readonly owners: readonly OwnerView[];
}

/** What `midtrust owners` reports about one file. */
export interface OwnersView {
  readonly file: string;
  readonly record: string;
  /** `none`, `ok`, `legacy` (still beside the file; moved on the next write by a resource), `refused`. */
  readonly status: 'none' | 'ok' | 'legacy' | 'refused';
  readonly notes: readonly string[];
  readonly claims: readonly ClaimView[];
}

/** Options of {@link describeOwners}. */
export interface DescribeOwnersOptions {
  /** Store password (JKS/JCEKS are read unverified without one, like keytool). */
  readonly password?: string;
  /** An owner not confirmed within this long of the newest confirmation on the file is stale. */
  readonly staleAfterMs: number;
}

/**
 * Who owns what in one file's ownership record, and which owners look gone:
 * - the entry no longer holds what the owners put there (changed by hand, or given up), or
 * - the owner was not confirmed within `staleAfterMs` of the newest confirmation of any owner on
 *   the same file — every `pulumi up` and `pulumi refresh` confirms a resource's claims, so an
 *   owner that falls behind the others is one whose resource left its stack without a delete
 *   (`pulumi state delete`) or whose stack is no longer run.
 * Judged against the newest confirmation, not the clock, so a record nobody touched for months
 * does not turn every owner stale.
 *
 * @example
 * const view = await describeOwners(new LocalHost(), '/opt/mid/agent/jre/lib/security/cacerts', { staleAfterMs: 30 * 86400_000 });
 */
export async function describeOwners(host: Host, file: string, opts: DescribeOwnersOptions): Promise<OwnersView> {
  const loc = await recordLocation(host, file);
  const { store, note } = await readStoreIfKeystore(host, file, opts.password);
  const read = await readLedger(host, loc);
  const newest = Math.max(0, ...Object.values(read.ledger.records).flatMap((r) => Object.values(r.confirmed ?? {})));
  const claims: ClaimView[] = Object.keys(read.ledger.records)
    .sort()
    .map((key) => {
      const rec = read.ledger.records[key];
      const matches = store ? sameValue(heldBy(findEntry(store, key)), rec.put) : null;
      const owners = rec.owners.map((id): OwnerView => {
        const at = rec.confirmed?.[id];
        const behind = at !== undefined && newest - at > opts.staleAfterMs;
        const reason = matches === false ? 'the entry changed since it was put there' : behind ? `not confirmed for ${days(newest - at)} while other owners were` : null;
        return { id, confirmed: at === undefined ? null : new Date(at).toISOString(), stale: reason !== null, reason };
      });
      return { key, found: digestOf(rec.found), put: digestOf(rec.put), matches, owners };
    });
  return { file: loc.describedPath, record: read.status === 'legacy' ? loc.legacyPath : loc.path, status: read.status, notes: note ? [...read.notes, note] : read.notes, claims };
}

/** What {@link pruneOwnerClaims} removed. */
export interface PruneResult {
  readonly file: string;
  readonly record: string;
  readonly owner: string;
  /** The keys the owner claimed. */
  readonly keys: readonly string[];
  /** Keys it owned alone: their records are gone, the entries stay as they are (nobody's now). */
  readonly released: readonly string[];
}

/**
 * Removes one owner's claims from a file's ownership record (after `pulumi state delete` of its
 * resource): nothing in the file itself changes — an entry only that owner claimed simply stays,
 * no longer anybody's. Under the file's lock. NOT_FOUND when the owner has no claim there; a
 * record midtrust does not use (refused) is not touched.
 *
 * @example
 * await pruneOwnerClaims(new LocalHost(), cacerts, '3f0c2a4e-…');
 */
export async function pruneOwnerClaims(host: Host, file: string, owner: string): Promise<PruneResult> {
  return withKeystoreLock(host, file, async () => {
    const loc = await recordLocation(host, file);
    const read = await readLedger(host, loc);
    if (read.status === 'refused') throw new MidtrustError('INVALID_INPUT', `${read.notes.join('; ')}; prune works on records midtrust uses only — move this one away instead`);
    const { ledger, keys } = pruneOwner(read.ledger, owner);
    if (keys.length === 0) {
      const known = [...new Set(Object.values(read.ledger.records).flatMap((r) => r.owners))].sort();
      throw new MidtrustError('NOT_FOUND', `${loc.describedPath}: owner ${owner} claims nothing here${known.length ? `; its owners are ${known.join(', ')}` : ' (the file has no claims)'}; list them with midtrust owners`);
    }
    await writeLedger(host, loc, ledger);
    const released = keys.filter((k) => !Object.prototype.hasOwnProperty.call(ledger.records, k));
    return { file: loc.describedPath, record: loc.path, owner, keys, released };
  });
}

/** The store's model when the file is a keystore (unverified without a password); none for text files, a note for a store that cannot be read. */
async function readStoreIfKeystore(host: Host, file: string, password: string | undefined): Promise<{ store?: Keystore; note?: string }> {
  if (!(await host.stat(file))) return { note: `${file} does not exist: claims cannot be compared with it` };
  const bytes = await host.readFile(file);
  try {
    sniffKeystoreType(bytes);
  } catch {
    return {}; // config.xml, wrapper-override.conf
  }
  try {
    return { store: readKeystore(bytes, { password }) };
  } catch (e) {
    if (!(e instanceof MidtrustError)) throw e;
    return { note: `${file}: ${e.message}; claims are listed without comparing them with the entries` };
  }
}

function digestOf(v: HeldValue): string | null {
  return v === null ? null : v.digest;
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return d >= 1 ? `${Math.floor(d)} days` : `${Math.round(ms / 1000)} s`;
}
