/**
 * The JDK's disabled-algorithm properties (`jdk.certpath.disabledAlgorithms`,
 * `jdk.tls.disabledAlgorithms`) read and applied the way sun.security.util.
 * DisabledAlgorithmConstraints does, so a verdict names the same rule the JVM applies:
 * - an entry is `ALG` (always disabled) or `ALG cond & cond & ...`; the conditions chain, and the
 *   algorithm is refused only when *every* condition holds ("SHA1 jdkCA & usage TLSServer":
 *   SHA-1 is refused only in chains to a JDK-shipped root, for TLS servers);
 * - conditions: `keySize <op> N`, `jdkCA`, `denyAfter YYYY-MM-DD`, `usage TLSServer|TLSClient|SignedJAR`;
 * - a signature algorithm is checked by its parts too (`SHA1withRSA` → SHA1, RSA), digest names
 *   without their dash (`SHA-1` → SHA1), as AlgorithmDecomposer splits them.
 */

/** The public key facts a key-size rule looks at. */
export interface KeyFacts {
  /** Java's name: RSA, EC, DSA, RSASSA-PSS, Ed25519, … */
  readonly algorithm: string;
  /** RSA modulus / DSA p / EC field bits; undefined when unknown (then no size rule applies, as in Java). */
  readonly size?: number;
  /** Java's curve name (secp256r1, …), for named-curve entries. */
  readonly curve?: string;
}

/** The context a certpath rule depends on. */
export interface ConstraintContext {
  /** The trust anchor of the path ships with the JDK (alias "… [jdk]" in `<java.home>/lib/security/cacerts`). */
  readonly anchorIsJdkCA: boolean;
  readonly now: Date;
  /** The validator variant; a TLS client judging a server is `TLSServer`. */
  readonly usage: 'TLSServer';
}

type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';
type Condition =
  | { readonly kind: 'keySize'; readonly op: Operator; readonly size: number }
  | { readonly kind: 'jdkCA' }
  | { readonly kind: 'denyAfter'; readonly date: Date }
  | { readonly kind: 'usage'; readonly usages: readonly string[] }
  | { readonly kind: 'disabled' };

/** One entry of a property, as written, with its parsed conditions. */
export interface AlgorithmRule {
  /** The entry as written in java.security ("SHA1 jdkCA & usage TLSServer"). */
  readonly text: string;
  /** Upper-case algorithm the entry is about (SHA1, MD5, RSA, …). */
  readonly algorithm: string;
  readonly conditions: readonly Condition[];
}

const DIGEST_NAMES: Readonly<Record<string, string>> = {
  'SHA-1': 'SHA1',
  'SHA-224': 'SHA224',
  'SHA-256': 'SHA256',
  'SHA-384': 'SHA384',
  'SHA-512': 'SHA512',
  'SHA-512/224': 'SHA512/224',
  'SHA-512/256': 'SHA512/256',
};
const SPLIT = /with|and|(?<!padd)in/i;

/**
 * The parts Java checks a signature algorithm by: `SHA1withRSA` → SHA1withRSA, SHA1, SHA-1, RSA.
 *
 * @example
 * algorithmParts('SHA256withECDSA') // ['SHA256WITHECDSA', 'SHA256', 'SHA-256', 'ECDSA']
 */
export function algorithmParts(algorithm: string): string[] {
  const parts = new Set<string>([algorithm.toUpperCase()]);
  for (const token of algorithm.split('/').flatMap((t) => t.split(SPLIT))) {
    if (token) parts.add(token.toUpperCase());
  }
  for (const [dashed, plain] of Object.entries(DIGEST_NAMES)) {
    if (parts.has(plain)) parts.add(dashed);
    else if (parts.has(dashed)) parts.add(plain);
  }
  return [...parts];
}

