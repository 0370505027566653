import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import type { Keystore } from '../keystore/model';

/**
 * Throws unless two models hold the same entries (alias, kind, certificates, protected key
 * bytes). Used on the bytes read back from the temporary file before it replaces the store:
 * a store midtrust could not verify is never written.
 */
export function assertSameContent(expected: Keystore, actual: Keystore, path: string): void {
  const a = fingerprintStore(expected);
  const b = fingerprintStore(actual);
  if (a.length !== b.length || a.some((line, i) => line !== b[i])) {
    throw new MidtrustError('CORRUPT', `${path}: the new store did not read back as written; the original was left untouched (this is a bug, please report it)`);
  }
  if (actual.integrity === 'unverified') {
    throw new MidtrustError('CORRUPT', `${path}: the new store could not be verified with its password; the original was left untouched`);
  }
}

function fingerprintStore(store: Keystore): string[] {
  // One-shot hashes: a Hash object per certificate, twice per store, was a tenth of a CLI apply.
  return store.entries
    .map((e) => [e.alias.toLowerCase(), e.kind, e.certificates.map(sha256Hex).join(','), e.protectedKey ? sha256Hex(e.protectedKey) : ''].join('|'))
    .sort();
}
