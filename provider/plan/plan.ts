import type { KeystoreType } from '../keystore/model';

export type PlanActionKind = 'add' | 'replace' | 'remove' | 'unchanged';

/** One line of a plan. Plans hold aliases, fingerprints and sources — never passwords or PEMs. */
export interface PlanAction {
  readonly action: PlanActionKind;
  readonly alias: string;
  /** The declared (add/replace/unchanged) or removed certificate's SHA-256. */
  readonly sha256?: string;
  /** For replace: the certificate the alias held before. */
  readonly previousSha256?: string;
  readonly reason: string;
  readonly source?: string;
}

/** What apply would do to one keystore. */
export interface Plan {
  readonly keystorePath: string;
  /** The store's type; undefined when it does not exist yet and is not to be created. */
  readonly storeType?: KeystoreType;
  /** Set when the store does not exist and the desired state says create: true. */
  readonly createStore?: { readonly type: KeystoreType };
  readonly actions: readonly PlanAction[];
  readonly notes: readonly string[];
  /** Number of actions other than unchanged (plus one for creating the store). */
  readonly changes: number;
}
