import * as pulumi from '@pulumi/pulumi';
import type { ConnectionInput } from './connectionInput';
import { providerFor } from './midtrustProvider';

/** Inputs of {@link MidServerParameter}. */
export interface MidServerParameterArgs {
  /** Absolute path of the MID Server home (the directory holding `agent/`). */
  midHome: pulumi.Input<string>;
  /** Parameter name, e.g. `mid.ssl.bootstrap.default.check_cert_chain`. */
  name: pulumi.Input<string>;
  /** Plain value. Encrypted (`secure="true"`) parameters are refused: set those on the MID Server record. */
  value: pulumi.Input<string>;
  /** Shell command run on the MID host (over `connection` when given, else on this machine) when config.xml was changed (Windows: `Restart-Service snc_mid_<name>`). */
  restartCommand?: pulumi.Input<string>;
  /** The MID host over SSH, when it is not the machine running Pulumi (a Pulumi secret). */
  connection?: pulumi.Input<ConnectionInput>;
}

/**
 * One `<parameter name="..." value="..."/>` of `<midHome>/agent/config.xml`, edited in place with
 * the rest of the file kept byte for byte. Refresh reports the value really there; delete gives
 * back what it found (the earlier value, or no parameter). The MID reads config.xml at start, so a
 * restart is needed.
 *
 * @example
 * new MidServerParameter('chain-check', { midHome: '/opt/servicenow/mid', name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true' });
 */
export class MidServerParameter extends pulumi.dynamic.Resource {
  /** The type token, for policy packs. */
  static readonly __pulumiType = 'pulumi-nodejs:dynamic/midtrust:MidServerParameter';

  declare readonly midHome: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  /** The value config.xml holds (null after refresh when the parameter was removed or encrypted). */
  declare readonly value: pulumi.Output<string | null>;
  declare readonly configXmlPath: pulumi.Output<string>;
  declare readonly restartRequired: pulumi.Output<boolean>;
  declare readonly note: pulumi.Output<string>;
  declare readonly restarted: pulumi.Output<boolean>;
  /** This resource's id in the file's ownership record (see docs/pulumi.md, "Ownership and refactors"). */
  declare readonly ownerId: pulumi.Output<string>;

  constructor(name: string, args: MidServerParameterArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      providerFor('midServerParameterOps'),
      name,
      { ...args, connection: args.connection === undefined ? undefined : pulumi.secret(args.connection), configXmlPath: undefined, restartRequired: undefined, note: undefined, restarted: undefined, ownerId: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ['connection'] }),
      'midtrust',
      'MidServerParameter',
    );
  }
}
