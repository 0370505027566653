/**
 * DER encoding of a few element kinds, enough to build PKCS#12 structures. Elements are plain
 * byte arrays, concatenated once at the end.
 */

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const octets: number[] = [];
  while (n > 0) {
    octets.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Uint8Array.from([0x80 | octets.length, ...octets]);
}

/** tag + length + the concatenation of `parts`. */
export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  return tlvOf(tag, parts);
}

/**
 * tag + length + the concatenation of `parts`, given as one array: for element lists of any
 * length (a SafeContents of 100,000 bags spread into arguments overflows the stack).
 */
export function tlvOf(tag: number, parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const len = encodeLength(size);
  const out = new Uint8Array(1 + len.length + size);
  out[0] = tag;
  out.set(len, 1);
  let p = 1 + len.length;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

export const sequence = (...parts: Uint8Array[]): Uint8Array => tlvOf(0x30, parts);
/** A SEQUENCE of a list of any length. */
export const sequenceOf = (parts: readonly Uint8Array[]): Uint8Array => tlvOf(0x30, parts);
export const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, ...parts);
export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
/** Context-specific constructed [n] (explicit tagging). */
export const explicit = (n: number, ...parts: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...parts);
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);

/** A non-negative INTEGER. */
export function integer(n: number): Uint8Array {
  const octets: number[] = [];
  do {
    octets.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  if (octets[0] & 0x80) octets.unshift(0);
  return tlv(0x02, Uint8Array.from(octets));
}

/** An OBJECT IDENTIFIER from dotted-decimal form. */
export function oid(dotted: string): Uint8Array {
  // Plain loops: the certificate modules encode their OID tables when a CLI run loads them.
  const arcs = dotted.split('.');
  const out: number[] = [];
  for (let i = 1; i < arcs.length; i++) {
    let v = i === 1 ? Number(arcs[0]) * 40 + Number(arcs[1]) : Number(arcs[i]);
    const at = out.length;
    out.push(v & 0x7f);
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) out.splice(at, 0, (v & 0x7f) | 0x80);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** A BMPString (UTF-16BE), as PKCS#12 friendlyName uses. */
export function bmpString(s: string): Uint8Array {
  const b = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[2 * i] = c >> 8;
    b[2 * i + 1] = c & 0xff;
  }
  return tlv(0x1e, b);
}
