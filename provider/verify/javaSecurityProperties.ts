/**
 * Reads a `java.security` file (java.util.Properties syntax): `key=value`, `key: value` or
 * `key value`; `#` and `!` comments; a trailing backslash continues the value on the next line,
 * whose leading white space is dropped. Later keys win, as in Properties.load. Only the small
 * part of the syntax java.security files use is decoded (no `\uXXXX` escapes in these values).
 *
 * @example
 * parseJavaProperties('jdk.certpath.disabledAlgorithms=MD2, MD5, \\\n    SHA1 jdkCA & usage TLSServer\n')
 * // Map { 'jdk.certpath.disabledAlgorithms' => 'MD2, MD5, SHA1 jdkCA & usage TLSServer' }
 */
export function parseJavaProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the logical line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    }
    const m = /^((?:\\.|[^=:\s\\])+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1].replace(/\\(.)/g, '$1'), m[2].trim());
    else out.set(line.replace(/\\(.)/g, '$1'), '');
  }
  return out;
}
