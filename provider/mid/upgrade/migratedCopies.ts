import { Certificate } from '../../certificate/certificate';
import { aliasKey, type Keystore } from '../../keystore/model';

/*
 * The product's migrated copies as one model, shared by every door: an upgrade that migrates a
 * certificate keeps it under `snc_<alias>`, and every further upgrade that migrates the copy again
 * adds a generation (`snc_snc_<alias>`). The CLI's upgrade-preview, migrate, restore and report
 * and the Pulumi resources ask the same two questions here: "is this entry a migrated copy, and of
 * which alias?" and "where does the store keep copies of my alias?".
 */

/** Alias prefix the MID gives migrated certificates (product docs: `snc_`; one support article says `sac-`). */
export const DEFAULT_MIGRATED_PREFIX = 'snc_';

const VENDOR_ALIAS = /(\s\[jdk\]$)|(^debian:)/i;

/**
 * Whether an alias is one a JDK vendor gives its bundled roots (`... [jdk]`, Debian's `debian:...`):
 * the clue to a vendor certificate when no incoming or baseline store says it.
 *
 * @example
 * isVendorAlias('digicertglobalrootca [jdk]'); // true
 * isVendorAlias('acme-root');                  // false
 */
export function isVendorAlias(alias: string): boolean {
  return VENDOR_ALIAS.test(alias);
}

/** What an alias says about migration: the alias it was migrated from, and how many upgrades deep. */
export interface MigratedAlias {
  /** The alias before the first migration (`acme-root` for `snc_snc_acme-root`). */
  readonly original: string;
  /** 1 for `snc_<alias>`, 2 for `snc_snc_<alias>`, … */
  readonly generations: number;
}

/**
 * Whether `alias` is a migrated alias (`<prefix>…<prefix><original>`), and of what. Compared as
 * Java compares aliases (case-insensitively), so a JKS store's lowercased `snc_acme-root` is a copy
 * of `Acme-Root`. An alias that is only the prefix is not a copy of anything.
 *
 * @example
 * migratedAlias('snc_snc_acme-root'); // { original: 'acme-root', generations: 2 }
 * migratedAlias('acme-root');         // undefined
 */
export function migratedAlias(alias: string, prefix: string = DEFAULT_MIGRATED_PREFIX): MigratedAlias | undefined {
  const p = aliasKey(prefix);
  let rest = alias;
  let generations = 0;
  while (aliasKey(rest).startsWith(p) && rest.length > prefix.length) {
    rest = rest.slice(prefix.length);
    generations++;
  }
  return generations === 0 ? undefined : { original: rest, generations };
}

/** A migrated copy of a declared alias found in a store. */
export interface MigratedCopy {
  /** The alias of the copy as stored (`snc_acme-root`). */
  readonly alias: string;
  /** The declared alias it is a copy of. */
  readonly of: string;
  readonly generations: number;
  readonly sha256: string;
  /** True when the copy holds the certificate declared under `of` (false: an older one, e.g. before a rotation). */
  readonly sameCertificate: boolean;
}

/**
 * Every trusted entry of `store` that is a migrated copy of `alias` (any generation), with whether
 * it holds `sha256` — the one rule for "this snc_ entry is the upgrade's copy of my certificate".
 *
 * @example
 * migratedCopiesOf(store, 'acme-root', sha);
 * // [{ alias: 'snc_acme-root', of: 'acme-root', generations: 1, sha256: sha, sameCertificate: true }]
 */
export function migratedCopiesOf(store: Keystore, alias: string, sha256: string | undefined, prefix: string = DEFAULT_MIGRATED_PREFIX): MigratedCopy[] {
  const key = aliasKey(alias);
  const out: MigratedCopy[] = [];
  for (const e of store.entries) {
    if (e.kind !== 'trustedCertificate' || !e.certificates[0]) continue;
    const generations = copyGenerationsOf(e.alias, key, prefix);
    if (generations === 0) continue;
    const sha = Certificate.fromDer(e.certificates[0]).sha256;
    out.push({ alias: e.alias, of: alias, generations, sha256: sha, sameCertificate: sha === sha256 });
  }
  return out.sort((a, b) => a.generations - b.generations);
}

/**
 * How many prefixes stand before `of` in `alias` (`snc_snc_x` is 2 generations of `x`), 0 when it
 * is not a copy of it — the one rule for "is this snc_ entry a migrated copy of X". Stripped one
 * prefix at a time, so a declared alias that itself starts with the prefix (`snc_legacy`) still
 * has its own copies (`snc_snc_legacy`). Compared as Java compares aliases.
 *
 * @example
 * copyGenerationsOf('snc_snc_acme-root', 'acme-root'); // 2
 */
export function copyGenerationsOf(alias: string, of: string, prefix: string = DEFAULT_MIGRATED_PREFIX): number {
  const aliasKeyOf = aliasKey(of);
  const p = aliasKey(prefix);
  let rest = alias;
  for (let n = 1; aliasKey(rest).startsWith(p) && rest.length > prefix.length; n++) {
    rest = rest.slice(prefix.length);
    if (aliasKey(rest) === aliasKeyOf) return n;
  }
  return 0;
}

/**
 * How a migrated copy reads in outputs and reports.
 *
 * @example
 * describeCopy(copy); // 'trusted as snc_acme-root (migrated by the upgrade)'
 */
export function describeCopy(copy: MigratedCopy): string {
  const by = copy.generations === 1 ? 'migrated by the upgrade' : `migrated by ${copy.generations} upgrades in a row`;
  return copy.sameCertificate ? `trusted as ${copy.alias} (${by})` : `${copy.alias} (${by}) holds another certificate than the one declared (sha256 ${copy.sha256.slice(0, 16)}…)`;
}

/**
 * Whether a certificate the incoming (new JRE's) store lacks is a root the JDK vendor removed or
 * distrusted: the one rule behind upgrade-preview's "resurrected" and the resources' refusal to
 * put such a root back without `restoreVendorDropped`. The vendor baseline (the cacerts the old
 * JRE shipped) decides when known; otherwise the vendor's alias style (`… [jdk]`, `debian:…`).
 *
 * @example
 * vendorRemovedRoot('digicertglobalrootca [jdk]', sha, incomingShas); // true when incoming lacks sha
 */
export function vendorRemovedRoot(alias: string, sha256: string, incomingShas: ReadonlySet<string>, baselineShas?: ReadonlySet<string>): boolean {
  if (incomingShas.has(sha256)) return false;
  return baselineShas ? baselineShas.has(sha256) : isVendorAlias(alias);
}
