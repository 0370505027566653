import { KeystoreBatcher } from '../apply/keystoreBatcher';
import type { Host } from '../host/host';
import { LocalHost } from '../host/localHost';
import { SshHost } from '../host/ssh/sshHost';
import type * as pulumi from '@pulumi/pulumi';
import { becomeProblem } from '../host/ssh/becomeSftp';
import { connectionKey, jumpHostSpec, type SshConnectionSpec } from '../host/ssh/sshConnectionSpec';
import type { InputFailure } from './resourceInputs';
import { sharedBatcher } from './sharedBatcher';

/** A jump host of a `connection` (OpenSSH ProxyJump), as the provider receives it. */
export interface JumpHost {
  host: string;
  port?: number;
  /** Default: the connection's user. */
  user?: string;
  /** Default: the connection's key source (privateKey with its passphrase, or agent). */
  privateKey?: string;
  passphrase?: string;
  agent?: boolean | string;
  /** Pinned host key fingerprint of the jump host, `SHA256:...`. */
  hostKey?: string;
  /** Default: the connection's knownHostsFile (when the jump host pins no hostKey). */
  knownHostsFile?: string;
  timeoutSeconds?: number;
}

/**
 * The `connection` of a resource as the provider receives it: every input resolved, plain values.
 * What a program writes is {@link ConnectionInput}.
 */
export interface Connection {
  host: string;
  port?: number;
  user: string;
  privateKey?: string;
  /** The passphrase of an encrypted privateKey. */
  passphrase?: string;
  password?: string;
  /** Authenticate with an ssh-agent: true for the SSH_AUTH_SOCK of the process running Pulumi, or a socket path. */
  agent?: boolean | string;
  /** Pinned host key fingerprint, `SHA256:...` as `ssh-keygen -lf` prints it. */
  hostKey?: string;
  /** Or an OpenSSH known_hosts file on the machine running Pulumi. */
  knownHostsFile?: string;
  timeoutSeconds?: number;
  /** Act on the MID files as this account through `sudo -n` (root or the MID account). */
  become?: string | { user: string; sftpServer?: string };
  /** Jump hosts, first hop first; each host key is verified. */
  proxyJump?: JumpHost[];
}

/** Every field of T as a Pulumi input (a value, a promise or an output — a secret one included). */
type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** A jump host as a program writes it: every field a Pulumi input. */
export type JumpHostInput = Inputs<JumpHost>;

/**
 * The `connection` input of every midtrust resource: where the keystore is when it is not on the
 * machine running Pulumi. Every field is a Pulumi input, so each can be its own secret
 * (`privateKey: config.requireSecret('sshKey')`); the resources keep the whole connection secret
 * in state whatever was marked.
 *
 * @example
 * const connection: ConnectionInput = {
 *   host: '10.1.2.3', user: 'admin', become: 'snc_mid', hostKey: 'SHA256:…',
 *   privateKey: config.requireSecret('sshKey'), passphrase: config.requireSecret('sshKeyPassphrase'),
 *   proxyJump: [{ host: 'bastion.acme', hostKey: 'SHA256:…' }],
 * };
 */
export type ConnectionInput = Inputs<Omit<Connection, 'proxyJump'>> & { proxyJump?: pulumi.Input<pulumi.Input<JumpHostInput>[]> };

