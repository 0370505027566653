import * as os from 'node:os';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { readRegularFileSync } from '../host/boundedRead';
import { READ_LIMITS } from '../host/readLimits';
import { jumpHostSpec, type BecomeSpec, type SshConnectionSpec } from '../host/ssh/sshConnectionSpec';
import { privateKeyProblem } from '../host/ssh/privateKeyProblem';
import { validateAgainstSchema } from '../plan/schemaValidation';
import { isStackOverflow, yamlTooDeep, yamlTooDeepAt } from '../plan/yamlNesting';
import { Secret } from '../plan/secret';
import { passwordFromText, requirePassword } from '../plan/storePasswordText';

/** One MID host of an inventory, ready to connect to. Secrets are read from files/env, never from the inventory text. */
export interface InventoryHost {
  readonly name: string;
  readonly midHome: string;
  readonly connection: SshConnectionSpec;
  readonly restartCommand?: string;
  /** This host's store password (storePasswordEnv/File on the host, its group or defaults); else the run's. */
  readonly storePassword?: Secret;
}

/**
 * The store password to open a host's store with: its own from the inventory, else the run's
 * (--storepass-* or the desired file's). One rule for verify, audit and report.
 */
export function storePasswordOf(host: InventoryHost, runPassword: string | undefined): string | undefined {
  return host.storePassword ? host.storePassword.reveal() : runPassword;
}

/** How to log in to one machine: a host, its group, the defaults, or a jump host. */
interface RawLogin {
  port?: number;
  user?: string;
  privateKeyFile?: string;
  privateKeyEnv?: string;
  privateKeyPassphraseEnv?: string;
  privateKeyPassphraseFile?: string;
  agent?: boolean | string;
  knownHostsFile?: string;
  hostKeyFingerprint?: string;
  timeoutSeconds?: number;
}
interface RawHop extends RawLogin {
  host: string;
}
interface RawConnection extends RawLogin {
  passwordEnv?: string;
  passwordFile?: string;
  storePasswordEnv?: string;
  storePasswordFile?: string;
  become?: string | { user: string; sftpServer?: string } | null;
  proxyJump?: RawHop[] | null;
}
interface RawHost extends RawConnection {
  name: string;
  host: string;
  midHome: string;
  group?: string;
  restartCommand?: string;
}
interface RawInventory {
  defaults?: RawConnection;
  groups?: Record<string, RawConnection>;
  hosts: RawHost[];
}

/**
 * Fields that are one choice between sources: a level that sets any of them replaces every one
 * set by a wider level (a host's privateKeyEnv wins over the defaults' privateKeyFile).
 */
const SOURCE_FAMILIES: ReadonlyArray<readonly (keyof RawConnection)[]> = [
  ['privateKeyFile', 'privateKeyEnv', 'agent'],
  ['privateKeyPassphraseEnv', 'privateKeyPassphraseFile'],
  ['passwordEnv', 'passwordFile'],
  ['storePasswordEnv', 'storePasswordFile'],
];

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

/** `levels` from the widest (defaults) to the narrowest (the host), merged field by field and source family by family. */
function mergeLevels<T extends RawConnection>(levels: ReadonlyArray<Partial<T> | undefined>, where: string): T {
  const out: Record<string, unknown> = {};
  for (const level of levels) {
    if (!level) continue;
    for (const family of SOURCE_FAMILIES) {
      const given = family.filter((k) => (level as RawConnection)[k] !== undefined);
      if (given.length > 1) throw new MidtrustError('INVALID_INPUT', `${where}: give one of ${given.join(' or ')}, not both`);
      if (given.length) for (const k of family) delete out[k];
    }
    Object.assign(out, level);
  }
  // null at a narrower level removes a wider level's value (become: null on a Windows host).
  for (const k of Object.keys(out)) if (out[k] === null) delete out[k];
  return out as T;
}

