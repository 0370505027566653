/**
 * midtrust fleet benchmark (`npm run bench:fleet`): 20 MID hosts × 20 certificates over loopback
 * SSH. Twenty real OpenSSH servers (Debian's openssh-server) on 127.0.0.1, each with its own MID
 * layout; `midtrust apply --inventory` as a whole process against the same work done as a
 * keytool-over-SSH loop (one `ssh … keytool -importcert` per certificate per host, as Ansible's
 * java_cert does), both measured in this run on this machine. Runs as root (sshd must switch to the
 * login user). Not a test: nothing here asserts time.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchEnv, median, report, resultLines, waitForPort } from './benchUtil';

const CACERTS = '/etc/ssl/certs/java/cacerts';
const PASS = 'changeit';
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'provider', 'cli', 'main.js');
const HOSTS = 20;
const CERTS = 20;
/** Hosts the keytool-over-SSH loop actually runs on; the rest is extrapolated linearly. */
const KEYTOOL_SAMPLE_HOSTS = 4;
/** Ansible's default `forks`. */
const ANSIBLE_FORKS = 5;
const RUNS = 3;

interface BenchSshd {
  readonly port: number;
  readonly dir: string;
  readonly log: string;
  readonly hostKeyFingerprint: string;
  readonly knownHostsFile: string;
  readonly proc: ChildProcess;
}

const usedPorts = new Set<number>();
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (!usedPorts.has(port)) {
      usedPorts.add(port);
      return port;
    }
  }
}

