/**
 * Drives provider/host/testPause.ts from a test: start a midtrust process with pause points, wait
 * until it stands at one, then kill it (or cut its connection) exactly there, or let it go on.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PausePoint } from '../../provider/host/testPause';
import { tempDir } from './keytool';

/** What a paused process wrote into its marker. */
export interface Paused {
  readonly point: PausePoint;
  readonly pid: number;
  /** The store (or file) being written. */
  readonly file: string;
}

/** The pause points of one test, in their own marker directory. */
export class PauseControl {
  readonly dir = tempDir('mt-pause-');

  /** Environment that makes a midtrust process stop at `points`. */
  env(...points: PausePoint[]): Record<string, string> {
    return { MIDTRUST_TEST_PAUSE: points.join(','), MIDTRUST_TEST_PAUSE_DIR: this.dir };
  }

  private marker(point: PausePoint, pid: number): string {
    return path.join(this.dir, `${point}.${pid}`);
  }

  /**
   * Resolves once process `pid` stands at `point`; rejects when `child` exits first or after
   * `timeoutMs` (generous: a loaded machine starts node slowly).
   */
  async waitFor(point: PausePoint, pid: number, child?: ChildProcess, timeoutMs = 60_000): Promise<Paused> {
    const marker = this.marker(point, pid);
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const text = fs.readFileSync(marker, 'utf8');
        if (text) return JSON.parse(text) as Paused;
      } catch {
        // not there yet (or being written)
      }
      if (child && (child.exitCode !== null || child.signalCode !== null)) {
        throw new Error(`process ${pid} ended (${child.exitCode ?? child.signalCode}) before reaching pause point ${point}`);
      }
      if (Date.now() > until) throw new Error(`process ${pid} did not reach pause point ${point} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Lets a paused process go on (or clears the marker of one that was killed there). */
  resume(point: PausePoint, pid: number): void {
    fs.rmSync(this.marker(point, pid), { force: true });
  }
}

/**
 * Resolves with how a child process ended. With `withinMs`, a child still running then is killed
 * and the promise rejects saying so (a process that never exits is a finding, not a test timeout).
 */
export function exitOf(child: ChildProcess, withinMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer =
      withinMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`process ${child.pid} was still running ${withinMs} ms later (killed): something kept it alive`));
          }, withinMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}
