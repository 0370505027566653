import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runCli } from '../../provider/cli/runCli';

export const ROOT = path.resolve(__dirname, '..', '..');
/** The compiled CLI (npm test builds it before jest runs). */
export const CLI = path.join(ROOT, 'dist', 'provider', 'cli', 'main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs midtrust in-process (fast) with its own env and cwd; `terminal` makes stdout a terminal that wide. */
export async function midtrust(argv: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; stdin?: string; terminal?: { columns: number } } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: { ...opts.env },
    cwd: opts.cwd ?? process.cwd(),
    readStdin: async () => opts.stdin ?? '',
    isTty: opts.terminal !== undefined,
    columns: opts.terminal?.columns ?? 80,
  });
  return { code, stdout, stderr };
}

/** Runs the compiled midtrust as a separate process. */
export function midtrustProcess(argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', env: { ...process.env, ...opts.env }, cwd: opts.cwd });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the compiled midtrust without waiting (for kill -9 and concurrency tests). */
export function startMidtrust(argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  return spawn(process.execPath, [CLI, ...argv], { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}
