import { MidtrustError } from '../../errors';

const NON_ASCII = /[\x80-\xff]/;
const BEYOND_ASCII = /[\u0080-\uffff]/;

/**
 * Java's *modified* UTF-8 (`DataOutput.writeUTF`), used for JKS/JCEKS aliases and certificate
 * type strings: U+0000 is written as C0 80, and a supplementary character as its two UTF-16
 * surrogates, each encoded as three bytes (an emoji becomes ED A0 BD ED B8 80, not F0 9F 98 80).
 * The u16 length prefix is the caller's business.
 *
 * @example
 * encodeModifiedUtf8('é') // Uint8Array [0xc3, 0xa9]
 * encodeModifiedUtf8('😀') // Uint8Array [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]
 */
export function encodeModifiedUtf8(s: string): Uint8Array {
  // ASCII without U+0000 (nearly every alias) is its own encoding: one native copy.
  if (!BEYOND_ASCII.test(s) && !s.includes('\u0000')) return new Uint8Array(Buffer.from(s, 'latin1'));
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c >= 0x01 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    // UTF-16 code units, not code points: surrogates are encoded one by one, as Java does.
    const c = s.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) {
      out[o++] = c;
    } else if (c <= 0x7ff) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

/**
 * Decodes modified UTF-8 exactly as `DataInputStream.readUTF` does, so midtrust reads every alias
 * Java reads: like Java it also accepts a raw 00 byte and over-long forms (which Java never
 * writes), and rejects what Java rejects — a stray continuation byte, a 4-byte (F0..FF) lead, a
 * sequence cut short or a bad continuation byte — as CORRUPT at `offset` + the index of the
 * sequence's first byte.
 *
 * @example
 * decodeModifiedUtf8(Uint8Array.of(0x61, 0xc0, 0x80)) // 'a\u0000'
 */
export function decodeModifiedUtf8(b: Uint8Array, offset = 0): string {
  // Nearly every alias is ASCII: one native decode and one native search, no per-byte work in
  // JavaScript (a store is read once per CLI run, mostly in V8's interpreter).
  const text = b.length <= 4096 ? String.fromCharCode.apply(null, b as unknown as number[]) : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  const firstNonAscii = text.search(NON_ASCII);
  if (firstNonAscii === -1) return text;
  let i = firstNonAscii;
  const units = new Uint16Array(b.length);
  for (let k = 0; k < i; k++) units[k] = b[k];
  let n = i;
  const bad = (at: number, why: string): never => {
    throw new MidtrustError('CORRUPT', `malformed modified UTF-8 string at byte ${offset + at}: ${why}`, { offset: offset + at });
  };
  while (i < b.length) {
    const x = b[i];
    switch (x >> 4) {
      case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
        units[n++] = x;
        i += 1;
        break;
      case 12: case 13:
        if (i + 1 >= b.length) bad(i, 'a 2-byte sequence is cut short by the end of the string');
        if ((b[i + 1] & 0xc0) !== 0x80) bad(i, 'expected a continuation byte (10xxxxxx) after it');
        units[n++] = ((x & 0x1f) << 6) | (b[i + 1] & 0x3f);
        i += 2;
        break;
      case 14:
        if (i + 2 >= b.length) bad(i, 'a 3-byte sequence is cut short by the end of the string');
        if ((b[i + 1] & 0xc0) !== 0x80) bad(i, 'expected two continuation bytes (10xxxxxx) after it');
        if ((b[i + 2] & 0xc0) !== 0x80) bad(i, 'expected two continuation bytes (10xxxxxx) after it');
        units[n++] = ((x & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
        i += 3;
        break;
      default:
        bad(i, `byte 0x${x.toString(16)} cannot start a character (Java writes no 4-byte forms)`);
    }
  }
  let s = '';
  // fromCharCode takes its arguments on the stack: decode in chunks well under V8's limit.
  for (let k = 0; k < n; k += 8192) s += String.fromCharCode(...units.subarray(k, Math.min(n, k + 8192)));
  return s;
}
