import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Named moments of a write where a fault-injection test stops the process (and then kills it, or
 * cuts its SSH connection, exactly there):
 * - `after-lock`: the lock is held and leftovers of killed runs are cleaned; nothing written yet;
 * - `temp-partial` (SSH): part of the temporary file is uploaded;
 * - `temp-written`: the temporary file is complete, flushed and closed; not yet verified;
 * - `before-rename`: verified; the old store is still in place;
 * - `after-rename`: the new store is in place; the lock is still held.
 */
export type PausePoint = 'after-lock' | 'temp-partial' | 'temp-written' | 'before-rename' | 'after-rename';

/** Longest pause: a forgotten variable delays a run, it never hangs it. */
const MAX_PAUSE_MS = 60_000;

/**
 * Test-only: stops at `point` when `MIDTRUST_TEST_PAUSE` lists it (comma-separated) and
 * `MIDTRUST_TEST_PAUSE_DIR` names an existing directory. The process then creates
 * `<dir>/<point>.<pid>` exclusively (JSON: point, pid, file) and waits until the test removes that
 * file, kills the process, or a minute passes.
 *
 * It only ever waits: what midtrust does before and after is unchanged, so the variables cannot
 * make it write, skip or weaken anything — whoever can set the environment of a midtrust run
 * controls it anyway (NODE_OPTIONS). Unset, the cost is one environment lookup per point. The
 * marker is created with O_EXCL (never through an existing file or link); if it cannot be created
 * there is no pause.
 *
 * @example
 * await pauseAt('before-rename', target); // a no-op unless a test asked for it
 */
export async function pauseAt(point: PausePoint, file: string): Promise<void> {
  const wanted = process.env.MIDTRUST_TEST_PAUSE;
  if (wanted === undefined) return;
  const dir = process.env.MIDTRUST_TEST_PAUSE_DIR;
  if (!dir || !wanted.split(',').includes(point)) return;
  const marker = path.join(dir, `${point}.${process.pid}`);
  try {
    await fs.writeFile(marker, JSON.stringify({ point, pid: process.pid, file }), { flag: 'wx', mode: 0o600 });
  } catch {
    return;
  }
  const until = Date.now() + MAX_PAUSE_MS;
  while (Date.now() < until) {
    try {
      await fs.access(marker);
    } catch {
      return; // removed: the test resumes us
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await fs.unlink(marker).catch(() => undefined);
}