/** A secret from the environment variable `env` or the first line of `file`; undefined when neither is given. */
function secretFrom(env: string | undefined, file: string | undefined, what: string, where: string, base: string, vars: Record<string, string | undefined>): string | undefined {
  if (env) {
    const value = vars[env];
    if (value === undefined) throw new MidtrustError('INVALID_INPUT', `${where}: the environment variable ${env} (${what}) is not set`);
    return requirePassword(value, `${where}: the environment variable ${env} (${what}) is empty`, `remove the ${what} setting`);
  }
  if (file) {
    let text: string;
    try {
      text = readRegularFileSync(path.resolve(base, expandHome(file)), { maxBytes: READ_LIMITS.secret, what: `the ${what} file` }).toString('utf8');
    } catch (e) {
      throw new MidtrustError('INVALID_INPUT', `${where}: cannot read the ${what} file ${file} (${(e as Error).message.split('\n')[0]})`);
    }
    return requirePassword(passwordFromText(text), `${where}: the first line of ${file} (${what}) is empty`, `remove the ${what} setting`);
  }
  return undefined;
}

/** The login part of a connection spec: user, key (file, env, agent) with its passphrase, host key, timeout. */
function loginSpec(c: RawLogin & { host: string }, where: string, base: string, env: Record<string, string | undefined>, opts = { checkHostKey: true }): Omit<SshConnectionSpec, 'become' | 'jump' | 'password'> {
  if (!c.user) throw new MidtrustError('INVALID_INPUT', `${where}: no user (set it on the host or in defaults)`);
  if (opts.checkHostKey && !c.knownHostsFile && !c.hostKeyFingerprint) {
    throw new MidtrustError('INVALID_INPUT', `${where}: give knownHostsFile or hostKeyFingerprint — midtrust never connects to a host whose key it cannot verify`);
  }
  let privateKey: string | undefined;
  if (c.privateKeyEnv) {
    privateKey = env[c.privateKeyEnv];
    if (privateKey === undefined) throw new MidtrustError('INVALID_INPUT', `${where}: the environment variable ${c.privateKeyEnv} is not set`);
  } else if (c.privateKeyFile) {
    try {
      privateKey = readRegularFileSync(path.resolve(base, expandHome(c.privateKeyFile)), { maxBytes: READ_LIMITS.secret, what: 'a private key file' }).toString('utf8');
    } catch (e) {
      throw new MidtrustError('INVALID_INPUT', `${where}: cannot read the private key file ${c.privateKeyFile} (${(e as Error).message.split('\n')[0]})`);
    }
  }
  // A passphrase is only read for a key that needs one: an agent host of a group with one does not.
  const passphrase = privateKey === undefined ? undefined : secretFrom(c.privateKeyPassphraseEnv, c.privateKeyPassphraseFile, 'private key passphrase', where, base, env);
  const keyProblem = privateKey === undefined ? undefined : privateKeyProblem(privateKey, passphrase);
  if (keyProblem) {
    const source = c.privateKeyEnv ? `the private key in the environment variable ${c.privateKeyEnv}` : `the private key file ${c.privateKeyFile}`;
    throw new MidtrustError('INVALID_INPUT', `${where}: ${source} cannot be used: ${keyProblem}`);
  }
  let agent: string | undefined;
  if (c.agent === true) {
    agent = env.SSH_AUTH_SOCK;
    if (!agent) throw new MidtrustError('INVALID_INPUT', `${where}: agent: true, but SSH_AUTH_SOCK is not set; start ssh-agent (eval $(ssh-agent); ssh-add KEY) or give the agent's socket path`);
  } else if (typeof c.agent === 'string') {
    agent = path.resolve(base, expandHome(c.agent));
  }
  return {
    host: c.host,
    port: c.port ?? 22,
    user: c.user,
    ...(privateKey ? { privateKey } : {}),
    ...(passphrase ? { passphrase } : {}),
    ...(agent ? { agent } : {}),
    ...(c.knownHostsFile ? { knownHostsFile: path.resolve(base, expandHome(c.knownHostsFile)) } : {}),
    ...(c.hostKeyFingerprint ? { hostKeyFingerprint: c.hostKeyFingerprint } : {}),
    ...(c.timeoutSeconds ? { timeoutMs: c.timeoutSeconds * 1000 } : {}),
  };
}

/**
 * A jump host: its own fields (read like a host's: files and environment variables), the rest
 * from the MID host's connection by jumpHostSpec — the rule Pulumi connections follow too.
 */
