/**
 * midtrust benchmarks (`npm run bench`): the engine in-process, the CLI as whole processes against
 * a bare `node -e 0` and keytool in the same run, store-size curves, and 1,000 Pulumi resources
 * through the real dynamic-provider host. Every series is run alternately with what it is compared
 * to, so a load spike on this shared machine hits both sides. Results: bench/latest.txt.
 * Not a test: nothing here asserts time. `--smoke` runs every part on toy sizes (a few seconds).
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
import { keytool17, modernKeytool } from '../test/helpers/keytool';
import { benchCertificates, desiredStateYaml, syntheticStore, writePemFiles, type StoreForm } from './benchCertificates';
import { benchEnv, formatSpread, loadNow, machineLine, median, report, resultLines, runMeasured, spread, timeInProcess, timeInProcessAsync, writeLatest } from './benchUtil';
import { checkWithKeytool, expectedEntries } from './keytoolCheck';
import { destroy, refresh, registrationsOf, startHost, up } from './pulumiScale';

const CACERTS = '/etc/ssl/certs/java/cacerts';
const PASS = 'changeit';
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'provider', 'cli', 'main.js');
const SMOKE = process.argv.includes('--smoke');
/** `--only=start,store,pulumi`: run some parts (latest.txt is then left alone). */
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const part = (name: 'start' | 'store' | 'pulumi'): boolean => !ONLY || ONLY.includes(name);

/** Rounds and sizes; `--smoke` shrinks all of them. */
const PLAN = SMOKE
  ? { startRounds: 2, applyRounds: 1, storeSizes: [10, 30], storeRuns: 1, pulumiResources: 20 }
  : { startRounds: 15, applyRounds: 5, storeSizes: [150, 1_500, 15_000], storeRuns: 3, pulumiResources: 1_000 };

type Out = (line: string) => void;

let cacertsCount: number | undefined;
/** Entries of this machine's JDK cacerts (144 on Debian's today). */
function cacertsEntries(): number {
  return (cacertsCount ??= readKeystore(fs.readFileSync(CACERTS), { password: PASS }).entries.length);
}

