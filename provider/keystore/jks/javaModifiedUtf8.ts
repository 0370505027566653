import { MidtrustError } from '../../errors';

/**
 * Java's *modified* UTF-8 (DataOutput.writeUTF), used for JKS/JCEKS aliases and type strings:
 * U+0000 is written as C0 80, and a supplementary character as its two UTF-16 surrogates, each
 * encoded as three bytes (an emoji becomes ED A0 BD ED B8 80, not F0 9F 98 80).
 *
 * @example
 * encodeModifiedUtf8('é') // Uint8Array [0xc3, 0xa9]
 */
export function encodeModifiedUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i); // UTF-16 code unit: surrogates are encoded one by one, on purpose
    if (c >= 0x01 && c <= 0x7f) out.push(c);
    else if (c <= 0x7ff) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Decodes modified UTF-8; malformed input is a CORRUPT error at `offset` (DataInput.readUTF throws too). */
export function decodeModifiedUtf8(b: Uint8Array, offset = 0): string {
  // Pure ASCII (nearly every alias): one fast path.
  let ascii = true;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0 || b[i] > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return String.fromCharCode(...b);
  const units: number[] = [];
  const bad = (i: number): never => {
    throw new MidtrustError('CORRUPT', `malformed modified UTF-8 string at byte ${offset + i}`, { offset: offset + i });
  };
  for (let i = 0; i < b.length; ) {
    const x = b[i];
    if (x === 0) bad(i);
    if (x < 0x80) {
      units.push(x);
      i += 1;
    } else if ((x & 0xe0) === 0xc0) {
      if (i + 1 >= b.length || (b[i + 1] & 0xc0) !== 0x80) bad(i);
      units.push(((x & 0x1f) << 6) | (b[i + 1] & 0x3f));
      i += 2;
    } else if ((x & 0xf0) === 0xe0) {
      if (i + 2 >= b.length || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) bad(i);
      units.push(((x & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f));
      i += 3;
    } else {
      bad(i);
    }
  }
  let s = '';
  for (let i = 0; i < units.length; i += 8192) s += String.fromCharCode(...units.slice(i, i + 8192));
  return s;
}
