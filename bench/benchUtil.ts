import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Median of numbers (ms). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Smallest, middle and largest of a series (the README's min/median/max). */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** min/median/max of numbers. */
export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new Error('spread of nothing');
  return { min: Math.min(...xs), median: median([...xs]), max: Math.max(...xs) };
}

/** `12 / 15 / 19 ms` (min / median / max), with `digits` decimals. */
export function formatSpread(s: Spread, unit = 'ms', digits = 0): string {
  return `${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.max.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

/**
 * The machine line every bench output starts with: date, node, cores and load — the load of a
 * shared 2-core machine moves every wall-clock figure, so it is written next to them.
 */
export function machineLine(title: string): string {
  const [l1, l5, l15] = os.loadavg().map((l) => l.toFixed(2));
  return `${title} — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown cpu'}), load ${l1} ${l5} ${l15}`;
}

/** The load average now, for lines written after a heavy step. */
export function loadNow(): string {
  return `load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

/** A measured child process: wall time, peak resident memory (when GNU time is installed), output. */
export interface MeasuredRun {
  readonly ms: number;
  /** Peak RSS in MiB (GNU time's %M), or undefined without /usr/bin/time. */
  readonly peakRssMiB?: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const GNU_TIME = '/usr/bin/time';
let rssDir: string | undefined;

/**
 * Runs a process to the end and measures it. Peak memory comes from GNU time (`-f %M -o file`, so
 * the process's own stderr stays clean); the wall time is measured here around the whole thing.
 */
export function runMeasured(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): MeasuredRun {
  const withTime = fs.existsSync(GNU_TIME);
  if (!rssDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-bench-rss-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    rssDir = dir;
  }
  const rssFile = path.join(rssDir, `run-${process.hrtime.bigint()}`);
  const t0 = process.hrtime.bigint();
  const r = withTime
    ? spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args], { env: opts.env ?? process.env, cwd: opts.cwd, input: opts.input, maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, input: opts.input, maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let peakRssMiB: number | undefined;
  if (withTime && fs.existsSync(rssFile)) {
    const kb = Number(/(\d+)\s*$/.exec(fs.readFileSync(rssFile, 'utf8'))?.[1]);
    if (Number.isFinite(kb)) peakRssMiB = kb / 1024;
    fs.rmSync(rssFile, { force: true });
  }
  return { ms, peakRssMiB, status: r.status, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
}

/** Runs fn `warmup` times unmeasured, then `runs` times; returns the median wall time in ms. */
export function timeInProcess(fn: () => void, runs: number, warmup = 5): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** Async variant of timeInProcess. */
export async function timeInProcessAsync(fn: () => Promise<void>, runs: number, warmup = 3): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** Median wall time (ms) of a whole process, failing loudly when it exits non-zero. */
export function timeProcess(cmd: string, args: string[], runs: number, opts: { env?: NodeJS.ProcessEnv; before?: () => void } = {}): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    opts.before?.();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  }
  return median(times);
}

/** A result line: name, value, target, verdict. */
export function report(name: string, value: string, target: string, ok: boolean): string {
  return `${ok ? 'PASS' : 'MISS'}  ${name.padEnd(58)} ${value.padEnd(22)} target ${target}`;
}

/** Writes bench/<name> at the repo root (the figures the README quotes). */
export function writeLatest(name: string, lines: readonly string[]): void {
  fs.writeFileSync(path.join(path.resolve(__dirname, '..', '..'), 'bench', name), `${lines.join('\n')}\n`);
}

/**
 * Medians of two commands run alternately (a, b, a, b, ...), so a load spike on this shared
 * machine hits both sides alike instead of skewing the ratio.
 */
export function timeProcessPair(
  a: { cmd: string; args: string[] },
  b: { cmd: string; args: string[] },
  runs: number,
  opts: { env?: NodeJS.ProcessEnv; before?: () => void } = {},
): [number, number] {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(timeProcess(a.cmd, a.args, 1, opts));
    tb.push(timeProcess(b.cmd, b.args, 1, opts));
  }
  return [median(ta), median(tb)];
}

/**
 * The environment for measured child processes. This sandbox sets NODE_EXTRA_CA_CERTS, which
 * makes every node start — a bare `node -e 0` included — parse ~150 CA certificates (~120 ms
 * here): a cost of the machine, not of midtrust, and one keytool does not pay. It is unset for
 * every process a bench starts, midtrust and node alike.
 */
export function benchEnv(password: string): { env: NodeJS.ProcessEnv; droppedExtraCa: boolean } {
  const env: NodeJS.ProcessEnv = { ...process.env, MID_STOREPASS: password };
  const droppedExtraCa = env.NODE_EXTRA_CA_CERTS !== undefined;
  delete env.NODE_EXTRA_CA_CERTS;
  return { env, droppedExtraCa };
}

/** Collects result lines while printing them (written to bench/latest*.txt at the end). */
export function resultLines(): { lines: string[]; out: (l: string) => void } {
  const lines: string[] = [];
  return {
    lines,
    out: (l: string) => {
      lines.push(l);
      console.log(l);
    },
  };
}

/** Ports handed out by freePort in this process: the kernel may offer a released port again. */
const portsHandedOut = new Set<number>();

/**
 * A loopback port nothing listens on now (bound, then released), never the same one twice in a
 * process: for a server a bench or test is about to start, or a target that must refuse.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (!portsHandedOut.has(port)) {
      portsHandedOut.add(port);
      return port;
    }
  }
}

/** Waits until something listens on host:port (default 127.0.0.1; a server started by a bench or a test). */
export async function waitForPort(port: number, ms: number, proc?: ChildProcess, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, host, () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (proc && proc.exitCode !== null) throw new Error(`the server for port ${port} exited ${proc.exitCode} before listening`);
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
