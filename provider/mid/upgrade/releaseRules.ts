import { MidtrustError } from '../../errors';
import { DEFAULT_MIGRATION_STRATEGY, type MigrationStrategy } from '../migrationStrategy';

/**
 * What an upgrade does with certificates of the old truststore that the incoming JRE lacks:
 * - `none`: nothing is migrated (releases before the fix);
 * - `non_ca`: the Quebec rule — X.509 v3 with Basic Constraints false or absent;
 * - `delta`: the Rome rule — every certificate not already in the incoming store.
 */
export type MigrationRule = 'none' | 'non_ca' | 'delta';

/** Release families in order (names as ServiceNow spells them, lowercased, no spaces). */
export const FAMILIES = [
  'madrid', 'newyork', 'orlando', 'paris', 'quebec', 'rome', 'sandiego', 'tokyo', 'utah', 'vancouver',
  'washingtondc', 'xanadu', 'yokohama', 'zurich', 'australia',
] as const;

export interface ParsedRelease {
  readonly family: (typeof FAMILIES)[number];
  /** Patch number; undefined means the GA release (patch 0). */
  readonly patch?: number;
}

/** `orlando-p9`, `paris-p5`, `quebec`, `washingtondc`, `Washington DC Patch 3` → family and patch. */
export function parseRelease(text: string): ParsedRelease {
  const m = /^([a-z ]+?)[\s_-]*(?:(?:p|patch)\s*(\d+))?$/i.exec(text.trim());
  const family = m?.[1].toLowerCase().replace(/[\s_-]/g, '');
  if (!m || !(FAMILIES as readonly string[]).includes(family ?? '')) {
    throw new MidtrustError('INVALID_INPUT', `--release ${text}: not a release midtrust knows; use a family and optional patch such as orlando-p10, paris-p4, quebec-p2, rome, washingtondc (families: ${FAMILIES.join(', ')})`);
  }
  return m[2] === undefined ? { family: family as ParsedRelease['family'] } : { family: family as ParsedRelease['family'], patch: Number(m[2]) };
}

/**
 * Whether a release lets `mid.truststore.migration.strategy` choose (Rome and later).
 *
 * @example
 * releaseHonoursStrategy(parseRelease('paris-p7')); // false
 */
export function releaseHonoursStrategy(release: ParsedRelease): boolean {
  return FAMILIES.indexOf(release.family) >= FAMILIES.indexOf('rome');
}

/**
 * The migration rule a release applies (FACTS.md §1): the Quebec rule from Orlando Patch 10,
 * Paris Patch 4 and Quebec; the Rome rule from Paris Patch 7, Quebec Patch 2 and Rome; from Rome
 * on the `mid.truststore.migration.strategy` parameter chooses (default migrate_delta).
 */
export function ruleForRelease(release: ParsedRelease, strategy: MigrationStrategy = DEFAULT_MIGRATION_STRATEGY): { rule: MigrationRule; why: string } {
  const patch = release.patch ?? 0;
  const name = `${release.family}${release.patch === undefined ? '' : ` patch ${patch}`}`;
  if (releaseHonoursStrategy(release)) return ruleForStrategy(strategy, `${name} honours ${'mid.truststore.migration.strategy'}=${strategy}`);
  switch (release.family) {
    case 'quebec':
      return patch >= 2 ? { rule: 'delta', why: `${name} migrates every certificate missing from the new JRE (Rome rule, backported to Quebec Patch 2)` } : { rule: 'non_ca', why: `${name} migrates only non-CA X.509 v3 certificates (Quebec rule)` };
    case 'paris':
      if (patch >= 7) return { rule: 'delta', why: `${name} migrates every certificate missing from the new JRE (Rome rule, backported to Paris Patch 7)` };
      if (patch >= 4) return { rule: 'non_ca', why: `${name} migrates only non-CA X.509 v3 certificates (Quebec rule, backported to Paris Patch 4)` };
      return { rule: 'none', why: `${name} predates truststore migration (Paris Patch 4): custom certificates are lost` };
    case 'orlando':
      return patch >= 10 ? { rule: 'non_ca', why: `${name} migrates only non-CA X.509 v3 certificates (Quebec rule, backported to Orlando Patch 10)` } : { rule: 'none', why: `${name} predates truststore migration (Orlando Patch 10): custom certificates are lost` };
    default:
      return { rule: 'none', why: `${name} predates truststore migration: custom certificates are lost` };
  }
}

/** The rule a strategy selects (Rome and later). */
export function ruleForStrategy(strategy: MigrationStrategy, why = `mid.truststore.migration.strategy=${strategy}`): { rule: MigrationRule; why: string } {
  const rule: MigrationRule = strategy === 'migrate_delta' ? 'delta' : strategy === 'migrate_non_ca' ? 'non_ca' : 'none';
  return { rule, why };
}
