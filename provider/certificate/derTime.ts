import { TAG, type Tlv } from '../asn1/derReader';
import { MidtrustError } from '../errors';

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
  const bad = (): never => {
    const text = Buffer.from(bytes.subarray(t.contentStart, Math.min(t.end, t.contentStart + 40))).toString('latin1');
    throw new MidtrustError('CORRUPT', `unreadable time '${text}' at byte ${t.start}`, { offset: t.start });
  };
  // Hand-parsed digits: a regex and a string per time cost more than the rest of a certificate.
  let p = t.contentStart;
  const digits = (n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++, p++) {
      const d = p < t.end ? bytes[p] - 0x30 : -1;
      if (d < 0 || d > 9) bad();
      v = v * 10 + d;
    }
    return v;
  };
  const isDigit = (): boolean => p < t.end && bytes[p] >= 0x30 && bytes[p] <= 0x39;
  let year = t.tag === TAG.UTC_TIME ? digits(2) : digits(4);
  if (t.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const month = digits(2);
  const day = digits(2);
  const hour = digits(2);
  const minute = digits(2);
  const second = isDigit() ? digits(2) : 0;
  let millis = 0;
  if (t.tag === TAG.GENERALIZED_TIME && p < t.end && (bytes[p] === 0x2e || bytes[p] === 0x2c)) {
    p++;
    if (!isDigit()) bad();
    for (let scale = 100; isDigit(); p++, scale /= 10) millis += (bytes[p] - 0x30) * scale;
    millis = Math.floor(millis);
  }
  let offsetMinutes = 0;
  if (p < t.end && (bytes[p] === 0x2b || bytes[p] === 0x2d)) {
    const sign = bytes[p++] === 0x2d ? -1 : 1;
    offsetMinutes = sign * (digits(2) * 60 + digits(2));
  } else if (bytes[p++] !== 0x5a || p > t.end) {
    bad(); // neither Z nor an offset
  }
  if (p !== t.end || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) bad();
  // setUTCFullYear, not Date.UTC, which would map GeneralizedTime years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);
  return date;
}
