/**
 * Real OpenSSH servers on 127.0.0.1 for the benches: one sshd per MID "host", each with its own
 * config, ed25519 host key, log and MID layout (the FACTS.md recipe). Runs as root: sshd must switch
 * to the login user. The logs are how the benches count SSH connections and sessions.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './benchUtil';

const execFileAsync = promisify(execFile);

/** One running sshd. */
export interface BenchSshd {
  readonly port: number;
  readonly dir: string;
  readonly log: string;
  /** `SHA256:<base64>` of the host key, as midtrust inventories pin it. */
  readonly hostKeyFingerprint: string;
  /** A known_hosts file holding this server only (for OpenSSH clients: ssh, Ansible). */
  readonly knownHostsFile: string;
  readonly proc: ChildProcess;
}

/** A MID "host": an sshd and a MID home with a cacerts. */
export interface BenchHost {
  readonly name: string;
  readonly sshd: BenchSshd;
  readonly midHome: string;
  readonly cacerts: string;
}

/**
 * Starts one sshd in `dir` (created) that lets `authorizedKeyFile`'s key log in as root; the
 * benches and the tests' sshd (test/helpers/sshd.ts) both start theirs here. `extraConfig` lines
 * (e.g. 'AllowTcpForwarding no', 'LogLevel DEBUG1') come first in its sshd_config: sshd takes the
 * first value of a keyword, so they override the defaults below. `address` is the loopback
 * address it listens on (127.0.0.2 for a host only a jump host should reach).
 */
export async function startSshd(dir: string, authorizedKeyFile: string, started: ChildProcess[], extraConfig: readonly string[] = [], address = '127.0.0.1'): Promise<BenchSshd> {
  fs.mkdirSync(dir, { recursive: true });
  const p = (n: string): string => path.join(dir, n);
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p('hostkey')]);
  fs.copyFileSync(authorizedKeyFile, p('authorized_keys'));
  const port = await freePort();
  fs.writeFileSync(
    p('sshd_config'),
    [
      ...extraConfig,
      `Port ${port}`,
      `ListenAddress ${address}`,
      `HostKey ${p('hostkey')}`,
      `AuthorizedKeysFile ${p('authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `PidFile ${p('sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin yes',
      // VERBOSE logs "Accepted publickey" per connection and "Starting session" per session.
      'LogLevel VERBOSE',
      'Subsystem sftp internal-sftp',
      'MaxStartups 100',
      'MaxSessions 100',
    ].join('\n') + '\n',
  );
  fs.mkdirSync('/run/sshd', { recursive: true });
  const proc = spawn('/usr/sbin/sshd', ['-D', '-f', p('sshd_config'), '-E', p('log')], { stdio: 'ignore' });
  started.push(proc);
  await waitForPort(port, 20_000, proc, address);
  const pub = fs.readFileSync(p('hostkey.pub'), 'utf8').trim().split(/\s+/);
  fs.writeFileSync(p('known_hosts'), `[${address}]:${port} ${pub[0]} ${pub[1]}\n`);
  return {
    port,
    dir,
    log: p('log'),
    hostKeyFingerprint: `SHA256:${createHash('sha256').update(Buffer.from(pub[1], 'base64')).digest('base64').replace(/=+$/, '')}`,
    knownHostsFile: p('known_hosts'),
    proc,
  };
}

/**
 * Starts `n` hosts named mid-0..mid-(n-1) under `work`: an sshd each (started a few at a time:
 * key generation and start-up are CPU work on a shared machine) and a MID home with config.xml
 * and the JDK's cacerts.
 */
export async function startHosts(n: number, work: string, authorizedKeyFile: string, cacertsSource: string, started: ChildProcess[], offset = 0): Promise<BenchHost[]> {
  const hosts: BenchHost[] = new Array(n);
  const batch = 8;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, async (_, k) => {
        const index = offset + i + k;
        const sshd = await startSshd(path.join(work, `sshd${index}`), authorizedKeyFile, started);
        const midHome = path.join(work, `mid${index}`);
        const security = path.join(midHome, 'agent', 'jre', 'lib', 'security');
        fs.mkdirSync(security, { recursive: true });
        fs.writeFileSync(path.join(midHome, 'agent', 'config.xml'), '<parameters/>\n');
        const cacerts = path.join(security, 'cacerts');
        fs.copyFileSync(cacertsSource, cacerts);
        hosts[i + k] = { name: `mid-${index}`, sshd, midHome, cacerts };
      }),
    );
  }
  return hosts;
}

/** Stops every process in `procs` (SIGTERM, then SIGKILL after 3 s). */
export async function stopAll(procs: ChildProcess[]): Promise<void> {
  await Promise.all(
    procs.map(async (proc) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }),
  );
}

function countInLog(log: string, pattern: RegExp): number {
  return fs.existsSync(log) ? (fs.readFileSync(log, 'utf8').match(pattern) ?? []).length : 0;
}

/** Authenticated SSH connections an sshd logged so far. */
export function acceptedLogins(log: string): number {
  return countInLog(log, /Accepted publickey/g);
}

/** SSH sessions (a command, a shell or a subsystem such as sftp) an sshd logged so far. */
export function startedSessions(log: string): number {
  return countInLog(log, /Starting session:/g);
}

/** A midtrust inventory of `hosts` (user root, the bench key, pinned host keys). */
export function inventoryYaml(hosts: readonly BenchHost[], privateKeyFile: string): string {
  return `defaults:\n  user: root\nhosts:\n${hosts
    .map((h) => `  - name: ${h.name}\n    host: 127.0.0.1\n    port: ${h.sshd.port}\n    privateKeyFile: ${privateKeyFile}\n    hostKeyFingerprint: '${h.sshd.hostKeyFingerprint}'\n    midHome: ${h.midHome}\n`)
    .join('')}`;
}

/**
 * Runs a bench that starts sshd processes: `main` gets the list to add them to and a work
 * directory (prefix `prefix`). On the normal end, a failure, Ctrl-C or SIGTERM every started
 * process is stopped and the directory removed; a failure sets the exit code.
 *
 * @example
 * runSshdBench('midtrust-fleetbench-', (started, work) => main(started, work));
 */
export function runSshdBench(prefix: string, main: (started: ChildProcess[], work: string) => Promise<void>): void {
  const started: ChildProcess[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    await stopAll(started);
    fs.rmSync(work, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void cleanup().finally(() => process.exit(130));
    });
  }
  main(started, work)
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(() => cleanup().then(() => process.exit(process.exitCode ?? 0)));
}
