import * as path from 'node:path';
import { MidtrustError } from '../errors';
import type { Host } from '../host/host';
import { READ_LIMITS } from '../host/readLimits';
import type { DesiredState } from '../plan/desiredState';
import { midLayout, validateMidLayout, type MidLayout } from './midLayout';
import { readSystemProperties, TRUSTSTORE_PROPERTIES } from './wrapperOverride';

/**
 * Which store of a MID home a desired state or a resource manages: `effective` (default) the one
 * its JVM reads; `bundled` the JRE's own `agent/jre/lib/security/cacerts` even when the JVM reads
 * an external truststore (an explicit choice, flagged by lint/audit: rule bundled-store-bypassed).
 */
export type MidStoreChoice = 'effective' | 'bundled';

/** The store choices, for schemas and messages. */
export const MID_STORE_CHOICES: readonly MidStoreChoice[] = ['effective', 'bundled'];

/** Where wrapper-override.conf wires the external truststore (1-based line numbers). */
export interface ExternalWiring {
  /** The external truststore's path as the JVM gets it. */
  readonly path: string;
  readonly file: string;
  readonly line: number;
  /** -Djavax.net.ssl.trustStoreType, when wired. */
  readonly type?: string;
  readonly typeLine?: number;
  /** Line of -Djavax.net.ssl.trustStorePassword, when wired (the value is in {@link EffectiveStore.wiredPassword}). */
  readonly passwordLine?: number;
}

/**
 * The answer to "which store does this MID's JVM use": the file, and why, in words for people.
 * The wired password is held apart and never shows in `why`, JSON or messages.
 */
export interface EffectiveStore {
  readonly layout: MidLayout;
  /** The file to read and write. */
  readonly path: string;
  /** external: wired in wrapper-override.conf; jssecacerts: the bundled JRE's (Java prefers it); bundled: agent/jre/lib/security/cacerts. */
  readonly kind: 'external' | 'jssecacerts' | 'bundled';
  /** "external truststore wired in <file> line 7", "bundled cacerts", … */
  readonly why: string;
  /** The choice this answer was made for. */
  readonly choice: MidStoreChoice;
  /** Set when wrapper-override.conf wires an external truststore (also when `bundled` was chosen). */
  readonly external?: ExternalWiring;
  /** The wired -Djavax.net.ssl.trustStorePassword, when the external store is the one chosen; secret. */
  readonly wiredPassword?: string;
}

/** `{kind, path, why}`: how JSON outputs name the store (never the password). */
export interface EffectiveStoreJson {
  readonly kind: EffectiveStore['kind'];
  readonly path: string;
  readonly why: string;
  /** The external truststore the JVM reads, when `bundled` was chosen on a MID wired to one. */
  readonly bypassed?: string;
}

/** The JSON form of an answer: kind, path and why (the password never). */
export function effectiveStoreJson(s: EffectiveStore): EffectiveStoreJson {
  return { kind: s.kind, path: s.path, why: s.why, ...(s.kind !== 'external' && s.external ? { bypassed: s.external.path } : {}) };
}

/** What the JVM's default trust manager is told by wrapper-override.conf (undefined: nothing wired). */
export function externalWiringOf(layout: MidLayout, wrapperText: string): (ExternalWiring & { password?: string }) | undefined {
  const props = readSystemProperties(wrapperText);
  const wired = props.get(TRUSTSTORE_PROPERTIES.path);
  if (!wired) return undefined;
  const file = layout.wrapperOverride;
  const p = layout.platform === 'win32' ? path.win32 : path.posix;
  const where = `${file} line ${wired.line + 1}`;
  // Java resolves a relative path against the JVM's working directory and the wrapper expands
  // %NAME% from the MID's environment: neither can be known from here, and a guess could write
  // a file the JVM never reads.
  if (/%[^%\s]+%/.test(wired.value)) {
    throw new MidtrustError('INVALID_INPUT', `${where}: -D${TRUSTSTORE_PROPERTIES.path}=${wired.value} depends on an environment variable of the MID's service, so midtrust cannot tell which file the JVM reads; write the path out in full`);
  }
  if (!p.isAbsolute(wired.value)) {
    throw new MidtrustError('INVALID_INPUT', `${where}: -D${TRUSTSTORE_PROPERTIES.path}=${wired.value} is not an absolute path (or NONE), so which file the JVM reads depends on its working directory; write the absolute path of the external truststore`);
  }
  const type = props.get(TRUSTSTORE_PROPERTIES.type);
  const password = props.get(TRUSTSTORE_PROPERTIES.password);
  return {
    path: wired.value,
    file,
    line: wired.line + 1,
    ...(type ? { type: type.value, typeLine: type.line + 1 } : {}),
    ...(password ? { passwordLine: password.line + 1, password: password.value } : {}),
  };
}

