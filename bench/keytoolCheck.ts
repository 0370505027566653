/**
 * keytool as the judge of every store a bench measures: after a run, the store must list (with its
 * password, so the integrity check passes too) exactly the expected number of entries and every
 * expected alias with the expected SHA-256.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { keytool17, parseKeytoolList, type Keytool, type ListedEntry } from '../test/helpers/keytool';

/** An alias that must be in a store, holding the certificate with this SHA-256. */
export interface ExpectedEntry {
  readonly alias: string;
  readonly sha256: string;
}

/** SHA-256 of a PEM file's certificate, computed by node's X509Certificate (not by midtrust). */
export function sha256OfPemFile(file: string): string {
  return new X509Certificate(fs.readFileSync(file)).fingerprint256.replace(/:/g, '').toLowerCase();
}

/** The entries `pemFiles` must produce as aliases `<prefix>-<i>`. */
export function expectedEntries(pemFiles: readonly string[], prefix = 'bench'): ExpectedEntry[] {
  return pemFiles.map((f, i) => ({ alias: `${prefix}-${i}`, sha256: sha256OfPemFile(f) }));
}

/**
 * Throws unless keytool lists `store` with `count` entries and every `expected` entry; `absent`
 * aliases must be gone. Returns the number of entries keytool listed.
 */
export function checkWithKeytool(
  store: string,
  password: string | undefined,
  what: string,
  want: { count?: number; expected?: readonly ExpectedEntry[]; absent?: readonly string[]; keytool?: Keytool },
): number {
  const listed = keytoolListing(store, password, want.keytool ?? keytool17());
  const byAlias = new Map(listed.map((e) => [e.alias.toLowerCase(), e.sha256]));
  if (want.count !== undefined && listed.length !== want.count) throw new Error(`${what}: keytool lists ${listed.length} entries in ${store}, expected ${want.count}`);
  for (const e of want.expected ?? []) {
    const got = byAlias.get(e.alias.toLowerCase());
    if (got !== e.sha256) throw new Error(`${what}: keytool shows ${e.alias} in ${store} as ${got ?? 'absent'}, expected ${e.sha256}`);
  }
  for (const alias of want.absent ?? []) {
    if (byAlias.has(alias.toLowerCase())) throw new Error(`${what}: ${alias} is still in ${store}`);
  }
  return listed.length;
}

/** `keytool -list` of a store of any size (15,000 entries print ~2 MB), password through the environment. */
function keytoolListing(store: string, password: string | undefined, keytool: Keytool): ListedEntry[] {
  const args = ['-J-Duser.language=en', '-list', '-keystore', store];
  if (password !== undefined) args.push('-storepass:env', 'MIDTRUST_BENCH_STOREPASS');
  const r = spawnSync(keytool.bin, args, {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C.UTF-8', MIDTRUST_BENCH_STOREPASS: password ?? '' },
    input: password === undefined ? '\n' : undefined,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`keytool -list ${store} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout.slice(0, 2000)}`);
  return parseKeytoolList(r.stdout);
}
