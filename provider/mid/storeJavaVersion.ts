import * as path from 'node:path';
import type { Host } from '../host/host';
import { READ_LIMITS } from '../host/readLimits';
import { DEFAULT_JAVA_VERSION, javaVersionOfRelease } from '../keystore/javaAliasCase';

/** Where a store is: its path, and the MID home it was given as (when it was). */
export interface StoreLocation {
  readonly path: string;
  readonly midHome?: string;
}

/**
 * The Java feature version that reads a store, for its alias case rules (javaAliasCase.ts): the
 * `release` file of the JRE the store belongs to — the MID's bundled JRE (`agent/jre/release`)
 * for a `midHome`, whichever store it resolves to (the bundled cacerts or an external
 * truststore), else the JDK/JRE whose `lib/security/` holds the store — and
 * {@link DEFAULT_JAVA_VERSION} (17) when there is none. `keystore.javaVersion` in a desired-state
 * file overrides it.
 *
 * @example
 * await storeJavaVersion(host, { path: '/opt/mid/agent/jre/lib/security/cacerts', midHome: '/opt/mid' }); // 17 on Zurich, 21 on Australia
 */
export async function storeJavaVersion(host: Host, store: StoreLocation): Promise<number> {
  const p = /^[A-Za-z]:[\\/]/.test(store.midHome ?? store.path) ? path.win32 : path.posix;
  let release: string | undefined;
  if (store.midHome !== undefined) release = p.join(store.midHome, 'agent', 'jre', 'release');
  else if (p.basename(p.dirname(store.path)) === 'security' && p.basename(p.dirname(p.dirname(store.path))) === 'lib') release = p.join(p.dirname(p.dirname(p.dirname(store.path))), 'release');
  if (release === undefined) return DEFAULT_JAVA_VERSION;
  try {
    const text = Buffer.from(await host.readFile(release, { maxBytes: READ_LIMITS.smallRecord, what: 'the JRE release file' })).toString('utf8');
    return javaVersionOfRelease(text) ?? DEFAULT_JAVA_VERSION;
  } catch {
    return DEFAULT_JAVA_VERSION; // no release file (a JRE without one, a store beside lib/security by chance)
  }
}
