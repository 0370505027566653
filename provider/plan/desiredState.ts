import type { KeystoreType } from '../keystore/model';
import type { Secret } from './secret';

/** A certificate the store must trust under `alias`. A chain file yields one per certificate. */
export interface PresentCertificate {
  readonly alias: string;
  readonly state: 'present';
  readonly der: Uint8Array;
  /** SHA-256 of the DER, lowercase hex: with the alias, the entry's identity. */
  readonly sha256: string;
  /** Where it was declared, for messages: "certs/acme.pem", "pem (inline)". */
  readonly source: string;
}

/** An alias the store must not hold (as a trusted certificate). */
export interface AbsentCertificate {
  readonly alias: string;
  readonly state: 'absent';
  readonly source: string;
}

export type DesiredCertificate = PresentCertificate | AbsentCertificate;

/** A validated desired-state file with paths resolved, passwords read and certificates parsed. */
export interface DesiredState {
  /** The file it came from ("<options>" for the CLI's import/delete). */
  readonly sourceFile: string;
  readonly keystore: {
    readonly path: string;
    readonly password?: Secret;
    readonly create: boolean;
    readonly type?: KeystoreType;
  };
  readonly exclusive: boolean;
  readonly backup: number;
  readonly certificates: readonly DesiredCertificate[];
}
