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

/** The value of one parameter, or undefined. */
export function getMidParameter(text: string, name: string): MidParameter | undefined {
  return readMidParameters(text).find((p) => p.name === name);
}

/**
 * Sets one parameter, changing only its `value` attribute (or adding one line before
 * `</parameters>` with the indentation of its neighbours). Everything else — comments, order,
 * spacing, encrypted values — stays byte-for-byte. An encrypted (`secure="true"`) parameter is
 * never rewritten: midtrust cannot encrypt as the MID does.
 */
export function setMidParameter(text: string, name: string, value: string, file = 'config.xml'): string {
  const existing = getMidParameter(text, name);
  if (existing?.secure) {
    throw new MidtrustError('INVALID_INPUT', `${file}: ${name} is an encrypted (secure="true") parameter; midtrust never rewrites encrypted values — change it on the MID Server record instead`);
  }
  if (existing) {
    if (existing.value === value) return text;
    const tag = text.slice(existing.start, existing.end);
    const valueAttr = /(\svalue\s*=\s*)("[^"]*"|'[^']*')/.exec(tag);
    const newTag = valueAttr
      ? `${tag.slice(0, valueAttr.index)}${valueAttr[1]}"${escapeAttr(value)}"${tag.slice(valueAttr.index + valueAttr[0].length)}`
      : tag.replace(/\s*(\/?)>$/, ` value="${escapeAttr(value)}"$1>`);
    return text.slice(0, existing.start) + newTag + text.slice(existing.end);
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

/** Removes one parameter's line (or just its tag when it shares a line). Absent → unchanged. */
export function removeMidParameter(text: string, name: string, file = 'config.xml'): string {
  const existing = getMidParameter(text, name);
  if (!existing) return text;
  if (existing.secure) throw new MidtrustError('INVALID_INPUT', `${file}: ${name} is encrypted (secure="true"); midtrust does not remove encrypted parameters`);
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
  const out: Record<string, string> = {};
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
