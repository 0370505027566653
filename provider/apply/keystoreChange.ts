import type { Keystore } from '../keystore/model';
import type { Ledger } from '../ownership/ownershipLedger';

/**
 * One caller's change to a keystore: a pure function from the current model (undefined when the
 * file does not exist) to the new model plus a result for the caller. Returning the same store
 * object means "nothing to change". Throwing fails only this caller's change.
 *
 * A target with `ownership: true` also gets the store's ownership record (what Pulumi resources
 * claimed, see provider/ownership) and may return a new one; it is written with the store, in the
 * order that survives a crash. `ownership.notes` says what a person should know about the record
 * (refused, or written for other bytes of the store): the resources put it in their outputs.
 */
export type KeystoreChange<R> = (current: Keystore | undefined, ledger: Ledger, ownership: OwnershipContext) => { store: Keystore | undefined; result: R; ledger?: Ledger };

/** What a change is told about the store's ownership record besides its claims. */
export interface OwnershipContext {
  readonly notes: readonly string[];
}

/** Where a keystore is and how to open it. */
export interface KeystoreTarget {
  /** Path in the host's own syntax. */
  readonly path: string;
  /** Store password; undefined for password-less stores (or unverified reads). */
  readonly password?: string;
  /** Keep this many backup copies beside the store before each write (0: none). */
  readonly backups?: number;
  /** How long to wait for another run's lock (default 30 s). */
  readonly lockTimeoutMs?: number;
  /** Read (and write) the store's ownership record too: set by the Pulumi resources. */
  readonly ownership?: boolean;
}

/** What happened to the file in one read-modify-write. */
export interface WriteOutcome<R> {
  readonly result: R;
  /** True when this batch wrote the file (false: nothing to change, bytes and mtime untouched). */
  readonly written: boolean;
  /** How many callers' changes were coalesced into that one read-modify-write. */
  readonly batchSize: number;
}
