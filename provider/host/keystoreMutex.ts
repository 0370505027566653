import type { Host, LockOptions } from './host';

/** Tail of the promise chain per host and resolved store path; the entry goes when the chain drains. */
const chains = new Map<string, Promise<void>>();

/**
 * Runs `fn` with exclusive access to one keystore: first within this process (a promise chain
 * per host and resolved path, because a `pulumi up` runs every resource of a stack in one
 * process, in parallel), then across processes (the host's lock file, held around `fn`). Two
 * paths that are links to one file share one queue and one lock.
 *
 * Not re-entrant: calling it again for the same store from inside `fn` waits for itself.
 *
 * @example
 * await withKeystoreLock(host, '/opt/mid/agent/jre/lib/security/cacerts', async () => {
 *   const bytes = await host.readFile(cacerts);
 *   await host.writeFileAtomic(cacerts, change(bytes));
 * });
 */
export async function withKeystoreLock<T>(host: Host, file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  // A path that cannot be resolved yet (the store does not exist) is its own key; the lock file
  // is what serializes such a run against one that resolves it differently.
  const st = await host.stat(file).catch(() => undefined);
  const key = `${host.describe()}\u0000${st?.realPath ?? file}`;
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous.then(async () => {
    const lock = await host.lock(file, opts);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  });
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return run;
}