/**
 * A parsed disabled-algorithms property.
 *
 * @example
 * const certpath = AlgorithmConstraints.parse('jdk.certpath.disabledAlgorithms', 'MD2, MD5, SHA1 jdkCA & usage TLSServer, RSA keySize < 1024');
 * certpath.refusal({ signatureAlgorithm: 'SHA1withRSA', keys: [{ algorithm: 'RSA', size: 2048 }] },
 *                  { anchorIsJdkCA: false, now: new Date(), usage: 'TLSServer' }) // undefined: a private CA may use SHA-1
 */
export class AlgorithmConstraints {
  private readonly byAlgorithm = new Map<string, AlgorithmRule[]>();

  private constructor(
    /** The property name, for messages. */
    readonly property: string,
    readonly rules: readonly AlgorithmRule[],
  ) {
    for (const r of rules) this.byAlgorithm.set(r.algorithm, [...(this.byAlgorithm.get(r.algorithm) ?? []), r]);
  }

  /**
   * Parses a property value. `namedCurves` is the value of `jdk.disabled.namedCurves`, which an
   * entry `include jdk.disabled.namedCurves` pulls in. Entries Java would reject are skipped with
   * no error: Java refuses to start TLS then, which no verdict can model.
   */
  static parse(property: string, value: string, namedCurves = ''): AlgorithmConstraints {
    const entries = splitList(value).flatMap((e) => (/^include\s+jdk\.disabled\.namedCurves$/i.test(e) ? splitList(namedCurves) : [e]));
    const rules: AlgorithmRule[] = [];
    for (const text of entries) {
      const space = text.indexOf(' ');
      const name = space > 0 ? text.slice(0, space) : text;
      const algorithm = (DIGEST_NAMES[name] ?? name).toUpperCase();
      if (space <= 0) {
        rules.push({ text, algorithm, conditions: [{ kind: 'disabled' }] });
        continue;
      }
      const conditions = text
        .slice(space + 1)
        .split('&')
        .map((c) => parseCondition(c.trim()));
      if (conditions.every((c): c is Condition => c !== undefined)) rules.push({ text, algorithm, conditions });
    }
    return new AlgorithmConstraints(property, rules);
  }

  /**
   * Why the certpath validator refuses a certificate (its signature algorithm and its key), or
   * undefined when it does not; the message quotes the property entry. With no signature
   * algorithm, only the keys are checked (how Java checks a trust anchor's own key).
   */
  refusal(subject: { signatureAlgorithm?: string; keys: readonly KeyFacts[] }, ctx: ConstraintContext): string | undefined {
    for (const k of subject.keys) {
      if (k.curve && this.isBare(k.curve)) return `${k.curve} keys are disabled (${this.property}: ${k.curve})`;
    }
    const names = new Set<string>(subject.signatureAlgorithm ? algorithmParts(subject.signatureAlgorithm) : []);
    for (const k of subject.keys) names.add(k.algorithm.toUpperCase());
    for (const name of names) {
      for (const rule of this.byAlgorithm.get(name) ?? []) {
        if (refuses(rule.conditions, rule.algorithm, subject.keys, ctx)) {
          const what = subject.signatureAlgorithm && rule.conditions[0].kind !== 'keySize' ? subject.signatureAlgorithm : describeKeys(subject.keys);
          return `${what} is disabled by ${this.property}: "${rule.text}"`;
        }
      }
    }
    return undefined;
  }

  /**
   * The check SunJSSE's own algorithm constraints make (jdk.tls.disabledAlgorithms): a disabled
   * name or part of the signature algorithm, a disabled key algorithm or curve, a key-size entry.
   * Usage, jdkCA and denyAfter conditions do not apply to these name checks, as in Java.
   */
  tlsRefusal(subject: { signatureAlgorithm?: string; keys: readonly KeyFacts[] }, now: Date): string | undefined {
    if (subject.signatureAlgorithm) {
      for (const part of algorithmParts(subject.signatureAlgorithm)) {
        if (this.isBare(part)) return `${subject.signatureAlgorithm} is disabled by ${this.property}: "${part}"`;
      }
    }
    for (const k of subject.keys) {
      for (const name of [k.algorithm, ...(k.curve ? [k.curve] : [])]) {
        if (this.isBare(name)) return `${name} keys are disabled by ${this.property}`;
      }
      for (const rule of this.byAlgorithm.get(k.algorithm.toUpperCase()) ?? []) {
        if (rule.conditions[0].kind === 'keySize' && keyRefused(rule.conditions, rule.algorithm, k, now)) {
          return `${describeKeys([k])} is disabled by ${this.property}: "${rule.text}"`;
        }
      }
    }
    return undefined;
  }

