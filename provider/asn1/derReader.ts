import { MidtrustError } from '../errors';

/**
 * A minimal DER/BER TLV walker. It records offsets only (no object tree), which is what reading a
 * 144-certificate PKCS#12 SafeContents or pulling a few fields out of a certificate needs: asn1js
 * builds a full tree for every node (and stops at 10000 nodes by default), which FACTS.md measured
 * at seconds for a cacerts-sized PKCS#12. Every length is checked against the enclosing element.
 */
export interface Tlv {
  /** The identifier octet (class, constructed bit, tag number < 31). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset one past the last content byte (and of the whole element). */
  readonly end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function malformed(what: string, msg: string, at: number, limit: number): never {
  throw new MidtrustError(at >= limit ? 'TRUNCATED' : 'CORRUPT', `${what}: ${msg} at byte ${at}`, { offset: at });
}

/** Reads the element starting at `offset`, which must end at or before `limit`. */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length, what = 'DER element'): Tlv {
  // No closure per call: this runs for every element of every certificate a CLI run reads.
  if (offset >= limit) malformed(what, 'expected a tag', offset, limit);
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) malformed(what, 'multi-byte tags are not used by keystores', offset, limit);
  let p = offset + 1;
  if (p >= limit) malformed(what, 'expected a length', p, limit);
  let len = bytes[p++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) malformed(what, 'indefinite lengths are not supported (the file is BER, not DER)', p - 1, limit);
    if (n > 4) malformed(what, `a ${n}-byte length is larger than any keystore`, p - 1, limit);
    if (p + n > limit) malformed(what, 'length octets run past the end', p, limit);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[p++];
  }
  if (p + len > limit) {
    throw new MidtrustError('TRUNCATED', `${what}: element at byte ${offset} claims ${len} bytes but only ${limit - p} remain`, {
      offset,
    });
  }
  return { tag, start: offset, contentStart: p, end: p + len };
}

/** The direct children of a constructed element. */
export function children(bytes: Uint8Array, parent: Tlv, what = 'DER element'): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const t = readTlv(bytes, p, parent.end, what);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** Checks the tag and returns the element, or throws CORRUPT naming what was expected. */
export function expectTag(bytes: Uint8Array, t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw new MidtrustError('CORRUPT', `expected ${what} but the structure ends`);
  if (t.tag !== tag) {
    throw new MidtrustError(
      'CORRUPT',
      `expected ${what} (tag 0x${tag.toString(16)}) at byte ${t.start}, found tag 0x${t.tag.toString(16)}`,
      { offset: t.start },
    );
  }
  return t;
}

/** The content bytes of an element (a view). */
export function content(bytes: Uint8Array, t: Tlv): Uint8Array {
  return bytes.subarray(t.contentStart, t.end);
}

/** The whole element, header included (a view). */
export function whole(bytes: Uint8Array, t: Tlv): Uint8Array {
  return bytes.subarray(t.start, t.end);
}

/** Dotted-decimal form of an OBJECT IDENTIFIER's content. */
export function decodeOid(bytes: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = t.contentStart; i < t.end; i++) {
    value = value * 128 + (bytes[i] & 0x7f);
    if ((bytes[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  return parts.join('.');
}

/** A non-negative INTEGER as a number (iteration counts, versions); throws when it does not fit. */
export function decodeSmallInteger(bytes: Uint8Array, t: Tlv, what: string): number {
  const len = t.end - t.contentStart;
  if (len === 0 || len > 6 || bytes[t.contentStart] & 0x80) {
    throw new MidtrustError('CORRUPT', `${what}: not a small non-negative integer at byte ${t.start}`, { offset: t.start });
  }
  let v = 0;
  for (let i = t.contentStart; i < t.end; i++) v = v * 256 + bytes[i];
  return v;
}
