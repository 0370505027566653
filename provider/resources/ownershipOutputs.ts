import { confirmClaims, type ClaimMirror } from '../ownership/keystoreClaims';
import { batcherFor } from './connectionInput';
import { trace } from './sharedBatcher';

/** The ownership part of a keystore resource's outputs. */
export interface OwnershipOutputs {
  /** The resource's claims (what it found, what it keeps there, how many others share it). */
  readonly claims: readonly ClaimMirror[];
  /** What a person should know about them: a record refused or lost, entries changed since, claims taken back. */
  readonly notes: readonly string[];
}

/**
 * `pulumi refresh` of a keystore resource: confirms the resource's claims in the store's ownership
 * record, and claims back what the record lost (an upgrade took it, it was deleted or refused)
 * where the store still holds exactly what the resource put there — so a stack sharing an entry
 * with another stays counted as its owner, and the other stack's destroy keeps it. Writes the
 * record only, never the store. A failure here (a read-only store, a lock held too long) is a note,
 * not a failed refresh: the resource's outputs still show what the store holds.
 *
 * @example
 * const ownership = await confirmOnRefresh({ path, password }, connection, ownerId, claimsFromOutputs(props.claims));
 */
export async function confirmOnRefresh(target: { path: string; password?: string }, connection: unknown, ownerId: string, mine: readonly ClaimMirror[]): Promise<OwnershipOutputs> {
  try {
    const outcome = await batcherFor(connection).submit({ ...target, ownership: true }, (current, ledger, ownership) => {
      if (!current) return { store: current, result: { claims: [] as ClaimMirror[], notes: [...ownership.notes] } };
      const r = confirmClaims(current, ledger, ownerId, mine, new Date());
      return { store: current, ledger: r.ledger, result: { claims: r.claims, notes: [...ownership.notes, ...r.notes] } };
    });
    for (const note of outcome.result.notes) trace(`note: ${note}`);
    return outcome.result;
  } catch (e) {
    return { claims: mine, notes: [`the ownership record could not be confirmed: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
