import * as pulumi from '@pulumi/pulumi';
import type { ConnectionInput } from './connectionInput';
import { providerFor } from './midtrustProvider';

/** One declared certificate of a {@link Truststore}. */
export interface TruststoreCertificateArgs {
  alias: pulumi.Input<string>;
  /** Exactly one certificate, PEM (or base64 DER). */
  certificatePem: pulumi.Input<string>;
}

/** Inputs of {@link Truststore}. */
export interface TruststoreArgs {
  /** Absolute path of an existing keystore. Give this or `midHome`. */
  keystorePath?: pulumi.Input<string>;
  /**
   * Instead of keystorePath: a MID Server home (absolute). The store is the one its JVM reads,
   * resolved on the MID's host when the resource is created, updated, refreshed: the external
   * truststore wired in `agent/conf/wrapper-override.conf`, else the bundled
   * `agent/jre/lib/security/cacerts`. When the same program wires the store (ExternalTruststore),
   * pass its output (`midHome: ext.midHome`) or `dependsOn: [ext]`, so the wiring comes first.
   */
  midHome?: pulumi.Input<string>;
  /** With midHome: `effective` (default), or `bundled` for the bundled cacerts even when an external truststore is wired (flagged by the policy pack). */
  store?: pulumi.Input<'effective' | 'bundled'>;
  /**
   * The MID host, when the keystore is not on the machine running Pulumi: SSH with a pinned host
   * key or known_hosts file. Stored as a Pulumi secret (it may hold a private key or password).
   */
  connection?: pulumi.Input<ConnectionInput>;
  /** Store password; always stored as a Pulumi secret. Omit for password-less PKCS12 stores. */
  storePassword?: pulumi.Input<string>;
  certificates: pulumi.Input<pulumi.Input<TruststoreCertificateArgs>[]>;
  /** Also remove every trusted certificate not declared here (key entries are never touched; destroy puts them back). Default false. */
  exclusive?: pulumi.Input<boolean>;
  /**
   * Take over declared aliases that hold another certificate no midtrust resource put there.
   * Default false (refused, naming each alias). Destroy puts the previous certificates back.
   */
  overwrite?: pulumi.Input<boolean>;
}

/** What the store holds under one declared alias. */
export interface TruststoreEntry {
  alias: string;
  sha256Fingerprint: string;
  subject: string;
  /** ISO 8601. */
  notAfter: string;
}

/**
 * A whole set of trusted certificates in one keystore, applied in one read-modify-write — the
 * resource for a fleet (one Truststore per MID Server). Identical entries are adopted; an alias
 * holding another certificate is refused unless `overwrite`; dropping a certificate from the list,
 * or deleting the resource, gives back what was found (see TrustedCertificate).
 *
 * @example
 * new Truststore('mid-01', {
 *   keystorePath: '/opt/servicenow/mid/agent/jre/lib/security/cacerts',
 *   storePassword: config.requireSecret('storePassword'),
 *   certificates: [{ alias: 'acme-root-ca', certificatePem: rootPem }],
 * });
 */
export class Truststore extends pulumi.dynamic.Resource {
  /** The type token, for policy packs (`isType(args.type, Truststore)`). */
  static readonly __pulumiType = 'pulumi-nodejs:dynamic/midtrust:Truststore';

  // `declare`: real class fields would overwrite the outputs the base constructor installed.
  declare readonly keystorePath: pulumi.Output<string | undefined>;
  declare readonly midHome: pulumi.Output<string | undefined>;
  declare readonly store: pulumi.Output<string | undefined>;
  /** With midHome: the store this resource's entries are in (the one the MID's JVM read at the last create/update). */
  declare readonly storePath: pulumi.Output<string | undefined>;
  /** With midHome: why that store ("external truststore wired in …/wrapper-override.conf line 7", "bundled cacerts (…)"). */
  declare readonly storeSource: pulumi.Output<string | undefined>;
  declare readonly storePassword: pulumi.Output<string | undefined>;
  declare readonly certificates: pulumi.Output<{ alias: string; certificatePem: string }[]>;
  declare readonly exclusive: pulumi.Output<boolean | undefined>;
  /** One per declared alias the store holds, with the fingerprint really there. */
  declare readonly entries: pulumi.Output<TruststoreEntry[]>;
  /** The earliest notAfter of the entries (ISO 8601), null when there are none. */
  declare readonly soonestNotAfter: pulumi.Output<string | null>;
  declare readonly storeType: pulumi.Output<string>;
  /** With exclusive: trusted certificates in the store that are not declared (drift seen by refresh). */
  declare readonly unmanagedAliases: pulumi.Output<string[]>;
  declare readonly overwrite: pulumi.Output<boolean | undefined>;
  /** This resource's id in the store's ownership record (see docs/pulumi.md, "Ownership and refactors"). */
  declare readonly ownerId: pulumi.Output<string>;

  constructor(name: string, args: TruststoreArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      providerFor('truststoreOps'),
      name,
      {
        keystorePath: args.keystorePath,
        midHome: args.midHome,
        store: args.store,
        storePath: undefined,
        storeSource: undefined,
        connection: args.connection === undefined ? undefined : pulumi.secret(args.connection),
        storePassword: args.storePassword === undefined ? undefined : pulumi.secret(args.storePassword),
        certificates: args.certificates,
        exclusive: args.exclusive,
        overwrite: args.overwrite,
        entries: undefined,
        soonestNotAfter: undefined,
        storeType: undefined,
        unmanagedAliases: undefined,
        ownerId: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ['storePassword', 'connection'] }),
      'midtrust',
      'Truststore',
    );
  }
}
