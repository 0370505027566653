import { TAG, type Tlv } from '../asn1/derReader';

const REPLACEMENT = '\ufffd';
const GENERAL_STRING = 0x1b;

/**
 * The text of a name attribute value, decoded as Java's `DerValue.getAsString()` does, or
 * undefined for the types Java does not treat as strings (it then prints `#<hex>`). Java decodes
 * PrintableString, IA5String and GeneralString as US-ASCII (a byte ≥ 0x80 becomes U+FFFD),
 * TeletexString as ISO-8859-1, and replaces malformed UTF-8/16/32 exactly as Java does (each
 * decoder below says where that differs from the obvious); VisibleString
 * and NumericString are *not* strings to Java — keytool prints them as hex, and so do we.
 *
 * @example
 * decodeDirectoryString(der, valueTlv) // 'ACME Root CA'
 */
export function decodeDirectoryString(bytes: Uint8Array, t: Tlv): string | undefined {
  switch (t.tag) {
    case TAG.UTF8_STRING:
      return utf8(bytes, t.contentStart, t.end);
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case GENERAL_STRING:
      return ascii(bytes, t.contentStart, t.end);
    case TAG.T61_STRING:
      return latin1(bytes, t.contentStart, t.end);
    case TAG.BMP_STRING:
      return utf16be(bytes, t.contentStart, t.end);
    case TAG.UNIVERSAL_STRING:
      return utf32be(bytes, t.contentStart, t.end);
    default:
      return undefined;
  }
}

/**
 * The bytes as ISO-8859-1 text in one native call. `midtrust ls` runs once per process, mostly
 * in V8's interpreter, where a loop per character cost more than everything else a certificate
 * needs; a Buffer view plus toString per value is dearer than this for the short values of names.
 */
function latin1(b: Uint8Array, start: number, end: number): string {
  // fromCharCode takes its arguments on the stack: a long value goes through a Buffer instead.
  if (end - start > 4096) return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

const NON_ASCII = /[\x80-\xff]/;
const NON_ASCII_ALL = /[\x80-\xff]/g;

/** UTF-8 with an ASCII fast path: names are nearly always ASCII. */
function utf8(b: Uint8Array, start: number, end: number): string {
  const s = latin1(b, start, end);
  return NON_ASCII.test(s) ? utf8Java(b, start, end) : s;
}

/**
 * Java's UTF-8 decoder replaces malformed input as WHATWG's (Buffer's) does, except for an
 * encoded surrogate (`ED A0..BF`, CESU-8): Java reads it as one 3-byte unit (2 when the third
 * byte is not a continuation) and writes a single U+FFFD, Buffer writes one per byte. `ED` is
 * never a continuation byte, so decoding the stretches between such units separately is exact.
 */
function utf8Java(b: Uint8Array, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = b.indexOf(0xed, start); i !== -1 && i + 1 < end; i = b.indexOf(0xed, i + 1)) {
    if (b[i + 1] < 0xa0 || b[i + 1] > 0xbf) continue;
    out += Buffer.from(b.buffer, b.byteOffset + from, i - from).toString('utf8') + REPLACEMENT;
    i += i + 2 < end && (b[i + 2] & 0xc0) === 0x80 ? 2 : 1;
    from = i + 1;
  }
  return out + Buffer.from(b.buffer, b.byteOffset + from, end - from).toString('utf8');
}

function ascii(b: Uint8Array, start: number, end: number): string {
  return latin1(b, start, end).replace(NON_ASCII_ALL, REPLACEMENT);
}

/**
 * Java's UTF-16BE decoder: a high surrogate always takes the next unit with it — a pair, or one
 * U+FFFD for both when the next unit is not a low surrogate — and a high surrogate with less than
 * a whole unit after it ends the string as one U+FFFD. A byte order mark is kept (U+FEFF).
 */
function utf16be(b: Uint8Array, start: number, end: number): string {
  let s = '';
  let i = start;
  while (end - i >= 2) {
    const c = (b[i] << 8) | b[i + 1];
    if (c >= 0xd800 && c <= 0xdbff) {
      if (end - i < 4) return s + REPLACEMENT;
      const next = (b[i + 2] << 8) | b[i + 3];
      s += next >= 0xdc00 && next <= 0xdfff ? String.fromCharCode(c, next) : REPLACEMENT;
      i += 4;
    } else {
      s += c >= 0xdc00 && c <= 0xdfff ? REPLACEMENT : String.fromCharCode(c);
      i += 2;
    }
  }
  if (i < end) s += REPLACEMENT; // an odd trailing byte
  return s;
}

/**
 * Java's UTF-32BE decoder: drops a leading byte order mark (only there), keeps surrogate code
 * points as UTF-16 units (a lone one stays lone in the Java String, and keytool's console shows
 * it as '?'), replaces code points above U+10FFFF and a trailing partial unit with U+FFFD.
 */
function utf32be(b: Uint8Array, start: number, end: number): string {
  let s = '';
  let i = start;
  if (end - i >= 4 && b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 0xfe && b[i + 3] === 0xff) i += 4;
  for (; i + 3 < end; i += 4) {
    const cp = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    s += cp > 0x10ffff ? REPLACEMENT : cp > 0xffff ? String.fromCodePoint(cp) : String.fromCharCode(cp);
  }
  if (i < end) s += REPLACEMENT;
  return s;
}
