import { children, readTlv, TAG, whole } from '../../asn1/derReader';

/** Issuer and subject Name DER of a certificate (views), or undefined when it does not parse. */
export function certificateNames(der: Uint8Array): { issuer: Uint8Array; subject: Uint8Array } | undefined {
  try {
    const cert = readTlv(der, 0, der.length, 'certificate');
    const [tbs] = children(der, cert, 'certificate');
    if (!tbs || tbs.tag !== TAG.SEQUENCE) return undefined;
    const f = children(der, tbs, 'TBSCertificate');
    const i = f[0]?.tag === 0xa0 ? 1 : 0; // [0] version is absent in v1 certificates
    const issuer = f[i + 2];
    const subject = f[i + 4];
    if (issuer?.tag !== TAG.SEQUENCE || subject?.tag !== TAG.SEQUENCE) return undefined;
    return { issuer: whole(der, issuer), subject: whole(der, subject) };
  } catch {
    return undefined; // a certificate midtrust cannot parse simply ends the chain
  }
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/** A certificate that may serve in a chain, with whether a key entry already owns its bag. */
export interface ChainCandidate {
  readonly certificate: Uint8Array;
  /** Trusted entries' certificates are used as issuers but never owned by a key entry. */
  readonly trusted: boolean;
  claimed: boolean;
}

/**
 * Orders a private key's chain as Java's PKCS12KeyStore does: the leaf (matched by localKeyID by
 * the caller), then repeatedly the certificate whose subject is the current issuer, until a
 * self-issued certificate, a missing issuer or a loop. Among several certificates with the same
 * subject, an unclaimed chain bag wins, then any chain bag, then a trusted entry's certificate
 * (Java looks issuers up in all certificates of the store). Names are compared as DER bytes, which
 * is what X500Principal equality amounts to for the names keytool writes.
 *
 * Returns the candidates used, leaf first, and the ones this entry now owns: unclaimed chain bags
 * become claimed, so each chain bag is written back with exactly one entry.
 */
export function orderChain(
  leaf: ChainCandidate,
  pool: readonly ChainCandidate[],
): { chain: ChainCandidate[]; owned: ChainCandidate[] } {
  const chain = [leaf];
  const names = new Map<ChainCandidate, ReturnType<typeof certificateNames>>();
  const namesOf = (c: ChainCandidate): ReturnType<typeof certificateNames> => {
    if (!names.has(c)) names.set(c, certificateNames(c.certificate));
    return names.get(c);
  };
  for (;;) {
    const current = namesOf(chain[chain.length - 1]);
    if (!current || same(current.issuer, current.subject)) break;
    let best: ChainCandidate | undefined;
    let bestRank = 3;
    for (const c of pool) {
      const rank = c.trusted ? 2 : c.claimed ? 1 : 0;
      if (rank >= bestRank) continue;
      const n = namesOf(c);
      if (!n || !same(n.subject, current.issuer)) continue;
      if (chain.some((x) => x === c || same(x.certificate, c.certificate))) continue;
      best = c;
      bestRank = rank;
      if (rank === 0) break;
    }
    if (!best) break;
    chain.push(best);
  }
  const owned = chain.filter((c) => !c.trusted && !c.claimed);
  for (const c of owned) c.claimed = true;
  return { chain, owned };
}
