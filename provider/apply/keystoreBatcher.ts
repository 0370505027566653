import * as pathModule from 'node:path';
import { MidtrustError } from '../errors';
import { backupBeforeWrite } from '../host/backup';
import { onHost, type Host } from '../host/host';
import { withKeystoreLock } from '../host/keystoreMutex';
import { readKeystore, writeKeystore } from '../keystore/keystoreCodec';
import type { Keystore } from '../keystore/model';
import { commitWithLedger, fileDigest, readLedger, recordLocation, type LedgerRead } from '../ownership/ledgerFile';
import { EMPTY_LEDGER, type Ledger } from '../ownership/ownershipLedger';
import { assertSameContent } from './assertSameContent';
import type { KeystoreChange, KeystoreTarget, WriteOutcome } from './keystoreChange';

/**
 * After a batch, while more changes for the same store keep arriving, wait until they pause for
 * this long (at most MAX_GATHER_MS) before the next read-modify-write. A `pulumi up` of a thousand
 * TrustedCertificates sends its creates over seconds; without the pause every write took whatever
 * had trickled in during the previous one (measured: 6–13 writes, varying with the load). A
 * single change — every CLI run — never waits: the pause only follows a batch.
 */
const SETTLE_MS = 40;
const MAX_GATHER_MS = 1000;

/** Waits while `pending()` keeps growing, SETTLE_MS at a time, for at most MAX_GATHER_MS. */
async function settle(pending: () => number): Promise<void> {
  let seen = pending();
  if (seen === 0) return;
  const started = Date.now();
  while (Date.now() - started < MAX_GATHER_MS) {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const now = pending();
    if (now === seen) return;
    seen = now;
  }
}

interface Waiter<T> {
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
}

interface Pending {
  readonly target: KeystoreTarget;
  readonly change: KeystoreChange<unknown>;
  readonly resolve: (v: WriteOutcome<unknown>) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Coalesces concurrent changes to one keystore into one read-modify-write. A `pulumi up` runs
 * every resource of a program in one process, in parallel: a hundred TrustedCertificate creates
 * on one cacerts become a handful of writes instead of a hundred, and none is lost because each
 * batch reads the file fresh under the lock.
 *
 * @example
 * const batcher = new KeystoreBatcher(new LocalHost());
 * const { result, written } = await batcher.submit({ path, password }, (store) => ({ store: addEntry(store), result: 'ok' }));
 */
export class KeystoreBatcher {
  private readonly queues = new Map<string, Pending[]>();
  private readonly running = new Set<string>();
  private readonly readers = new Map<string, Array<Waiter<Keystore | undefined>>>();

  constructor(private readonly host: Host) {}

  /**
   * The store as it is now (undefined when there is no file), read and verified once for every
   * caller waiting at that moment: callers that ask while a read is under way share the next one,
   * which starts after they asked. `pulumi refresh` of a thousand resources on one store reads it
   * a handful of times instead of a thousand (each parse is linear in the store: together they
   * were quadratic). The model is shared: callers must not change it (the types say readonly).
   */
  read(target: { readonly path: string; readonly password?: string }): Promise<Keystore | undefined> {
    const key = keyOf(target);
    return new Promise<Keystore | undefined>((resolve, reject) => {
      const waiting = this.readers.get(key);
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      this.readers.set(key, [{ resolve, reject }]);
      void this.drainReads(key, target);
    });
  }

  private async drainReads(key: string, target: { readonly path: string; readonly password?: string }): Promise<void> {
    // Let callers that ask in the same tick join the first read.
    await new Promise((r) => setImmediate(r));
    for (;;) {
      const group = this.readers.get(key) ?? [];
      if (group.length === 0) {
        this.readers.delete(key);
        return;
      }
      this.readers.set(key, []);
      try {
        // No context added: the caller names the store in its own words.
        const store = await this.readStore(target.path, target.password);
        for (const g of group) g.resolve(store);
      } catch (e) {
        for (const g of group) g.reject(e);
      }
      await settle(() => this.readers.get(key)?.length ?? 0);
    }
  }

