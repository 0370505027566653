/**
 * midtrust fleet benchmark (`npm run bench:fleet`): MID hosts × 20 certificates over loopback SSH,
 * at 10, 50 and 200 hosts — one real OpenSSH server each (Debian's openssh-server), its own host
 * key, MID layout and JKS cacerts. Per fleet size: `midtrust apply --inventory` as a whole process
 * (wall time, peak memory, SSH connections per host counted in every sshd's log), stores judged by
 * keytool. On the 10-host fleet the same work is also done as a keytool-over-SSH loop (one
 * `ssh … keytool -importcert` per certificate per host, five hosts at a time like Ansible's default
 * forks) — measured on those same hosts, never extrapolated. Then a 50-host MidServerFleet through
 * the real Pulumi dynamic-provider host. Runs as root. Not a test: nothing here asserts time.
 * Last, 50 hosts reached as real estates are: through become (an admin login, `sudo -n` to the MID
 * account that owns the homes) and through one bastion (proxyJump). `--smoke`: 2 and 3 hosts;
 * `--hosts=10,50` picks fleet sizes; `--reach-only` runs only the become and bastion runs;
 * `--no-reach` skips them.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchCertificates, writePemFiles } from './benchCertificates';
import { createBecomeAccounts } from './benchAccounts';
import { acceptedLogins, runSshdBench, inventoryYaml, startHosts, startSshd, startedSessions, type BenchHost } from './benchSshd';
import { benchEnv, formatSpread, loadNow, machineLine, report, resultLines, runMeasured, spread, writeLatest } from './benchUtil';
import { checkWithKeytool, expectedEntries } from './keytoolCheck';
import { refresh, registrationsOf, startHost, up } from './pulumiScale';

const CACERTS = '/etc/ssl/certs/java/cacerts';
const PASS = 'changeit';
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'provider', 'cli', 'main.js');
const CERTS = 20;
const SMOKE = process.argv.includes('--smoke');
const SIZES = process.argv.find((a) => a.startsWith('--hosts='))?.slice('--hosts='.length).split(',').map(Number) ?? (SMOKE ? [2, 3] : [10, 50, 200]);
const RUNS = SMOKE ? 1 : 3;
/** midtrust's default --parallel, and a wider one (hosts are mostly waiting on the network). */
const PARALLEL = [8, 32];
/** Ansible's default `forks`: hosts worked on at once by the keytool-over-SSH loop. */
const FORKS = 5;
const PULUMI_HOSTS = SMOKE ? 2 : 50;
/** Hosts of the become and bastion runs (`--reach-only` runs just those, on 50 hosts). */
const REACH_HOSTS = SMOKE ? 2 : 50;
const REACH_ONLY = process.argv.includes('--reach-only');
const SKIP_REACH = process.argv.includes('--no-reach');

type Out = (line: string) => void;

/** Hosts whose stores keytool checks after a fleet run: all of a small fleet, ten spread over a large one. */
function sample(hosts: readonly BenchHost[]): BenchHost[] {
  if (hosts.length <= 10) return [...hosts];
  return Array.from({ length: 10 }, (_, k) => hosts[Math.round((k * (hosts.length - 1)) / 9)]);
}

/** How a run reaches its hosts, when not as root directly: the inventory text, and what to do to each host's fresh store. */
interface Reach {
  readonly name: string;
  readonly inventory: string;
  readonly reset?: (h: BenchHost) => void;
}

