/**
 * "This test needs tool X": the one way a test depends on something the machine may lack.
 *
 * - Tools present → the real `describe` / `it`.
 * - A tool missing and `CI` set → the test is registered and FAILS with what is missing and how
 *   to install it (`.ci/run` installs everything, so a missing oracle in CI is a broken CI, never a
 *   green run that checked less).
 * - A tool missing elsewhere → `describe.skip` / `it.skip` plus a loud `SKIPPED: … <tool> missing`
 *   line, and the skip is listed again at the end of the run (test/jest/globalTeardown.ts).
 *
 * Never `return` early inside a test because a tool is missing: that is a green test that
 * checked nothing. Bodies given to `describe` must only register tests and hooks (jest runs the
 * body of a skipped describe too, to collect its tests); do the work in `beforeAll`.
 *
 * @example
 * needs('jdk18').it('lists a password-less PKCS12', () => { ... });
 * needs('sshd').describe('SSH host', () => { beforeAll(...); it(...); });
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allKeytools, modernKeytool } from './keytool';
import { sshdUnavailable } from './sshd';
import { wineUnavailable } from './windowsNode';

/** Debian's JKS cacerts (every JDK links to it; ca-certificates-java makes it). */
export const JDK_CACERTS = '/etc/ssl/certs/java/cacerts';

const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = (): boolean => process.getuid?.() === 0;

