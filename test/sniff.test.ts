import { sniffKeystoreType } from '../provider/keystore/sniff';
import { MidtrustError } from '../provider/errors';
import { ByteReader } from '../provider/keystore/byteReader';

describe('sniffKeystoreType', () => {
  const cases: Array<{ name: string; bytes: number[]; want: string | { code: string } }> = [
    { name: 'JKS magic', bytes: [0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2], want: 'JKS' },
    { name: 'JCEKS magic', bytes: [0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2], want: 'JCEKS' },
    { name: 'PKCS12 short length', bytes: [0x30, 0x10, 0x02, 0x01, 0x03], want: 'PKCS12' },
    { name: 'PKCS12 long length', bytes: [0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03], want: 'PKCS12' },
    { name: 'DER but not a PFX', bytes: [0x30, 0x03, 0x02, 0x01, 0x01], want: { code: 'UNSUPPORTED' } },
    { name: 'PEM text', bytes: [...Buffer.from('-----BEGIN')], want: { code: 'UNSUPPORTED' } },
    { name: 'empty', bytes: [], want: { code: 'CORRUPT' } },
  ];
  it.each(cases)('$name', ({ bytes, want }) => {
    if (typeof want === 'string') {
      expect(sniffKeystoreType(Uint8Array.from(bytes))).toBe(want);
    } else {
      expect(() => sniffKeystoreType(Uint8Array.from(bytes))).toThrow(MidtrustError);
      try {
        sniffKeystoreType(Uint8Array.from(bytes));
      } catch (e) {
        expect((e as MidtrustError).code).toBe(want.code);
      }
    }
  });
});

describe('ByteReader', () => {
  it('refuses a length larger than what is left, naming the offset', () => {
    const r = new ByteReader(Uint8Array.from([0, 0, 0, 1, 9]));
    expect(r.u32('count')).toBe(1);
    expect(() => r.bytesView(1000, 'certificate')).toThrow(/expected certificate \(1000 bytes\) at byte 4, but only 1 bytes remain/);
  });
  it('reads 64-bit timestamps exactly', () => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(1764201600123n);
    expect(new ByteReader(b).i64('timestamp')).toBe(1764201600123);
  });
});