/** One `midtrust apply --inventory` over `hosts`, stores reset first; fails loudly on any wrong outcome. */
function midtrustRun(hosts: readonly BenchHost[], work: string, desired: string, userKey: string, parallel: number, env: NodeJS.ProcessEnv, reach?: Reach): { ms: number; rss?: number; logins: number[]; sessions: number[] } {
  for (const h of hosts) {
    fs.copyFileSync(CACERTS, h.cacerts);
    reach?.reset?.(h);
  }
  const inventory = path.join(work, `hosts-${hosts.length}${reach ? `-${reach.name}` : ''}.yaml`);
  fs.writeFileSync(inventory, reach?.inventory ?? inventoryYaml(hosts, userKey));
  const sessionsBefore = hosts.map((h) => startedSessions(h.sshd.log));
  const before = hosts.map((h) => acceptedLogins(h.sshd.log));
  const r = runMeasured(process.execPath, [CLI, 'apply', '-f', desired, '--inventory', inventory, '--parallel', String(parallel), '--json'], { env, cwd: work });
  if (r.status !== 0) throw new Error(`midtrust apply --inventory (${hosts.length} hosts) exited ${r.status}: ${r.stderr}${r.stdout.slice(0, 2000)}`);
  const outcomes = (JSON.parse(r.stdout) as { hosts: Array<{ name: string; ok: boolean; changes: number; written: boolean }> }).hosts;
  const wrong = outcomes.filter((h) => !h.ok || h.changes !== CERTS || !h.written);
  if (outcomes.length !== hosts.length || wrong.length) throw new Error(`midtrust apply --inventory: unexpected outcome ${JSON.stringify(wrong.slice(0, 5))}`);
  return { ms: r.ms, rss: r.peakRssMiB, logins: hosts.map((h, i) => acceptedLogins(h.sshd.log) - before[i]), sessions: hosts.map((h, i) => startedSessions(h.sshd.log) - sessionsBefore[i]) };
}

async function fleetCurve(out: Out, hosts: readonly BenchHost[], work: string, desired: string, userKey: string, expected: ReturnType<typeof expectedEntries>, base: number, env: NodeJS.ProcessEnv): Promise<Map<number, number>> {
  const medians = new Map<number, number>();
  for (const parallel of PARALLEL) {
    const points: Array<{ n: number; ms: number }> = [];
    for (const n of SIZES) {
      const fleet = hosts.slice(0, n);
      const runs = Array.from({ length: RUNS }, () => midtrustRun(fleet, work, desired, userKey, parallel, env));
      for (const h of sample(fleet)) checkWithKeytool(h.cacerts, PASS, `${h.name} after midtrust apply`, { count: base + CERTS, expected });
      const ms = spread(runs.map((r) => r.ms));
      const logins = runs.flatMap((r) => r.logins);
      const rss = runs.map((r) => r.rss).filter((m): m is number => m !== undefined);
      points.push({ n, ms: ms.median });
      if (parallel === PARALLEL[0]) medians.set(n, ms.median);
      out(
        `      ${String(n).padStart(3)} hosts, --parallel ${String(parallel).padEnd(2)}: ${formatSpread(ms)} (${(ms.median / n).toFixed(1)} ms a host), peak RSS ${rss.length ? `${Math.max(...rss).toFixed(0)} MiB` : 'n/a'}, SSH connections per host ${Math.min(...logins)}..${Math.max(...logins)}; keytool checked ${sample(fleet).length} hosts (${loadNow()})`,
      );
      out(report(`${n} hosts × ${CERTS} certs, --parallel ${parallel}: one SSH connection per host`, `${Math.min(...logins)}..${Math.max(...logins)}`, '1', Math.min(...logins) === 1 && Math.max(...logins) === 1));
      if (n === 200) out(report(`200 hosts × ${CERTS} certs, --parallel ${parallel}, worst of ${RUNS} runs`, `${(ms.max / 1000).toFixed(2)} s`, '≤ 10 s', ms.max <= 10_000));
    }
    // Linear in hosts: the time per extra host stays flat from one step to the next.
    const perHost = points.slice(1).map((p, i) => (p.ms - points[i].ms) / (p.n - points[i].n));
    if (perHost.length > 1) {
      out(report(`--parallel ${parallel}: extra time per extra host, first step vs last`, perHost.map((p) => `${p.toFixed(1)} ms`).join(' → '), 'flat (linear)', perHost[perHost.length - 1] <= 2 * Math.max(perHost[0], 1)));
    }
  }
  return medians;
}

