import * as pulumi from '@pulumi/pulumi';
import type { ConnectionInput } from './connectionInput';
import { providerFor } from './midtrustProvider';

/** Inputs of {@link TruststoreMigrationStrategy}. */
export interface TruststoreMigrationStrategyArgs {
  /** Absolute path of the MID Server home (the directory holding `agent/`). */
  midHome: pulumi.Input<string>;
  /** What the next upgrade migrates from the old cacerts: `migrate_delta`, `migrate_non_ca` or `do_not_migrate`. */
  strategy: pulumi.Input<'migrate_delta' | 'migrate_non_ca' | 'do_not_migrate'>;
  /** Shell command run on the MID host (over `connection` when given, else on this machine) when config.xml was changed (e.g. `systemctl restart mid`; Windows: `Restart-Service snc_mid_<name>`). */
  restartCommand?: pulumi.Input<string>;
  /** The MID host over SSH, when it is not the machine running Pulumi (a Pulumi secret). */
  connection?: pulumi.Input<ConnectionInput>;
}

/**
 * `mid.truststore.migration.strategy` in `<midHome>/agent/config.xml` (Rome and later): what an
 * upgrade that replaces the bundled JRE carries over from the old cacerts. The edit keeps the rest
 * of config.xml byte for byte; refresh reports a value changed or removed by hand; delete removes
 * the parameter (the product default, `migrate_delta`, applies again). The MID reads it at start.
 *
 * @example
 * new TruststoreMigrationStrategy('mid1-strategy', { midHome: '/opt/servicenow/mid', strategy: 'migrate_non_ca' });
 */
export class TruststoreMigrationStrategy extends pulumi.dynamic.Resource {
  /** The type token, for policy packs (`isType(args.type, TruststoreMigrationStrategy)`). */
  static readonly __pulumiType = 'pulumi-nodejs:dynamic/midtrust:TruststoreMigrationStrategy';

  // `declare`: real class fields would overwrite the outputs the base constructor installed.
  declare readonly midHome: pulumi.Output<string>;
  /** The value config.xml holds (null after refresh when the parameter was removed by hand). */
  declare readonly strategy: pulumi.Output<string | null>;
  declare readonly configXmlPath: pulumi.Output<string>;
  /** Always true: the MID Server applies the setting at its next start. */
  declare readonly restartRequired: pulumi.Output<boolean>;
  declare readonly note: pulumi.Output<string>;
  /** True when restartCommand ran on the last create or update. */
  declare readonly restarted: pulumi.Output<boolean>;
  /** This resource's id in the file's ownership record (see docs/pulumi.md, "Ownership and refactors"). */
  declare readonly ownerId: pulumi.Output<string>;

  constructor(name: string, args: TruststoreMigrationStrategyArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      providerFor('truststoreMigrationStrategyOps'),
      name,
      { ...args, connection: args.connection === undefined ? undefined : pulumi.secret(args.connection), configXmlPath: undefined, parameterName: undefined, restartRequired: undefined, note: undefined, restarted: undefined, ownerId: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ['connection'] }),
      'midtrust',
      'TruststoreMigrationStrategy',
    );
  }
}