  /** Queues a change; it runs in the next batch for that keystore. */
  submit<R>(target: KeystoreTarget, change: KeystoreChange<R>): Promise<WriteOutcome<R>> {
    const key = keyOf(target);
    return new Promise<WriteOutcome<R>>((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ target, change: change as KeystoreChange<unknown>, resolve: resolve as (v: WriteOutcome<unknown>) => void, reject });
      this.queues.set(key, queue);
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      // Let callers that submit in the same tick join this batch.
      await new Promise((r) => setImmediate(r));
      for (;;) {
        const batch = this.queues.get(key) ?? [];
        this.queues.delete(key);
        if (batch.length === 0) return;
        await this.runBatch(batch);
        await settle(() => this.queues.get(key)?.length ?? 0);
      }
    } finally {
      this.running.delete(key);
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const { path, password } = batch[0].target;
    const backups = Math.max(0, ...batch.map((p) => p.target.backups ?? 0));
    const lockTimeoutMs = batch[0].target.lockTimeoutMs;
    const withOwnership = batch.some((p) => p.target.ownership);
    const outcomes: Array<{ ok: true; result: unknown } | { ok: false; error: unknown }> = [];
    let written = false;
    const applyChanges = (original: Keystore | undefined, originalLedger: Ledger, notes: readonly string[]): { store: Keystore | undefined; ledger: Ledger } => {
      let store = original;
      let ledger = originalLedger;
      for (const p of batch) {
        try {
          const next = p.change(store, ledger, { notes });
          store = next.store;
          if (next.ledger) ledger = next.ledger;
          outcomes.push({ ok: true, result: next.result });
        } catch (e) {
          outcomes.push({ ok: false, error: e });
        }
      }
      return { store, ledger };
    };
    try {
      const dir = parentDirectory(path);
      if (!(await this.host.stat(dir))) {
        // No directory: no store and nothing to lock. Changes that need no store (a delete of
        // something already gone) succeed; one that would create the store cannot.
        if (applyChanges(undefined, EMPTY_LEDGER, []).store !== undefined) {
          throw new MidtrustError('NOT_FOUND', `${onHost(this.host, dir)}: the directory does not exist, so ${path} cannot be written; check the path (for a MID Server: <MID home>/agent/jre/lib/security/cacerts)`);
        }
      } else {
        await withKeystoreLock(this.host, path, async () => {
          const { store: original, digest } = await this.readCurrent(path, password);
          const location = withOwnership ? await recordLocation(this.host, path) : undefined;
          const read: LedgerRead = location ? await readLedger(this.host, location, digest) : { ledger: EMPTY_LEDGER, status: 'none', notes: [] };
          const { store, ledger } = applyChanges(original, read.ledger, read.notes);
          const storeChanged = store !== original && store !== undefined;
          const writeStore = storeChanged ? async () => fileDigest(await this.write(path, store, password, original !== undefined ? backups : 0)) : undefined;
          if (location) {
            await commitWithLedger(this.host, location, read, ledger, writeStore, digest);
          } else if (writeStore) await writeStore();
          written = storeChanged;
        }, lockTimeoutMs === undefined ? {} : { timeoutMs: lockTimeoutMs });
      }
    } catch (e) {
      // The read, lock or write failed: every change in the batch failed with it.
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve({ result: o.result, written, batchSize: batch.length });
      else p.reject(o.error);
    });
  }

  private async readCurrent(path: string, password: string | undefined): Promise<{ store: Keystore | undefined; digest: string | undefined }> {
    try {
      const st = await this.host.stat(path);
      if (!st) return { store: undefined, digest: undefined };
      const bytes = await this.host.readFile(path);
      return { store: readKeystore(bytes, { password }), digest: fileDigest(bytes) };
    } catch (e) {
      throw e instanceof MidtrustError ? e.withContext(onHost(this.host, path)) : e;
    }
  }

  /** The store's model, undefined when there is no file; errors as the host and codec raise them. */
  private async readStore(path: string, password: string | undefined): Promise<Keystore | undefined> {
    const st = await this.host.stat(path);
    if (!st) return undefined;
    return readKeystore(await this.host.readFile(path), { password });
  }

  /** Writes the store (verified, atomic) and returns the bytes written. */
  private async write(path: string, store: Keystore, password: string | undefined, backups: number): Promise<Uint8Array> {
    if (store.integrity === 'unverified') {
      throw new MidtrustError(
        'PASSWORD_REQUIRED',
        `${path}: the store was read without its password, so its integrity is unknown; give the password to change it`,
      );
    }
    const bytes = writeKeystore(store, password);
    if (backups > 0) await backupBeforeWrite(this.host, path, backups);
    await this.host.writeFileAtomic(path, bytes, {
      // The bytes about to be renamed into place must read back, with the password, as exactly the new model.
      verify: (readBack) => assertSameContent(store, readKeystore(readBack, { password }), path),
    });
    return bytes;
  }
}

/** Callers with different passwords cannot share a read: the key includes a password marker. */
function keyOf(target: { readonly path: string; readonly password?: string }): string {
  return `${target.path}\u0000${target.password ?? ''}`;
}

/** The directory holding a store, in the host's own path syntax (`C:\\...` or `/...`). */
function parentDirectory(file: string): string {
  return /^[A-Za-z]:[\\/]/.test(file) ? pathModule.win32.dirname(file) : pathModule.posix.dirname(file);
}
