import type { Client, SFTPWrapper } from 'ssh2';
import { MidtrustError } from '../../errors';
import type { BecomeSpec } from './sshConnectionSpec';

/**
 * Where distributions install OpenSSH's SFTP server, tried in this order: Debian/Ubuntu,
 * RHEL/Fedora/SUSE (libexec/openssh), Arch/Alpine/SUSE (lib/ssh), macOS and the BSDs (libexec).
 */
export const SFTP_SERVER_PATHS = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/lib/ssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/sftp-server'] as const;

/** Account names sudo accepts and a shell passes unquoted (POSIX portable names, Samba's trailing $). */
const ACCOUNT = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
/** An absolute path without characters a shell would interpret. */
const PLAIN_PATH = /^\/[A-Za-z0-9_./+-]+$/;
/** What the command prints when no SFTP server binary is found. */
const NO_SFTP_SERVER = 'midtrust-become: no sftp-server';

/** Why a become setting cannot be used as given, or undefined (check time, before connecting). */
export function becomeProblem(become: { user?: unknown; sftpServer?: unknown }): string | undefined {
  if (typeof become.user !== 'string' || !ACCOUNT.test(become.user)) return `become user ${JSON.stringify(become.user)} is not an account name (letters, digits, _ . -)`;
  if (become.sftpServer !== undefined && (typeof become.sftpServer !== 'string' || !PLAIN_PATH.test(become.sftpServer))) {
    return `become sftpServer ${JSON.stringify(become.sftpServer)} must be an absolute path of plain characters (e.g. ${SFTP_SERVER_PATHS[0]})`;
  }
  return undefined;
}

/**
 * The command run on the exec channel: the SFTP server under `sudo -n -u <user>`. `-n` makes
 * sudo fail at once instead of asking for a password. The path is found as the login user
 * (`[ -x ]`), so sudoers can allow exactly that binary. Names are validated (becomeProblem), so
 * nothing here needs quoting; `/bin/sh -c` makes it work whatever the login shell is.
 *
 * @example
 * becomeCommand({ user: 'snc_mid', sftpServer: '/usr/lib/openssh/sftp-server' });
 * // "exec sudo -n -u snc_mid -- /usr/lib/openssh/sftp-server"
 */
export function becomeCommand(become: BecomeSpec): string {
  const problem = becomeProblem(become);
  if (problem) throw new MidtrustError('INVALID_INPUT', problem);
  if (become.sftpServer) return `exec sudo -n -u ${become.user} -- ${become.sftpServer}`;
  const script = `for p in ${SFTP_SERVER_PATHS.join(' ')}; do if [ -x "$p" ]; then exec sudo -n -u ${become.user} -- "$p"; fi; done; echo "${NO_SFTP_SERVER}" >&2; exit 127`;
  return `exec /bin/sh -c '${script}'`;
}

/** The parts of ssh2's Client this module reaches into (ssh2 1.x; pinned in package-lock.json). */
interface ClientInternals {
  _protocol: { subsystem?: (chan: number, name: string, wantReply: boolean) => void; exec: (chan: number, cmd: string, wantReply: boolean) => void };
  _chanMgr?: { _channels?: Record<number, unknown> };
}

/** A stand-in for a channel's stderr stream that keeps the last lines (ssh2's SFTP channel drops them). */
function stderrCollector(): { sink: object; text: () => string } {
  let text = '';
  const noop = (): void => undefined;
  const sink = {
    readable: false,
    writable: false,
    push: (d: Buffer | null) => {
      if (d) text = (text + d.toString('utf8')).slice(-2000);
      return true;
    },
    once: noop,
    on: noop,
    emit: noop,
    end: noop,
  };
  return { sink, text: () => text.trim() };
}

/**
 * Opens an SFTP session whose server is `command` on an exec channel instead of the `sftp`
 * subsystem — the same SFTP protocol, so every file operation works unchanged. ssh2 has no public
 * way to do this: its `sftp()` is used with the one subsystem request of this client turned into
 * an exec request (same reply semantics), and the channel's stderr is kept for the error message.
 */
function sftpOnExec(client: Client, command: string): Promise<{ sftp?: SFTPWrapper; error?: Error & { code?: number }; stderr: () => string }> {
  const internals = client as unknown as ClientInternals;
  const proto = internals._protocol;
  const collector = stderrCollector();
  if (typeof proto?.exec !== 'function' || typeof proto.subsystem !== 'function') {
    return Promise.resolve({ error: new Error('this ssh2 version cannot start an SFTP server on an exec channel (become)'), stderr: collector.text });
  }
  return new Promise((resolve) => {
    proto.subsystem = (chan: number, _name: string, wantReply: boolean): void => {
      delete proto.subsystem; // one request only: the prototype's method is back
      const channels = internals._chanMgr?._channels ?? {};
      const channel = Object.values(channels).find((c) => (c as { outgoing?: { id?: number } })?.outgoing?.id === chan) as { stderr?: object } | undefined;
      if (channel) channel.stderr = collector.sink;
      proto.exec(chan, command, wantReply);
    };
    client.sftp((err, sftp) => {
      delete proto.subsystem;
      resolve(err ? { error: err as Error & { code?: number }, stderr: collector.text } : { sftp, stderr: collector.text });
    });
  });
}

/**
 * The SFTP session of a become connection, or an error that names the connection, says what
 * sudo answered and what to do. Nothing is read or written when this fails.
 */
export async function openBecomeSftp(client: Client, become: BecomeSpec, where: string, login: string): Promise<SFTPWrapper> {
  const { sftp, error, stderr } = await sftpOnExec(client, becomeCommand(become));
  if (sftp) return sftp;
  const said = stderr();
  const program = become.sftpServer ?? 'the sftp-server binary';
  const nothing = 'nothing was read or written';
  if (/password is required|terminal is required|askpass/i.test(said)) {
    throw new MidtrustError('IO', `${where}: sudo asks for a password to run ${program} as ${become.user} (${said.split('\n')[0]}); midtrust only runs sudo -n and never types a password: give ${login} NOPASSWD rights for it (a file in /etc/sudoers.d/), or connect as an account that can write the store; ${nothing}`, { cause: error });
  }
  if (/not allowed|not in the sudoers|may not run|unknown user|sorry/i.test(said)) {
    throw new MidtrustError('IO', `${where}: sudo refused to run ${program} as ${become.user} (${said.split('\n')[0]}); allow ${login} to run it as ${become.user} in sudoers, or check the become user; ${nothing}`, { cause: error });
  }
  if (said.includes(NO_SFTP_SERVER) || error?.code === 127) {
    throw new MidtrustError('IO', `${where}: no SFTP server binary found (looked for ${SFTP_SERVER_PATHS.join(', ')}); set become.sftpServer to its path on that host; ${nothing}`, { cause: error });
  }
  throw new MidtrustError('IO', `${where}: could not start the SFTP server as ${become.user} through sudo (${error?.message ?? 'unknown error'}${said ? `: ${said.split('\n').slice(-2).join(' | ')}` : ''}); ${nothing}`, { cause: error });
}
