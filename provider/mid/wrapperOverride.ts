/**
 * agent/conf/wrapper-override.conf: the Java Service Wrapper lines that give the MID's JVM
 * extra options. An external truststore is three `-D` options on `wrapper.java.additional.<N>`
 * lines; N must be unique, so new lines take the next free number.
 */
const ADDITIONAL = /^(\s*wrapper\.java\.additional\.(\d+)\s*=\s*)(.*?)(\r?)$/;

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

/** The `-D<name>=<value>` system properties on wrapper.java.additional lines (last one wins, as in Java). */
export function readSystemProperties(text: string): Map<string, { value: string; line: number; n: number }> {
  const out = new Map<string, { value: string; line: number; n: number }>();
  text.split('\n').forEach((raw, line) => {
    const m = ADDITIONAL.exec(raw);
    if (!m || raw.trimStart().startsWith('#')) return;
    const d = /^-D([^=\s]+)=(.*)$/.exec(m[3].trim());
    if (d) out.set(d[1], { value: d[2], line, n: Number(m[2]) });
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
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.length === 0 ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const used = new Set<number>();
  for (const l of lines) {
    const m = ADDITIONAL.exec(l);
    if (m) used.add(Number(m[2]));
  }
  const done = new Set<string>();
  const kept: string[] = [];
  for (const l of lines) {
    const m = ADDITIONAL.exec(l);
    const d = m && !l.trimStart().startsWith('#') ? /^-D([^=\s]+)=/.exec(m[3].trim()) : null;
    if (!m || !d || !(d[1] in values)) {
      kept.push(l);
      continue;
    }
    const v = values[d[1]];
    if (done.has(d[1]) || v === undefined) continue; // duplicates and removals are dropped
    kept.push(`${m[1]}-D${d[1]}=${v}`);
    done.add(d[1]);
  }
  let next = used.size ? Math.max(...used) + 1 : 1;
  for (const [name, v] of Object.entries(values)) {
    if (v === undefined || done.has(name)) continue;
    kept.push(`wrapper.java.additional.${next++}=-D${name}=${v}`);
  }
  return kept.length ? `${kept.join(eol)}${eol}` : '';
}
