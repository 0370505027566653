/**
 * Text from outside (certificate subjects, aliases, server names) made safe for a terminal or a
 * one-line comment. One rule for every door: the CLI's tables and messages, verify's verdict, the
 * comment `verify --write-desired` adds.
 */

/**
 * Characters a terminal acts on instead of printing: C0 controls (ESC starts ANSI sequences, CR
 * and BS overwrite what was printed), DEL, C1 controls (0x9B is a one-byte CSI), line and
 * paragraph separators, and the bidirectional overrides and isolates that reorder what is shown
 * ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text from a certificate or a keystore (subjects, aliases) made safe to print on a terminal:
 * every character a terminal would act on is shown escaped (`\x1b`, `\u{202e}`) instead. A
 * subject crafted with ANSI escapes can then neither recolour, hide nor rewrite the lines around
 * it. JSON output needs no such step: JSON escapes control characters itself.
 *
 * @example
 * printable('CN=evil\u001b[2J'); // 'CN=evil\\x1b[2J'
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0) as number;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * {@link printable} for a whole block of output: line breaks stay, every other character a
 * terminal acts on is escaped. The CLI passes all its human-readable output through it, so an
 * alias or subject inside a message (plan lines, lint findings) is as safe as one in a table.
 *
 * @example
 * terminalText('+ add evil\u001b[2J\n'); // '+ add evil\\x1b[2J\n'
 */
export function terminalText(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