/** Failures for a `connection` input that cannot work (reported at check time). */
export function connectionProblems(value: unknown): InputFailure[] {
  if (value === undefined || value === null) return [];
  const c = value as Partial<Connection>;
  const out: InputFailure[] = [];
  if (!c.hostKey && !c.knownHostsFile) {
    out.push({ property: 'connection', reason: 'give connection.hostKey (SHA256:... fingerprint) or connection.knownHostsFile: midtrust never connects to a host whose key it cannot verify' });
  }
  if (!c.privateKey && !c.password && !c.agent && !process.env.SSH_AUTH_SOCK) {
    out.push({ property: 'connection', reason: 'give connection.privateKey or connection.password (as Pulumi secrets), or connection.agent with an SSH agent running' });
  }
  if (c.agent === true && !process.env.SSH_AUTH_SOCK) {
    out.push({ property: 'connection', reason: 'connection.agent is true, but SSH_AUTH_SOCK is not set where Pulumi runs; start ssh-agent and ssh-add the key, or give the socket path' });
  }
  if (c.become !== undefined) {
    const problem = becomeProblem(typeof c.become === 'string' ? { user: c.become } : (c.become ?? {}));
    if (problem) out.push({ property: 'connection', reason: `connection.${problem}` });
  }
  (c.proxyJump ?? []).forEach((hop, i) => {
    if (!hop?.host) out.push({ property: 'connection', reason: `connection.proxyJump[${i}]: give its host` });
    else if (!hop.hostKey && !hop.knownHostsFile && !c.knownHostsFile) {
      out.push({ property: 'connection', reason: `connection.proxyJump[${i}] (${hop.host}): give its hostKey or a knownHostsFile (its own or the connection's) — every jump host's key is verified` });
    }
  });
  return out;
}

/** The agent socket of an `agent` field: true means this process's SSH_AUTH_SOCK. */
function agentSocket(agent: boolean | string | undefined): string | undefined {
  if (agent === true) return process.env.SSH_AUTH_SOCK;
  return typeof agent === 'string' && agent ? agent : undefined;
}

/** The SSH connection spec of a `connection` input. */
export function specOf(c: Connection): SshConnectionSpec {
  const agent = agentSocket(c.agent);
  const target: SshConnectionSpec = {
    host: c.host,
    port: c.port ?? 22,
    user: c.user,
    ...(c.privateKey ? { privateKey: c.privateKey } : {}),
    ...(c.passphrase ? { passphrase: c.passphrase } : {}),
    ...(c.password ? { password: c.password } : {}),
    ...(agent ? { agent } : {}),
    ...(c.hostKey ? { hostKeyFingerprint: c.hostKey } : {}),
    ...(c.knownHostsFile ? { knownHostsFile: c.knownHostsFile } : {}),
    ...(c.timeoutSeconds ? { timeoutMs: c.timeoutSeconds * 1000 } : {}),
    ...(c.become ? { become: typeof c.become === 'string' ? { user: c.become } : { user: c.become.user, ...(c.become.sftpServer ? { sftpServer: c.become.sftpServer } : {}) } } : {}),
  };
  if (!c.proxyJump?.length) return target;
  const jump = c.proxyJump.map((hop) => {
    const hopAgent = agentSocket(hop.agent);
    return jumpHostSpec(
      {
        host: hop.host,
        ...(hop.port ? { port: hop.port } : {}),
        ...(hop.user ? { user: hop.user } : {}),
        ...(hop.privateKey ? { privateKey: hop.privateKey } : {}),
        ...(hop.passphrase ? { passphrase: hop.passphrase } : {}),
        ...(hopAgent ? { agent: hopAgent } : {}),
        ...(hop.hostKey ? { hostKeyFingerprint: hop.hostKey } : {}),
        ...(hop.knownHostsFile ? { knownHostsFile: hop.knownHostsFile } : {}),
        ...(hop.timeoutSeconds ? { timeoutMs: hop.timeoutSeconds * 1000 } : {}),
      },
      target,
    );
  });
  return { ...target, jump };
}

/** Identity of the machine a resource's keystore is on: replacing it means another store. */
export function machineOf(connection: unknown): string {
  if (!connection) return 'local';
  const c = connection as Connection;
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
  return connection ? new SshHost(specOf(connection as Connection)) : new LocalHost();
}

/**
 * One batcher per machine (and account acting there, under become), shared by every resource on
 * it, so writes to one store coalesce.
 */
export function batcherFor(connection: unknown): KeystoreBatcher {
  if (!connection) return sharedBatcher();
  const key = connectionKey(specOf(connection as Connection));
  let b = batchers.get(key);
  if (!b) {
    b = new KeystoreBatcher(hostFor(connection));
    batchers.set(key, b);
  }
  return b;
}