/** The keytool-over-SSH loop on `hosts`: FORKS workers, each taking the next host and importing every certificate with one ssh + keytool. */
async function keytoolOverSsh(hosts: readonly BenchHost[], pemFiles: readonly string[], userKey: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; sessions: number[]; logins: number[] }> {
  for (const h of hosts) fs.copyFileSync(CACERTS, h.cacerts);
  const sessionsBefore = hosts.map((h) => startedSessions(h.sshd.log));
  const loginsBefore = hosts.map((h) => acceptedLogins(h.sshd.log));
  const sshOnce = (h: BenchHost, c: number): Promise<void> =>
    new Promise((resolve, reject) => {
      // The password reaches keytool through ssh's stdin and the remote shell's environment: on no
      // command line on either side. The certificate file is already on the host (same disk).
      const remote = `read -r P; export P; keytool -importcert -noprompt -alias bench-${c} -file '${pemFiles[c]}' -keystore '${h.cacerts}' -storepass:env P`;
      const child = spawn('ssh', ['-p', String(h.sshd.port), '-i', userKey, '-o', `UserKnownHostsFile=${h.sshd.knownHostsFile}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', 'root@127.0.0.1', remote], { env, stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh … keytool -importcert on ${h.name} cert ${c} exited ${code}: ${stderr}`))));
      child.stdin.end(`${PASS}\n`);
    });
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(FORKS, hosts.length) }, async () => {
      for (let i = next++; i < hosts.length; i = next++) for (let c = 0; c < pemFiles.length; c++) await sshOnce(hosts[i], c);
    }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, sessions: hosts.map((h, i) => startedSessions(h.sshd.log) - sessionsBefore[i]), logins: hosts.map((h, i) => acceptedLogins(h.sshd.log) - loginsBefore[i]) };
}

/** A MidServerFleet of `hosts` through the real dynamic-provider host: up (and a refresh), SSH connections counted. */
async function pulumiFleet(out: Out, hosts: readonly BenchHost[], pemFiles: readonly string[], userKey: string, expected: ReturnType<typeof expectedEntries>, base: number): Promise<void> {
  for (const h of hosts) fs.copyFileSync(CACERTS, h.cacerts);
  const { MidServerFleet } = await import('../provider/index');
  const privateKey = fs.readFileSync(userKey, 'utf8');
  const registrations = await registrationsOf(() => {
    const fleet = new MidServerFleet('bench', {
      hosts: hosts.map((h) => ({ name: h.name, midHome: h.midHome, connection: { host: '127.0.0.1', port: h.sshd.port, user: 'root', privateKey, hostKey: h.sshd.hostKeyFingerprint } })),
      certificates: pemFiles.map((f, i) => ({ alias: `bench-${i}`, certificatePem: fs.readFileSync(f, 'utf8') })),
      storePassword: PASS,
    });
    return [fleet, ...Object.values(fleet.truststores)];
  });
  if (registrations.length !== hosts.length) throw new Error(`MidServerFleet registered ${registrations.length} resources for ${hosts.length} hosts`);
  const before = hosts.map((h) => acceptedLogins(h.sshd.log));
  const host = await startHost(ROOT);
  try {
    const { created, result } = await up(host, registrations);
    for (const h of sample(hosts)) checkWithKeytool(h.cacerts, PASS, `${h.name} after pulumi up`, { count: base + CERTS, expected });
    const { ids, result: refreshed } = await refresh(host, created);
    const logins = hosts.map((h, i) => acceptedLogins(h.sshd.log) - before[i]);
    if (ids.some((id) => id === '')) throw new Error('pulumi refresh lost a Truststore');
    out(
      `      pulumi up, MidServerFleet of ${hosts.length} hosts × ${CERTS} certs (${registrations.length} Truststore resources, all steps at once): ${(result.ms / 1000).toFixed(2)} s, ${result.writes} store writes, host peak RSS ${result.hostPeakRssMiB?.toFixed(0) ?? 'n/a'} MiB; refresh ${(refreshed.ms / 1000).toFixed(2)} s; SSH connections per host (up + refresh) ${Math.min(...logins)}..${Math.max(...logins)}; keytool checked ${sample(hosts).length} hosts`,
    );
    out(report(`MidServerFleet of ${hosts.length} hosts: one write and one SSH connection per host`, `${result.writes} writes, ${Math.min(...logins)}..${Math.max(...logins)} conn.`, `${hosts.length}, 1`, result.writes === hosts.length && Math.max(...logins) === 1));
  } finally {
    await host.close();
  }
}

