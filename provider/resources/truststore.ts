import * as pulumi from '@pulumi/pulumi';
import type { ConnectionInput } from './connectionInput';
import { providerFor } from './midtrustProvider';
import type { JreIdentity, MigratedCopyOutput } from './upgradeAwareness';

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
  /**
   * After a MID upgrade, what `up` does with the upgrade's migrated copies (`snc_<alias>`, any
   * generation) of a declared certificate: `adopt` (default) trusts it again under the declared
   * alias and removes the copies holding the same certificate — destroy gives them back; `keep`
   * leaves them (the CA is then trusted twice, and the next upgrade migrates the copy again);
   * `remove` removes them for good. Copies holding another certificate are never touched.
   */
  migratedCopies?: pulumi.Input<'adopt' | 'keep' | 'remove'>;
  /**
   * Put back a JDK root this resource adopted (found in the store as declared) after the vendor's
   * next cacerts dropped it — the same rule as upgrade-preview's "resurrected". Default false: it
   * is not re-added, and the outputs say so.
   */
  restoreVendorDropped?: pulumi.Input<boolean>;
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
  /** Migrated copies of the declared certificates seen in the store, and what up does (did) with them. */
  declare readonly migratedCopiesSeen: pulumi.Output<MigratedCopyOutput[]>;
  /** The JRE the store belonged to at the last up (`release` digest, newest upgrade backup); null for a keystore outside a JRE. */
  declare readonly jre: pulumi.Output<JreIdentity | null>;
  /** True after a refresh that found the JRE replaced since the last up (a MID upgrade). */
  declare readonly jreReplaced: pulumi.Output<boolean>;
  /** What the upgrade left, for people ("trusted as snc_acme-root (migrated by the upgrade)…"); null when nothing to say. */
  declare readonly upgradeNote: pulumi.Output<string | null>;
  /** What destroy will give back and leave (said ahead: delete has no outputs). */
  declare readonly onDestroy: pulumi.Output<string>;
  /** Declared aliases that held the declared certificate when first claimed (adopted, not added). */
  declare readonly adoptedAliases: pulumi.Output<string[]>;
  /** Adopted JDK roots the vendor's next cacerts dropped, deliberately not put back. */
  declare readonly vendorDroppedAliases: pulumi.Output<string[]>;

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
        migratedCopies: args.migratedCopies,
        restoreVendorDropped: args.restoreVendorDropped,
        entries: undefined,
        soonestNotAfter: undefined,
        storeType: undefined,
        unmanagedAliases: undefined,
        ownerId: undefined,
        migratedCopiesSeen: undefined,
        jre: undefined,
        jreReplaced: undefined,
        upgradeNote: undefined,
        onDestroy: undefined,
        adoptedAliases: undefined,
        vendorDroppedAliases: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ['storePassword', 'connection'] }),
      'midtrust',
      'Truststore',
    );
  }
}
