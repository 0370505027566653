/**
 * midtrust benchmarks (`npm run bench`): medians of repeated runs, reported as ratios against
 * keytool measured in the same run on the same machine. Not a test: nothing here asserts time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeystoreBatcher } from '../provider/apply/keystoreBatcher';
import { LocalHost } from '../provider/host/localHost';
import { readKeystore, writeKeystore } from '../provider/keystore/keystoreCodec';
import type { Keystore } from '../provider/keystore/model';
import { listEntries } from '../provider/listing/entryListing';
import { applyPlan } from '../provider/plan/applyPlan';
import { computePlan } from '../provider/plan/computePlan';
import { loadDesiredState } from '../provider/plan/desiredStateFile';
import { benchEnv, median, report, resultLines, timeInProcess, timeInProcessAsync, timeProcess, timeProcessPair } from './benchUtil';

const CACERTS = '/etc/ssl/certs/java/cacerts';
const PASS = 'changeit';
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'provider', 'cli', 'main.js');

function findKeytool(minVersion: number): string | undefined {
  const dirs = fs.existsSync('/usr/lib/jvm') ? fs.readdirSync('/usr/lib/jvm').map((d) => path.join('/usr/lib/jvm', d, 'bin', 'keytool')) : [];
  for (const bin of ['/usr/bin/keytool', ...dirs]) {
    if (!fs.existsSync(bin)) continue;
    // Java 17's keytool has no -version option: read the JDK's release file instead.
    const release = path.join(path.dirname(path.dirname(fs.realpathSync(bin))), 'release');
    const v = fs.existsSync(release) ? /JAVA_VERSION="(\d+)/.exec(fs.readFileSync(release, 'utf8')) : null;
    if (v && Number(v[1]) >= minVersion) return bin;
  }
  return undefined;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CACERTS)) throw new Error(`${CACERTS} not found: install a JDK (apt-get install openjdk-17-jdk-headless)`);
  const keytool = findKeytool(11);
  if (!keytool) throw new Error('keytool not found');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-bench-'));
  const { env, droppedExtraCa } = benchEnv(PASS);
  const { lines, out } = resultLines();
  out(`midtrust bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}, keytool ${fs.realpathSync(keytool)}`);

  // 1. Read + verify the JDK cacerts (JKS) in-process.
  const jksBytes = fs.readFileSync(CACERTS);
  const jks = readKeystore(jksBytes, { password: PASS });
  const readJksMs = timeInProcess(() => readKeystore(jksBytes, { password: PASS }), 300, 20);
  out(report(`read+verify ${jks.entries.length}-entry cacerts (JKS), in-process`, `${readJksMs.toFixed(2)} ms`, '≤ 5 ms', readJksMs <= 5));

  // 2. The same certificates as a password-less PKCS12 (the JDK ≥ 18 cacerts form).
  const p12Path = path.join(work, 'cacerts.p12');
  const modern = findKeytool(18);
  if (modern) {
    execFileSync(modern, ['-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE', '-J-Dkeystore.pkcs12.macAlgorithm=NONE', '-importkeystore', '-srckeystore', CACERTS, '-srcstorepass:env', 'MID_STOREPASS', '-destkeystore', p12Path, '-deststoretype', 'PKCS12', '-deststorepass:env', 'MID_STOREPASS'], { env, stdio: 'ignore' });
  } else {
    fs.writeFileSync(p12Path, writeKeystore({ type: 'PKCS12', entries: jks.entries.map((e) => ({ alias: e.alias, kind: e.kind, timestamp: e.timestamp, certificates: e.certificates })), integrity: 'none' }, undefined));
  }
  const p12Bytes = fs.readFileSync(p12Path);
  const readP12Ms = timeInProcess(() => readKeystore(p12Bytes), 300, 20);
  out(report(`read ${jks.entries.length}-entry password-less PKCS12, in-process${modern ? '' : ' (made by midtrust: no JDK ≥ 18)'}`, `${readP12Ms.toFixed(2)} ms`, '≤ 10 ms', readP12Ms <= 10));
  const listMs = timeInProcess(() => listEntries(jks), 100, 5);
  out(`      describe all ${jks.entries.length} entries (subject, issuer, notAfter, CA), in-process: ${listMs.toFixed(2)} ms`);

  // 3. `midtrust ls --json` as a whole process vs `keytool -list`.
  const runs = 11;
  const [lsMs, ktListMs] = timeProcessPair(
    { cmd: process.execPath, args: [CLI, 'ls', CACERTS, '--storepass-env', 'MID_STOREPASS', '--json'] },
    { cmd: keytool, args: ['-list', '-keystore', CACERTS, '-storepass:env', 'MID_STOREPASS'] },
    runs,
    { env },
  );
  out(report('midtrust ls --json (process) vs keytool -list', `${lsMs.toFixed(0)} / ${ktListMs.toFixed(0)} ms = ${(ktListMs / lsMs).toFixed(1)}x`, '≥ 5x faster', ktListMs / lsMs >= 5));

  // 4. Apply 20 new certificates to the cacerts in-process: one write.
  const certDir = path.join(work, 'certs');
  fs.mkdirSync(certDir);
  for (let i = 0; i < 20; i++) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(certDir, `c${i}.key`), '-out', path.join(certDir, `c${i}.pem`), '-days', '30', '-subj', `/CN=bench ${i}`], { stdio: 'ignore' });
  }
  const desiredFile = path.join(work, 'desired.yaml');
  const storeCopy = path.join(work, 'cacerts');
  fs.writeFileSync(desiredFile, `keystore:\n  path: ./cacerts\n  password: { env: MID_STOREPASS }\ncertificates:\n${Array.from({ length: 20 }, (_, i) => `  - alias: bench-${i}\n    file: certs/c${i}.pem\n`).join('')}`);
  const desired = loadDesiredState(fs.readFileSync(desiredFile, 'utf8'), desiredFile, { readFile: (f) => fs.readFileSync(f), env });
  const pureMs = timeInProcess(() => {
    const store = readKeystore(jksBytes, { password: PASS });
    const plan = computePlan(store, desired);
    writeKeystore(applyPlan(store, plan, desired, { now: new Date() }) as Keystore, PASS);
  }, 100, 10);
  let writes = 0;
  const host = new LocalHost();
  const applyMs = await timeInProcessAsync(async () => {
    fs.copyFileSync(CACERTS, storeCopy);
    const batcher = new KeystoreBatcher(host);
    const r = await batcher.submit({ path: storeCopy, password: PASS }, (current) => {
      const plan = computePlan(current, desired);
      return { store: applyPlan(current, plan, desired, { now: new Date() }), result: plan };
    });
    if (r.written) writes++;
  }, 30, 3);
  out(report('apply 20 new certificates to cacerts, in-process (read, plan, write)', `${pureMs.toFixed(2)} ms`, '≤ 20 ms', pureMs <= 20));
  out(`      … with lock, temp file, fsync, read-back verify and rename: ${applyMs.toFixed(2)} ms; ${writes}/33 runs wrote exactly once each`);

  // 5. The CLI apply as a whole process vs 20 keytool -importcert runs.
  const cliApply: number[] = [];
  const ktImport: number[] = [];
  for (let r = 0; r < 5; r++) {
    // Alternate the two sides round by round, so load spikes hit both.
    cliApply.push(timeProcess(process.execPath, [CLI, 'apply', '-f', desiredFile], 1, { env, before: () => fs.copyFileSync(CACERTS, storeCopy) }));
    fs.copyFileSync(CACERTS, storeCopy);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) {
      const k = spawnSync(keytool, ['-importcert', '-noprompt', '-alias', `bench-${i}`, '-file', path.join(certDir, `c${i}.pem`), '-keystore', storeCopy, '-storepass:env', 'MID_STOREPASS'], { env, stdio: 'ignore' });
      if (k.status !== 0) throw new Error('keytool -importcert failed');
    }
    ktImport.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const ktImportMs = median(ktImport);
  const cliApplyMs = median(cliApply);
  out(report('midtrust apply of 20 certs (process) vs 20 keytool -importcert', `${cliApplyMs.toFixed(0)} / ${ktImportMs.toFixed(0)} ms = ${(ktImportMs / cliApplyMs).toFixed(1)}x`, '≥ 50x faster', ktImportMs / cliApplyMs >= 50));
  const nodeStart = timeProcess(process.execPath, ['-e', '0'], 7, { env });
  out(`      (a bare 'node -e 0' takes ${nodeStart.toFixed(0)} ms on this machine${droppedExtraCa ? '; NODE_EXTRA_CA_CERTS unset for all processes' : ''})`);

  fs.writeFileSync(path.join(ROOT, 'bench', 'latest.txt'), `${lines.join('\n')}\n`);
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
