/**
 * The two PKIX checks that look at a whole path rather than one certificate, as Java's
 * PKIXCertPathValidator runs them with the default PKIXParameters SunJSSE uses:
 * - name constraints (ConstraintsChecker, RFC 5280 §4.2.1.10 as sun.security.x509.
 *   NameConstraintsExtension applies them): dNSName, iPAddress, rfc822Name and directoryName
 *   subtrees; a certificate without a dNSName SAN has its subject CN checked as a DNS name;
 * - certificate policies (PolicyChecker, RFC 5280 §6.1): initial policy set any-policy, explicit
 *   policy not required, any-policy not inhibited, qualifiers in a critical extension rejected —
 *   so only requireExplicitPolicy and inhibitAnyPolicy in the path can fail it.
 */
import { children, content, decodeOid, readTlv, type Tlv } from '../asn1/derReader';
import { certificateNameBytes } from '../certificate/certificateNameBytes';
import type { PathCertificate } from './pathCertificate';

const OID_SAN = '2.5.29.17';
const OID_NAME_CONSTRAINTS = '2.5.29.30';
const OID_POLICIES = '2.5.29.32';
const OID_POLICY_MAPPINGS = '2.5.29.33';
const OID_POLICY_CONSTRAINTS = '2.5.29.36';
const OID_INHIBIT_ANY = '2.5.29.54';
const ANY_POLICY = '2.5.29.32.0';
const OID_CN = '2.5.4.3';
const OID_EMAIL = '1.2.840.113549.1.9.1';

type Subtree =
  | { readonly kind: 'dns'; readonly name: string }
  | { readonly kind: 'email'; readonly name: string }
  | { readonly kind: 'ip'; readonly address: Buffer; readonly mask: Buffer }
  | { readonly kind: 'dn'; readonly rdns: readonly string[] }
  | { readonly kind: 'other'; readonly tag: number };

type Name = { readonly kind: 'dns' | 'email'; readonly name: string } | { readonly kind: 'ip'; readonly address: Buffer } | { readonly kind: 'dn'; readonly rdns: readonly string[] };

interface Constraints {
  readonly permitted?: readonly Subtree[];
  readonly excluded: readonly Subtree[];
}

/**
 * The first name-constraint violation on `path` (leaf first, without the anchor), described for
 * people, or undefined. Each CA's constraints apply to every certificate below it that is not
 * self-issued (the server certificate always).
 */
export function nameConstraintViolation(path: readonly PathCertificate[]): { cert: PathCertificate; message: string } | undefined {
  for (let i = path.length - 1; i >= 1; i--) {
    const ext = path[i].certificate.extensions.all.find((e) => e.oid === OID_NAME_CONSTRAINTS);
    if (!ext) continue;
    const nc = parseNameConstraints(ext.value);
    for (let j = i - 1; j >= 0; j--) {
      const c = path[j];
      if (j > 0 && c.selfIssued) continue;
      for (const name of namesOf(c)) {
        const why = violates(nc, name);
        if (why) return { cert: c, message: `${describeName(name)} is ${why} by the name constraints of ${path[i].facts.subject}` };
      }
    }
  }
  return undefined;
}

/**
 * Why the policy processing of `path` fails (leaf first, without the anchor), or undefined. The
 * valid-policy tree is kept as the set of its leaf policies, which is exact without policy
 * mappings (a path with mappings is checked as if unmapped, and says so in a note).
 */