const range = (xs: readonly number[]): string => `${Math.min(...xs)}..${Math.max(...xs)}`;

/**
 * The same apply on `hosts` reached as a real estate is: an admin login acting as the MID account
 * through `sudo -n` (the MID homes belong to that account), then through a bastion (one sshd with
 * LogLevel DEBUG1, whose log counts the direct-tcpip channels it opened). Time, SSH connections
 * and sessions per host; keytool judges the stores.
 */
async function reachRuns(out: Out, hosts: readonly BenchHost[], started: ChildProcess[], work: string, desired: string, userKey: string, expected: ReturnType<typeof expectedEntries>, base: number, env: NodeJS.ProcessEnv): Promise<void> {
  // The same hosts reached directly as root, under the same load, for comparison.
  for (const parallel of PARALLEL) {
    const runs = Array.from({ length: RUNS }, () => midtrustRun(hosts, work, desired, userKey, parallel, env));
    const ms = spread(runs.map((r) => r.ms));
    out(`      ${hosts.length} hosts directly (root login, no become, no bastion), --parallel ${String(parallel).padEnd(2)}: ${formatSpread(ms)} (${(ms.median / hosts.length).toFixed(1)} ms a host), SSH connections per host ${range(runs.flatMap((r) => r.logins))} (${loadNow()})`);
  }
  const accounts = createBecomeAccounts();
  try {
    // sshd reads authorized_keys as the login user; the MID account must reach its homes.
    fs.chmodSync(work, 0o755);
    for (const h of hosts) {
      fs.chmodSync(h.sshd.dir, 0o755);
      fs.chmodSync(path.join(h.sshd.dir, 'authorized_keys'), 0o644);
    }
    const ownedByMid = (h: BenchHost): void => {
      const agent = path.join(h.midHome, 'agent');
      for (const p of [h.midHome, agent, path.join(agent, 'config.xml'), path.join(agent, 'jre'), path.join(agent, 'jre', 'lib'), path.dirname(h.cacerts), h.cacerts]) fs.chownSync(p, accounts.midUid, accounts.midGid);
    };
    const become: Reach = { name: 'become', inventory: inventoryYaml(hosts, userKey).replace('  user: root\n', `  user: ${accounts.login}\n  become: ${accounts.mid}\n`), reset: ownedByMid };
    for (const parallel of PARALLEL) {
      const runs = Array.from({ length: RUNS }, () => midtrustRun(hosts, work, desired, userKey, parallel, env, become));
      for (const h of sample(hosts)) {
        checkWithKeytool(h.cacerts, PASS, `${h.name} after apply through become`, { count: base + CERTS, expected });
        if (fs.statSync(h.cacerts).uid !== accounts.midUid) throw new Error(`${h.name}: the store no longer belongs to the MID account after apply through become`);
      }
      const ms = spread(runs.map((r) => r.ms));
      const logins = runs.flatMap((r) => r.logins);
      out(`      ${hosts.length} hosts through become (admin login, sudo -n to the MID account), --parallel ${String(parallel).padEnd(2)}: ${formatSpread(ms)} (${(ms.median / hosts.length).toFixed(1)} ms a host), SSH connections per host ${range(logins)}, sessions per host ${range(runs.flatMap((r) => r.sessions))}; keytool checked ${sample(hosts).length} hosts, owner kept (${loadNow()})`);
      out(report(`${hosts.length} hosts through become, --parallel ${parallel}: one SSH connection per host`, range(logins), '1', Math.min(...logins) === 1 && Math.max(...logins) === 1));
    }
  } finally {
    accounts.remove();
  }
  for (const h of hosts) {
    const agent = path.join(h.midHome, 'agent');
    for (const p of [h.midHome, agent, path.join(agent, 'config.xml'), path.join(agent, 'jre'), path.join(agent, 'jre', 'lib'), path.dirname(h.cacerts), h.cacerts]) fs.chownSync(p, 0, 0);
  }

  const bastion = await startSshd(path.join(work, 'bastion'), `${userKey}.pub`, started, ['LogLevel DEBUG1']);
  const channels = (): number => (fs.readFileSync(bastion.log, 'utf8').match(/direct_tcpip: originator/g) ?? []).length;
  const jump: Reach = { name: 'bastion', inventory: inventoryYaml(hosts, userKey).replace('  user: root\n', `  user: root\n  proxyJump: [{ host: 127.0.0.1, port: ${bastion.port}, hostKeyFingerprint: '${bastion.hostKeyFingerprint}' }]\n`) };
  for (const parallel of PARALLEL) {
    const loginsBefore = acceptedLogins(bastion.log);
    const channelsBefore = channels();
    const runs = Array.from({ length: RUNS }, () => midtrustRun(hosts, work, desired, userKey, parallel, env, jump));
    for (const h of sample(hosts)) checkWithKeytool(h.cacerts, PASS, `${h.name} after apply through a bastion`, { count: base + CERTS, expected });
    const ms = spread(runs.map((r) => r.ms));
    const logins = runs.flatMap((r) => r.logins);
    const bastionLogins = (acceptedLogins(bastion.log) - loginsBefore) / RUNS;
    const bastionChannels = (channels() - channelsBefore) / RUNS;
    out(`      ${hosts.length} hosts through one bastion (proxyJump), --parallel ${String(parallel).padEnd(2)}: ${formatSpread(ms)} (${(ms.median / hosts.length).toFixed(1)} ms a host), SSH connections per host ${range(logins)}; the bastion per run: ${bastionLogins} connection(s), ${bastionChannels} direct-tcpip channels; keytool checked ${sample(hosts).length} hosts (${loadNow()})`);
    out(report(`${hosts.length} hosts through a bastion, --parallel ${parallel}: one connection per host, one to the bastion`, `${range(logins)}, ${bastionLogins}`, '1, 1', Math.max(...logins) === 1 && Math.min(...logins) === 1 && bastionLogins === 1 && bastionChannels === hosts.length));
  }
}

