import { spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';

/** Median of numbers (ms). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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
 * makes every node start parse ~150 CA certificates (~80 ms) — a cost of the sandbox, not of
 * midtrust, and one keytool does not pay — so it is unset.
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

/** Waits until something listens on 127.0.0.1:port (a server started by a bench or a test). */
export async function waitForPort(port: number, ms: number, proc?: ChildProcess): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => {
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
