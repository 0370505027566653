/**
 * A real OpenSSH server on 127.0.0.1 for tests (Debian's openssh-server; .ci/run installs it):
 * its own config, host key and authorized key in a temp dir, an unprivileged port, no PAM.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSshd as startBenchSshd } from '../../bench/benchSshd';
import { tempDir } from './keytool';

export interface TestSshd {
  readonly port: number;
  readonly dir: string;
  /** Its log (sshd -E): connections, sessions, forwarding requests at LogLevel DEBUG1. */
  readonly log: string;
  /** `SHA256:...` of the host key. */
  readonly hostKeyFingerprint: string;
  /** A known_hosts file listing this server. */
  readonly knownHostsFile: string;
  /** The client private key (OpenSSH format) authorized for root. */
  readonly privateKey: string;
  /**
   * Cuts every open connection from the server side, as a crashed server or a dropped network
   * would: kill -9 of each connection's sshd process (the listener keeps accepting). Returns how
   * many processes were killed.
   */
  cutConnections(): number;
  stop(): Promise<void>;
}

/** Why sshd tests cannot run here, or undefined when they can. */
export function sshdUnavailable(): string | undefined {
  if (!fs.existsSync('/usr/sbin/sshd')) return '/usr/sbin/sshd not found (apt-get install openssh-server; .ci/run does)';
  if (process.getuid?.() !== 0) return 'sshd tests run as root (a test sshd must switch to the login user)';
  return undefined;
}

/** Every process below `pid` (from /proc: each process's parent is field 4 of its stat line). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/**
 * Starts one sshd; `extraConfig` lines override its sshd_config defaults (e.g. 'AllowTcpForwarding
 * no'); `address` is the loopback address it listens on (default 127.0.0.1).
 */
export async function startSshd(extraConfig: readonly string[] = [], address = '127.0.0.1'): Promise<TestSshd> {
  const dir = tempDir('mt-sshd-');
  const p = (n: string) => path.join(dir, n);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p('userkey')]);
  const { port, log, hostKeyFingerprint, knownHostsFile, proc } = await startBenchSshd(dir, p('userkey.pub'), [], extraConfig, address);
  return {
    port,
    dir,
    log,
    hostKeyFingerprint,
    knownHostsFile,
    privateKey: fs.readFileSync(p('userkey'), 'utf8'),
    cutConnections: () => {
      const victims = descendants(proc.pid!);
      for (const pid of victims) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone with its parent
        }
      }
      return victims.length;
    },
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(undefined) : proc.once('exit', r)));
    },
  };
}
