import * as os from 'node:os';
import * as path from 'node:path';
import { MidtrustError } from '../errors';
import { readRegularFileSync } from '../host/boundedRead';
import { READ_LIMITS } from '../host/readLimits';
import type { SshConnectionSpec } from '../host/ssh/sshConnectionSpec';
import { privateKeyProblem } from '../host/ssh/privateKeyProblem';
import { validateAgainstSchema } from '../plan/schemaValidation';
import { isStackOverflow, yamlTooDeep, yamlTooDeepAt } from '../plan/yamlNesting';

/** One MID host of an inventory, ready to connect to. Secrets are read from files/env, never from the inventory text. */
export interface InventoryHost {
  readonly name: string;
  readonly midHome: string;
  readonly connection: SshConnectionSpec;
  readonly restartCommand?: string;
}

interface RawConnection {
  port?: number;
  user?: string;
  privateKeyFile?: string;
  privateKeyEnv?: string;
  passwordEnv?: string;
  knownHostsFile?: string;
  hostKeyFingerprint?: string;
  timeoutSeconds?: number;
}
interface RawHost extends RawConnection {
  name: string;
  host: string;
  midHome: string;
  restartCommand?: string;
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

/**
 * Reads an inventory file (YAML or JSON; schema/inventory.schema.json): `defaults` apply to every
 * host; each host gives name, host and midHome. Keys and passwords come from files or environment
 * variables named in it. Every host must say how its host key is verified.
 *
 * @example
 * defaults: { user: mid, privateKeyFile: ~/.ssh/mid_ed25519, knownHostsFile: ~/.ssh/known_hosts }
 * hosts:
 *   - { name: mid-lon-01, host: 10.1.2.3, midHome: /opt/servicenow/mid, restartCommand: "sudo systemctl restart mid" }
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
  const raw = data as { defaults?: RawConnection; hosts: RawHost[] };
  const base = path.dirname(file);
  const seen = new Set<string>();
  return raw.hosts.map((h) => {
    const c: RawHost = { ...raw.defaults, ...h };
    if (seen.has(c.name)) throw new MidtrustError('INVALID_INPUT', `${file}: host name ${c.name} appears twice`);
    seen.add(c.name);
    const where = `${file}: host ${c.name}`;
    if (!c.user) throw new MidtrustError('INVALID_INPUT', `${where}: no user (set it on the host or in defaults)`);
    if (!c.knownHostsFile && !c.hostKeyFingerprint) {
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
    const keyProblem = privateKey === undefined ? undefined : privateKeyProblem(privateKey);
    if (keyProblem) {
      const source = c.privateKeyEnv ? `the private key in the environment variable ${c.privateKeyEnv}` : `the private key file ${c.privateKeyFile}`;
      throw new MidtrustError('INVALID_INPUT', `${where}: ${source} cannot be used: ${keyProblem}`);
    }
    const password = c.passwordEnv ? env[c.passwordEnv] : undefined;
    if (c.passwordEnv && password === undefined) throw new MidtrustError('INVALID_INPUT', `${where}: the environment variable ${c.passwordEnv} is not set`);
    return {
      name: c.name,
      midHome: c.midHome,
      ...(c.restartCommand ? { restartCommand: c.restartCommand } : {}),
      connection: {
        host: c.host,
        port: c.port ?? 22,
        user: c.user,
        ...(privateKey ? { privateKey } : {}),
        ...(password ? { password } : {}),
        ...(c.knownHostsFile ? { knownHostsFile: path.resolve(base, expandHome(c.knownHostsFile)) } : {}),
        ...(c.hostKeyFingerprint ? { hostKeyFingerprint: c.hostKeyFingerprint } : {}),
        ...(c.timeoutSeconds ? { timeoutMs: c.timeoutSeconds * 1000 } : {}),
      },
    };
  });
}
