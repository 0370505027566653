import * as pulumi from '@pulumi/pulumi';
import type { ConnectionInput } from './connectionInput';
import { providerFor } from './midtrustProvider';

/** Inputs of {@link ExternalTruststore}. */
export interface ExternalTruststoreArgs {
  /** Absolute path of the MID Server home (the directory holding `agent/`). */
  midHome: pulumi.Input<string>;
  /** Absolute path of the truststore, outside the MID home (an upgrade replaces the install). */
  truststorePath: pulumi.Input<string>;
  /** Store password; always a Pulumi secret (wrapper-override.conf holds it in plain text, as the product requires). Omit for password-less PKCS12. */
  storePassword?: pulumi.Input<string>;
  /** Type of a store this resource creates. Default PKCS12. */
  storeType?: pulumi.Input<'PKCS12' | 'JKS'>;
  /**
   * When creating the store, copy the trusted certificates of the bundled
   * `agent/jre/lib/security/cacerts`. Default true: a JVM whose truststore is empty fails every TLS
   * handshake — the instance connection included ("the trustAnchors parameter must be non-empty",
   * checked with Java 17 and 25). Set false only when every CA the MID needs is declared in the store.
   */
  seedFromBundled?: pulumi.Input<boolean>;
  /** Shell command run on the MID host (over `connection` when given, else on this machine) when the resource changed something (Windows: `Restart-Service snc_mid_<name>`). */
  restartCommand?: pulumi.Input<string>;
  /** The MID host over SSH, when it is not the machine running Pulumi (a Pulumi secret). */
  connection?: pulumi.Input<ConnectionInput>;
}

/**
 * An external truststore for a MID Server: creates the store when missing (optionally seeded from
 * the bundled cacerts) and points the MID's JVM at it with `-Djavax.net.ssl.trustStore`,
 * `...trustStorePassword` and `...trustStoreType` lines in `agent/conf/wrapper-override.conf`
 * (next free `wrapper.java.additional.N`, other lines kept). Refresh reports the lines as they are;
 * delete gives back what it found: the earlier lines (or none), the file's mode, and the store file
 * and directories it created (the store only while it holds nothing but what it was created with).
 *
 * @example
 * new ExternalTruststore('mid1-truststore', {
 *   midHome: '/opt/servicenow/mid',
 *   truststorePath: '/etc/servicenow/mid1-truststore.p12',
 *   seedFromBundled: true,
 * });
 */
export class ExternalTruststore extends pulumi.dynamic.Resource {
  /** The type token, for policy packs (`isType(args.type, ExternalTruststore)`). */
  static readonly __pulumiType = 'pulumi-nodejs:dynamic/midtrust:ExternalTruststore';

  declare readonly midHome: pulumi.Output<string>;
  declare readonly truststorePath: pulumi.Output<string>;
  declare readonly storePassword: pulumi.Output<string | undefined>;
  declare readonly storeType: pulumi.Output<string | undefined>;
  declare readonly seedFromBundled: pulumi.Output<boolean | undefined>;
  declare readonly wrapperOverridePath: pulumi.Output<string>;
  /** What wrapper-override.conf says (null when the line is missing). */
  declare readonly wiredTruststorePath: pulumi.Output<string | null>;
  declare readonly wiredStoreType: pulumi.Output<string | null>;
  declare readonly passwordWired: pulumi.Output<boolean>;
  /** The type of the store file (JKS, JCEKS or PKCS12), or null when it is gone. */
  declare readonly storeFormat: pulumi.Output<string | null>;
  /** True when the last create or update created the store file. */
  declare readonly createdStore: pulumi.Output<boolean>;
  /** Directories the last create or update made for the store (0755, owned like the MID's agent/), also named in `note`. */
  declare readonly createdDirectories: pulumi.Output<string[]>;
  declare readonly restartRequired: pulumi.Output<boolean>;
  declare readonly note: pulumi.Output<string>;
  declare readonly restarted: pulumi.Output<boolean>;
  /** This resource's id in the file's ownership record (see docs/pulumi.md, "Ownership and refactors"). */
  declare readonly ownerId: pulumi.Output<string>;

  constructor(name: string, args: ExternalTruststoreArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      providerFor('externalTruststoreOps'),
      name,
      {
        ...args,
        storePassword: args.storePassword === undefined ? undefined : pulumi.secret(args.storePassword),
        connection: args.connection === undefined ? undefined : pulumi.secret(args.connection),
        wrapperOverridePath: undefined,
        wiredTruststorePath: undefined,
        wiredStoreType: undefined,
        passwordWired: undefined,
        storeFormat: undefined,
        createdStore: undefined,
        createdDirectories: undefined,
        restartRequired: undefined,
        note: undefined,
        restarted: undefined,
        ownerId: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ['storePassword', 'connection'] }),
      'midtrust',
      'ExternalTruststore',
    );
  }
}
