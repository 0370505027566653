import { MIGRATION_STRATEGY_PARAMETER } from '../mid/migrationStrategy';
import { parameterOps } from './midParameterOps';

/*
 * The logic behind the TruststoreMigrationStrategy resource (required by name from
 * midtrustProvider.ts in the dynamic-provider host): mid.truststore.migration.strategy.
 */
const ops = parameterOps({ schema: 'truststore-migration-strategy.schema.json', valueKey: 'strategy', parameterName: () => MIGRATION_STRATEGY_PARAMETER });

/** Provider methods; see parameterOps in midParameterOps.ts. */
export const { check, diff, create, read, update } = ops;
const remove = ops.remove;
// `delete` is a reserved word; the provider calls this name.
export { remove as delete };
