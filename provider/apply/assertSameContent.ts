import { MidtrustError } from '../errors';
import type { Keystore, KeystoreEntry } from '../keystore/model';

/**
 * Throws unless two models hold the same entries (alias, kind, certificates, protected key
 * bytes). Used on the bytes read back from the temporary file before it replaces the store:
 * a store midtrust could not verify is never written.
 */
export function assertSameContent(expected: Keystore, actual: Keystore, path: string): void {
  if (!sameEntries(expected.entries, actual.entries)) {
    throw new MidtrustError('CORRUPT', `${path}: the new store did not read back as written; the original was left untouched (this is a bug, please report it)`);
  }
  if (actual.integrity === 'unverified') {
    throw new MidtrustError('CORRUPT', `${path}: the new store could not be verified with its password; the original was left untouched`);
  }
}

/**
 * Same entries in any order, matched by alias as Java looks it up (lowercased), every byte compared
 * natively: no hashing (a fleet apply verifies every store it writes, and hashing each certificate
 * of both models was most of that check's cost).
 */
function sameEntries(a: readonly KeystoreEntry[], b: readonly KeystoreEntry[]): boolean {
  if (a.length !== b.length) return false;
  const byAlias = new Map<string, KeystoreEntry[]>();
  for (const e of a) {
    const key = e.alias.toLowerCase();
    const list = byAlias.get(key);
    if (list) list.push(e);
    else byAlias.set(key, [e]);
  }
  for (const e of b) {
    const candidates = byAlias.get(e.alias.toLowerCase());
    const i = candidates?.findIndex((c) => sameEntry(c, e)) ?? -1;
    if (i === -1) return false;
    candidates?.splice(i, 1);
  }
  return true;
}

function sameEntry(x: KeystoreEntry, y: KeystoreEntry): boolean {
  if (x.kind !== y.kind || x.certificates.length !== y.certificates.length) return false;
  if (!x.certificates.every((c, i) => sameBytes(c, y.certificates[i]))) return false;
  if (x.protectedKey === undefined || y.protectedKey === undefined) return x.protectedKey === y.protectedKey;
  return sameBytes(x.protectedKey, y.protectedKey);
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  return x.length === y.length && Buffer.compare(x, y) === 0;
}
