import { readTlv } from '../../provider/asn1/derReader';
import { decodeTime } from '../../provider/certificate/derTime';
import { MidtrustError } from '../../provider/errors';

const UTC = 0x17;
const GENERALIZED = 0x18;

/** A DER time element holding `text`. */
function time(tag: number, text: string): { bytes: Uint8Array; tlv: ReturnType<typeof readTlv> } {
  const bytes = Uint8Array.from([tag, text.length, ...Buffer.from(text, 'latin1')]);
  return { bytes, tlv: readTlv(bytes, 0) };
}

describe('decodeTime', () => {
  it.each([
    ['UTCTime, year < 50 is 20YY', UTC, '491231235959Z', '2049-12-31T23:59:59.000Z'],
    ['UTCTime, year >= 50 is 19YY', UTC, '500101000000Z', '1950-01-01T00:00:00.000Z'],
    ['UTCTime without seconds', UTC, '3001010000Z', '2030-01-01T00:00:00.000Z'],
    ['UTCTime with a positive offset', UTC, '300101010000+0130', '2029-12-31T23:30:00.000Z'],
    ['UTCTime with a negative offset', UTC, '300101000000-0200', '2030-01-01T02:00:00.000Z'],
    ['GeneralizedTime', GENERALIZED, '20500101000000Z', '2050-01-01T00:00:00.000Z'],
    ['GeneralizedTime, one fraction digit', GENERALIZED, '20300101000000.5Z', '2030-01-01T00:00:00.500Z'],
    ['GeneralizedTime, fraction cut to the millisecond', GENERALIZED, '20300101000000.123999Z', '2030-01-01T00:00:00.123Z'],
    ['GeneralizedTime, comma as decimal mark', GENERALIZED, '20300101000000,25Z', '2030-01-01T00:00:00.250Z'],
    ['GeneralizedTime, year < 100 stays as written', GENERALIZED, '00990101000000Z', '0099-01-01T00:00:00.000Z'],
  ])('%s', (_name, tag, text, want) => {
    const { bytes, tlv } = time(tag, text);
    expect(decodeTime(bytes, tlv).toISOString()).toBe(want);
  });

  it.each([
    ['letters', UTC, '30010100000AZ'],
    ['no zone', GENERALIZED, '20300101000000'],
    ['month 13', UTC, '301301000000Z'],
    ['day 0', UTC, '300100000000Z'],
    ['hour 24', UTC, '300101240000Z'],
    ['one seconds digit', UTC, '30010100000Z'],
    ['a fraction in a UTCTime', UTC, '300101000000.1Z'],
    ['an empty fraction', GENERALIZED, '20300101000000.Z'],
    ['trailing bytes', UTC, '300101000000Zx'],
    ['a 2-digit year in a GeneralizedTime', GENERALIZED, '300101000000Z'],
  ])('refuses %s as CORRUPT, quoting the text', (_name, tag, text) => {
    const { bytes, tlv } = time(tag, text);
    let error: unknown;
    try {
      decodeTime(bytes, tlv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MidtrustError);
    expect((error as MidtrustError).code).toBe('CORRUPT');
    expect((error as MidtrustError).message).toContain(`'${text}'`);
  });
});
