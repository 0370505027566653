import { Certificate } from '../certificate/certificate';
import type { Keystore } from '../keystore/model';

/** A certificate the JVM trusts as the end of a path, with the alias it has in the store. */
export interface TrustAnchor {
  readonly alias: string;
  readonly certificate: Certificate;
  /** Taken from a private key entry's first certificate (Java trusts those too). */
  readonly fromKeyEntry: boolean;
}

/**
 * The trust anchors Java builds from a truststore (sun.security.validator.TrustStoreUtil):
 * every trusted certificate entry — root, intermediate or a server's own certificate alike — and
 * the first certificate of every private key entry. Secret keys trust nothing.
 *
 * @example
 * trustAnchorsOf(readKeystore(bytes, { password })).map((a) => a.alias) // ['acme-root', 'proxy']
 */
export function trustAnchorsOf(store: Keystore): TrustAnchor[] {
  const out: TrustAnchor[] = [];
  for (const e of store.entries) {
    if (e.kind === 'secretKey' || !e.certificates[0]) continue;
    out.push({ alias: e.alias, certificate: Certificate.fromDer(e.certificates[0]), fromKeyEntry: e.kind === 'privateKey' });
  }
  return out;
}