  private isBare(name: string): boolean {
    const upper = name.toUpperCase();
    return this.rules.some((r) => r.conditions.length === 1 && r.conditions[0].kind === 'disabled' && (r.algorithm === upper || (r.text.includes('*') && wildcard(r.text).test(name))));
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim().replace(/\s+/g, ' '))
    .filter((s) => s !== '');
}

function wildcard(text: string): RegExp {
  return new RegExp(`^${text.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

function parseCondition(c: string): Condition | undefined {
  let m = /^keySize\s*(<=|>=|==|!=|<|>)\s*(\d+)$/.exec(c);
  if (m) return { kind: 'keySize', op: m[1] as Operator, size: Number(m[2]) };
  if (/^jdkCA$/i.test(c)) return { kind: 'jdkCA' };
  m = /^denyAfter\s+(\d{4})-(\d{2})-(\d{2})$/.exec(c);
  if (m) return { kind: 'denyAfter', date: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) };
  if (/^usage\s/.test(c)) return { kind: 'usage', usages: c.slice(5).trim().split(/\s+/) };
  return undefined;
}

/** KeySizeConstraint: true when the size is one the rule forbids (a size of 0 always is). */
function sizeForbidden(op: Operator, limit: number, size: number): boolean {
  if (size === 0) return true;
  switch (op) {
    case '<':
      return size < limit;
    case '<=':
      return size <= limit;
    case '>':
      return size > limit;
    case '>=':
      return size >= limit;
    case '==':
      return size === limit;
    case '!=':
      return size !== limit;
  }
}

/** The chain of conditions from `i` on: refused only when every one holds (Constraint.next). */
function refuses(conditions: readonly Condition[], algorithm: string, keys: readonly KeyFacts[], ctx: ConstraintContext, i = 0): boolean {
  const c = conditions[i];
  const rest = (): boolean => (i + 1 < conditions.length ? refuses(conditions, algorithm, keys, ctx, i + 1) : true);
  switch (c.kind) {
    case 'disabled':
      return true;
    case 'jdkCA':
      return ctx.anchorIsJdkCA && rest();
    case 'denyAfter':
      return ctx.now.getTime() >= c.date.getTime() && rest();
    case 'usage':
      return c.usages.some((u) => u.toLowerCase() === ctx.usage.toLowerCase()) && rest();
    case 'keySize':
      // Only keys of the rule's own algorithm are measured; an unknown size is let through, as in Java.
      return keys.some((k) => k.algorithm.toUpperCase() === algorithm && k.size !== undefined && sizeForbidden(c.op, c.size, k.size) && rest());
  }
}

/** KeySizeConstraint.permits(Key) for the TLS checks: a later condition that permits lets the key through. */
function keyRefused(conditions: readonly Condition[], algorithm: string, key: KeyFacts, now: Date): boolean {
  const [first, next] = conditions;
  if (first.kind !== 'keySize' || key.algorithm.toUpperCase() !== algorithm || key.size === undefined) return false;
  if (next?.kind === 'denyAfter' && now.getTime() < next.date.getTime()) return false;
  if (next && next.kind !== 'denyAfter' && next.kind !== 'keySize') return false;
  return sizeForbidden(first.op, first.size, key.size);
}

function describeKeys(keys: readonly KeyFacts[]): string {
  return keys.map((k) => (k.size !== undefined ? `a ${k.size}-bit ${k.algorithm} key` : `a ${k.algorithm} key`)).join(', ');
}
