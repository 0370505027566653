import { MidtrustError } from '../errors';

/**
 * agent/conf/wrapper-override.conf: the Java Service Wrapper lines that give the MID's JVM
 * extra options. An external truststore is three `-D` options on `wrapper.java.additional.<N>`
 * lines; N must be unique, so new lines take the next free number.
 *
 * How the wrapper reads a line (its property.c, 3.5.x, which MID Servers ship):
 * - the property name's head is compared case-insensitively, and `<N>` counts only with at most
 *   15 digits — a longer number is silently ignored ({@link MAX_INDEX_DIGITS});
 * - outside double quotes, `#` starts a comment and `##` is a literal `#`;
 * - the value is trimmed, and control characters are dropped;
 * - `%NAME%` is replaced by the environment variable NAME when it is defined (left as is
 *   otherwise). There is no `%%` escape: `%%` stays `%%`. A literal `%` is written
 *   `%WRAPPER_PERCENTAGE%`, a pseudo-variable expanded last.
 * {@link encodeWrapperValue} and {@link decodeWrapperValue} apply exactly these rules.
 */
const ADDITIONAL = /^(\s*wrapper\.java\.additional\.(\d+)\s*=\s*)(.*?)(\r?)$/i;
/** The wrapper ignores `wrapper.java.additional.<N>` when N has more digits than this (property.c: indexLen <= 15). */
export const MAX_INDEX_DIGITS = 15;
const PERCENT = '%WRAPPER_PERCENTAGE%';

export const TRUSTSTORE_PROPERTIES = {
  path: 'javax.net.ssl.trustStore',
  password: 'javax.net.ssl.trustStorePassword',
  type: 'javax.net.ssl.trustStoreType',
} as const;

/** The external truststore as wrapper-override.conf configures it (undefined values: not set). */
export interface ExternalTruststoreSettings {
  readonly path?: string;
  readonly password?: string;
  readonly type?: string;
}

/**
 * A value as midtrust writes it to wrapper-override.conf so the wrapper passes exactly `value`
 * to the JVM: `%` as `%WRAPPER_PERCENTAGE%`, `#` as `##`. What it cannot carry is refused with
 * INVALID_INPUT naming `name` (never the value: it may be a password): line breaks (they would
 * start new properties — a way to inject JVM options), other control characters (dropped by the
 * wrapper), double quotes (they change how it reads `#` and spaces), leading or trailing spaces
 * (trimmed by it).
 *
 * @example
 * encodeWrapperValue('javax.net.ssl.trustStorePassword', '50%#x'); // '50%WRAPPER_PERCENTAGE%##x'
 */
export function encodeWrapperValue(name: string, value: string): string {
  const refuse = (why: string): never => {
    throw new MidtrustError('INVALID_INPUT', `${name}: the value holds ${why}, so it cannot be written to wrapper-override.conf as the Java Service Wrapper would read it; choose another value`);
  };
  if (/[\r\n]/.test(value)) refuse('a line break');
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) refuse('a control character (the wrapper drops them)');
  if (value.includes('"')) refuse('a double quote (it changes how the wrapper reads # and spaces)');
  if (value.trim() !== value) refuse('a leading or trailing space (the wrapper trims it)');
  return value.replace(/%/g, PERCENT).replace(/#/g, '##');
}

/**
 * What the wrapper makes of a value as written in the file (the part after `=`): the comment
 * cut off, `##` → `#`, trimmed, `%WRAPPER_PERCENTAGE%` → `%`. Other `%NAME%` references are kept
 * as written: their value depends on the MID host's environment.
 *
 * @example
 * decodeWrapperValue('-Dp=a##b%WRAPPER_PERCENTAGE% # note'); // '-Dp=a#b%'
 */
export function decodeWrapperValue(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') quoted = !quoted;
    if (c === '#' && !quoted) {
      if (raw[i + 1] !== '#') break;
      i++;
    }
    out += c;
  }
  return expandPercentage(out.trim());
}