/** Runs a probe command in a scratch directory; the reason when it fails. */
function probeInScratch(what: string, run: (dir: string) => void, undo: (dir: string) => void): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mt-probe-'));
  try {
    run(dir);
    undo(dir);
    return undefined;
  } catch (e) {
    const err = e as { stderr?: Buffer | string; message: string };
    return `${what}: ${String(err.stderr ?? '').trim() || err.message}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Each tool: why it is unavailable here (with the fix), or undefined when it is there. */
const PROBES = {
  /** keytool of Java 17 (/usr/bin/keytool), the oracle of every store. */
  keytool: () => {
    const k = allKeytools()[0];
    if (!k) return 'no keytool (apt-get install openjdk-17-jdk-headless; .ci/run does)';
    if (k.version !== 17) return `the oldest keytool is Java ${k.version} (${k.bin}); the oracle must be Java 17 (apt-get install openjdk-17-jdk-headless)`;
    return undefined;
  },
  /** A keytool from a JDK ≥ 18 (password-less PKCS12 cacerts, JDK 18+ defaults). */
  jdk18: () => (modernKeytool() ? undefined : 'no JDK ≥ 18 keytool under /usr/lib/jvm (install Temurin 25 or openjdk-21-jdk-headless; .ci/run does)'),
  /** `java` next to every keytool (to compile and run small Java checks). */
  java: () => {
    const ks = allKeytools();
    if (ks.length === 0) return 'no JDK (apt-get install openjdk-17-jdk-headless; .ci/run does)';
    const noJava = ks.filter((k) => !fs.existsSync(path.join(path.dirname(k.bin), 'java')));
    return noJava.length ? `no java binary beside ${noJava.map((k) => k.bin).join(', ')}` : undefined;
  },
  /** Debian's JDK cacerts (JKS, password changeit). */
  jdkCacerts: () => (fs.existsSync(JDK_CACERTS) ? undefined : `${JDK_CACERTS} absent (apt-get install ca-certificates-java; a JDK package pulls it in)`),
  openssl: () => (onPath('openssl') ? undefined : 'openssl not on PATH (apt-get install openssl)'),
  /** A real OpenSSH server for loopback SSH tests; a test sshd must run as root to switch to the login user. */
  sshd: () => sshdUnavailable(),
  /** Debian's sudo and the shadow tools, as root: test accounts acting as others through `sudo -n` (become). */
  sudo: () => {
    if (!isRoot()) return 'needs root (creates test accounts and a file in /etc/sudoers.d)';
    const absent = ['/usr/bin/sudo', '/usr/sbin/useradd', '/usr/sbin/visudo'].filter((f) => !fs.existsSync(f));
    return absent.length ? `${absent.join(', ')} not found (apt-get install sudo; .ci/run does)` : undefined;
  },
  /** ssh-agent and ssh-add (openssh-client) for agent-held keys. */
  sshAgent: () => (onPath('ssh-agent') && onPath('ssh-add') ? undefined : 'ssh-agent/ssh-add not on PATH (apt-get install openssh-client)'),
  root: () => (isRoot() ? undefined : 'needs root (chown to another uid, setuid to nobody, mounts)'),
  /** `chattr +i` on a directory of the temp file system (an immutable directory stops even root). */
  chattr: () =>
    isRoot()
      ? probeInScratch('chattr +i on the temp directory failed', (d) => execFileSync('chattr', ['+i', d], { stdio: 'pipe' }), (d) => execFileSync('chattr', ['-i', d], { stdio: 'pipe' }))
      : 'chattr +i needs root',
  /** Mounting a small tmpfs (read-only and full file systems). */
  tmpfs: () =>
    isRoot()
      ? probeInScratch('mount -t tmpfs failed', (d) => execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d], { stdio: 'pipe' }), (d) => execFileSync('umount', [d], { stdio: 'pipe' }))
      : 'mounting a tmpfs needs root',
  chromium: () => (fs.existsSync('/usr/bin/chromium') ? undefined : '/usr/bin/chromium not found (apt-get install chromium; .ci/run does)'),
  promtool: () => (onPath('promtool') ? undefined : 'promtool not on PATH (apt-get install prometheus; .ci/run does)'),
  /** The Windows build of node (node.exe) under Wine: test/helpers/windowsNode.ts. */
  wine: () => wineUnavailable(),
} satisfies Record<string, () => string | undefined>;

/** Something a test needs from the machine. */
export type Tool = keyof typeof PROBES;

const cache = new Map<Tool, string | undefined>();

/**
 * Why `tool` is unavailable on this machine (with how to install it), or undefined when it is
 * there. Probed once per test file.
 *
 * @example
 * whyMissing('jdk18'); // undefined here; 'no JDK ≥ 18 keytool under /usr/lib/jvm (…)' elsewhere
 */
export function whyMissing(tool: Tool): string | undefined {
  if (!cache.has(tool)) cache.set(tool, PROBES[tool]());
  return cache.get(tool);
}

/** Whether this is a CI run (`CI` set to anything but "", "0" or "false"), where nothing may be skipped. */
export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

type TestFn = jest.ProvidesCallback;

/** `describe` and `it` that run only where their tools are (see the module comment). */
export interface Gate {
  /** Every missing tool with its reason, joined; undefined when all are present. */
  readonly missing: string | undefined;
  describe(name: string, fn: () => void): void;
  it(name: string, fn: TestFn, timeout?: number): void;
}

/** Where skips are collected for the end-of-run summary (set by test/jest/globalSetup.ts). */
function recordSkip(line: string): void {
  const file = process.env.MIDTRUST_TEST_SKIP_LOG;
  if (file) fs.appendFileSync(file, `${line}\n`);
}

function skipped(name: string, missing: string): void {
  const line = `SKIPPED: ${name} — tool missing: ${missing}`;
  console.warn(line);
  recordSkip(`${expect.getState().testPath ?? ''}: ${line}`);
}

/**
 * The gate for tests that need `tools`.
 *
 * @example
 * needs('jdk18', 'jdkCacerts').describe('password-less cacerts', () => { ... });
 */
export function needs(...tools: Tool[]): Gate {
  const reasons = tools.map((t) => [t, whyMissing(t)] as const).filter(([, why]) => why !== undefined);
  const missing = reasons.length ? reasons.map(([t, why]) => `${t} (${why})`).join('; ') : undefined;
  if (!missing) return { missing, describe: (name, fn) => describe(name, fn), it: (name, fn, timeout) => it(name, fn, timeout) };
  const failure = (): never => {
    throw new Error(`CI must not skip: ${missing}. .ci/run installs every tool the tests need; fix the CI machine`);
  };
  if (isCi()) {
    return {
      missing,
      describe: (name) => describe(name, () => it('has the tools it needs', failure)),
      it: (name) => it(name, failure),
    };
  }
  return {
    missing,
    describe: (name, fn) => {
      skipped(name, missing);
      // Skipped only outside CI, because a tool it needs is missing here; `missing` says which and how to install it.
      describe.skip(name, fn);
    },
    it: (name, fn, timeout) => {
      skipped(name, missing);
      // Skipped only outside CI, because a tool it needs is missing here; `missing` says which and how to install it.
      it.skip(name, fn, timeout);
    },
  };
}