export function policyViolation(path: readonly PathCertificate[]): { cert: PathCertificate; message: string } | undefined {
  const n = path.length;
  let explicitPolicy = n + 1;
  let inhibitAny = n + 1;
  let valid: Set<string> | undefined = new Set([ANY_POLICY]);
  for (let k = 1; k <= n; k++) {
    const c = path[n - k];
    const final = k === n;
    const ext = c.certificate.extensions.all;
    const cp = ext.find((e) => e.oid === OID_POLICIES);
    if (cp?.critical && hasQualifiers(cp.value)) return { cert: c, message: `${c.facts.subject} has a critical certificate policies extension with policy qualifiers, which Java's default validation rejects` };
    if (!cp) valid = undefined;
    else if (valid) {
      const policies = policyOids(cp.value);
      const anyAllowed = inhibitAny > 0 || (!final && c.selfIssued);
      const next = new Set<string>();
      for (const p of policies) if (p !== ANY_POLICY && (valid.has(p) || valid.has(ANY_POLICY))) next.add(p);
      if (policies.includes(ANY_POLICY) && anyAllowed) for (const p of valid) next.add(p);
      valid = next.size > 0 ? next : undefined;
    }
    let used = explicitPolicy;
    if (final) {
      if (used > 0 && !c.selfIssued) used--;
      if (requireExplicit(ext) === 0) used = 0;
    }
    if (used === 0 && !valid) {
      return { cert: c, message: `the path has no certificate policy in common from the CA to ${final ? 'the server certificate' : c.facts.subject}, and a CA on it requires an explicit policy (requireExplicitPolicy${inhibitAny === 0 ? '; inhibitAnyPolicy stops anyPolicy from counting' : ''})` };
    }
    if (!final) {
      if (!c.selfIssued) {
        if (explicitPolicy > 0) explicitPolicy--;
        if (inhibitAny > 0) inhibitAny--;
      }
      const r = requireExplicit(ext);
      if (r !== undefined && r < explicitPolicy) explicitPolicy = r;
      const ia = ext.find((e) => e.oid === OID_INHIBIT_ANY);
      if (ia) {
        const v = smallInt(ia.value, readTlv(ia.value, 0));
        if (v < inhibitAny) inhibitAny = v;
      }
    }
  }
  return undefined;
}

/** Whether a path carries policy mappings, which {@link policyViolation} does not follow. */
export function hasPolicyMappings(path: readonly PathCertificate[]): boolean {
  return path.some((c) => c.certificate.extensions.all.some((e) => e.oid === OID_POLICY_MAPPINGS));
}

function requireExplicit(ext: ReadonlyArray<{ oid: string; value: Uint8Array }>): number | undefined {
  const pc = ext.find((e) => e.oid === OID_POLICY_CONSTRAINTS);
  if (!pc) return undefined;
  const seq = readTlv(pc.value, 0);
  const first = children(pc.value, seq).find((t) => t.tag === 0x80);
  return first ? smallInt(pc.value, first) : undefined;
}

function smallInt(bytes: Uint8Array, t: Tlv): number {
  let v = 0;
  for (const b of content(bytes, t)) v = v * 256 + b;
  return v;
}

function policyOids(value: Uint8Array): string[] {
  return children(value, readTlv(value, 0)).map((info) => decodeOid(value, children(value, info)[0]));
}

function hasQualifiers(value: Uint8Array): boolean {
  return children(value, readTlv(value, 0)).some((info) => children(value, info).length > 1);
}

function parseNameConstraints(value: Uint8Array): Constraints {
  let permitted: Subtree[] | undefined;
  const excluded: Subtree[] = [];
  for (const part of children(value, readTlv(value, 0))) {
    const subtrees = children(value, part).map((st) => subtree(value, children(value, st)[0]));
    if (part.tag === 0xa0) permitted = subtrees;
    else if (part.tag === 0xa1) excluded.push(...subtrees);
  }
  return { ...(permitted ? { permitted } : {}), excluded };
}

function subtree(bytes: Uint8Array, g: Tlv): Subtree {
  const text = (): string => Buffer.from(content(bytes, g)).toString('latin1').toLowerCase();
  switch (g.tag) {
    case 0x82:
      return { kind: 'dns', name: text() };
    case 0x81:
      return { kind: 'email', name: text() };
    case 0x87: {
      const raw = Buffer.from(content(bytes, g));
      const half = raw.length / 2;
      return { kind: 'ip', address: raw.subarray(0, half), mask: raw.subarray(half) };
    }
    case 0xa4:
      return { kind: 'dn', rdns: rdnKeys(bytes, children(bytes, g)[0]) };
    default:
      return { kind: 'other', tag: g.tag };
  }
}

/** The names a certificate is checked by: its subject, its SANs, and its CN as a DNS name when it has no DNS SAN. */
function namesOf(c: PathCertificate): Name[] {
  const der = c.certificate.der;
  const subjectDer = certificateNameBytes(der).subject;
  const subjectTlv = readTlv(subjectDer, 0);
  const rdns = rdnKeys(subjectDer, subjectTlv);
  const out: Name[] = rdns.length > 0 ? [{ kind: 'dn', rdns }] : [];
  const san = c.certificate.extensions.all.find((e) => e.oid === OID_SAN);
  if (san) {
    for (const g of children(san.value, readTlv(san.value, 0))) {
      const raw = Buffer.from(content(san.value, g));
      if (g.tag === 0x82) out.push({ kind: 'dns', name: raw.toString('latin1').toLowerCase() });
      else if (g.tag === 0x81) out.push({ kind: 'email', name: raw.toString('latin1').toLowerCase() });
      else if (g.tag === 0x87) out.push({ kind: 'ip', address: raw });
      else if (g.tag === 0xa4) out.push({ kind: 'dn', rdns: rdnKeys(san.value, children(san.value, g)[0]) });
    }
  } else {
    for (const v of attributeValues(subjectDer, subjectTlv, OID_EMAIL)) out.push({ kind: 'email', name: v.toLowerCase() });
  }
  if (!out.some((n) => n.kind === 'dns')) {
    const cn = attributeValues(subjectDer, subjectTlv, OID_CN).pop();
    if (cn !== undefined && /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(cn)) out.push({ kind: 'dns', name: cn.toLowerCase() });
  }
  return out;
}