/** The wrapper's %...% scan with only WRAPPER_PERCENTAGE defined: pairs are taken left to right, an unknown one is copied whole. */
function expandPercentage(s: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const start = s.indexOf('%', i);
    const end = start === -1 ? -1 : s.indexOf('%', start + 1);
    if (end === -1) return out + s.slice(i);
    out += s.slice(start + 1, end) === PERCENT.slice(1, -1) ? `${s.slice(i, start)}%` : s.slice(i, end + 1);
    i = end + 1;
  }
}

/** The N of a line the wrapper reads (at most 15 digits), or undefined for one it ignores. */
function indexOf(m: RegExpExecArray): bigint | undefined {
  return m[2].length <= MAX_INDEX_DIGITS ? BigInt(m[2]) : undefined;
}

/** The `-D<name>=<value>` system properties on wrapper.java.additional lines, decoded as the wrapper reads them (last one wins, as in Java). */
export function readSystemProperties(text: string): Map<string, { value: string; line: number; n: number }> {
  const out = new Map<string, { value: string; line: number; n: number }>();
  text.split('\n').forEach((raw, line) => {
    const m = ADDITIONAL.exec(raw);
    if (!m || raw.trimStart().startsWith('#')) return;
    const n = indexOf(m);
    if (n === undefined) return;
    const d = /^-D([^=\s]+)=(.*)$/s.exec(decodeWrapperValue(m[3]));
    if (d) out.set(d[1], { value: d[2], line, n: Number(n) });
  });
  return out;
}

/** The external truststore settings of a wrapper-override.conf text. */
export function readExternalTruststore(text: string): ExternalTruststoreSettings {
  const props = readSystemProperties(text);
  return {
    ...(props.has(TRUSTSTORE_PROPERTIES.path) ? { path: props.get(TRUSTSTORE_PROPERTIES.path)!.value } : {}),
    ...(props.has(TRUSTSTORE_PROPERTIES.password) ? { password: props.get(TRUSTSTORE_PROPERTIES.password)!.value } : {}),
    ...(props.has(TRUSTSTORE_PROPERTIES.type) ? { type: props.get(TRUSTSTORE_PROPERTIES.type)!.value } : {}),
  };
}

/**
 * Sets (or, with `undefined`, removes) `-D` system properties: an existing line for the property
 * is rewritten in place, a new one appended with the next free N. Every other line is kept as it
 * is; running it twice changes nothing.
 */
export function setSystemProperties(text: string, values: Readonly<Record<string, string | undefined>>): string {
  const encoded = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === undefined ? undefined : encodeWrapperValue(k, v)]));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.length === 0 ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  let highest = 0n;
  for (const l of lines) {
    const m = ADDITIONAL.exec(l);
    const n = m ? indexOf(m) : undefined;
    if (n !== undefined && n > highest) highest = n;
  }
  const done = new Set<string>();
  const kept: string[] = [];
  for (const l of lines) {
    const m = ADDITIONAL.exec(l);
    const d = m && !l.trimStart().startsWith('#') && indexOf(m) !== undefined ? /^-D([^=\s]+)=/.exec(decodeWrapperValue(m[3])) : null;
    if (!m || !d || !(d[1] in encoded)) {
      kept.push(l);
      continue;
    }
    const v = encoded[d[1]];
    if (done.has(d[1]) || v === undefined) continue; // duplicates and removals are dropped
    kept.push(`${m[1]}-D${d[1]}=${v}`);
    done.add(d[1]);
  }
  let next = highest + 1n;
  for (const [name, v] of Object.entries(encoded)) {
    if (v === undefined || done.has(name)) continue;
    if (String(next).length > MAX_INDEX_DIGITS) {
      throw new MidtrustError(
        'INVALID_INPUT',
        `wrapper-override.conf: the highest wrapper.java.additional number is ${highest}; the next would need more digits than the Java Service Wrapper reads (at most ${MAX_INDEX_DIGITS} digits: it would ignore the line) — renumber the wrapper.java.additional lines, then run again`,
      );
    }
    kept.push(`wrapper.java.additional.${next}=-D${name}=${v}`);
    next += 1n;
  }
  return kept.length ? `${kept.join(eol)}${eol}` : '';
}
