import * as pathModule from 'node:path';
import { MidtrustError } from '../errors';
import { backupBeforeWrite } from '../host/backup';
import type { Host } from '../host/host';
import { withKeystoreLock } from '../host/keystoreMutex';
import { readKeystore, writeKeystore } from '../keystore/keystoreCodec';
import type { Keystore } from '../keystore/model';
import { commitWithLedger, ledgerPathFor, readLedger } from '../ownership/ledgerFile';
import { EMPTY_LEDGER, type Ledger } from '../ownership/ownershipLedger';
import { assertSameContent } from './assertSameContent';
import type { KeystoreChange, KeystoreTarget, WriteOutcome } from './keystoreChange';

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

  constructor(private readonly host: Host) {}

  /** Queues a change; it runs in the next batch for that keystore. */
  submit<R>(target: KeystoreTarget, change: KeystoreChange<R>): Promise<WriteOutcome<R>> {
    // Callers with different passwords cannot share a read: the key includes a password marker.
    const key = `${target.path}\u0000${target.password ?? ''}`;
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
    const applyChanges = (original: Keystore | undefined, originalLedger: Ledger): { store: Keystore | undefined; ledger: Ledger } => {
      let store = original;
      let ledger = originalLedger;
      for (const p of batch) {
        try {
          const next = p.change(store, ledger);
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
        if (applyChanges(undefined, EMPTY_LEDGER).store !== undefined) {
          throw new MidtrustError('NOT_FOUND', `${this.host.describe()} ${dir}: the directory does not exist, so ${path} cannot be written; check the path (for a MID Server: <MID home>/agent/jre/lib/security/cacerts)`);
        }
      } else {
        await withKeystoreLock(this.host, path, async () => {
          const original = await this.readCurrent(path, password);
          const ledgerPath = withOwnership ? await ledgerPathFor(this.host, path) : undefined;
          const originalLedger = ledgerPath ? await readLedger(this.host, ledgerPath) : EMPTY_LEDGER;
          const { store, ledger } = applyChanges(original, originalLedger);
          const storeChanged = store !== original && store !== undefined;
          const writeStore = storeChanged ? () => this.write(path, store, password, original !== undefined ? backups : 0) : undefined;
          if (ledgerPath) await commitWithLedger(this.host, ledgerPath, originalLedger, ledger, writeStore);
          else if (writeStore) await writeStore();
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

  private async readCurrent(path: string, password: string | undefined): Promise<Keystore | undefined> {
    const st = await this.host.stat(path);
    if (!st) return undefined;
    const bytes = await this.host.readFile(path);
    try {
      return readKeystore(bytes, { password });
    } catch (e) {
      throw e instanceof MidtrustError ? e.withContext(`${this.host.describe()} ${path}`) : e;
    }
  }

  private async write(path: string, store: Keystore, password: string | undefined, backups: number): Promise<void> {
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
  }
}

/** The directory holding a store, in the host's own path syntax (`C:\\...` or `/...`). */
function parentDirectory(file: string): string {
  return /^[A-Za-z]:[\\/]/.test(file) ? pathModule.win32.dirname(file) : pathModule.posix.dirname(file);
}