/** One OpenSSH server on 127.0.0.1: its own config, ed25519 host key and log; `authorizedKey` may log in as root. */
async function startSshd(dir: string, authorizedKeyFile: string, started: ChildProcess[]): Promise<BenchSshd> {
  fs.mkdirSync(dir, { recursive: true });
  const p = (n: string): string => path.join(dir, n);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p('hostkey')]);
  fs.copyFileSync(authorizedKeyFile, p('authorized_keys'));
  const port = await freePort();
  fs.writeFileSync(
    p('sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${p('hostkey')}`,
      `AuthorizedKeysFile ${p('authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `PidFile ${p('sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin yes',
      'LogLevel VERBOSE',
      'Subsystem sftp internal-sftp',
      'MaxStartups 100',
      'MaxSessions 100',
    ].join('\n') + '\n',
  );
  fs.mkdirSync('/run/sshd', { recursive: true });
  const proc = spawn('/usr/sbin/sshd', ['-D', '-f', p('sshd_config'), '-E', p('log')], { stdio: 'ignore' });
  started.push(proc);
  await waitForPort(port, 10_000, proc);
  const pub = fs.readFileSync(p('hostkey.pub'), 'utf8').trim().split(/\s+/);
  fs.writeFileSync(p('known_hosts'), `[127.0.0.1]:${port} ${pub[0]} ${pub[1]}\n`);
  return {
    port,
    dir,
    log: p('log'),
    hostKeyFingerprint: `SHA256:${createHash('sha256').update(Buffer.from(pub[1], 'base64')).digest('base64').replace(/=+$/, '')}`,
    knownHostsFile: p('known_hosts'),
    proc,
  };
}

async function stopAll(procs: ChildProcess[]): Promise<void> {
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

/** Authenticated SSH connections logged by an sshd so far. */
function acceptedLogins(log: string): number {
  return fs.existsSync(log) ? (fs.readFileSync(log, 'utf8').match(/Accepted publickey/g) ?? []).length : 0;
}

async function main(started: ChildProcess[], work: string): Promise<void> {
  if (!fs.existsSync(CACERTS)) throw new Error(`${CACERTS} not found: install a JDK (apt-get install openjdk-17-jdk-headless)`);
  if (!fs.existsSync('/usr/sbin/sshd')) throw new Error('/usr/sbin/sshd not found (apt-get install openssh-server)');
  if (process.getuid?.() !== 0) throw new Error('the fleet bench runs as root (each sshd must switch to the login user)');
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} not found: npm run build`);
  const { env, droppedExtraCa } = benchEnv(PASS);
  const { lines, out } = resultLines();
  out(`midtrust fleet bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}, ${HOSTS} sshd on 127.0.0.1 × ${CERTS} certificates, JKS cacerts`);

  // Certificates and the operator's key.
  const certDir = path.join(work, 'certs');
  fs.mkdirSync(certDir);
  for (let i = 0; i < CERTS; i++) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(certDir, `c${i}.key`), '-out', path.join(certDir, `c${i}.pem`), '-days', '30', '-subj', `/CN=fleet bench ${i}`], { stdio: 'ignore' });
  }
  const userKey = path.join(work, 'userkey');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', userKey]);

  // Twenty hosts: an sshd and a MID layout each.
  const servers: BenchSshd[] = [];
  const homes: string[] = [];
  for (let i = 0; i < HOSTS; i++) {
    servers.push(await startSshd(path.join(work, `sshd${i}`), `${userKey}.pub`, started));
    const home = path.join(work, `mid${i}`);
    fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
    homes.push(home);
  }
  const cacerts = (i: number): string => path.join(homes[i], 'agent', 'jre', 'lib', 'security', 'cacerts');
  const resetStores = (): void => {
    for (let i = 0; i < HOSTS; i++) fs.copyFileSync(CACERTS, cacerts(i));
  };

  const inventory = path.join(work, 'hosts.yaml');
  fs.writeFileSync(
    inventory,
    `defaults:\n  user: root\nhosts:\n${servers.map((s, i) => `  - name: mid-${i}\n    host: 127.0.0.1\n    port: ${s.port}\n    privateKeyFile: ${userKey}\n    hostKeyFingerprint: '${s.hostKeyFingerprint}'\n    midHome: ${homes[i]}\n`).join('')}`,
  );
  const desired = path.join(work, 'desired.yaml');
  fs.writeFileSync(desired, `keystore:\n  midHome: /ignored/by/inventory\n  password: { env: MID_STOREPASS }\ncertificates:\n${Array.from({ length: CERTS }, (_, i) => `  - alias: fleet-${i}\n    file: certs/c${i}.pem\n`).join('')}`);

  // 1. midtrust apply --inventory, one process per run; SSH logins counted from each sshd's log.
  const midtrustRun = (parallel: number): { ms: number; logins: number[] } => {
    resetStores();
    const before = servers.map((s) => acceptedLogins(s.log));
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI, 'apply', '-f', desired, '--inventory', inventory, '--parallel', String(parallel), '--json'], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`midtrust apply --inventory exited ${r.status}: ${r.stderr.toString()}${r.stdout.toString()}`);
    const hosts = (JSON.parse(r.stdout.toString()) as { hosts: { name: string; ok: boolean; changes: number; written: boolean }[] }).hosts;
    const wrong = hosts.filter((h) => !h.ok || h.changes !== CERTS || !h.written);
    if (hosts.length !== HOSTS || wrong.length) throw new Error(`midtrust apply: unexpected outcome ${JSON.stringify(wrong.length ? wrong : hosts)}`);
    const logins = servers.map((s, i) => acceptedLogins(s.log) - before[i]);
    return { ms, logins };
  };
  const loginsSeen: number[] = [];
  const timeMidtrust = (parallel: number): number => {
    midtrustRun(parallel); // warm-up (page cache, sshd forks), not counted
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const { ms, logins } = midtrustRun(parallel);
      times.push(ms);
      loginsSeen.push(...logins);
    }
    return median(times);
  };
  const p8 = timeMidtrust(8);
  const p20 = timeMidtrust(20);
  // Check the result with keytool on one host, once.
  const listed = execFileSync('keytool', ['-list', '-keystore', cacerts(HOSTS - 1), '-storepass:env', 'MID_STOREPASS'], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const entries = Number(/contains (\d+) entr/.exec(listed)?.[1] ?? NaN);
  const base = Number(/contains (\d+) entr/.exec(execFileSync('keytool', ['-list', '-keystore', CACERTS, '-storepass:env', 'MID_STOREPASS'], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString())?.[1] ?? NaN);
  if (entries !== base + CERTS) throw new Error(`after midtrust apply, ${cacerts(HOSTS - 1)} holds ${entries} entries, expected ${base + CERTS}`);
  const minLogins = Math.min(...loginsSeen);
  const maxLogins = Math.max(...loginsSeen);
  out(`      midtrust apply --inventory (process, ${HOSTS} hosts × ${CERTS} certs), median of ${RUNS}: --parallel 8 ${p8.toFixed(0)} ms, --parallel 20 ${p20.toFixed(0)} ms`);
  out(report('SSH connections per host per midtrust run (sshd logs)', minLogins === maxLogins ? `${minLogins}` : `${minLogins}..${maxLogins}`, '1', minLogins === 1 && maxLogins === 1));
  out(`      (counted "Accepted publickey" in each sshd log over ${loginsSeen.length / HOSTS} runs × ${HOSTS} hosts; one host checked with keytool -list: ${entries} entries = ${base} + ${CERTS})`);

  // 2. keytool over SSH, one ssh + keytool per certificate per host, hosts one after another.
  resetStores();
  const perHost: number[] = [];
  const ktLogins: number[] = [];
  for (let h = 0; h < KEYTOOL_SAMPLE_HOSTS; h++) {
    const s = servers[h];
    const before = acceptedLogins(s.log);
    const t0 = process.hrtime.bigint();
    for (let c = 0; c < CERTS; c++) {
      // The password reaches keytool through ssh's stdin and the remote shell's environment: not
      // on any command line (ps) on either side. The certificate file is already on the host.
      const remote = `read -r P; export P; keytool -importcert -noprompt -alias fleet-${c} -file '${path.join(certDir, `c${c}.pem`)}' -keystore '${cacerts(h)}' -storepass:env P`;
      const r = spawnSync('ssh', ['-p', String(s.port), '-i', userKey, '-o', `UserKnownHostsFile=${s.knownHostsFile}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', 'root@127.0.0.1', remote], {
        input: `${PASS}\n`,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      if (r.status !== 0) throw new Error(`ssh … keytool -importcert on host ${h} cert ${c} exited ${r.status}: ${r.stderr.toString()}${r.stdout.toString()}`);
    }
    perHost.push(Number(process.hrtime.bigint() - t0) / 1e6);
    ktLogins.push(acceptedLogins(s.log) - before);
  }
  const ktEntries = Number(/contains (\d+) entr/.exec(execFileSync('keytool', ['-list', '-keystore', cacerts(0), '-storepass:env', 'MID_STOREPASS'], { env, stdio: ['ignore', 'pipe', 'ignore'] }).toString())?.[1] ?? NaN);
  if (ktEntries !== base + CERTS) throw new Error(`after the keytool loop, ${cacerts(0)} holds ${ktEntries} entries, expected ${base + CERTS}`);
  const sampleMs = perHost.reduce((a, b) => a + b, 0);
  const perHostMs = sampleMs / KEYTOOL_SAMPLE_HOSTS;
  const seqMs = perHostMs * HOSTS;
  const forkMs = seqMs / ANSIBLE_FORKS;
  out(
    `      keytool over SSH: ${KEYTOOL_SAMPLE_HOSTS} hosts × ${CERTS} certs measured sequentially = ${(sampleMs / 1000).toFixed(1)} s (${perHost.map((t) => (t / 1000).toFixed(1)).join(' / ')} s per host, ${(perHostMs / CERTS).toFixed(0)} ms per ssh+keytool, ${Math.min(...ktLogins)}..${Math.max(...ktLogins)} SSH connections per host)`,
  );
  out(`      … extrapolated linearly to ${HOSTS} hosts: ${(seqMs / 1000).toFixed(1)} s sequential; ${(forkMs / 1000).toFixed(1)} s at Ansible's default ${ANSIBLE_FORKS} forks (= sequential / ${ANSIBLE_FORKS})`);

  // 3. Verdicts.
  out(report(`midtrust --parallel 8 vs keytool/SSH, sequential (extrap.)`, `${(p8 / 1000).toFixed(2)} / ${(seqMs / 1000).toFixed(1)} s = ${(seqMs / p8).toFixed(0)}x`, '≥ 20x faster', seqMs / p8 >= 20));
  out(report(`midtrust --parallel 8 vs keytool/SSH, ${ANSIBLE_FORKS} forks (extrap.)`, `${(p8 / 1000).toFixed(2)} / ${(forkMs / 1000).toFixed(1)} s = ${(forkMs / p8).toFixed(0)}x`, '≥ 20x faster', forkMs / p8 >= 20));
  out(report(`midtrust --parallel 20 vs keytool/SSH, ${ANSIBLE_FORKS} forks (extrap.)`, `${(p20 / 1000).toFixed(2)} / ${(forkMs / 1000).toFixed(1)} s = ${(forkMs / p20).toFixed(0)}x`, '≥ 20x faster', forkMs / p20 >= 20));
  out(`      (the keytool loop is a lower bound for Ansible's java_cert, which also lists the store before importing and ships its module over SSH per task${droppedExtraCa ? '; NODE_EXTRA_CA_CERTS unset for the midtrust processes' : ''})`);

  out(`      (load at the end ${os.loadavg()[0].toFixed(2)})`);
  fs.writeFileSync(path.join(ROOT, 'bench', 'latest-fleet.txt'), `${lines.join('\n')}\n`);
}

const started: ChildProcess[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-fleetbench-'));
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await stopAll(started);
  fs.rmSync(work, { recursive: true, force: true });
}
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
  .finally(() => cleanup());
