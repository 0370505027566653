import { Certificate } from '../certificate/certificate';
import type { CertificateFacts } from '../certificate/certificateFacts';
import { entryDateText } from '../keystore/entryDate';
import type { EntryKind, Keystore, KeystoreEntry } from '../keystore/model';

/** One keystore entry as `midtrust ls --json` reports it (the contract in DESIGN.md). */
export interface EntryListing {
  alias: string;
  kind: EntryKind;
  /** SHA-256 of the (first) certificate's DER, lowercase hex; null for secret keys. */
  sha256: string | null;
  subject: string | null;
  issuer: string | null;
  /** ISO 8601. */
  notAfter: string | null;
  isCa: boolean | null;
  /** Entry creation time (ISO 8601) when the format stores one and a JavaScript Date can show it. */
  created: string | null;
  /** The exact stored milliseconds, only for a creation date outside JavaScript's range (year 292278994 in keytool). */
  createdMs?: string;
  /** Number of certificates: 1 for trusted entries, the chain length for private keys. */
  chainLength: number;
}

/**
 * Describes entries, sorted by alias as keytool lists them. Certificate facts are parsed here,
 * one certificate per entry; callers that only need fingerprints should not call this.
 */
export function listEntries(store: Keystore): EntryListing[] {
  return [...store.entries].sort((a, b) => compareAliases(a.alias, b.alias)).map(describeEntry);
}

/** Facts of one entry (see EntryListing). */
export function describeEntry(entry: KeystoreEntry): EntryListing {
  // One object literal in the contract's key order, no spreads: `ls` describes every entry once,
  // mostly in V8's interpreter, where copying objects by spread is dear.
  const first = entry.certificates[0];
  const cert = first ? Certificate.fromDer(first) : undefined;
  let facts: CertificateFacts | undefined;
  try {
    facts = cert?.facts;
  } catch {
    facts = undefined; // a certificate the parser cannot read is still listed by fingerprint (keytool lists it too)
  }
  const date = entryDateText(entry);
  return {
    alias: entry.alias,
    kind: entry.kind,
    created: date.created,
    ...(date.createdMs === undefined ? {} : { createdMs: date.createdMs }),
    chainLength: entry.certificates.length,
    sha256: cert ? cert.sha256 : null,
    subject: facts ? facts.subject : null,
    issuer: facts ? facts.issuer : null,
    notAfter: facts ? facts.notAfter.toISOString() : null,
    isCa: facts ? facts.isCa : null,
  };
}

function compareAliases(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}
