/**
 * midtrust against the tool most teams use for this today (`npm run bench:peers`): Ansible's
 * community.general.java_cert (Debian: `apt-get install ansible`), on the same certificates and
 * the same 144-entry JDK cacerts, rounds alternating between the two tools, every resulting store
 * judged by keytool. Scenarios: add 20 certificates locally; the no-change rerun; 3 entries
 * deleted by hand with keytool, then repaired; 5 hosts × 20 over loopback SSH (one sshd each);
 * Ansible on one host over SSH, for the fair fleet ratio (on a real fleet every MID has its own
 * CPU, so Ansible's N-host time is about its one-host time; here five hosts share two cores).
 * Runs as root. Not a test: nothing here asserts time. `--smoke`: 2 certificates, 1 round.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchCertificates, writePemFiles } from './benchCertificates';
import { acceptedLogins, runSshdBench, inventoryYaml, startHosts, startedSessions, type BenchHost } from './benchSshd';
import { benchEnv, formatSpread, loadNow, machineLine, report, resultLines, runMeasured, spread, writeLatest } from './benchUtil';
import { keytool17 } from '../test/helpers/keytool';
import { checkWithKeytool, expectedEntries, type ExpectedEntry } from './keytoolCheck';

const CACERTS = '/etc/ssl/certs/java/cacerts';
const PASS = 'changeit';
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'provider', 'cli', 'main.js');
const SMOKE = process.argv.includes('--smoke');
const CERTS = SMOKE ? 2 : 20;
const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? (SMOKE ? 1 : 3));
const SSH_HOSTS = SMOKE ? 2 : 5;
const DELETED = SMOKE ? 1 : 3;

type Tool = 'midtrust' | 'ansible';
type Scenario = 'add' | 'rerun' | 'repair' | 'fleet' | 'one host';

/** The playbook: one java_cert task per certificate, as people write it. */
const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: trust the bench certificates
      community.general.java_cert:
        cert_path: "{{ certdir }}/c{{ item }}.pem"
        cert_alias: "bench-{{ item }}"
        keystore_path: "{{ keystore }}"
        keystore_pass: "{{ storepass }}"
        trust_cacert: true
        state: present
      loop: "{{ range(ncerts | int) | list }}"
