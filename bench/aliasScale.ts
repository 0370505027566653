/**
 * Issue #19 item 4: many aliases declaring one certificate (`file:` repeated), the shape a
 * generated desired-state file can take. `midtrust plan` as a whole process at 7,500 / 15,000 /
 * 30,000 / 60,000 aliases (time, peak RSS), the in-process phases (load, plan, apply to the model,
 * encode), and the growth exponent between the two largest sizes, as the store-size curve of
 * `npm run bench` judges it: time ∝ n^k, k ≈ 1 linear, ≈ 2 quadratic. The store `apply` writes at
 * the smallest size is listed by keytool. Not a test: nothing here asserts time.
 *
 * `npm run bench:aliases` (results in bench/latest-aliases.txt); `--smoke` for toy sizes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeKeystore } from '../provider/keystore/keystoreCodec';
import { applyPlan } from '../provider/plan/applyPlan';
import { computePlan } from '../provider/plan/computePlan';
import { loadDesiredState } from '../provider/plan/desiredStateFile';
import { benchCertificates, writePemFiles } from './benchCertificates';
import { benchEnv, loadNow, machineLine, median, report, resultLines, runMeasured, writeLatest } from './benchUtil';
import { checkWithKeytool } from './keytoolCheck';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'provider', 'cli', 'main.js');
const PASS = 'changeit';
const SMOKE = process.argv.includes('--smoke');
/** `--sizes=7500,15000`: other sizes (latest-aliases.txt is then left alone). */
const SIZES_ARG = process.argv.find((a) => a.startsWith('--sizes='))?.slice('--sizes='.length).split(',').map(Number);
const SIZES = SIZES_ARG ?? (SMOKE ? [500, 1_000] : [7_500, 15_000, 30_000, 60_000]);
const RUNS = SMOKE ? 1 : 3;

function desiredYaml(store: string, pem: string, n: number): string {
  const lines = [`keystore:\n  path: ${store}\n  password: { env: MID_STOREPASS }\n  create: true\n  type: JKS\ncertificates:`];
  for (let i = 0; i < n; i++) lines.push(`  - alias: same-${i}\n    file: ${pem}`);
  return `${lines.join('\n')}\n`;
}

/** Milliseconds of `fn`, once (the sizes are large enough that one run is well above timer noise). */
function timed<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const v = fn();
  return [v, Number(process.hrtime.bigint() - t0) / 1e6];
}

async function main(): Promise<void> {
  const { lines, out } = resultLines();
  const { env } = benchEnv(PASS);
  out(machineLine('midtrust bench: aliases declaring one certificate (issue #19 item 4)'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-bench-aliases-'));
  try {
    const [pem] = writePemFiles(work, benchCertificates(1, 'alias bench'));
    const points: Array<{ n: number; processMs: number; inProcessMs: number }> = [];
    for (const n of SIZES) {
      const store = path.join(work, `store-${n}.jks`);
      const desiredFile = path.join(work, `desired-${n}.yaml`);
      fs.writeFileSync(desiredFile, desiredYaml(store, pem, n));
      const runs = Array.from({ length: RUNS }, () => {
        const r = runMeasured(process.execPath, [CLI, 'plan', '-f', desiredFile], { env });
        if (r.status !== 2) throw new Error(`midtrust plan of ${n} aliases exited ${r.status}: ${r.stderr.slice(0, 500)}`);
        return r;
      });
      const processMs = median(runs.map((r) => r.ms));
      const rss = Math.max(...runs.map((r) => r.peakRssMiB ?? 0));
      const [desired, loadMs] = timed(() => loadDesiredState(fs.readFileSync(desiredFile, 'utf8'), desiredFile, { readFile: (f) => fs.readFileSync(f), env }));
      const [plan, planMs] = timed(() => computePlan(undefined, desired));
      const [model, applyMs] = timed(() => applyPlan(undefined, plan, desired, { now: new Date() }));
      const [bytes, encodeMs] = timed(() => writeKeystore(model, PASS));
      if (model.entries.length !== n) throw new Error(`${n} aliases gave ${model.entries.length} entries`);
      const inProcessMs = loadMs + planMs + applyMs;
      points.push({ n, processMs, inProcessMs });
      out(
        `      ${String(n).padStart(6)} aliases: plan ${processMs.toFixed(0)} ms (process, median of ${RUNS}), peak RSS ${rss ? `${rss.toFixed(0)} MiB` : 'n/a'}; ` +
          `in-process load ${loadMs.toFixed(0)} + plan ${planMs.toFixed(0)} + apply ${applyMs.toFixed(0)} ms, encode ${encodeMs.toFixed(0)} ms (${(bytes.length / 1024 / 1024).toFixed(1)} MiB); ${loadNow()}`,
      );
    }
    // One real apply at the smallest size, judged by keytool (every alias, one certificate).
    const first = SIZES[0];
    const applied = runMeasured(process.execPath, [CLI, 'apply', '-f', path.join(work, `desired-${first}.yaml`)], { env });
    if (applied.status !== 0) throw new Error(`midtrust apply of ${first} aliases exited ${applied.status}: ${applied.stderr.slice(0, 500)}`);
    checkWithKeytool(path.join(work, `store-${first}.jks`), PASS, `apply of ${first} aliases`, { count: first });
    out(`      apply of ${first} aliases: ${applied.ms.toFixed(0)} ms; keytool lists ${first} entries`);
    const [a, b] = points.slice(-2);
    for (const [what, ta, tb] of [['process', a.processMs, b.processMs], ['in-process', a.inProcessMs, b.inProcessMs]] as const) {
      const k = Math.log(tb / ta) / Math.log(b.n / a.n);
      out(report(`plan ${a.n} → ${b.n} aliases of one certificate (${what}): time ∝ n^k`, `k = ${k.toFixed(2)}`, 'k < 1.3 (linear ~1, quadratic ~2)', k < 1.3));
    }
    if (!SMOKE && !SIZES_ARG) writeLatest('latest-aliases.txt', lines);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