/** `agent/conf/wrapper-override.conf` in the home's own style: the store's path already names the home, and the line stays short. */
function unwiredFile(layout: MidLayout): string {
  const p = layout.platform === 'win32' ? path.win32 : path.posix;
  return p.relative(layout.home, layout.wrapperOverride);
}

/** The wiring without its password (what may be shown and kept). */
function withoutPassword(wiring: (ExternalWiring & { password?: string }) | undefined): ExternalWiring | undefined {
  if (!wiring) return undefined;
  const { password: _secret, ...rest } = wiring;
  return rest;
}

/**
 * Reads wrapper-override.conf of a MID home (bounded; '' when it does not exist).
 *
 * @example
 * const text = await readWrapperOverride(new LocalHost(), midLayout('/opt/servicenow/mid'));
 */
export async function readWrapperOverride(host: Host, layout: MidLayout): Promise<string> {
  if (!(await host.stat(layout.wrapperOverride))) return '';
  const bytes = await host.readFile(layout.wrapperOverride, { maxBytes: READ_LIMITS.configFile, what: 'wrapper-override.conf' });
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The store a MID's JVM uses for TLS trust, resolved as Java does: `-Djavax.net.ssl.trustStore`
 * wired in wrapper-override.conf, else the bundled JRE's `jssecacerts` when present, else its
 * `cacerts`. With `choice: 'bundled'` the answer is the bundled cacerts whatever is wired (and
 * `external` still says what the JVM reads instead). The one resolver every command, resource,
 * report and verify use.
 *
 * @example
 * const s = await resolveMidStore(new LocalHost(), '/opt/servicenow/mid');
 * s.path; // '/etc/servicenow/truststore.p12'
 * s.why;  // 'external truststore wired in /opt/servicenow/mid/agent/conf/wrapper-override.conf line 7'
 */
export async function resolveMidStore(host: Host, midHome: string | MidLayout, opts: { choice?: MidStoreChoice; platform?: 'posix' | 'win32' } = {}): Promise<EffectiveStore> {
  const layout = typeof midHome === 'string' ? midLayout(midHome, opts.platform) : midHome;
  await validateMidLayout(host, layout);
  const choice = opts.choice ?? 'effective';
  const text = await readWrapperOverride(host, layout);
  if (choice === 'bundled') {
    // The bundled cacerts is known whatever is wired; a wiring midtrust cannot follow is only told.
    let external: ExternalWiring | undefined;
    let unfollowed: string | undefined;
    try {
      external = withoutPassword(externalWiringOf(layout, text));
    } catch (e) {
      if (!(e instanceof MidtrustError)) throw e;
      unfollowed = e.message;
    }
    const why = external
      ? `bundled cacerts, chosen; the JVM reads the external truststore ${external.path} wired in ${external.file} line ${external.line} instead`
      : unfollowed
        ? `bundled cacerts, chosen; the JVM reads another store (${unfollowed})`
        : `bundled cacerts (no trustStore wired in ${unwiredFile(layout)})`;
    return { layout, path: layout.cacerts, kind: 'bundled', why, choice, ...(external ? { external } : {}) };
  }
  const wiring = externalWiringOf(layout, text);
  const external = withoutPassword(wiring);
  if (wiring && external) {
    return {
      layout,
      path: wiring.path,
      kind: 'external',
      why: `external truststore wired in ${wiring.file} line ${wiring.line}`,
      choice,
      external,
      ...(wiring.password !== undefined ? { wiredPassword: wiring.password } : {}),
    };
  }
  const p = layout.platform === 'win32' ? path.win32 : path.posix;
  const jsse = p.join(p.dirname(layout.cacerts), 'jssecacerts');
  if (await host.stat(jsse)) return { layout, path: jsse, kind: 'jssecacerts', why: 'bundled jssecacerts (Java reads it before cacerts)', choice };
  return { layout, path: layout.cacerts, kind: 'bundled', why: `bundled cacerts (no trustStore wired in ${unwiredFile(layout)})`, choice };
}

/**
 * The password to open the effective store with. For a wired external truststore it is the wired
 * `-Djavax.net.ssl.trustStorePassword` — the one the JVM opens it with, so a store midtrust can
 * read with it is one the JVM can read — unless none is wired (or it names an environment
 * variable); then `given` (desired-state file, resource input, --storepass-*). A given password
 * that differs from the wired one is not used: `note` says so (without either value).
 *
 * @example
 * const { password, note } = effectiveStorePassword(store, desired.keystore.password?.reveal());
 */
export function effectiveStorePassword(store: EffectiveStore, given: string | undefined): { password: string | undefined; note?: string } {
  const wired = store.wiredPassword;
  if (store.kind !== 'external' || wired === undefined || /%[^%\s]+%/.test(wired)) return { password: given };
  const line = store.external?.passwordLine;
  const note =
    given !== undefined && given !== wired
      ? `the given store password is not used for ${store.path}: the JVM opens it with the password wired in ${store.layout.wrapperOverride} line ${line}, and so does midtrust`
      : undefined;
  return { password: wired, ...(note ? { note } : {}) };
}

/**
 * A desired state whose `keystore.midHome` is resolved on `host` to the store its JVM reads
 * (or, with `store: bundled`, the bundled cacerts): `path`, the password (see
 * {@link effectiveStorePassword}) and `source` (which store and why) set. A desired state with a
 * plain `path`, or one already resolved, is returned as it is. Every door that plans, applies or
 * judges a desired state calls this first.
 *
 * @example
 * const desired = await resolveDesiredStore(new LocalHost(), loadDesiredStateFile('desired.yaml', io));
 * desired.keystore.source?.why; // 'external truststore wired in …/wrapper-override.conf line 7'
 */
export async function resolveDesiredStore(host: Host, desired: DesiredState): Promise<DesiredState> {
  const { midHome } = desired.keystore;
  if (midHome === undefined || desired.keystore.source) return desired;
  const { Secret } = require('../plan/secret') as typeof import('../plan/secret');
  let resolved: EffectiveStore;
  try {
    resolved = await resolveMidStore(host, midHome, { choice: desired.keystore.midStore });
  } catch (e) {
    // Say which property of which file named the home (a MID's store is never created).
    if (e instanceof MidtrustError && e.code === 'NOT_FOUND') {
      const missing = /: (missing .*?); give/.exec(e.message)?.[1];
      throw new MidtrustError('NOT_FOUND', `${midHome} does not look like a MID Server home; keystore.midHome must be the directory that contains agent/ (${desired.sourceFile})${missing ? `: ${missing}` : ''}`, { cause: e });
    }
    throw e instanceof MidtrustError ? e.withContext(`keystore.midHome (${desired.sourceFile})`) : e;
  }
  const given = desired.keystore.password?.reveal();
  const { password, note } = effectiveStorePassword(resolved, given);
  const { password: _old, ...keystore } = desired.keystore;
  return {
    ...desired,
    keystore: {
      ...keystore,
      path: resolved.path,
      ...(password !== undefined ? { password: password === given ? desired.keystore.password : new Secret(password) } : {}),
      source: { ...effectiveStoreJson(resolved), ...(note ? { notes: [note] } : {}) },
    },
  };
}