/** Why `name` is outside the constraints ("excluded", "not permitted"), or undefined. */
function violates(nc: Constraints, name: Name): string | undefined {
  if (nc.excluded.some((s) => s.kind === name.kind && within(name, s))) return 'excluded';
  const sameKind = nc.permitted?.filter((s) => s.kind === name.kind) ?? [];
  if (sameKind.length > 0 && !sameKind.some((s) => within(name, s))) return 'not permitted';
  return undefined;
}

function within(name: Name, s: Subtree): boolean {
  if (name.kind === 'dns' && s.kind === 'dns') return dnsWithin(name.name, s.name);
  if (name.kind === 'email' && s.kind === 'email') {
    if (s.name.includes('@')) return name.name === s.name;
    const host = name.name.slice(name.name.lastIndexOf('@') + 1);
    return s.name.startsWith('.') ? host.endsWith(s.name) : host === s.name;
  }
  if (name.kind === 'ip' && s.kind === 'ip') {
    if (name.address.length !== s.address.length) return false;
    for (let i = 0; i < s.address.length; i++) if ((name.address[i] & s.mask[i]) !== (s.address[i] & s.mask[i])) return false;
    return true;
  }
  if (name.kind === 'dn' && s.kind === 'dn') return s.rdns.length <= name.rdns.length && s.rdns.every((r, i) => r === name.rdns[i]);
  return false;
}

/** DNSName.constrains: the same name, or a name below it (label boundary; a leading dot means "below only"). */
function dnsWithin(name: string, constraint: string): boolean {
  if (constraint === '') return true;
  if (constraint.startsWith('.')) return name.endsWith(constraint);
  return name === constraint || name.endsWith(`.${constraint}`);
}

/**
 * A distinguished name in the canonical form X500Principal.equals compares (RFC 2253 canonical:
 * attribute types by OID, string values case-folded with white space trimmed and collapsed, the
 * AVAs of an RDN unordered), from its DER.
 *
 * @example
 * canonicalName(issuerDer) === canonicalName(subjectDer) // "CN=X  CA" equals "cn=x ca"
 */
export function canonicalName(nameDer: Uint8Array): string {
  return rdnKeys(nameDer, readTlv(nameDer, 0)).join(',');
}

/** Each RDN, root first, as a comparable key: attribute OIDs and values, case and spacing folded. */
function rdnKeys(bytes: Uint8Array, name: Tlv): string[] {
  return children(bytes, name).map((rdn) =>
    children(bytes, rdn)
      .map((ava) => {
        const [type, value] = children(bytes, ava);
        return `${decodeOid(bytes, type)}=${stringValue(bytes, value).toLowerCase().replace(/\s+/g, ' ').trim()}`;
      })
      .sort()
      .join('+'),
  );
}

function attributeValues(bytes: Uint8Array, name: Tlv, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of children(bytes, name)) {
    for (const ava of children(bytes, rdn)) {
      const [type, value] = children(bytes, ava);
      if (decodeOid(bytes, type) === oid) out.push(stringValue(bytes, value));
    }
  }
  return out;
}

function stringValue(bytes: Uint8Array, t: Tlv): string {
  const raw = Buffer.from(content(bytes, t));
  if (t.tag === 0x1e) return raw.swap16().toString('utf16le');
  return t.tag === 0x0c ? raw.toString('utf8') : raw.toString('latin1');
}

function describeName(n: Name): string {
  if (n.kind === 'ip') return `the IP address ${[...n.address].join('.')}`;
  if (n.kind === 'dn') return 'the subject name';
  return `the ${n.kind === 'dns' ? 'DNS name' : 'e-mail address'} ${n.name}`;
}
