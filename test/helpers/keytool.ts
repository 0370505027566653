/**
 * keytool as the test oracle. Passwords go through `-storepass:env` (never argv), as every example
 * in this project does. Each call is a JVM start (~0.4 s), so tests batch their questions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Keytool {
  /** Path of the keytool binary. */
  readonly bin: string;
  /** Java feature version (17, 25, ...). */
  readonly version: number;
}

const UTF8_FLAGS = ['-J-Dfile.encoding=UTF-8', '-J-Dsun.stdout.encoding=UTF-8', '-J-Dstdout.encoding=UTF-8', '-J-Duser.language=en'];

/**
 * The Java feature version of a keytool, from its JDK's `release` file (Java 17's keytool has no
 * -version option, so asking it fails), falling back to `java -version` beside it.
 */
function versionOf(bin: string): number | undefined {
  const home = path.dirname(path.dirname(bin));
  const release = path.join(home, 'release');
  if (fs.existsSync(release)) {
    const m = /JAVA_VERSION="(\d+)/.exec(fs.readFileSync(release, 'utf8'));
    if (m) return Number(m[1]);
  }
  const java = path.join(path.dirname(bin), 'java');
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)/.exec(`${r.stdout}${r.stderr}`);
  return m ? Number(m[1]) : undefined;
}

let cached: Keytool[] | undefined;

/** Every keytool on the machine: /usr/bin/keytool (Java 17) and any JDK under /usr/lib/jvm. */
export function allKeytools(): Keytool[] {
  if (cached) return cached;
  const candidates = new Set<string>();
  if (fs.existsSync('/usr/bin/keytool')) candidates.add(fs.realpathSync('/usr/bin/keytool'));
  if (fs.existsSync('/usr/lib/jvm')) {
    for (const d of fs.readdirSync('/usr/lib/jvm')) {
      const bin = path.join('/usr/lib/jvm', d, 'bin', 'keytool');
      if (fs.existsSync(bin)) candidates.add(fs.realpathSync(bin));
    }
  }
  const found: Keytool[] = [];
  for (const bin of candidates) {
    const version = versionOf(bin);
    if (version !== undefined && !found.some((k) => k.version === version)) found.push({ bin, version });
  }
  cached = found.sort((a, b) => a.version - b.version);
  return cached;
}

/** The Java 17 (or oldest available) keytool; throws loudly when none exists. */
export function keytool17(): Keytool {
  const k = allKeytools()[0];
  if (!k) throw new Error('keytool not found: install a JDK (apt-get install openjdk-17-jdk-headless); .ci/run does this');
  return k;
}

/** A keytool from a JDK ≥ 18 (password-less PKCS12 cacerts), or undefined — callers must say loudly they skip. */
export function modernKeytool(): Keytool | undefined {
  return allKeytools().find((k) => k.version >= 18);
}

/** Runs keytool; throws with its output on a non-zero exit. Secrets are passed as env vars. */
export function runKeytool(
  args: string[],
  opts: { keytool?: Keytool; env?: Record<string, string>; input?: string; cwd?: string } = {},
): string {
  const k = opts.keytool ?? keytool17();
  const r = spawnSync(k.bin, [...UTF8_FLAGS, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C.UTF-8', ...opts.env },
    input: opts.input,
    cwd: opts.cwd,
  });
  if (r.status !== 0) {
    throw new Error(`keytool ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** Like runKeytool but returns status and output instead of throwing. */
export function tryKeytool(
  args: string[],
  opts: { keytool?: Keytool; env?: Record<string, string> } = {},
): { status: number; output: string } {
  const k = opts.keytool ?? keytool17();
  const r = spawnSync(k.bin, [...UTF8_FLAGS, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C.UTF-8', ...opts.env },
  });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

export interface ListedEntry {
  alias: string;
  kind: 'trustedCertificate' | 'privateKey' | 'secretKey';
  /** Lowercase hex without colons; absent for secret keys. */
  sha256?: string;
}

const KIND: Record<string, ListedEntry['kind']> = {
  trustedCertEntry: 'trustedCertificate',
  PrivateKeyEntry: 'privateKey',
  SecretKeyEntry: 'secretKey',
};

/**
 * `keytool -list` parsed into entries, sorted by alias as keytool prints them. The password, if
 * any, is given as `-storepass:env`. Without a password keytool lists JKS unverified.
 */
export function keytoolList(
  store: string,
  password: string | undefined,
  opts: { keytool?: Keytool; storetype?: string } = {},
): ListedEntry[] {
  const args = ['-list', '-keystore', store];
  if (opts.storetype) args.push('-storetype', opts.storetype);
  const env: Record<string, string> = {};
  if (password !== undefined) {
    args.push('-storepass:env', 'MT_TEST_STOREPASS');
    env.MT_TEST_STOREPASS = password;
  }
  const out = runKeytool(args, { keytool: opts.keytool, env, input: password === undefined ? '\n' : undefined });
  return parseKeytoolList(out);
}

/** Parses the short `keytool -list` format: "alias, date, kind, " then a fingerprint line. */
export function parseKeytoolList(out: string): ListedEntry[] {
  const lines = out.split(/\r?\n/);
  const entries: ListedEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(.*), [^,]+, [^,]+, (trustedCertEntry|PrivateKeyEntry|SecretKeyEntry),\s*$/.exec(lines[i]);
    if (!m) continue;
    const entry: ListedEntry = { alias: m[1], kind: KIND[m[2]] };
    const fp = /^Certificate fingerprint \(SHA-256\): ([0-9A-F:]+)/.exec(lines[i + 1] ?? '');
    if (fp) entry.sha256 = fp[1].replace(/:/g, '').toLowerCase();
    entries.push(entry);
  }
  return entries;
}

/** Directories made by tempDir in this test file (jest gives every test file its own modules). */
const madeTempDirs: string[] = [];

/**
 * A fresh temporary directory. It is removed when the test file ends (test/jest/perTestFile.ts
 * calls removeTempDirs), so a test may remove it earlier but never has to.
 */
export function tempDir(prefix = 'midtrust-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeTempDirs.push(dir);
  return dir;
}

/** Removes every directory tempDir made in this test file. */
export function removeTempDirs(): void {
  for (const dir of madeTempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs openssl; throws with its output on failure. */
export function openssl(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  return execFileSync('openssl', args, { encoding: 'utf8', cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
