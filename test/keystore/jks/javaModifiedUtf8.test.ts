import { decodeModifiedUtf8, encodeModifiedUtf8 } from '../../../provider/keystore/jks/javaModifiedUtf8';

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
  it.each([['ff'], ['c3'], ['e697'], ['80'], ['f09f9880'], ['c341']])('rejects malformed %s as CORRUPT', (hex) => {
    expect(() => decodeModifiedUtf8(Buffer.from(hex, 'hex'), 10)).toThrow(expect.objectContaining({ code: 'CORRUPT', offset: 10 }));
  });
  it('reads a raw 00 byte as U+0000, as DataInputStream.readUTF does', () => {
    expect(decodeModifiedUtf8(Buffer.from('610062', 'hex'))).toBe('a\u0000b');
  });
  it('round-trips every BMP code unit, lone surrogates included', () => {
    let all = '';
    for (let c = 0; c < 0x10000; c++) all += String.fromCharCode(c);
    const enc = encodeModifiedUtf8(all);
    expect(enc.includes(0)).toBe(false);
    expect(decodeModifiedUtf8(enc)).toBe(all);
  });
});
