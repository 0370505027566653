import * as pulumi from '@pulumi/pulumi';
import type { ConnectionInput } from './connectionInput';
import { providerFor } from './midtrustProvider';

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
        sha256Fingerprint: undefined,
        subject: undefined,
        issuer: undefined,
        notAfter: undefined,
        isCa: undefined,
        storeType: undefined,
        ownerId: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ['storePassword', 'connection'] }),
      'midtrust',
      'TrustedCertificate',
    );
  }
}
