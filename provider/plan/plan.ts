import type { KeystoreType } from '../keystore/model';

/** What apply does to one declared or unmanaged alias. */
export type PlanActionKind = 'add' | 'replace' | 'remove' | 'unchanged';

/** One line of a plan. Plans hold aliases, fingerprints and sources — never passwords or PEMs. */
export interface PlanAction {
  readonly action: PlanActionKind;
  /** The declared alias for add/unchanged; the alias as stored for replace/remove. */
  readonly alias: string;
  /** The declared (add/replace/unchanged) or removed certificate's SHA-256, lowercase hex. */
  readonly sha256?: string;
  /** For replace: the certificate the alias held before. */
  readonly previousSha256?: string;
  /** Why, for a person: "not in the store", "declared absent", "not declared (exclusive: true)", … */
  readonly reason: string;
  /** Where it was declared ("certs/acme.pem", "certs/chain.pem (2 of 3)"); absent for exclusive removals. */
  readonly source?: string;
}

/** What apply would do to one keystore. */
export interface Plan {
  readonly keystorePath: string;
  /**
   * For a desired state given by midHome: which of the MID's stores `keystorePath` is and why
   * ("external truststore wired in …/wrapper-override.conf line 7", "bundled cacerts (…)").
   */
  readonly store?: { readonly kind: 'external' | 'jssecacerts' | 'bundled'; readonly path: string; readonly why: string; readonly bypassed?: string };
  /** The store's type (for a store still to be created, the type it will have). */
  readonly storeType: KeystoreType;
  /** Set when the store does not exist and the desired state says create: true. */
  readonly createStore?: { readonly type: KeystoreType };
  /** Declared entries in declaration order, then removals of unmanaged entries sorted by alias. */
  readonly actions: readonly PlanAction[];
  /** Things worth knowing that change nothing (same certificate under another alias, …). */
  readonly notes: readonly string[];
  /** Number of actions other than unchanged (plus one for creating the store). 0: nothing to write. */
  readonly changes: number;
}
