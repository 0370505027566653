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
}

/** `user@host:port`, the identity of a connection (and of its pool slot). */
export function connectionKey(spec: SshConnectionSpec): string {
  return `${spec.user}@${spec.host}:${spec.port ?? 22}`;
}
