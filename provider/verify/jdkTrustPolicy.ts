import * as fs from 'node:fs';
import * as path from 'node:path';
import { Certificate } from '../certificate/certificate';
import { MidtrustError } from '../errors';
import type { Host } from '../host/host';
import { readKeystore } from '../keystore/keystoreCodec';
import type { Keystore } from '../keystore/model';
import { AlgorithmConstraints } from './algorithmConstraints';
import { parseJavaProperties } from './javaSecurityProperties';

/**
 * What the JVM's trust decision depends on besides the store: the disabled-algorithm properties
 * of its `java.security` and the set of roots its JDK ships (the `jdkCA` condition).
 */
export interface JdkTrustPolicy {
  /** `jdk.certpath.disabledAlgorithms`. */
  readonly certpath: AlgorithmConstraints;
  /** `jdk.tls.disabledAlgorithms` (SunJSSE applies it to the certificates too). */
  readonly tls: AlgorithmConstraints;
  /**
   * SHA-256 (lowercase hex) of the roots the JDK ships: entries of `<java.home>/lib/security/cacerts`
   * whose alias contains " [jdk" (sun.security.util.AnchorCertificates). A chain that ends at one
   * of them is a `jdkCA` chain. Debian's shared cacerts uses other aliases, so there it is empty.
   */
  readonly jdkCaSha256: ReadonlySet<string>;
  /** Where the properties came from, for people ("/opt/mid/agent/jre/conf/security/java.security"). */
  readonly source: string;
  /**
   * The most certificates the JVM's TLS client takes from a server
   * (`jdk.tls.client.maxInboundCertificateChainLength`, else `jdk.tls.maxCertificateChainLength`,
   * default 10): a longer chain fails the handshake before trust is judged.
   */
  readonly maxChainLength: number;
  /** `jdk.tls.maxHandshakeMessageSize` (default 32768): a larger Certificate message fails the handshake. */
  readonly maxHandshakeMessageSize: number;
  /** The Java feature version judged for (17, 21, 25): the JRE's `release` file, `--java-version`, or 17. */
  readonly javaVersion: number;
  /** Where {@link javaVersion} came from, for people. */
  readonly javaVersionSource: string;
}

/** The Java feature versions whose behaviour midtrust knows (a MID bundles 11, 17 or 21). */
export const KNOWN_JAVA_VERSIONS = [11, 17, 21, 25] as const;

/**
 * Named curves SunEC implements since JDK 16 (JDK-8235710 removed the native library): a key on
 * any other curve (secp224r1, secp256k1, brainpool…) cannot verify a signature or a handshake.
 */
export const JDK16_EC_CURVES: ReadonlySet<string> = new Set(['secp256r1', 'secp384r1', 'secp521r1']);

/**
 * The JDK 17 defaults, used when no java.security can be read. Source: OpenJDK 17.0.15
 * `conf/security/java.security` (identical certpath value in Temurin 25); a MID's bundled JRE
 * (Java 17 since Washington DC, 21 since Australia) ships the same values unless edited.
 */
export const JDK17_DEFAULT_PROPERTIES: Readonly<Record<string, string>> = {
  'jdk.certpath.disabledAlgorithms': 'MD2, MD5, SHA1 jdkCA & usage TLSServer, RSA keySize < 1024, DSA keySize < 1024, EC keySize < 224, SHA1 usage SignedJAR & denyAfter 2019-01-01',
  'jdk.tls.disabledAlgorithms': 'SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH',
  'jdk.disabled.namedCurves': '',
};
const DEFAULTS_SOURCE = 'the JDK 17 defaults (OpenJDK 17.0.15 conf/security/java.security; no java.security found)';

/**
 * A policy from properties already read (a Pulumi program or a test can build one directly).
 *
 * @example
 * const policy = jdkTrustPolicyFrom(new Map(Object.entries(JDK17_DEFAULT_PROPERTIES)), new Set(), 'defaults');
 */
