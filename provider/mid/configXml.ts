import { MidtrustError } from '../errors';

/** One `<parameter name="..." value="..."/>` of agent/config.xml, with where it sits in the text. */
export interface MidParameter {
  readonly name: string;
  /** The raw value as written (XML entities decoded). For `secure="true"` it is the `encrypted:...` text. */
  readonly value: string;
  readonly secure: boolean;
  /** Offsets of the opening tag in the file text. */
  readonly start: number;
  readonly end: number;
}

const PARAMETER_TAG = /<parameter\b((?:[^"'>]|"[^"]*"|'[^']*')*?)\s*(\/?)>/g;
const ATTRIBUTE = /([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/g;

/**
 * Checks config.xml is well-formed XML (fast-xml-parser's validator) before anything reads or
 * edits it: a broken file is reported with its line, never "fixed".
 */
export function assertWellFormed(text: string, file: string): void {
  const { XMLValidator } = require('fast-xml-parser') as typeof import('fast-xml-parser');
  const r = XMLValidator.validate(text);
  if (r !== true) {
    throw new MidtrustError('INVALID_INPUT', `${file}:${r.err.line}: not valid XML (${r.err.msg}); fix the file by hand — midtrust leaves it untouched`);
  }
}

/** The parameters of a config.xml text, in file order, ignoring commented-out ones. */
export function readMidParameters(text: string): MidParameter[] {
  const comments = commentRanges(text);
  const out: MidParameter[] = [];
  for (const m of text.matchAll(PARAMETER_TAG)) {
    const start = m.index ?? 0;
    if (comments.some(([a, b]) => start >= a && start < b)) continue;
    const attrs = attributes(m[1]);
    if (attrs.name === undefined) continue;
    out.push({ name: attrs.name, value: attrs.value ?? '', secure: attrs.secure === 'true', start, end: start + m[0].length });
  }
  return out;
}

/**
 * The parameter the MID Server uses: with several `<parameter>` elements of one name, the last.
 *
 * Why the last: the MID reads config.xml (a DOM parse — it fails with SAXParseException on bad
 * XML) and keeps its parameters by name, each element in document order replacing what an
 * earlier one of the same name set; the same "last one wins" as its other configuration files
 * (the Java Service Wrapper's properties, Java `-D` options). Its source is not public, so this
 * is reasoned, not observed — which is why midtrust also reports every duplicate
 * ({@link duplicateMidParameters}) and edits all of them alike ({@link setMidParameter}), so the
 * outcome does not depend on which one the MID picks.
 *
 * @example
 * getMidParameter(text, 'mid.truststore.migration.strategy')?.value; // 'migrate_delta'
 */
export function getMidParameter(text: string, name: string): MidParameter | undefined {
  return readMidParameters(text)
    .filter((p) => p.name === name)
    .pop();
}

/** A parameter that config.xml sets more than once, with each occurrence's line (1-based) and value. */
export interface DuplicateMidParameter {
  readonly name: string;
  readonly occurrences: ReadonlyArray<{ readonly line: number; readonly value: string }>;
}

/**
 * Every parameter set more than once, in file order — a sign of hand edits gone wrong, reported
 * by upgrade-preview and by lint/audit (rule duplicate-mid-parameter).
 *
 * @example
 * duplicateMidParameters(text); // [{ name: 'mid.truststore.migration.strategy', occurrences: [{ line: 3, value: 'migrate_non_ca' }, { line: 9, value: 'migrate_delta' }] }]
 */
export function duplicateMidParameters(text: string): DuplicateMidParameter[] {
  const byName = new Map<string, MidParameter[]>();
  for (const p of readMidParameters(text)) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  return [...byName.entries()]
    .filter(([, ps]) => ps.length > 1)
    .map(([name, ps]) => ({ name, occurrences: ps.map((p) => ({ line: lineOf(p.start), value: p.secure ? '(encrypted)' : p.value })) }));
}

/**
 * "config.xml sets X 2 times (line 3: a, line 9: b); the MID uses the last one": for messages.
 *
 * @example
 * describeDuplicate(duplicateMidParameters(text)[0], 'agent/config.xml');
 */
export function describeDuplicate(d: DuplicateMidParameter, file: string): string {
  const where = d.occurrences.map((o) => `line ${o.line}: ${o.value}`).join(', ');
  return `${file} sets ${d.name} ${d.occurrences.length} times (${where}); the MID uses the last one — keep one`;
}

/**
 * Sets one parameter, changing only its `value` attribute (or adding one line before
 * `</parameters>` with the indentation of its neighbours). Everything else — comments, order,
 * spacing, encrypted values — stays byte-for-byte. An encrypted (`secure="true"`) parameter is
 * never rewritten: midtrust cannot encrypt as the MID does. A parameter set several times has
 * every occurrence set, so the MID gets the value whichever one it reads.
 */
export function setMidParameter(text: string, name: string, value: string, file = 'config.xml'): string {
  const existing = readMidParameters(text).filter((p) => p.name === name);
  if (existing.some((p) => p.secure)) {
    throw new MidtrustError('INVALID_INPUT', `${file}: ${name} is an encrypted (secure="true") parameter; midtrust never rewrites encrypted values — change it on the MID Server record instead`);
  }
  if (existing.length > 0) {
    // From the last to the first, so earlier offsets stay valid.
    return existing.reduceRight((t, p) => (p.value === value ? t : t.slice(0, p.start) + withValue(t.slice(p.start, p.end), value) + t.slice(p.end)), text);
  }
  const close = text.lastIndexOf('</parameters>');
  if (close === -1) throw new MidtrustError('INVALID_INPUT', `${file}: no </parameters> element; this is not a MID Server config.xml`);
  const params = readMidParameters(text);
  const last = params[params.length - 1];
  const indent = last ? /([ \t]*)$/.exec(text.slice(text.lastIndexOf('\n', last.start) + 1, last.start))?.[1] ?? '  ' : '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = text.lastIndexOf('\n', close - 1) + 1;
  const before = text.slice(lineStart, close);
  const line = `${indent}<parameter name="${escapeAttr(name)}" value="${escapeAttr(value)}"/>${eol}`;
  // Insert on its own line before the closing tag's line when that line holds only whitespace.
  return /^[ \t]*$/.test(before) ? text.slice(0, lineStart) + line + text.slice(lineStart) : text.slice(0, close) + eol + line + text.slice(close);
}

/** The opening tag with its `value` attribute replaced (or added). */
function withValue(tag: string, value: string): string {
  const valueAttr = /(\svalue\s*=\s*)("[^"]*"|'[^']*')/.exec(tag);
  return valueAttr
    ? `${tag.slice(0, valueAttr.index)}${valueAttr[1]}"${escapeAttr(value)}"${tag.slice(valueAttr.index + valueAttr[0].length)}`
    : tag.replace(/\s*(\/?)>$/, ` value="${escapeAttr(value)}"$1>`);
}

/** Removes a parameter's line (or just its tag when it shares a line) — every occurrence. Absent → unchanged. */
export function removeMidParameter(text: string, name: string, file = 'config.xml'): string {
  const existing = readMidParameters(text).filter((p) => p.name === name);
  if (existing.some((p) => p.secure)) throw new MidtrustError('INVALID_INPUT', `${file}: ${name} is encrypted (secure="true"); midtrust does not remove encrypted parameters`);
  return existing.reduceRight((t, p) => removeOne(t, p), text);
}

function removeOne(text: string, existing: MidParameter): string {
  let end = existing.end;
  if (!/\/>$/.test(text.slice(existing.start, existing.end))) {
    const closeTag = text.indexOf('</parameter>', end);
    if (closeTag !== -1) end = closeTag + '</parameter>'.length;
  }
  const lineStart = text.lastIndexOf('\n', existing.start - 1) + 1;
  const nl = text.indexOf('\n', end);
  const lineEnd = nl === -1 ? text.length : nl + 1;
  const alone = /^[ \t]*$/.test(text.slice(lineStart, existing.start)) && /^[ \t]*\r?$/.test(text.slice(end, nl === -1 ? text.length : nl));
  return alone ? text.slice(0, lineStart) + text.slice(lineEnd) : text.slice(0, existing.start) + text.slice(end);
}

function attributes(s: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>; // an attribute named __proto__ stays an attribute
  for (const m of s.matchAll(ATTRIBUTE)) out[m[1]] = unescapeAttr(m[3] ?? m[4] ?? '');
  return out;
}

function commentRanges(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = text.indexOf('<!--'); i !== -1; i = text.indexOf('<!--', i + 4)) {
    const end = text.indexOf('-->', i + 4);
    out.push([i, end === -1 ? text.length : end + 3]);
    if (end === -1) break;
  }
  return out;
}

function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

function unescapeAttr(v: string): string {
  return v.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()];
    return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}
