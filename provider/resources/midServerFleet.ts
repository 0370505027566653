import * as pulumi from '@pulumi/pulumi';
import type { ConnectionInput } from './connectionInput';
import { Truststore } from './truststore';
import { TruststoreMigrationStrategy } from './truststoreMigrationStrategy';

/** One MID Server of a fleet. */
export interface MidServerFleetHost {
  /** Stable name: the child resources are named `<fleet>-<name>`, so adding a host touches only that host. */
  name: string;
  /** MID home on that host (`/opt/servicenow/mid`, `C:\ServiceNow\mid1`); the store is the one its JVM reads (an external truststore when wrapper-override.conf wires one, else the JRE's cacerts). */
  midHome: string;
  /** SSH connection; omit for a MID Server on the machine running Pulumi. */
  connection?: pulumi.Input<ConnectionInput>;
  /** This host's store password, when it differs from the fleet's. */
  storePassword?: pulumi.Input<string>;
}

export interface MidServerFleetArgs {
  hosts: MidServerFleetHost[];
  /** The certificates every MID Server must trust. */
  certificates: pulumi.Input<pulumi.Input<{ alias: pulumi.Input<string>; certificatePem: pulumi.Input<string> }>[]>;
  /** Store password for every host (a secret); JDK cacerts default to "changeit". */
  storePassword?: pulumi.Input<string>;
  /** Remove undeclared trusted certificates (never key entries; destroy puts them back). */
  exclusive?: pulumi.Input<boolean>;
  /** Take over declared aliases holding other certificates (see Truststore). */
  overwrite?: pulumi.Input<boolean>;
  /** After a MID upgrade, what up does with its migrated copies (snc_<alias>): adopt (default), keep or remove (see Truststore). */
  migratedCopies?: pulumi.Input<'adopt' | 'keep' | 'remove'>;
  /** Put back adopted JDK roots the vendor's next cacerts dropped (default false; see Truststore). */
  restoreVendorDropped?: pulumi.Input<boolean>;
  /** Also set mid.truststore.migration.strategy on every host (one TruststoreMigrationStrategy each). */
  migrationStrategy?: pulumi.Input<'migrate_delta' | 'migrate_non_ca' | 'do_not_migrate'>;
}

/**
 * A fleet of MID Servers trusting the same certificates: one Truststore per host (hosts ×
 * certificates), over one SSH connection per host, rolled out by `pulumi up`.
 *
 * @example
 * new MidServerFleet('prod', {
 *   hosts: [{ name: 'mid-lon-01', midHome: '/opt/servicenow/mid', connection: { host: '10.1.2.3', user: 'mid', privateKey, hostKey: 'SHA256:...' } }],
 *   certificates: [{ alias: 'acme-root', certificatePem: fs.readFileSync('certs/acme-root.pem', 'utf8') }],
 *   storePassword: config.requireSecret('storePassword'),
 * });
 */
export class MidServerFleet extends pulumi.ComponentResource {
  static readonly __pulumiType = 'midtrust:index:MidServerFleet';
  /** The per-host Truststore resources, by host name. */
  readonly truststores: Record<string, Truststore> = {};
  /** The per-host migration strategy resources, when `migrationStrategy` is given. */
  readonly strategies: Record<string, TruststoreMigrationStrategy> = {};

  constructor(name: string, args: MidServerFleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(MidServerFleet.__pulumiType, name, {}, opts);
    const seen = new Set<string>();
    for (const host of args.hosts) {
      if (seen.has(host.name)) throw new Error(`MidServerFleet ${name}: host name ${host.name} appears twice`);
      seen.add(host.name);
      this.truststores[host.name] = new Truststore(
        `${name}-${host.name}`,
        {
          // The store this MID's JVM reads, resolved on the host at create/update (an external truststore when wired).
          midHome: host.midHome,
          storePassword: host.storePassword ?? args.storePassword,
          connection: host.connection,
          certificates: args.certificates,
          exclusive: args.exclusive,
          overwrite: args.overwrite,
          migratedCopies: args.migratedCopies,
          restoreVendorDropped: args.restoreVendorDropped,
        },
        { parent: this },
      );
      if (args.migrationStrategy !== undefined) {
        this.strategies[host.name] = new TruststoreMigrationStrategy(
          `${name}-${host.name}-strategy`,
          { midHome: host.midHome, strategy: args.migrationStrategy, connection: host.connection },
          { parent: this },
        );
      }
    }
    this.registerOutputs({ truststores: Object.fromEntries(Object.entries(this.truststores).map(([k, t]) => [k, t.id])) });
  }
}
