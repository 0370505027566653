/**
 * Acting on the files as another account than the SSH login: the SFTP server is started under
 * `sudo -n -u <user>` on an exec channel (becomeSftp.ts), so every file operation keeps its
 * guarantees (O_EXCL create, fsync, posix-rename, lock file, no link following, mode/owner kept).
 */
export interface BecomeSpec {
  /** The account that owns the store: `root`, or the MID Server's account (`snc_mid`, `mid`). */
  readonly user: string;
  /** The SFTP server binary to run under sudo (default: the first of the usual paths that exists). */
  readonly sftpServer?: string;
}

/**
 * How to reach one MID host over SSH. Host key verification is mandatory: give a known_hosts
 * file or a pinned `SHA256:...` fingerprint; there is no "accept any key" option.
 */
export interface SshConnectionSpec {
  readonly host: string;
  readonly port?: number;
  readonly user: string;
  /** PEM/OpenSSH private key text (a secret). */
  readonly privateKey?: string;
  /** The passphrase of an encrypted private key (a secret). */
  readonly passphrase?: string;
  /** Password authentication (a secret). */
  readonly password?: string;
  /** Use the SSH agent at this socket (default: $SSH_AUTH_SOCK when no key or password is given). */
  readonly agent?: string;
  /** OpenSSH known_hosts file to verify the host key against. */
  readonly knownHostsFile?: string;
  /** Pinned host key fingerprint as `ssh-keygen -lf` prints it: `SHA256:<base64>`. */
  readonly hostKeyFingerprint?: string;
  /** Connection timeout in ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Act on the files as this account, through `sudo -n` on the host. */
  readonly become?: BecomeSpec;
  /**
   * Jump hosts (OpenSSH's ProxyJump), first hop first: the connection to each next machine is a
   * direct-tcpip channel of the previous one; every hop's host key is verified like the target's.
   */
  readonly jump?: readonly SshConnectionSpec[];
}

/** `user@host:port`, the identity of a machine's login. */
function loginKey(spec: Pick<SshConnectionSpec, 'user' | 'host' | 'port'>): string {
  return `${spec.user}@${spec.host}:${spec.port ?? 22}`;
}

/**
 * `user@host:port` (plus ` as <account>` under become), the identity of a connection and of its
 * pool slot: the same login acting as another account needs its own SFTP server.
 */
export function connectionKey(spec: Pick<SshConnectionSpec, 'user' | 'host' | 'port' | 'become'>): string {
  return spec.become ? `${loginKey(spec)} as ${spec.become.user}` : loginKey(spec);
}

/** The pool slot of a jump host: its login, reached through the hops before it. */
export function hopKey(hops: readonly SshConnectionSpec[]): string {
  return hops.map(loginKey).join(' -> ');
}

/** What a jump host may say about itself; the rest comes from the target's connection (jumpHostSpec). */
export type JumpHostFields = Pick<SshConnectionSpec, 'host'> & Partial<Pick<SshConnectionSpec, 'port' | 'user' | 'privateKey' | 'passphrase' | 'agent' | 'knownHostsFile' | 'hostKeyFingerprint' | 'timeoutMs'>>;

/**
 * A jump host's connection, the one rule for inventories and Pulumi alike: its own fields, else
 * the target's user, key source (private key with its passphrase, or agent — taken together: a
 * hop with its own key does not get the target's passphrase), known_hosts file and timeout. Never
 * the target's pinned fingerprint (that is another machine's key) nor its password.
 *
 * @example
 * jumpHostSpec({ host: 'bastion.acme', hostKeyFingerprint: 'SHA256:…' }, target); // target's user and key, bastion's host key
 */
export function jumpHostSpec(hop: JumpHostFields, target: SshConnectionSpec): SshConnectionSpec {
  const ownKey = hop.privateKey !== undefined || hop.agent !== undefined;
  const key = ownKey ? hop : target;
  const knownHostsFile = hop.knownHostsFile ?? (hop.hostKeyFingerprint ? undefined : target.knownHostsFile);
  const timeoutMs = hop.timeoutMs ?? target.timeoutMs;
  return {
    host: hop.host,
    port: hop.port ?? 22,
    user: hop.user ?? target.user,
    ...(key.privateKey ? { privateKey: key.privateKey } : {}),
    ...(key.privateKey && key.passphrase ? { passphrase: key.passphrase } : {}),
    ...(key.agent ? { agent: key.agent } : {}),
    ...(knownHostsFile ? { knownHostsFile } : {}),
    ...(hop.hostKeyFingerprint ? { hostKeyFingerprint: hop.hostKeyFingerprint } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  };
}