/** Alternating rounds of several commands; each one's wall times. */
function alternate(rounds: number, steps: Array<{ name: string; before?: () => void; run: () => number }>): Record<string, number[]> {
  const times: Record<string, number[]> = Object.fromEntries(steps.map((s) => [s.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const s of steps) {
      s.before?.();
      times[s.name].push(s.run());
    }
  }
  return times;
}

function processMs(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

function inProcess(out: Out, work: string): void {
  const jksBytes = fs.readFileSync(CACERTS);
  const jks = readKeystore(jksBytes, { password: PASS });
  const readJksMs = timeInProcess(() => readKeystore(jksBytes, { password: PASS }), 300, 20);
  out(report(`read+verify ${jks.entries.length}-entry cacerts (JKS), in-process`, `${readJksMs.toFixed(2)} ms`, '≤ 5 ms', readJksMs <= 5));
  const p12Path = path.join(work, 'cacerts.p12');
  const modern = modernKeytool();
  if (modern) {
    execFileSync(modern.bin, ['-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE', '-J-Dkeystore.pkcs12.macAlgorithm=NONE', '-importkeystore', '-srckeystore', CACERTS, '-srcstorepass:env', 'MID_STOREPASS', '-destkeystore', p12Path, '-deststoretype', 'PKCS12', '-deststorepass:env', 'MID_STOREPASS'], {
      env: benchEnv(PASS).env,
      stdio: 'ignore',
    });
  } else {
    fs.writeFileSync(p12Path, writeKeystore({ type: 'PKCS12', entries: jks.entries.map((e) => ({ alias: e.alias, kind: e.kind, timestamp: e.timestamp, certificates: e.certificates })), integrity: 'none' }, undefined));
  }
  const p12Bytes = fs.readFileSync(p12Path);
  const readP12Ms = timeInProcess(() => readKeystore(p12Bytes), 300, 20);
  out(report(`read ${jks.entries.length}-entry password-less PKCS12, in-process${modern ? '' : ' (made by midtrust: no JDK ≥ 18)'}`, `${readP12Ms.toFixed(2)} ms`, '≤ 10 ms', readP12Ms <= 10));
  const listMs = timeInProcess(() => listEntries(jks), 100, 5);
  out(`      describe all ${jks.entries.length} entries (subject, issuer, notAfter, CA), in-process: ${listMs.toFixed(2)} ms`);
}

async function inProcessApply(out: Out, desiredFile: string, storeCopy: string, env: NodeJS.ProcessEnv): Promise<void> {
  const jksBytes = fs.readFileSync(CACERTS);
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
}

/** `midtrust ls --json` and `midtrust apply` as processes, against `node -e 0` and keytool, alternately. */
function processes(out: Out, work: string, pemFiles: string[], desiredFile: string, storeCopy: string, env: NodeJS.ProcessEnv, droppedExtraCa: boolean): void {
  const keytool = keytool17().bin;
  const ls = alternate(PLAN.startRounds, [
    { name: 'node', run: () => processMs(process.execPath, ['-e', '0'], env) },
    { name: 'ls', run: () => processMs(process.execPath, [CLI, 'ls', CACERTS, '--storepass-env', 'MID_STOREPASS', '--json'], env) },
    { name: 'keytool', run: () => processMs(keytool, ['-list', '-keystore', CACERTS, '-storepass:env', 'MID_STOREPASS'], env) },
  ]);
  const [node, lsS, kt] = [spread(ls.node), spread(ls.ls), spread(ls.keytool)];
  out(`      ${PLAN.startRounds} alternating rounds, min / median / max: node -e 0 ${formatSpread(node)}; midtrust ls --json ${formatSpread(lsS)}; keytool -list ${formatSpread(kt)}`);
  out(report('midtrust ls --json (process) vs node -e 0 (medians)', `${(lsS.median / node.median).toFixed(2)}x node`, '≤ 2x', lsS.median / node.median <= 2));
  out(report('midtrust ls --json (process) vs keytool -list (medians)', `${(kt.median / lsS.median).toFixed(1)}x faster`, '≥ 5x faster', kt.median / lsS.median >= 5));

  const fresh = (): void => fs.copyFileSync(CACERTS, storeCopy);
  const ap = alternate(PLAN.applyRounds, [
    { name: 'node', run: () => processMs(process.execPath, ['-e', '0'], env) },
    { name: 'apply', before: fresh, run: () => processMs(process.execPath, [CLI, 'apply', '-f', desiredFile], env) },
    {
      name: 'keytool',
      before: () => {
        // midtrust's result, judged by keytool, before the keytool loop's turn.
        checkWithKeytool(storeCopy, PASS, 'midtrust apply', { count: cacertsEntries() + pemFiles.length, expected: expectedEntries(pemFiles) });
        fresh();
      },
      run: () => {
        const t0 = process.hrtime.bigint();
        pemFiles.forEach((file, i) => {
          const k = spawnSync(keytool, ['-importcert', '-noprompt', '-alias', `bench-${i}`, '-file', file, '-keystore', storeCopy, '-storepass:env', 'MID_STOREPASS'], { env, stdio: 'ignore' });
          if (k.status !== 0) throw new Error('keytool -importcert failed');
        });
        return Number(process.hrtime.bigint() - t0) / 1e6;
      },
    },
  ]);
  checkWithKeytool(storeCopy, PASS, 'keytool loop', { count: cacertsEntries() + pemFiles.length, expected: expectedEntries(pemFiles) });
  const [node2, apS, ktS] = [spread(ap.node), spread(ap.apply), spread(ap.keytool)];
  out(`      ${PLAN.applyRounds} alternating rounds, min / median / max: node -e 0 ${formatSpread(node2)}; midtrust apply ${formatSpread(apS)}; 20 × keytool -importcert ${formatSpread(ktS)}`);
  out(report('midtrust apply of 20 certs (process) vs node -e 0 (medians)', `${(apS.median / node2.median).toFixed(2)}x node`, '≤ 2.5x', apS.median / node2.median <= 2.5));
  out(report('midtrust apply of 20 certs (process) vs 20 keytool -importcert', `${(ktS.median / apS.median).toFixed(1)}x faster`, '≥ 50x faster', ktS.median / apS.median >= 50));
  const withExtraCa = { ...env, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt' };
  const extraCa = fs.existsSync(withExtraCa.NODE_EXTRA_CA_CERTS) ? median(Array.from({ length: 5 }, () => processMs(process.execPath, ['-e', '0'], withExtraCa))) : undefined;
  out(
    `      (NODE_EXTRA_CA_CERTS is unset for every process above${droppedExtraCa ? ' — this machine sets it' : ''}; with it set to ${withExtraCa.NODE_EXTRA_CA_CERTS}, a bare node -e 0 takes ${extraCa === undefined ? 'n/a' : `${extraCa.toFixed(0)} ms`}, median of 5)`,
  );
  fs.rmSync(storeCopy, { force: true });
  void work;
}

/**
 * The same apply in-process (lock, read, plan, write, fsync, read-back check, rename), median of 5
 * after a warm-up: without the ~100 ms of process start and its noise, so the slope between the
 * small stores can be told apart from the load of the machine.
 */
async function inProcessApplyMs(store: string, base: string, desiredFile: string, password: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  const desired = loadDesiredState(fs.readFileSync(desiredFile, 'utf8'), desiredFile, { readFile: (f) => fs.readFileSync(f), env });
  const host = new LocalHost();
  return timeInProcessAsync(async () => {
    fs.copyFileSync(base, store);
    const r = await new KeystoreBatcher(host).submit({ path: store, password }, (current) => {
      const plan = computePlan(current, desired);
      return { store: applyPlan(current, plan, desired, { now: new Date() }), result: plan };
    });
    if (!r.written) throw new Error(`in-process apply to ${store} wrote nothing`);
  }, 5, 1);
}

/** Apply of 20 certificates to stores of growing size, per form: time and peak memory of the process. */
async function storeCurves(out: Out, work: string, pemFiles: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const forms: StoreForm[] = ['JKS', 'PKCS12', 'PKCS12 password-less'];
  const largest = Math.max(...PLAN.storeSizes);
  const t0 = Date.now();
  const ders = benchCertificates(largest, 'bench store');
  out(`      store-size curve: ${largest} synthetic CA certificates made in ${((Date.now() - t0) / 1000).toFixed(1)} s; each store checked by keytool before and after; ${PLAN.storeRuns} runs per point`);
  const expected = expectedEntries(pemFiles);
  for (const form of forms) {
    const withPassword = form !== 'PKCS12 password-less';
    const modern = modernKeytool();
    // Java 17's keytool cannot open a password-less PKCS12 without a password prompt; a JDK ≥ 18 can.
    const judge = withPassword ? keytool17() : modern;
    const points: Array<{ size: number; ms: number; inProcessMs: number }> = [];
    for (const size of PLAN.storeSizes) {
      const dir = path.join(work, `store-${form.replace(/\W+/g, '-')}-${size}`);
      fs.mkdirSync(dir, { recursive: true });
      const base = path.join(dir, 'base');
      fs.writeFileSync(base, syntheticStore(form, ders.slice(0, size), PASS));
      if (judge) checkWithKeytool(base, withPassword ? PASS : undefined, `${form} ${size}`, { count: size, keytool: judge });
      const store = path.join(dir, 'store');
      const desired = path.join(dir, 'desired.yaml');
      fs.writeFileSync(desired, desiredStateYaml(store, pemFiles, withPassword, dir));
      const runs = Array.from({ length: PLAN.storeRuns }, () => {
        fs.copyFileSync(base, store);
        const r = runMeasured(process.execPath, [CLI, 'apply', '-f', desired], { env });
        if (r.status !== 0) throw new Error(`midtrust apply on the ${size}-entry ${form} store exited ${r.status}: ${r.stderr}`);
        return r;
      });
      if (judge) checkWithKeytool(store, withPassword ? PASS : undefined, `${form} ${size} after apply`, { count: size + pemFiles.length, expected, keytool: judge });
      const ms = spread(runs.map((r) => r.ms));
      const rss = runs.map((r) => r.peakRssMiB).filter((m): m is number => m !== undefined);
      const inProcessMs = await inProcessApplyMs(store, base, desired, withPassword ? PASS : undefined, env);
      points.push({ size, ms: ms.median, inProcessMs });
      out(
        `      ${form.padEnd(20)} ${String(size).padStart(6)} entries: apply 20 ${formatSpread(ms)} (process), ${inProcessMs.toFixed(1)} ms in-process, peak RSS ${rss.length ? `${Math.max(...rss).toFixed(0)} MiB` : 'n/a'}${judge ? '' : ' (no JDK ≥ 18: not checked by keytool)'}`,
      );
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // Linear is judged on the two largest stores, where the per-entry work outweighs the fixed
    // cost (a PKCS12 MAC's key derivation alone is ~45 ms, so the first step's few milliseconds are
    // within its noise): time grows as size^k with k = log(t2/t1) / log(n2/n1), ~1 (or less, with
    // the fixed cost) when linear, ~2 when quadratic. In-process, where start-up noise is absent.
    const perEntry = points.slice(1).map((p, i) => (p.inProcessMs - points[i].inProcessMs) / (p.size - points[i].size));
    const [a, b] = points.slice(-2);
    const exponent = Math.log(b.inProcessMs / a.inProcessMs) / Math.log(b.size / a.size);
    out(
      report(
        `${form}: growth ${a.size} → ${b.size} entries (time ∝ size^k)`,
        `k = ${exponent.toFixed(2)}; per extra entry ${perEntry.map((p) => `${(p * 1000).toFixed(1)} µs`).join(' → ')}`,
        'k < 1.3 (linear ~1, quadratic ~2)',
        exponent < 1.3,
      ),
    );
  }
}

/** 1,000 TrustedCertificate resources on one store through the real dynamic-provider host: up, refresh, destroy. */
async function pulumiCurve(out: Out, work: string): Promise<void> {
  const n = PLAN.pulumiResources;
  const dir = path.join(work, 'pulumi');
  fs.mkdirSync(dir, { recursive: true });
  const store = path.join(dir, 'cacerts');
  fs.copyFileSync(CACERTS, store);
  const pems = benchCertificates(n, 'pulumi bench').map((der) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`);
  const { TrustedCertificate } = await import('../provider/index');
  const registrations = await registrationsOf(() =>
    pems.map((certificatePem, i) => new TrustedCertificate(`tc-${i}`, { keystorePath: store, storePassword: PASS, alias: `tc-${i}`, certificatePem })),
  );
  if (registrations.length !== n) throw new Error(`the program registered ${registrations.length} TrustedCertificates, expected ${n}`);
  // BENCH_HOST_NODE_OPTIONS=--cpu-prof profiles the host (how the super-linear steps were found).
  const host = await startHost(ROOT, process.env.BENCH_HOST_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_HOST_NODE_OPTIONS } : {});
  try {
    const { created, result: upResult } = await up(host, registrations);
    const { X509Certificate } = await import('node:crypto');
    const expected = pems.map((pem, i) => ({ alias: `tc-${i}`, sha256: new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase() }));
    checkWithKeytool(store, PASS, 'pulumi up', { count: cacertsEntries() + n, expected });
    out(`      pulumi up, ${n} TrustedCertificate on one store, all steps at once: ${(upResult.ms / 1000).toFixed(2)} s, ${upResult.writes} store writes (batches ${upResult.batchSizes.join(', ')}), host peak RSS ${upResult.hostPeakRssMiB?.toFixed(0) ?? 'n/a'} MiB; keytool lists ${cacertsEntries() + n}`);
    out(report(`pulumi up of ${n} TrustedCertificate: store writes`, `${upResult.writes}`, '≤ 10', upResult.writes <= 10));
    const { ids, result: refreshResult } = await refresh(host, created);
    const kept = ids.filter((id) => id !== '').length;
    if (kept !== n) throw new Error(`pulumi refresh found ${kept} of ${n} resources`);
    out(`      pulumi refresh of ${n}: ${(refreshResult.ms / 1000).toFixed(2)} s, all ${kept} found, ${refreshResult.writes} writes, host peak RSS ${refreshResult.hostPeakRssMiB?.toFixed(0) ?? 'n/a'} MiB`);
    const destroyResult = await destroy(host, created);
    checkWithKeytool(store, PASS, 'pulumi destroy', { count: cacertsEntries(), absent: expected.slice(0, 50).map((e) => e.alias) });
    out(`      pulumi destroy of ${n}: ${(destroyResult.ms / 1000).toFixed(2)} s, ${destroyResult.writes} store writes (batches ${destroyResult.batchSizes.join(', ')}); keytool lists the ${cacertsEntries()} entries left`);
  } finally {
    await host.close();
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(CACERTS)) throw new Error(`${CACERTS} not found: install a JDK (apt-get install openjdk-17-jdk-headless)`);
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} not found: npm run build`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-bench-'));
  const { env, droppedExtraCa } = benchEnv(PASS);
  const { lines, out } = resultLines();
  try {
    out(machineLine(`midtrust bench${SMOKE ? ' (smoke: toy sizes)' : ''}`));
    const pemFiles = writePemFiles(path.join(work, 'certs'), benchCertificates(20, 'bench'));
    if (part('start')) {
      inProcess(out, work);
      const desiredFile = path.join(work, 'desired.yaml');
      const storeCopy = path.join(work, 'cacerts');
      fs.writeFileSync(desiredFile, desiredStateYaml(storeCopy, pemFiles, true, work));
      await inProcessApply(out, desiredFile, storeCopy, env);
      processes(out, work, pemFiles, desiredFile, storeCopy, env, droppedExtraCa);
      out(`      (${loadNow()})`);
    }
    if (part('store')) {
      await storeCurves(out, work, pemFiles, env);
      out(`      (${loadNow()})`);
    }
    if (part('pulumi')) await pulumiCurve(out, work);
    out(`      (${loadNow()} at the end)`);
    if (!SMOKE && !ONLY) writeLatest('latest.txt', lines);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0), // the Pulumi SDK keeps handles open
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
