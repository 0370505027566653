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
    for (const n of SIZES) fs.writeFileSync(path.join(work, `desired-${n}.yaml`), desiredYaml(path.join(work, `store-${n}.jks`), pem, n));
    // Round robin over the sizes, so a load spike on this shared machine hits every size alike.
    const samples = new Map(SIZES.map((n) => [n, [] as Array<{ processMs: number; rss: number; load: number; plan: number; apply: number; encode: number; bytes: number }>]));
    for (let run = 0; run < RUNS; run++) {
      for (const n of SIZES) {
        const desiredFile = path.join(work, `desired-${n}.yaml`);
        const r = runMeasured(process.execPath, [CLI, 'plan', '-f', desiredFile], { env });
        if (r.status !== 2) throw new Error(`midtrust plan of ${n} aliases exited ${r.status}: ${r.stderr.slice(0, 500)}`);
        const [desired, load] = timed(() => loadDesiredState(fs.readFileSync(desiredFile, 'utf8'), desiredFile, { readFile: (f) => fs.readFileSync(f), env }));
        const [plan, planMs] = timed(() => computePlan(undefined, desired));
        const [model, apply] = timed(() => applyPlan(undefined, plan, desired, { now: new Date() }));
        const [bytes, encode] = timed(() => writeKeystore(model, PASS));
        if (model.entries.length !== n) throw new Error(`${n} aliases gave ${model.entries.length} entries`);
        samples.get(n)?.push({ processMs: r.ms, rss: r.peakRssMiB ?? 0, load, plan: planMs, apply, encode, bytes: bytes.length });
      }
    }
    const points: Array<{ n: number; processMs: number; inProcessMs: number }> = [];
    for (const n of SIZES) {
      const xs = samples.get(n) ?? [];
      const med = (f: (x: (typeof xs)[number]) => number): number => median(xs.map(f));
      const processMs = med((x) => x.processMs);
      const inProcessMs = med((x) => x.load + x.plan + x.apply);
      points.push({ n, processMs, inProcessMs });
      out(
        `      ${String(n).padStart(6)} aliases: plan ${processMs.toFixed(0)} ms (process), peak RSS ${Math.max(...xs.map((x) => x.rss)).toFixed(0)} MiB; ` +
          `in-process load ${med((x) => x.load).toFixed(0)} + plan ${med((x) => x.plan).toFixed(0)} + apply ${med((x) => x.apply).toFixed(0)} ms, encode ${med((x) => x.encode).toFixed(0)} ms (${(xs[0].bytes / 1024 / 1024).toFixed(1)} MiB); medians of ${RUNS}`,
      );
    }
    out(`      ${loadNow()}`);
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
