import type { KeystoreEntry } from './model';

/** The farthest a JavaScript Date reaches from 1970, either way: 100,000,000 days (ECMA-262). */
export const MAX_DATE_MS = 8.64e15;

/**
 * Whether `ms` is an entry date midtrust may write: a whole number of milliseconds a JavaScript
 * Date can hold. A store can carry any 64-bit value (keytool lists year 292278994); midtrust
 * keeps such a date byte-for-byte in an entry it does not touch, but never writes one itself.
 *
 * @example
 * isWritableEntryDate(Date.now()); // true
 * isWritableEntryDate(2 ** 62); // false
 */
export function isWritableEntryDate(ms: number | undefined): ms is number {
  return ms !== undefined && Number.isSafeInteger(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

/** How a listing shows an entry's creation date. */
export interface EntryDateText {
  /** ISO 8601, or null when the format stores none or the date lies outside what a Date can show. */
  readonly created: string | null;
  /** The exact stored milliseconds since 1970 (decimal), only when `created` cannot show them. */
  readonly createdMs?: string;
}

/**
 * The creation date of an entry for `ls`: ISO 8601 when a JavaScript Date can hold it, else the
 * exact stored milliseconds (keytool shows such dates as e.g. "Aug 17, 292278994").
 *
 * @example
 * entryDateText({ ...entry, timestamp: 0 }).created; // '1970-01-01T00:00:00.000Z'
 */
export function entryDateText(entry: KeystoreEntry): EntryDateText {
  const ms = entry.timestamp;
  if (ms === undefined) return { created: null };
  if (Math.abs(ms) <= MAX_DATE_MS) return { created: new Date(ms).toISOString() };
  // Beyond 2^53 a number is not exact; the JKS codec keeps the 8 stored bytes for such dates.
  const bytes = (entry.codecData as { timestampBytes?: Uint8Array } | undefined)?.timestampBytes;
  const exact = bytes?.length === 8 ? Buffer.from(bytes).readBigInt64BE(0) : BigInt(Math.trunc(ms));
  return { created: null, createdMs: exact.toString() };
}
