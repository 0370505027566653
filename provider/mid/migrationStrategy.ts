import { MidtrustError } from '../errors';

/** The config.xml parameter (Rome and later) that selects what an upgrade migrates. */
export const MIGRATION_STRATEGY_PARAMETER = 'mid.truststore.migration.strategy';

/**
 * - `migrate_delta` (default): every certificate in the old store and not in the incoming one;
 * - `migrate_non_ca`: X.509 v3 certificates whose Basic Constraints is false or absent;
 * - `do_not_migrate`: nothing (a backup is still made).
 */
export const MIGRATION_STRATEGIES = ['migrate_delta', 'migrate_non_ca', 'do_not_migrate'] as const;
export type MigrationStrategy = (typeof MIGRATION_STRATEGIES)[number];
export const DEFAULT_MIGRATION_STRATEGY: MigrationStrategy = 'migrate_delta';

/** Validates a strategy name; anything else is INVALID_INPUT listing the three. */
export function parseMigrationStrategy(value: string, where = MIGRATION_STRATEGY_PARAMETER): MigrationStrategy {
  if ((MIGRATION_STRATEGIES as readonly string[]).includes(value)) return value as MigrationStrategy;
  throw new MidtrustError('INVALID_INPUT', `${where}: '${value}' is not a migration strategy; use one of ${MIGRATION_STRATEGIES.join(', ')}`);
}
