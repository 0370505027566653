import { TAG, type Tlv } from '../asn1/derReader';
import { MidtrustError } from '../errors';

/** YYMMDDhhmm[ss](Z|±hhmm); GeneralizedTime has a 4-digit year and an optional fraction. */
const UTC_TIME = /^(?<year>\d{2})(?<month>\d{2})(?<day>\d{2})(?<hour>\d{2})(?<minute>\d{2})(?<second>\d{2})?(?<zone>Z|[+-]\d{4})$/;
const GENERALIZED_TIME = /^(?<year>\d{4})(?<month>\d{2})(?<day>\d{2})(?<hour>\d{2})(?<minute>\d{2})(?<second>\d{2})?(?:[.,](?<fraction>\d+))?(?<zone>Z|[+-]\d{4})$/;

/**
 * A certificate validity time. UTCTime years follow RFC 5280 (YY < 50 is 20YY, else 19YY);
 * GeneralizedTime keeps fractions to the millisecond. Offsets other than Z are not DER but Java
 * reads them, so we do too.
 *
 * @example
 * decodeTime(der, notAfterTlv) // 2035-01-01T00:00:00.000Z
 */
export function decodeTime(bytes: Uint8Array, t: Tlv | undefined): Date {
  if (!t || (t.tag !== TAG.UTC_TIME && t.tag !== TAG.GENERALIZED_TIME)) {
    throw new MidtrustError('CORRUPT', `expected a UTCTime or GeneralizedTime at byte ${t?.start ?? 'end of validity'}`, t ? { offset: t.start } : {});
  }
  const length = t.end - t.contentStart;
  // One native decode and match per time: a CLI run reads every certificate of a store once,
  // mostly in V8's interpreter, where a loop per digit costs several times more.
  const text =
    length <= 64
      ? String.fromCharCode.apply(null, bytes.subarray(t.contentStart, t.end) as unknown as number[])
      : Buffer.from(bytes.buffer, bytes.byteOffset + t.contentStart, length).toString('latin1');
  const bad = (): never => {
    throw new MidtrustError('CORRUPT', `unreadable time '${text.slice(0, 40)}' at byte ${t.start}`, { offset: t.start });
  };
  const g = (t.tag === TAG.UTC_TIME ? UTC_TIME : GENERALIZED_TIME).exec(text)?.groups;
  if (!g) return bad();
  let year = Number(g.year);
  if (t.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const month = Number(g.month);
  const day = Number(g.day);
  const hour = Number(g.hour);
  const minute = Number(g.minute);
  const second = g.second === undefined ? 0 : Number(g.second);
  // A fraction is cut to the millisecond.
  const millis = g.fraction === undefined ? 0 : Number(g.fraction.slice(0, 3).padEnd(3, '0'));
  const zone = g.zone;
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) bad();
  // setUTCFullYear, not Date.UTC, which would map GeneralizedTime years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  return date;
}
