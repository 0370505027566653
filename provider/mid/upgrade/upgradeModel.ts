import { Certificate } from '../../certificate/certificate';
import { MidtrustError } from '../../errors';
import { aliasKey, type Keystore, type KeystoreEntry } from '../../keystore/model';
import { DEFAULT_MIGRATED_PREFIX, isVendorAlias, migratedAlias, vendorRemovedRoot } from './migratedCopies';
import type { MigrationRule } from './releaseRules';

export { DEFAULT_MIGRATED_PREFIX, isVendorAlias };

/** Longer than any prefix a product uses, short enough that prefixed aliases stay readable. */
const MAX_PREFIX_LENGTH = 32;

/**
 * Checks an alias prefix for migrated certificates (`--prefix`, default `snc_`): 1 to 32
 * characters, no control or formatting character (they would end up in every migrated alias,
 * where keytool and terminals print them raw), no leading or trailing space. Java accepts any
 * string as an alias, so nothing else is refused.
 *
 * @example
 * parseAliasPrefix('sac-'); // 'sac-'
 */
export function parseAliasPrefix(prefix: string): string {
  const refuse = (why: string): never => {
    throw new MidtrustError('INVALID_INPUT', `alias prefix ${JSON.stringify(prefix)}: ${why}; the product uses snc_ (give --prefix to change it)`);
  };
  if (prefix === '') refuse('it is empty, and migrated aliases would then clash with the incoming store');
  if ([...prefix].length > MAX_PREFIX_LENGTH) refuse(`at most ${MAX_PREFIX_LENGTH} characters`);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(prefix)) refuse('it holds a control or formatting character');
  if (prefix.trim() !== prefix) refuse('it starts or ends with a space');
  return prefix;
}

/**
 * `retired`: a JDK vendor root the new JRE no longer ships and the rule does not migrate — the
 * vendor removed it on purpose, so it is neither a loss of the team's nor listed in `lost`.
 */
export type UpgradeOutcome = 'kept' | 'migrated' | 'resurrected' | 'incoming' | 'lost' | 'collision' | 'retired';

/** One certificate's fate in the upgrade. */
export interface UpgradeEntry {
  /** Alias in the resulting store (for lost entries: the alias it had). */
  readonly alias: string;
  readonly sha256: string;
  readonly outcome: UpgradeOutcome;
  readonly reason: string;
  /** The alias in the current store, when it came from there. */
  readonly previousAlias?: string;
  /** When the alias is a migrated copy (`snc_…`): the alias it was first migrated from and how many upgrades deep ({@link migratedAlias}). */
  readonly copyOf?: { readonly original: string; readonly generations: number };
}

export interface UpgradeResult {
  readonly rule: MigrationRule;
  readonly why: string;
  /** The entries of the resulting store, incoming ones first. */
  readonly result: readonly UpgradeEntry[];
  /** Certificates of the current store that the upgrade drops (the team's: vendor roots the new JRE no longer ships are `retired`). */
  readonly lost: readonly UpgradeEntry[];
  /** JDK vendor roots the new JRE no longer ships and the rule does not bring back: the vendor's choice, not a loss. */
  readonly retired: readonly UpgradeEntry[];
  /** The resulting store as a model (incoming store plus migrated entries). */
  readonly store: Keystore;
}

export interface UpgradeOptions {
  readonly prefix?: string;
  /**
   * The vendor cacerts the current JRE shipped with, when known: a certificate in it but not in
   * the incoming store was removed (distrusted) by the JDK vendor. Without it, vendor aliases
   * (`... [jdk]`, `debian:...`) are the clue.
   */
  readonly vendorBaseline?: Keystore;
  /** The same as SHA-256 fingerprints (callers that already classified the vendor's roots). */
  readonly vendorShas?: ReadonlySet<string>;
  readonly now?: Date;
}

/**
 * Whether a trusted certificate is the JDK vendor's rather than the team's: in the vendor's
 * baseline (the JDK release's cacerts) when one is known, else named like a vendor root. The one
 * answer for the upgrade model, `restore`, the policy rules and the report.
 *
 * @example
 * isVendorRoot('digicertglobalrootca [jdk]', sha);          // true: a vendor alias
 * isVendorRoot('acme-root', sha, new Set([sha]));           // true: the vendor's cacerts ships it
 */
export function isVendorRoot(alias: string, sha256: string, baseline?: ReadonlySet<string>): boolean {
  return baseline ? baseline.has(sha256) : isVendorAlias(alias);
}

/**
 * Models what a MID upgrade does to the truststore: the whole `agent/jre` (cacerts included) is
 * replaced by the incoming JRE's, then certificates of the old store are migrated under `rule`
 * with the alias prefix. Everything that does not meet the rule is lost.
 *
 * @example
 * const { lost } = modelUpgrade(current, incoming, 'non_ca', 'quebec');  // private CAs are lost
 */
