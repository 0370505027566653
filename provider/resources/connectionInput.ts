import { KeystoreBatcher } from '../apply/keystoreBatcher';
import type { Host } from '../host/host';
import { LocalHost } from '../host/localHost';
import { SshHost } from '../host/ssh/sshHost';
import { connectionKey, type SshConnectionSpec } from '../host/ssh/sshConnectionSpec';
import type { InputFailure } from './resourceInputs';
import { sharedBatcher } from './sharedBatcher';

/**
 * The `connection` input of every midtrust resource: where the keystore is when it is not on the
 * machine running Pulumi. Passed as one Pulumi secret (it may hold a private key or password).
 */
export interface ConnectionInput {
  host: string;
  port?: number;
  user: string;
  privateKey?: string;
  passphrase?: string;
  password?: string;
  /** Pinned host key fingerprint, `SHA256:...` as `ssh-keygen -lf` prints it. */
  hostKey?: string;
  /** Or an OpenSSH known_hosts file on the machine running Pulumi. */
  knownHostsFile?: string;
  timeoutSeconds?: number;
}

/** Failures for a `connection` input that cannot work (reported at check time). */
export function connectionProblems(value: unknown): InputFailure[] {
  if (value === undefined || value === null) return [];
  const c = value as Partial<ConnectionInput>;
  const out: InputFailure[] = [];
  if (!c.hostKey && !c.knownHostsFile) {
    out.push({ property: 'connection', reason: 'give connection.hostKey (SHA256:... fingerprint) or connection.knownHostsFile: midtrust never connects to a host whose key it cannot verify' });
  }
  if (!c.privateKey && !c.password && !process.env.SSH_AUTH_SOCK) {
    out.push({ property: 'connection', reason: 'give connection.privateKey or connection.password (as Pulumi secrets), or run with an SSH agent' });
  }
  return out;
}

/** The SSH connection spec of a `connection` input. */
export function specOf(c: ConnectionInput): SshConnectionSpec {
  return {
    host: c.host,
    port: c.port ?? 22,
    user: c.user,
    ...(c.privateKey ? { privateKey: c.privateKey } : {}),
    ...(c.passphrase ? { passphrase: c.passphrase } : {}),
    ...(c.password ? { password: c.password } : {}),
    ...(c.hostKey ? { hostKeyFingerprint: c.hostKey } : {}),
    ...(c.knownHostsFile ? { knownHostsFile: c.knownHostsFile } : {}),
    ...(c.timeoutSeconds ? { timeoutMs: c.timeoutSeconds * 1000 } : {}),
  };
}

/** Identity of the machine a resource's keystore is on: replacing it means another store. */
export function machineOf(connection: unknown): string {
  if (!connection) return 'local';
  const c = connection as ConnectionInput;
  return connectionKey({ host: c.host, port: c.port, user: c.user });
}

/**
 * True when two `connection` inputs differ in anything (credentials, host key, timeout): a rotated
 * key or password is an update, so refresh and destroy use the new credentials from then on.
 */
export function connectionChanged(olds: unknown, news: unknown): boolean {
  return stableJson(olds ?? null) !== stableJson(news ?? null);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined && o[k] !== null)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const batchers = new Map<string, KeystoreBatcher>();

/** The host a resource works on: this machine, or an SSH host over the process-wide connection pool. */
export function hostFor(connection: unknown): Host {
  return connection ? new SshHost(specOf(connection as ConnectionInput)) : new LocalHost();
}

/** One batcher per machine, shared by every resource on it, so writes to one store coalesce. */
export function batcherFor(connection: unknown): KeystoreBatcher {
  if (!connection) return sharedBatcher();
  const key = machineOf(connection);
  let b = batchers.get(key);
  if (!b) {
    b = new KeystoreBatcher(hostFor(connection));
    batchers.set(key, b);
  }
  return b;
}
