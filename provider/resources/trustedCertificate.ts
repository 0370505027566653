import * as pulumi from '@pulumi/pulumi';
import type { ConnectionInput } from './connectionInput';
import { providerFor } from './midtrustProvider';
import type { JreIdentity, MigratedCopyOutput } from './upgradeAwareness';

/** Inputs of {@link TrustedCertificate}. */
export interface TrustedCertificateArgs {
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
  /** Alias of the entry (compared case-insensitively, as Java does). */
  alias: pulumi.Input<string>;
  /** Exactly one certificate, PEM (or base64 DER). Formatting differences are not changes. */
  certificatePem: pulumi.Input<string>;
  /**
   * Take the alias over when it holds another certificate that no midtrust resource put there.
   * Default false (refused, naming the certificate). Destroy puts the previous certificate back.
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

/**
 * One certificate trusted under one alias of a Java keystore (a MID Server's cacerts). Create
 * adopts an identical existing entry without writing; `pulumi refresh` reports drift; delete gives
 * back what create found (removes an entry it added, keeps one it adopted, restores one it took
 * over) unless another resource claimed the alias in the meantime (a rename or move). Concurrent
 * resources on one keystore share one read-modify-write.
 *
 * @example
 * new TrustedCertificate('acme-root', {
 *   keystorePath: '/opt/servicenow/mid/agent/jre/lib/security/cacerts',
 *   storePassword: config.requireSecret('storePassword'),
 *   alias: 'acme-root-ca',
 *   certificatePem: fs.readFileSync('certs/acme-root-ca.pem', 'utf8'),
 * });
 */
export class TrustedCertificate extends pulumi.dynamic.Resource {
  /** The type token, for policy packs (`isType(args.type, TrustedCertificate)`). */
  static readonly __pulumiType = 'pulumi-nodejs:dynamic/midtrust:TrustedCertificate';

  // `declare`: real class fields would overwrite the outputs the base constructor installed.
  declare readonly keystorePath: pulumi.Output<string | undefined>;
  declare readonly midHome: pulumi.Output<string | undefined>;
  declare readonly store: pulumi.Output<string | undefined>;
  /** With midHome: the store this resource's entries are in (the one the MID's JVM read at the last create/update). */
  declare readonly storePath: pulumi.Output<string | undefined>;
  /** With midHome: why that store ("external truststore wired in …/wrapper-override.conf line 7", "bundled cacerts (…)"). */
  declare readonly storeSource: pulumi.Output<string | undefined>;
  declare readonly storePassword: pulumi.Output<string | undefined>;
  declare readonly alias: pulumi.Output<string>;
  declare readonly certificatePem: pulumi.Output<string>;
  declare readonly overwrite: pulumi.Output<boolean | undefined>;
  /** SHA-256 of the certificate the store holds under the alias (lowercase hex); null when refresh found the entry gone. */
  declare readonly sha256Fingerprint: pulumi.Output<string | null>;
  declare readonly subject: pulumi.Output<string | null>;
  declare readonly issuer: pulumi.Output<string | null>;
  /** ISO 8601. */
  declare readonly notAfter: pulumi.Output<string | null>;
  declare readonly isCa: pulumi.Output<boolean | null>;
  /** JKS, JCEKS or PKCS12. */
  declare readonly storeType: pulumi.Output<string>;
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
  /** Aliases under which the declared certificate is trusted now (the declared alias, migrated copies kept or not yet handled). */
  declare readonly trustedAs: pulumi.Output<string[]>;
  /** True when the alias held the declared certificate when this resource first claimed it (adopted, not added). */
  declare readonly adopted: pulumi.Output<boolean>;
  /** True when the declared certificate is an adopted JDK root the vendor's next cacerts dropped, deliberately not put back. */
  declare readonly vendorDropped: pulumi.Output<boolean>;

  constructor(name: string, args: TrustedCertificateArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      providerFor('trustedCertificateOps'),
      name,
      {
        keystorePath: args.keystorePath,
        midHome: args.midHome,
        store: args.store,
        storePath: undefined,
        storeSource: undefined,
        connection: args.connection === undefined ? undefined : pulumi.secret(args.connection),
        storePassword: args.storePassword === undefined ? undefined : pulumi.secret(args.storePassword),
        alias: args.alias,
        certificatePem: args.certificatePem,
        overwrite: args.overwrite,
        migratedCopies: args.migratedCopies,
        restoreVendorDropped: args.restoreVendorDropped,
        sha256Fingerprint: undefined,
        subject: undefined,
        issuer: undefined,
        notAfter: undefined,
        isCa: undefined,
        storeType: undefined,
        ownerId: undefined,
        migratedCopiesSeen: undefined,
        jre: undefined,
        jreReplaced: undefined,
        upgradeNote: undefined,
        onDestroy: undefined,
        trustedAs: undefined,
        adopted: undefined,
        vendorDropped: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ['storePassword', 'connection'] }),
      'midtrust',
      'TrustedCertificate',
    );
  }
}