async function main(started: ChildProcess[], work: string): Promise<void> {
  if (!fs.existsSync(CACERTS)) throw new Error(`${CACERTS} not found: install a JDK (apt-get install openjdk-17-jdk-headless)`);
  if (!fs.existsSync('/usr/sbin/sshd')) throw new Error('/usr/sbin/sshd not found (apt-get install openssh-server)');
  if (process.getuid?.() !== 0) throw new Error('the fleet bench runs as root (each sshd must switch to the login user)');
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} not found: npm run build`);
  const { env, droppedExtraCa } = benchEnv(PASS);
  const { lines, out } = resultLines();
  const largest = REACH_ONLY ? REACH_HOSTS : Math.max(...SIZES, PULUMI_HOSTS);
  // The client holds a socket per host, and this process a pipe or two per sshd it started.
  const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  if (Number.isFinite(fdLimit) && fdLimit < 4 * largest + 256) throw new Error(`ulimit -n is ${fdLimit}: ${largest} hosts need about ${4 * largest + 256} file descriptors; raise it (ulimit -n 4096) and run again`);
  out(machineLine(`midtrust fleet bench${SMOKE ? ' (smoke)' : ''}`));
  out(`      ${REACH_ONLY ? `${REACH_HOSTS} hosts through become and through a bastion` : `fleets of ${SIZES.join(', ')} hosts`} × ${CERTS} certificates, one sshd each on 127.0.0.1 (own host key, MID home, JKS cacerts); ${RUNS} runs per point, min / median / max; file descriptors: ${fdLimit}`);

  const pemFiles = writePemFiles(path.join(work, 'certs'), benchCertificates(CERTS, 'fleet bench'));
  const expected = expectedEntries(pemFiles);
  const base = checkWithKeytool(CACERTS, PASS, 'the JDK cacerts', {});
  const userKey = path.join(work, 'userkey');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', userKey]);
  const desired = path.join(work, 'desired.yaml');
  fs.writeFileSync(desired, `keystore:\n  midHome: /ignored/by/inventory\n  password: { env: MID_STOREPASS }\ncertificates:\n${pemFiles.map((f, i) => `  - alias: bench-${i}\n    file: ${f}\n`).join('')}`);

  const t0 = Date.now();
  const hosts = await startHosts(largest, work, `${userKey}.pub`, CACERTS, started);
  out(`      started ${largest} sshd in ${((Date.now() - t0) / 1000).toFixed(1)} s (${loadNow()})`);

  if (REACH_ONLY) {
    await reachRuns(out, hosts.slice(0, REACH_HOSTS), started, work, desired, userKey, expected, base, env);
    out(`      (${loadNow()} at the end)`);
    if (!SMOKE) writeLatest('latest-fleet-reach.txt', lines);
    return;
  }
  const medians = await fleetCurve(out, hosts, work, desired, userKey, expected, base, env);

  // keytool over SSH on the very hosts of the smallest fleet (when it is small: 20 ssh + keytool a host).
  if (SIZES[0] <= 10) {
    const small = hosts.slice(0, SIZES[0]);
    const kt = await keytoolOverSsh(small, pemFiles, userKey, env);
    for (const h of small) checkWithKeytool(h.cacerts, PASS, `${h.name} after the keytool loop`, { count: base + CERTS, expected });
    const mt = medians.get(SIZES[0]) as number;
    out(
      `      keytool over SSH on the same ${small.length} hosts, ${FORKS} at a time (Ansible's default forks), one ssh + keytool -importcert per certificate: ${(kt.ms / 1000).toFixed(1)} s, ${Math.min(...kt.logins)}..${Math.max(...kt.logins)} SSH connections and ${Math.min(...kt.sessions)}..${Math.max(...kt.sessions)} sessions per host; keytool checked every host`,
    );
    out(report(`${small.length} hosts: midtrust (--parallel ${PARALLEL[0]}, median) vs keytool over SSH`, `${(mt / 1000).toFixed(2)} / ${(kt.ms / 1000).toFixed(1)} s = ${(kt.ms / mt).toFixed(0)}x`, '≥ 20x faster', kt.ms / mt >= 20));
    out(`      (the keytool loop is a lower bound for Ansible's java_cert, which also lists the store and ships its module per task: npm run bench:peers${droppedExtraCa ? '; NODE_EXTRA_CA_CERTS unset for every process' : ''})`);
  } else {
    out(`      (keytool over SSH not run: the smallest fleet here has ${SIZES[0]} hosts, more than 10)`);
  }

  await pulumiFleet(out, hosts.slice(0, PULUMI_HOSTS), pemFiles, userKey, expected, base);
  if (!SKIP_REACH) await reachRuns(out, hosts.slice(0, REACH_HOSTS), started, work, desired, userKey, expected, base, env);
  out(`      (${loadNow()} at the end)`);
  if (!SMOKE && !process.argv.some((a) => a.startsWith('--hosts='))) writeLatest('latest-fleet.txt', lines);
}

runSshdBench('midtrust-fleetbench-', main);
