import type { Host, LockOptions } from './host';

const chains = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` with exclusive access to one keystore: first in this process (a promise chain per
 * host and resolved path, because a `pulumi up` runs every resource in one process, in
 * parallel), then across processes (the host's lock file). Leftover temporary files of killed
 * runs are removed once the lock is held.
 *
 * @example
 * await withKeystoreLock(host, '/opt/mid/agent/jre/lib/security/cacerts', async () => { ... });
 */
export async function withKeystoreLock<T>(host: Host, file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const st = await host.stat(file).catch(() => undefined);
  const key = `${host.describe()}\u0000${st?.realPath ?? file}`;
  const previous = chains.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(async () => {
    const lock = await host.lock(file, opts);
    try {
      await host.cleanupStaleTemps(file);
      return await fn();
    } finally {
      await lock.release();
    }
  });
  const settled = run.catch(() => undefined);
  chains.set(key, settled);
  void settled.then(() => {
    if (chains.get(key) === settled) chains.delete(key);
  });
  return run;
}