export function modelUpgrade(current: Keystore, incoming: Keystore, rule: MigrationRule, why: string, options: UpgradeOptions = {}): UpgradeResult {
  const prefix = parseAliasPrefix(options.prefix ?? DEFAULT_MIGRATED_PREFIX);
  const timestamp = (options.now ?? new Date()).getTime();
  const shaOf = (e: KeystoreEntry): string => (e.certificates[0] ? Certificate.fromDer(e.certificates[0]).sha256 : '');
  const incomingShas = new Map<string, string>();
  for (const e of incoming.entries) if (e.kind === 'trustedCertificate') incomingShas.set(shaOf(e), e.alias);
  const baselineShas = options.vendorShas ?? (options.vendorBaseline ? new Set(options.vendorBaseline.entries.map(shaOf)) : undefined);
  const incomingSet = new Set(incomingShas.keys());
  const takenAliases = new Set(incoming.entries.map((e) => aliasKey(e.alias)));

  const result: UpgradeEntry[] = [];
  const lost: UpgradeEntry[] = [];
  const retired: UpgradeEntry[] = [];
  const kept = new Map<string, string>(); // incoming alias → current alias
  const migratedEntries: KeystoreEntry[] = [];
  for (const e of current.entries) {
    const sha = shaOf(e);
    if (e.kind !== 'trustedCertificate') {
      lost.push({ alias: e.alias, sha256: sha, outcome: 'lost', reason: `a ${e.kind === 'privateKey' ? 'private key' : 'secret key'} entry: the JRE's cacerts is replaced and key entries are not migrated` });
      continue;
    }
    const inIncoming = incomingShas.get(sha);
    if (inIncoming !== undefined) {
      kept.set(aliasKey(inIncoming), e.alias);
      continue;
    }
    const vendorRemoved = vendorRemovedRoot(e.alias, sha, incomingSet, baselineShas);
    const verdict = migrates(rule, e);
    if (!verdict.ok && vendorRemoved) {
      retired.push({ alias: e.alias, sha256: sha, outcome: 'retired', reason: 'a vendor root the new JRE no longer ships (removed or distrusted by the JDK vendor); not migrated, as the vendor intends' });
      continue;
    }
    if (!verdict.ok) {
      lost.push({ alias: e.alias, sha256: sha, outcome: 'lost', reason: verdict.reason });
      continue;
    }
    const alias = `${prefix}${e.alias}`;
    if (takenAliases.has(aliasKey(alias))) {
      lost.push({ alias: e.alias, sha256: sha, outcome: 'collision', reason: `the migrated alias ${alias} already exists in the incoming store; what the upgrade does then is undocumented — rename one of them before upgrading` });
      continue;
    }
    takenAliases.add(aliasKey(alias));
    const copyOf = migratedAlias(alias, prefix);
    migratedEntries.push({ alias: storedAliasFor(incoming, alias), kind: 'trustedCertificate', timestamp, certificates: [e.certificates[0]] });
    result.push({
      alias,
      sha256: sha,
      previousAlias: e.alias,
      outcome: vendorRemoved ? 'resurrected' : 'migrated',
      reason: vendorRemoved
        ? `a vendor root the new JRE no longer ships (removed or distrusted by the JDK vendor) comes back under ${alias} because migrate_delta copies everything missing`
        : copyOf && copyOf.generations > 1
          ? `already a migrated copy of ${copyOf.original}; migrated again as ${alias} (generation ${copyOf.generations}) — re-apply midtrust after the upgrade to trust it once under ${copyOf.original}`
          : `not in the incoming store; migrated as ${alias}`,
      ...(copyOf ? { copyOf } : {}),
    });
  }
  const fromIncoming: UpgradeEntry[] = incoming.entries
    .filter((e) => e.kind === 'trustedCertificate')
    .map((e) => {
      const was = kept.get(aliasKey(e.alias));
      return was !== undefined
        ? { alias: e.alias, sha256: shaOf(e), outcome: 'kept' as const, previousAlias: was, reason: 'already in the incoming store' }
        : { alias: e.alias, sha256: shaOf(e), outcome: 'incoming' as const, reason: 'new in the incoming store' };
    });
  return {
    rule,
    why,
    result: [...fromIncoming, ...result],
    lost,
    retired,
    store: { ...incoming, entries: [...incoming.entries, ...migratedEntries] },
  };
}

function storedAliasFor(store: Keystore, alias: string): string {
  return store.type === 'PKCS12' ? alias : alias.toLowerCase();
}

/** Whether a certificate meets the rule, and why not. */
function migrates(rule: MigrationRule, e: KeystoreEntry): { ok: true } | { ok: false; reason: string } {
  if (rule === 'none') return { ok: false, reason: 'this upgrade migrates nothing (do_not_migrate, or a release without truststore migration)' };
  if (rule === 'delta') return { ok: true };
  let facts;
  try {
    facts = Certificate.fromDer(e.certificates[0]).facts;
  } catch {
    return { ok: false, reason: 'unreadable certificate: migrate_non_ca cannot tell whether it is a CA' };
  }
  if (facts.version !== 3) return { ok: false, reason: `an X.509 v${facts.version} certificate: migrate_non_ca migrates only v3 certificates` };
  if (facts.basicConstraints !== 'absent' && facts.basicConstraints.ca) return { ok: false, reason: 'a CA certificate: migrate_non_ca migrates only certificates whose Basic Constraints is false or absent' };
  return { ok: true };
}
