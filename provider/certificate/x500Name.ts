import { children, decodeOid, expectTag, TAG, type Tlv } from '../asn1/derReader';
import { MidtrustError } from '../errors';
import { decodeDirectoryString } from './directoryString';
import { oidEquals, oidLookup } from './oidLookup';
import { NAME_KEYWORDS, OID_COMMON_NAME } from './x509Oids';

const keywordOf = oidLookup(NAME_KEYWORDS);
const isCommonName = oidEquals(OID_COMMON_NAME);

/** Characters that make Java quote a value (AVA.toKeywordValueString's `escapees`). */
const ESCAPEES = ',+=\n<>#;\\"';

/**
 * A distinguished name exactly as Java's `X500Principal.toString()` prints it, which is what
 * keytool shows as "Owner:" and "Issuer:": most specific RDN first, `, ` between RDNs, ` + `
 * inside a multi-valued RDN (DER order), Java's keywords (CN, OU, ST, EMAILADDRESS, DNQ, ...),
 * `OID.<dotted>` for other types, `#<hex DER>` for values that are not strings to Java.
 *
 * @example
 * formatName(der, subjectTlv) // 'CN=Test CA, O="Test, Inc.", C=US'
 */
export function formatName(bytes: Uint8Array, name: Tlv): string {
  const rdns = children(bytes, name, 'name');
  let out = '';
  for (let i = rdns.length - 1; i >= 0; i--) {
    const avas = children(bytes, expectTag(bytes, rdns[i], TAG.SET, 'relative distinguished name SET'), 'relative distinguished name');
    if (avas.length === 0) throw new MidtrustError('CORRUPT', `empty relative distinguished name at byte ${rdns[i].start}`, { offset: rdns[i].start });
    if (i !== rdns.length - 1) out += ', ';
    for (let j = 0; j < avas.length; j++) {
      if (j > 0) out += ' + ';
      out += formatAva(bytes, avas[j]);
    }
  }
  return out;
}

/** The value of the most specific CN of a name, or undefined when it has none. */
export function commonNameOf(bytes: Uint8Array, name: Tlv): string | undefined {
  const rdns = children(bytes, name, 'name');
  for (let i = rdns.length - 1; i >= 0; i--) {
    const avas = children(bytes, rdns[i], 'relative distinguished name');
    for (let j = 0; j < avas.length; j++) {
      const parts = attribute(bytes, avas[j]);
      if (isCommonName(bytes, parts[0])) return decodeDirectoryString(bytes, parts[1]);
    }
  }
  return undefined;
}

/** An attribute's [type OID, value]. Indexed, not destructured: the interpreter runs this per name part. */
function attribute(bytes: Uint8Array, ava: Tlv): Tlv[] {
  const parts = children(bytes, expectTag(bytes, ava, TAG.SEQUENCE, 'attribute SEQUENCE'), 'attribute');
  if (parts.length !== 2) throw new MidtrustError('CORRUPT', `attribute at byte ${ava.start} has ${parts.length} parts, expected type and value`, { offset: ava.start });
  expectTag(bytes, parts[0], TAG.OID, 'attribute type OID');
  return parts;
}

function formatAva(bytes: Uint8Array, ava: Tlv): string {
  const parts = attribute(bytes, ava);
  const type = parts[0];
  const value = parts[1];
  // Java spells types it has no keyword for as OID.<dotted>, and still prints string values as text.
  const keyword = keywordOf(bytes, type) ?? `OID.${decodeOid(bytes, type)}`;
  const text = decodeDirectoryString(bytes, value);
  if (text === undefined) return `${keyword}=#${Buffer.from(bytes.buffer, bytes.byteOffset + value.start, value.end - value.start).toString('hex')}`;
  return `${keyword}=${javaQuote(text)}`;
}

/** Java's DerValue.isPrintableStringChar. */
function isPrintable(c: string): boolean {
  const x = c.charCodeAt(0);
  return (x >= 0x61 && x <= 0x7a) || (x >= 0x41 && x <= 0x5a) || (x >= 0x30 && x <= 0x39) || " '()+,-./:=?".includes(c);
}

/**
 * Java's quoting of an attribute value, rule for rule: quote when a special character appears,
 * on leading or trailing whitespace, or on two whitespace characters in a row; always backslash
 * `"` and `\`; leave a value that already starts and ends with `"` as it is.
 */
export function javaQuote(v: string): string {
  // Almost every real value has nothing to quote: one scan answers that without building strings.
  if (!needsWork(v)) return v;
  const alreadyQuoted = v.length > 1 && v[0] === '"' && v[v.length - 1] === '"';
  let quote = false;
  let previousWhite = false;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (alreadyQuoted && (i === 0 || i === v.length - 1)) {
      out += c;
      continue;
    }
    const special = ESCAPEES.includes(c);
    if (special || isPrintable(c)) {
      if (special || (i === 0 && (c === ' ' || c === '\n'))) quote = true;
      if (c === ' ' || c === '\n') {
        if (previousWhite) quote = true;
        previousWhite = true;
      } else {
        if (c === '"' || c === '\\') out += '\\';
        previousWhite = false;
      }
      out += c;
    } else {
      previousWhite = false;
      out += c;
    }
  }
  const last = out[out.length - 1];
  if (last === ' ' || last === '\n') quote = true;
  return !alreadyQuoted && quote ? `"${out}"` : out;
}

/**
 * Whether Java would quote or escape anything in a value: one of its specials (newline included),
 * a space at either end, or two spaces in a row. A regular expression, not a loop: this runs for
 * every name part of every certificate a listing shows, mostly in V8's interpreter.
 */
const NEEDS_WORK = /[\n,+=<>#;\\"]|^ | $| {2}/;

function needsWork(v: string): boolean {
  return NEEDS_WORK.test(v);
}
