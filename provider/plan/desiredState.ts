import type { KeystoreType } from '../keystore/model';
import type { Secret } from './secret';

/**
 * A certificate the store must trust under `alias`. A chain file yields one per certificate:
 * `<alias>`, `<alias>-2`, `<alias>-3`, … in file order.
 */
export interface PresentCertificate {
  /** As declared (case kept); compared with store aliases through `aliasKey`. */
  readonly alias: string;
  readonly state: 'present';
  readonly der: Uint8Array;
  /** SHA-256 of the DER, lowercase hex: with the alias, the entry's identity. */
  readonly sha256: string;
  /** Where it was declared, for messages and plans: "certs/acme.pem", "certs/chain.pem (2 of 3)", "inline pem". */
  readonly source: string;
  /**
   * Creation date to give the entry instead of "now": set when an entry someone else made is put
   * back (a Pulumi resource giving back what it found), so keytool lists it as it was.
   */
  readonly timestamp?: number;
}

/** An alias the store must not hold (as a trusted certificate). */
export interface AbsentCertificate {
  readonly alias: string;
  readonly state: 'absent';
  readonly source: string;
}

/** One declared entry after loading. */
export type DesiredCertificate = PresentCertificate | AbsentCertificate;

/** Which store of a MID home a desired state was resolved to, and why (never a password). */
export interface DesiredStoreSource {
  readonly kind: 'external' | 'jssecacerts' | 'bundled';
  readonly path: string;
  /** "external truststore wired in <file> line 7", "bundled cacerts (…)". */
  readonly why: string;
  /** The external truststore the JVM reads, when the bundled store was chosen on a MID wired to one. */
  readonly bypassed?: string;
  /** Worth telling in the plan (a given password that the wired one overrides). */
  readonly notes?: readonly string[];
}

/**
 * A validated desired-state file with paths resolved, the password read and certificates parsed.
 * Holds no password in clear: `keystore.password` is a `Secret` that serializes as "[secret]".
 */
export interface DesiredState {
  /** The file it came from ("<options>" for the CLI's import/delete). */
  readonly sourceFile: string;
  readonly keystore: {
    /** Resolved keystore file (a midHome is already turned into its cacerts path). */
    readonly path: string;
    /** The MID home it was given as (keystore.midHome), resolved; for messages. */
    readonly midHome?: string;
    /** With midHome: which of its stores (keystore.store; default effective: the one its JVM reads). */
    readonly midStore?: 'effective' | 'bundled';
    /**
     * Set once the MID home was resolved on its host (resolveDesiredStore): which store `path`
     * is and why, for plans and outputs. Until then `path` is the bundled cacerts.
     */
    readonly source?: DesiredStoreSource;
    readonly password?: Secret;
    /** Create the store when it does not exist. */
    readonly create: boolean;
    /** Type of a created store; undefined means PKCS12. Never converts an existing store. */
    readonly type?: KeystoreType;
    /**
     * The Java feature version that reads the store, whose case rules fold its aliases
     * (javaAliasCase.ts): `keystore.javaVersion` in the file, else the `release` file of the JRE
     * the store belongs to (storeJavaVersion), else 17.
     */
    readonly javaVersion?: number;
  };
  /** Remove undeclared trusted certificates (never key entries). */
  readonly exclusive: boolean;
  /** Backup copies to keep beside the store (0: none). */
  readonly backup: number;
  /** In declaration order, chains expanded. */
  readonly certificates: readonly DesiredCertificate[];
  /**
   * Endpoints the store must let the JVM trust (`host:port`, `https://…`, `ldaps://…`, `ldap://…`
   * for StartTLS), as written; checked by plan (after apply), upgrade-preview and lint.
   */
  readonly endpoints?: readonly string[];
}