function hopSpec(hop: RawHop, target: SshConnectionSpec, where: string, base: string, env: Record<string, string | undefined>): SshConnectionSpec {
  const own = loginSpec({ ...hop, user: hop.user ?? target.user }, where, base, env, { checkHostKey: false });
  const spec = jumpHostSpec({ ...own, port: hop.port, user: hop.user }, target);
  if (!spec.knownHostsFile && !spec.hostKeyFingerprint) {
    throw new MidtrustError('INVALID_INPUT', `${where}: give knownHostsFile or hostKeyFingerprint for the jump host (or knownHostsFile on the host) — midtrust never connects to a host whose key it cannot verify`);
  }
  return spec;
}

function becomeOf(b: RawConnection['become']): BecomeSpec | undefined {
  if (b === undefined || b === null) return undefined;
  return typeof b === 'string' ? { user: b } : { user: b.user, ...(b.sftpServer ? { sftpServer: b.sftpServer } : {}) };
}

/**
 * Reads an inventory file (YAML or JSON; schema/inventory.schema.json): `defaults` apply to every
 * host, a host's `group` (one of `groups`) over them, the host's own fields over both. Keys,
 * passphrases and passwords come from files or environment variables named in it, never from its
 * text. Every host (and every jump host) must say how its host key is verified.
 *
 * @example
 * defaults: { user: admin, agent: true, knownHostsFile: ~/.ssh/known_hosts, become: snc_mid }
 * groups:
 *   emea: { storePasswordEnv: EMEA_STOREPASS, proxyJump: [{ host: bastion.emea.acme }] }
 * hosts:
 *   - { name: mid-lon-01, host: 10.1.2.3, group: emea, midHome: /opt/servicenow/mid }
 */
export function loadInventory(file: string, env: Record<string, string | undefined>): InventoryHost[] {
  let data: unknown;
  let tooDeepAt: number | undefined;
  try {
    const text = readRegularFileSync(file, { maxBytes: READ_LIMITS.desiredState, what: 'the inventory' }).toString('utf8');
    tooDeepAt = yamlTooDeepAt(text);
    if (tooDeepAt === undefined) data = (require('yaml') as typeof import('yaml')).parse(text);
  } catch (e) {
    if (isStackOverflow(e)) throw yamlTooDeep(file, 'the inventory');
    throw new MidtrustError('INVALID_INPUT', `${file}: cannot read the inventory (${(e as Error).message.split('\n')[0]})`);
  }
  if (tooDeepAt !== undefined) throw yamlTooDeep(file, 'the inventory', tooDeepAt);
  const problems = validateAgainstSchema('inventory.schema.json', data).map((p) => `${file}: ${p.path.join('.') || '(top level)'}: ${p.message}`);
  if (problems.length) throw new MidtrustError('INVALID_INPUT', `the inventory is invalid:\n  ${problems.join('\n  ')}`);
  const raw = data as RawInventory;
  const base = path.dirname(file);
  const seen = new Set<string>();
  return raw.hosts.map((h) => {
    const where = `${file}: host ${h.name}`;
    if (seen.has(h.name)) throw new MidtrustError('INVALID_INPUT', `${file}: host name ${h.name} appears twice`);
    seen.add(h.name);
    const group = h.group === undefined ? undefined : raw.groups?.[h.group];
    if (h.group !== undefined && !group) {
      throw new MidtrustError('INVALID_INPUT', `${where}: group ${h.group} is not defined under groups${raw.groups ? ` (defined: ${Object.keys(raw.groups).join(', ')})` : ''}`);
    }
    const c = mergeLevels<RawHost>([raw.defaults, group, h], where);
    const password = secretFrom(c.passwordEnv, c.passwordFile, 'SSH password', where, base, env);
    const storePassword = secretFrom(c.storePasswordEnv, c.storePasswordFile, 'store password', where, base, env);
    const become = becomeOf(c.become);
    const login = loginSpec(c, where, base, env);
    const jump = (c.proxyJump ?? []).map((hop, i) => hopSpec(hop, login, `${where}: proxyJump[${i}] (${hop.host})`, base, env));
    return {
      name: c.name,
      midHome: c.midHome,
      ...(c.restartCommand ? { restartCommand: c.restartCommand } : {}),
      ...(storePassword !== undefined ? { storePassword: new Secret(storePassword) } : {}),
      connection: {
        ...login,
        ...(password ? { password } : {}),
        ...(become ? { become } : {}),
        ...(jump.length ? { jump } : {}),
      },
    };
  });
}