`;

interface Setup {
  readonly work: string;
  readonly certDir: string;
  readonly pemFiles: string[];
  readonly expected: ExpectedEntry[];
  readonly base: number;
  readonly env: NodeJS.ProcessEnv;
  readonly ansibleEnv: NodeJS.ProcessEnv;
  readonly userKey: string;
  readonly hosts: BenchHost[];
}

function ansibleInstalled(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' });
  if (which.status !== 0) return 'ansible-playbook not found (Debian: apt-get install ansible)';
  const doc = spawnSync('ansible-doc', ['community.general.java_cert'], { encoding: 'utf8' });
  if (doc.status !== 0) return 'the community.general collection (java_cert) is not installed (Debian ships it in the ansible package; else ansible-galaxy collection install community.general)';
  return undefined;
}

/** One tool's run of a scenario on `stores` (local) or `hosts` (SSH): wall time; fails loudly unless the tool reports success. */
function runTool(tool: Tool, s: Setup, target: { local: string } | { hosts: BenchHost[] }): { ms: number; rss?: number } {
  const dir = path.join(s.work, tool);
  fs.mkdirSync(dir, { recursive: true });
  if (tool === 'midtrust') {
    const desired = path.join(dir, 'desired.yaml');
    const keystore = 'local' in target ? `  path: ${target.local}\n` : '  midHome: /ignored/by/inventory\n';
    fs.writeFileSync(desired, `keystore:\n${keystore}  password: { env: MID_STOREPASS }\ncertificates:\n${s.pemFiles.map((f, i) => `  - alias: bench-${i}\n    file: ${f}\n`).join('')}`);
    const args = [CLI, 'apply', '-f', desired];
    if ('hosts' in target) {
      const inventory = path.join(dir, 'hosts.yaml');
      fs.writeFileSync(inventory, inventoryYaml(target.hosts, s.userKey));
      args.push('--inventory', inventory, '--parallel', String(target.hosts.length));
    }
    const r = runMeasured(process.execPath, args, { env: s.env, cwd: dir });
    if (r.status !== 0) throw new Error(`midtrust apply exited ${r.status}: ${r.stderr}`);
    return { ms: r.ms, rss: r.peakRssMiB };
  }
  const inventory = path.join(dir, 'inventory.ini');
  const common = `ansible_python_interpreter=/usr/bin/python3 certdir=${s.certDir}`;
  const lines =
    'local' in target
      ? [`localhost ansible_connection=local keystore=${target.local} ${common}`]
      : target.hosts.map(
          (h) =>
            `${h.name} ansible_host=127.0.0.1 ansible_port=${h.sshd.port} ansible_user=root ansible_ssh_private_key_file=${s.userKey} ansible_ssh_common_args='-o UserKnownHostsFile=${h.sshd.knownHostsFile} -o StrictHostKeyChecking=yes' keystore=${h.cacerts} ${common}`,
        );
  fs.writeFileSync(inventory, `${lines.join('\n')}\n`);
  const r = runMeasured('ansible-playbook', ['-i', inventory, path.join(s.work, 'playbook.yml'), '-e', `@${path.join(s.work, 'vars.yml')}`, '-e', `ncerts=${CERTS}`], { env: s.ansibleEnv, cwd: dir });
  if (r.status !== 0 || !/failed=0/.test(r.stdout)) throw new Error(`ansible-playbook exited ${r.status}: ${r.stdout.slice(-3000)}${r.stderr.slice(-2000)}`);
  return { ms: r.ms, rss: r.peakRssMiB };
}

/** Closes Ansible's persistent SSH connections (ControlPersist), so the next run starts like the first. */
function closeAnsibleMasters(s: Setup): void {
  for (const h of s.hosts) {
    spawnSync('ssh', ['-O', 'exit', '-o', `ControlPath=${path.join(s.work, 'cp', `127.0.0.1-${h.sshd.port}-root`)}`, '-p', String(h.sshd.port), 'root@127.0.0.1'], { stdio: 'ignore' });
  }
}

async function main(started: ChildProcess[], work: string): Promise<void> {
  const missing = ansibleInstalled();
  if (missing) throw new Error(`bench:peers needs Ansible: ${missing}`);
  if (process.getuid?.() !== 0) throw new Error('bench:peers runs as root (each sshd must switch to the login user)');
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} not found: npm run build`);
  const { env, droppedExtraCa } = benchEnv(PASS);
  const { lines, out } = resultLines();
  out(machineLine(`midtrust vs Ansible community.general.java_cert${SMOKE ? ' (smoke)' : ''}`));
  out(`      ${execFileSync('ansible-playbook', ['--version']).toString().split('\n')[0]}; ${CERTS} certificates; ${ROUNDS} alternating rounds; min / median / max; every store checked with keytool after every run`);

  const certDir = path.join(work, 'certs');
  const pemFiles = writePemFiles(certDir, benchCertificates(CERTS, 'peers bench'));
  const userKey = path.join(work, 'userkey');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', userKey]);
  // The store password reaches Ansible in a vars file only this user can read, never on argv.
  fs.writeFileSync(path.join(work, 'vars.yml'), `storepass: ${PASS}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(work, 'playbook.yml'), PLAYBOOK);
  const ansibleEnv: NodeJS.ProcessEnv = {
    ...env,
    ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
    // Ansible formats this with Python's %, hence %% for ssh's own %h-%p-%r.
    ANSIBLE_SSH_CONTROL_PATH: path.join(work, 'cp', '%%h-%%p-%%r'),
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
  };
  fs.mkdirSync(path.join(work, 'cp'));
  const hosts = await startHosts(SSH_HOSTS, work, `${userKey}.pub`, CACERTS, started);
  const s: Setup = { work, certDir, pemFiles, expected: expectedEntries(pemFiles), base: checkWithKeytool(CACERTS, PASS, 'the JDK cacerts', {}), env, ansibleEnv, userKey, hosts };
  const full = s.base + CERTS;

  const times = new Map<string, number[]>();
  const record = (tool: Tool, scenario: Scenario, ms: number): void => {
    const k = `${tool}|${scenario}`;
    times.set(k, [...(times.get(k) ?? []), ms]);
  };
  const sessions = new Map<Tool, number[]>();
  const logins = new Map<Tool, number[]>();

  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which tool goes first, round by round.
    const order: Tool[] = round % 2 === 0 ? ['midtrust', 'ansible'] : ['ansible', 'midtrust'];
    for (const tool of order) {
      const store = path.join(work, `${tool}-cacerts`);
      fs.copyFileSync(CACERTS, store);
      record(tool, 'add', runTool(tool, s, { local: store }).ms);
      checkWithKeytool(store, PASS, `${tool} add`, { count: full, expected: s.expected });
      record(tool, 'rerun', runTool(tool, s, { local: store }).ms);
      checkWithKeytool(store, PASS, `${tool} rerun`, { count: full, expected: s.expected });
      for (let d = 0; d < DELETED; d++) execFileSync(keytool17().bin, ['-delete', '-alias', `bench-${d}`, '-keystore', store, '-storepass:env', 'MID_STOREPASS'], { env, stdio: 'ignore' });
      checkWithKeytool(store, PASS, `${tool} after deleting by hand`, { count: full - DELETED, absent: s.expected.slice(0, DELETED).map((e) => e.alias) });
      record(tool, 'repair', runTool(tool, s, { local: store }).ms);
      checkWithKeytool(store, PASS, `${tool} repair`, { count: full, expected: s.expected });

      for (const [scenario, fleet] of [['fleet', hosts], ['one host', hosts.slice(0, 1)]] as const) {
        if (tool === 'midtrust' && scenario === 'one host') continue; // the fair ratio divides by midtrust's whole fleet
        for (const h of fleet) fs.copyFileSync(CACERTS, h.cacerts);
        const before = fleet.map((h) => [acceptedLogins(h.sshd.log), startedSessions(h.sshd.log)]);
        record(tool, scenario, runTool(tool, s, { hosts: [...fleet] }).ms);
        if (tool === 'ansible') closeAnsibleMasters(s);
        for (const h of fleet) checkWithKeytool(h.cacerts, PASS, `${tool} ${scenario} ${h.name}`, { count: full, expected: s.expected });
        if (scenario === 'fleet') {
          logins.set(tool, [...(logins.get(tool) ?? []), ...fleet.map((h, i) => acceptedLogins(h.sshd.log) - before[i][0])]);
          sessions.set(tool, [...(sessions.get(tool) ?? []), ...fleet.map((h, i) => startedSessions(h.sshd.log) - before[i][1])]);
        }
      }
    }
    out(`      round ${round + 1} of ${ROUNDS} done (${loadNow()})`);
  }

  const med = (tool: Tool, scenario: Scenario): number => spread(times.get(`${tool}|${scenario}`) as number[]).median;
  const line = (scenario: Scenario, what: string): void => {
    const m = spread(times.get(`midtrust|${scenario}`) as number[]);
    const a = spread(times.get(`ansible|${scenario}`) as number[]);
    out(`      ${what}: Ansible ${formatSpread({ min: a.min / 1000, median: a.median / 1000, max: a.max / 1000 }, 's', 1)}; midtrust ${formatSpread(m, 'ms')}`);
    out(report(`${what}: Ansible / midtrust (medians)`, `${(a.median / m.median).toFixed(0)}x`, '≥ 100x', a.median / m.median >= 100));
  };
  line('add', `local, add ${CERTS} to the ${s.base}-entry cacerts`);
  line('rerun', 'local, no-change rerun');
  line('repair', `local, ${DELETED} deleted by hand with keytool, repaired`);
  line('fleet', `${SSH_HOSTS} hosts × ${CERTS} over loopback SSH`);
  const conn = (tool: Tool, m: Map<Tool, number[]>): string => `${Math.min(...(m.get(tool) ?? [0]))}..${Math.max(...(m.get(tool) ?? [0]))}`;
  out(`      SSH per host per run (sshd logs): Ansible ${conn('ansible', logins)} connections, ${conn('ansible', sessions)} sessions; midtrust ${conn('midtrust', logins)} connection, ${conn('midtrust', sessions)} session`);
  const one = spread(times.get('ansible|one host') as number[]);
  out(`      Ansible, one host × ${CERTS} over SSH: ${formatSpread({ min: one.min / 1000, median: one.median / 1000, max: one.max / 1000 }, 's', 1)}`);
  const fair = one.median / med('midtrust', 'fleet');
  out(report(`fair fleet ratio: Ansible one host / midtrust ${SSH_HOSTS} hosts (medians)`, `${(one.median / 1000).toFixed(1)} s / ${(med('midtrust', 'fleet') / 1000).toFixed(2)} s = ${fair.toFixed(0)}x`, '≥ 100x', fair >= 100));
  out(`      (Ansible with its defaults: 5 forks, SSH ControlPersist, no pipelining; ${droppedExtraCa ? 'NODE_EXTRA_CA_CERTS unset for every process; ' : ''}${loadNow()} at the end)`);
  if (!SMOKE && !process.argv.some((a) => a.startsWith('--rounds='))) writeLatest('latest-peers.txt', lines);
}

runSshdBench('midtrust-peers-', main);
