/** promtool (Debian's `prometheus` package) as the oracle for metrics and alert rules. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

const CANDIDATES = ['/usr/bin/promtool', '/usr/local/bin/promtool'];

/** The promtool binary, or undefined. */
export function promtoolPath(): string | undefined {
  return CANDIDATES.find((p) => fs.existsSync(p));
}

/** Runs promtool with `args` (and stdin); returns its exit code and output. */
export function promtool(args: string[], input?: string): { code: number; output: string } {
  const r = spawnSync(promtoolPath() as string, args, { input, encoding: 'utf8' });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
