import { decodeOid, type Tlv } from '../asn1/derReader';
import { oid } from '../asn1/derWriter';

/** Looks up an OBJECT IDENTIFIER element in a table keyed by dotted OIDs, without decoding it. */
export type OidLookup<T> = (bytes: Uint8Array, t: Tlv) => T | undefined;

function key(bytes: Uint8Array, start: number, end: number): string {
  // One native call (OIDs are short): a loop per byte is slow in the interpreter, where a CLI run spends its time.
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/**
 * A lookup keyed by the OID's content octets. Decoding every attribute and extension OID to
 * dotted text was the largest cost of listing a cacerts; comparing octets is several times cheaper.
 *
 * @example
 * const keyword = oidLookup(NAME_KEYWORDS);
 * keyword(der, typeTlv) // 'CN'
 */
export function oidLookup<T>(table: Readonly<Record<string, T>>): OidLookup<T> {
  const map = new Map<string, T>();
  for (const [dotted, value] of Object.entries(table)) {
    const encoded = oid(dotted);
    map.set(key(encoded, 2, encoded.length), value);
  }
  return (bytes, t) => map.get(key(bytes, t.contentStart, t.end));
}

/** Whether an OBJECT IDENTIFIER element is `dotted`. */
export function oidEquals(dotted: string): (bytes: Uint8Array, t: Tlv) => boolean {
  const encoded = oid(dotted).subarray(2);
  return (bytes, t) => {
    if (t.end - t.contentStart !== encoded.length) return false;
    for (let i = 0; i < encoded.length; i++) if (bytes[t.contentStart + i] !== encoded[i]) return false;
    return true;
  };
}

/** A table lookup that falls back to the dotted form, for names midtrust does not know. */
export function oidName(lookup: OidLookup<string>, bytes: Uint8Array, t: Tlv): string {
  return lookup(bytes, t) ?? decodeOid(bytes, t);
}
