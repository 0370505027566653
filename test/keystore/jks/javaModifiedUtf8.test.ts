import { decodeModifiedUtf8, encodeModifiedUtf8 } from '../../../provider/keystore/jks/javaModifiedUtf8';
import { MidtrustError } from '../../../provider/errors';

describe('Java modified UTF-8', () => {
  const cases: Array<{ name: string; text: string; hex: string }> = [
    { name: 'ASCII', text: 'acme-root', hex: '61636d652d726f6f74' },
    { name: 'Latin-1', text: 'é', hex: 'c3a9' },
    { name: 'CJK', text: '日本', hex: 'e697a5e69cac' },
    { name: 'emoji as surrogate pair', text: '😀', hex: 'eda0bdedb880' },
    { name: 'U+0000 as C0 80', text: 'a\u0000b', hex: '61c08062' },
  ];
  it.each(cases)('$name', ({ text, hex }) => {
    expect(Buffer.from(encodeModifiedUtf8(text)).toString('hex')).toBe(hex);
    expect(decodeModifiedUtf8(Buffer.from(hex, 'hex'))).toBe(text);
  });
  it.each([['ff'], ['c3'], ['e697'], ['00']])('rejects malformed %s as CORRUPT', (hex) => {
    expect(() => decodeModifiedUtf8(Buffer.from(hex, 'hex'))).toThrow(MidtrustError);
  });
});