export function jdkTrustPolicyFrom(properties: ReadonlyMap<string, string>, jdkCaSha256: ReadonlySet<string>, source: string, java: { version: number; source: string } = { version: 17, source: 'Java 17 assumed (no release file)' }): JdkTrustPolicy {
  const get = (k: string): string => properties.get(k) ?? JDK17_DEFAULT_PROPERTIES[k] ?? '';
  const curves = get('jdk.disabled.namedCurves');
  return {
    certpath: AlgorithmConstraints.parse('jdk.certpath.disabledAlgorithms', get('jdk.certpath.disabledAlgorithms'), curves),
    tls: AlgorithmConstraints.parse('jdk.tls.disabledAlgorithms', get('jdk.tls.disabledAlgorithms'), curves),
    jdkCaSha256,
    source,
    maxChainLength: chainLengthLimit(properties),
    maxHandshakeMessageSize: positiveInteger(properties.get('jdk.tls.maxHandshakeMessageSize')) ?? 32768,
    javaVersion: java.version,
    javaVersionSource: java.source,
  };
}

/**
 * SSLConfiguration: the client's inbound limit, else the shared one, else 10. These are system
 * properties; midtrust reads them from the properties it was given (java.security and
 * `--java-security`, where a `-D` of the MID's wrapper can be repeated).
 */
function chainLengthLimit(properties: ReadonlyMap<string, string>): number {
  return positiveInteger(properties.get('jdk.tls.client.maxInboundCertificateChainLength')) ?? positiveInteger(properties.get('jdk.tls.maxCertificateChainLength')) ?? 10;
}

function positiveInteger(text: string | undefined): number | undefined {
  const v = Number(text);
  return text !== undefined && Number.isInteger(v) && v > 0 ? v : undefined;
}

/**
 * The Java feature version of a JRE `release` file (`JAVA_VERSION="17.0.12"` → 17, `"1.8.0_402"` → 8).
 *
 * @example
 * javaVersionOfRelease('JAVA_VERSION="21.0.5"\n') // 21
 */
export function javaVersionOfRelease(text: string): number | undefined {
  const m = /^JAVA_VERSION="?(\d+)(?:\.(\d+))?/m.exec(text);
  if (!m) return undefined;
  return m[1] === '1' && m[2] ? Number(m[2]) : Number(m[1]);
}

/** The JDK 17 defaults, with no JDK-shipped roots known (judged for `javaVersion` when given). */
export function defaultJdkTrustPolicy(javaVersion?: number): JdkTrustPolicy {
  const java = javaVersion !== undefined ? { version: javaVersion, source: `Java ${javaVersion} (--java-version)` } : undefined;
  return jdkTrustPolicyFrom(new Map(Object.entries(JDK17_DEFAULT_PROPERTIES)), new Set(), DEFAULTS_SOURCE, java);
}

/** Options of {@link loadJdkTrustPolicy}. */
export interface LoadJdkTrustPolicyOptions {
  /** The JDK or JRE home whose `java.security` and `lib/security/cacerts` apply (a MID: `<midHome>/agent/jre`). */
  readonly javaHome?: string;
  /** A properties file applied over it, as `-Djava.security.properties=<file>` does. */
  readonly overrideFile?: string;
  /** Path style of the host (a Windows MID's JRE). */
  readonly platform?: 'posix' | 'win32';
  /** The Java version to judge for, over the JRE's `release` (`--java-version`). */
  readonly javaVersion?: number;
}

/**
 * Reads the policy of a JDK on `host`: `<javaHome>/conf/security/java.security` (Java ≥ 9) or
 * `<javaHome>/lib/security/java.security` (Java 8), and the JDK-shipped roots from
 * `<javaHome>/lib/security/cacerts`. Without a readable java.security: the JDK 17 defaults, and
 * `source` says so. An override file that cannot be read is an error (the user asked for it).
 *
 * @example
 * const policy = await loadJdkTrustPolicy(new LocalHost(), { javaHome: '/opt/servicenow/mid/agent/jre' });
 * policy.source // '/opt/servicenow/mid/agent/jre/conf/security/java.security'
 */
