import * as fs from 'node:fs/promises';
import { ioError } from './ioError';

/**
 * How long a replace keeps trying while Windows says the target is in use. Windows refuses to
 * rename over a file another process has open without FILE_SHARE_DELETE (EPERM, EBUSY or EACCES
 * from node) — antivirus scanners and backup agents open freshly written files routinely, for
 * milliseconds to a second or two. Ten seconds covers those; a program that keeps the file open
 * longer (an editor, the MID's JVM on some file systems) needs a person, and gets told so.
 */
export const RENAME_RETRY_MS = 10_000;

/** Errors that mean "in use, try again" on Windows. Elsewhere they are final (permissions, chattr +i). */
const IN_USE = new Set(['EPERM', 'EBUSY', 'EACCES']);

/** What a replace is retried with; tests pass their own rename and clock. */
export interface RenameRetryOptions {
  readonly platform?: NodeJS.Platform;
  readonly budgetMs?: number;
  readonly rename?: (from: string, to: string) => Promise<void>;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Renames `from` over `to` — the last step of every atomic replace — retrying on Windows while
 * the target is held open, with backoff 10, 20, 40 … 500 ms up to {@link RENAME_RETRY_MS}.
 * Resolves with how long it retried; rejects with the IO error a person reads (naming `to`, how
 * long it retried, and `note` — what became of the original).
 *
 * Why a small loop and not graceful-fs (which does the same for Windows renames): graceful-fs
 * patches or wraps the callback `fs` and retries for up to 60 s with no bound to choose; the write
 * path here uses fs/promises and wants one rename retried, a bound a person can wait for, and the
 * elapsed time in the message. The loop follows graceful-fs's choice of codes and its backoff idea.
 *
 * @example
 * await renameOver(tmp, 'C:\\ServiceNow\\mid1\\agent\\jre\\lib\\security\\cacerts', 'the original was left untouched');
 */
export async function renameOver(from: string, to: string, note: string, opts: RenameRetryOptions = {}): Promise<number> {
  const rename = opts.rename ?? fs.rename;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const platform = opts.platform ?? process.platform;
  const retry = platform === 'win32';
  const budget = opts.budgetMs ?? RENAME_RETRY_MS;
  let waited = 0;
  let delay = 10;
  for (;;) {
    try {
      await rename(from, to);
      return waited;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!retry || !IN_USE.has(code) || waited >= budget) {
        const doing = waited > 0 ? `replacing the file, retried for ${(waited / 1000).toFixed(1)} s` : 'replacing the file';
        throw ioError(e, to, doing, note, platform);
      }
      const step = Math.min(delay, budget - waited);
      await sleep(step);
      waited += step;
      delay = Math.min(delay * 2, 500);
    }
  }
}
