import { children, decodeOid, readTlv, TAG, type Tlv } from '../asn1/derReader';
import { NAME_KEYWORDS } from './x509Oids';

/** Characters that make Java quote an attribute value (RFC 1779 specials). */
const SPECIALS = /[,=\n+<>#;\\"]/;

/**
 * A distinguished name as Java's X500Principal.toString() (and so keytool's "Owner:" line) prints
 * it: most specific RDN first, `, ` between RDNs, ` + ` inside a multi-valued RDN, keywords such
 * as CN/O/OU/EMAILADDRESS, unknown types as `<oid>=#<hex of the DER value>`.
 */
export function formatName(bytes: Uint8Array, name: Tlv): string {
  const rdns = children(bytes, name, 'name').map((rdn) =>
    children(bytes, rdn, 'relative distinguished name')
      .map((ava) => formatAva(bytes, ava))
      .join(' + '),
  );
  return rdns.reverse().join(', ');
}

/** The first CN of a name, or undefined. */
export function commonNameOf(bytes: Uint8Array, name: Tlv): string | undefined {
  for (const rdn of children(bytes, name, 'name').reverse()) {
    for (const ava of children(bytes, rdn, 'relative distinguished name')) {
      const [type, value] = children(bytes, ava, 'attribute');
      if (type && value && decodeOid(bytes, type) === '2.5.4.3') return decodeDirectoryString(bytes, value);
    }
  }
  return undefined;
}

function formatAva(bytes: Uint8Array, ava: Tlv): string {
  const [type, value] = children(bytes, ava, 'attribute');
  const oid = decodeOid(bytes, type);
  // Java spells attribute types it has no keyword for as OID.<dotted>, and still prints string values.
  const keyword = NAME_KEYWORDS[oid] ?? `OID.${oid}`;
  const text = value ? decodeDirectoryString(bytes, value) : undefined;
  if (text === undefined) return `${keyword}=#${Buffer.from(bytes.subarray(value.start, value.end)).toString('hex')}`;
  return `${keyword}=${quoteValue(text)}`;
}

/** Java quotes a value holding specials, or leading/trailing/double spaces, and escapes `"` and `\`. */
function quoteValue(v: string): string {
  const needsQuotes = SPECIALS.test(v) || v.startsWith(' ') || v.endsWith(' ') || v.includes('  ');
  if (!needsQuotes) return v;
  return `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The text of a string-typed value; undefined for other types. */
export function decodeDirectoryString(bytes: Uint8Array, t: Tlv): string | undefined {
  const content = Buffer.from(bytes.buffer, bytes.byteOffset + t.contentStart, t.end - t.contentStart);
  switch (t.tag) {
    case TAG.UTF8_STRING:
      return content.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case 0x1a: // VisibleString
    case 0x12: // NumericString
      return content.toString('latin1');
    case TAG.T61_STRING:
      return content.toString('latin1');
    case TAG.BMP_STRING: {
      let s = '';
      for (let i = 0; i + 1 < content.length; i += 2) s += String.fromCharCode((content[i] << 8) | content[i + 1]);
      return s;
    }
    case TAG.UNIVERSAL_STRING: {
      let s = '';
      for (let i = 0; i + 3 < content.length; i += 4) s += String.fromCodePoint(content.readUInt32BE(i) & 0x10ffff);
      return s;
    }
    default:
      return undefined;
  }
}

/** Parses the DER of a Name given as bytes (used when only the name is at hand). */
export function formatNameDer(der: Uint8Array): string {
  return formatName(der, readTlv(der, 0));
}