export async function loadJdkTrustPolicy(host: Host, opts: LoadJdkTrustPolicyOptions): Promise<JdkTrustPolicy> {
  const p = opts.platform === 'win32' ? path.win32 : path.posix;
  let properties = new Map<string, string>();
  let source = DEFAULTS_SOURCE;
  let jdkCa = new Set<string>();
  let java: { version: number; source: string } | undefined;
  if (opts.javaHome) {
    for (const candidate of [p.join(opts.javaHome, 'conf', 'security', 'java.security'), p.join(opts.javaHome, 'lib', 'security', 'java.security')]) {
      const text = await readIfPresent(host, candidate);
      if (text !== undefined) {
        properties = parseJavaProperties(text);
        source = candidate;
        break;
      }
    }
    jdkCa = await jdkShippedRoots(host, p.join(opts.javaHome, 'lib', 'security', 'cacerts'));
    const releaseFile = p.join(opts.javaHome, 'release');
    const version = javaVersionOfRelease((await readIfPresent(host, releaseFile).catch(() => undefined)) ?? '');
    if (version !== undefined) java = { version, source: `Java ${version} (${releaseFile})` };
  }
  if (opts.javaVersion !== undefined) java = { version: opts.javaVersion, source: `Java ${opts.javaVersion} (--java-version)` };
  if (opts.overrideFile) {
    let text: string;
    try {
      text = Buffer.from(await host.readFile(opts.overrideFile)).toString('utf8');
    } catch (e) {
      throw e instanceof MidtrustError ? e.withContext('--java-security') : e;
    }
    for (const [k, v] of parseJavaProperties(text)) properties.set(k, v);
    source = `${source}, overridden by ${opts.overrideFile}`;
  }
  return jdkTrustPolicyFrom(properties, jdkCa, source, java);
}

async function readIfPresent(host: Host, file: string): Promise<string | undefined> {
  if (!(await host.stat(file).catch(() => undefined))) return undefined;
  return Buffer.from(await host.readFile(file)).toString('utf8');
}

/**
 * Fingerprints of the roots in a JDK's own cacerts whose alias contains " [jdk", read as
 * AnchorCertificates does (no password: a JKS unverified, a password-less PKCS12 as is). An
 * unreadable file gives the empty set, as in Java, where it only disables the jdkCA condition.
 */
export async function jdkShippedRoots(host: Host, cacerts: string): Promise<Set<string>> {
  try {
    if (!(await host.stat(cacerts))) return new Set();
    return jdkShippedRootsOf(readKeystore(await host.readFile(cacerts), {}));
  } catch {
    // Java ignores an unreadable cacerts here too (AnchorCertificates logs and continues).
    return new Set();
  }
}

/** The " [jdk" entries of a store model (a MID's cacerts after an upgrade is only a model). */
export function jdkShippedRootsOf(store: Keystore): Set<string> {
  const out = new Set<string>();
  for (const e of store.entries) {
    if (e.kind === 'trustedCertificate' && e.alias.includes(' [jdk') && e.certificates[0]) out.add(Certificate.fromDer(e.certificates[0]).sha256);
  }
  return out;
}

/**
 * The home of the JDK midtrust would run `java` from: `$JAVA_HOME`, else the real path of the
 * first `java` on `$PATH` (two levels up from `bin/java`). Undefined when there is none.
 *
 * @example
 * localJavaHome(process.env) // '/usr/lib/jvm/java-17-openjdk-amd64' on Debian
 */
export function localJavaHome(env: Record<string, string | undefined>): string | undefined {
  if (env.JAVA_HOME && fs.existsSync(env.JAVA_HOME)) return env.JAVA_HOME;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const java = path.join(dir, 'java');
    try {
      return path.dirname(path.dirname(fs.realpathSync(java)));
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
