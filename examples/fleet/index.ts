// The same CAs on every MID Server of a fleet: one MidServerFleet, which makes one Truststore (and,
// with migrationStrategy, one TruststoreMigrationStrategy) per host, over one SSH connection per
// host. `cd examples/fleet && pulumi stack init dev && pulumi up`.
//
// With no config it manages the demo MID Server (hosts.json → ../../demo/mid-server, created by
// `pulumi up` when missing). A real fleet, from config:
//
//   pulumi config set --path 'hosts[0].name' mid-lon-01
//   pulumi config set --path 'hosts[0].midHome' /opt/servicenow/mid
//   pulumi config set --path 'hosts[0].connection.host' 10.1.2.3
//   pulumi config set --path 'hosts[0].connection.user' mid
//   pulumi config set --path 'hosts[0].connection.hostKey' SHA256:...      # ssh-keygen -lf the host key
//   pulumi config set --secret sshPrivateKey < ~/.ssh/midtrust_ed25519      # used for every host
//   pulumi config set --secret storePassword
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { demoMidServer, MidServerFleet, type ConnectionInput } from 'midtrust';

interface HostConfig {
  name: string;
  /** Absolute, or relative to this directory. */
  midHome: string;
  connection?: Omit<ConnectionInput, 'privateKey'>;
}

const config = new pulumi.Config();
const configured = config.getObject<HostConfig[]>('hosts');
const hosts: HostConfig[] = configured ?? JSON.parse(fs.readFileSync(path.join(__dirname, 'hosts.json'), 'utf8'));
const demo = demoMidServer(path.resolve(__dirname, '..', '..', 'demo'), path.join(__dirname, '..', 'quickstart', 'demo-seed'), {
  create: !configured && !pulumi.runtime.isDryRun(),
});
const sshPrivateKey = config.getSecret('sshPrivateKey');

const certsDir = path.join(__dirname, '..', 'quickstart', 'certs');
const certificates = ['acme-root-ca', 'acme-issuing-ca', 'proxy-acme-example'].map((alias) => ({
  alias,
  certificatePem: fs.readFileSync(path.join(certsDir, `${alias}.pem`), 'utf8'),
}));

const fleet = new MidServerFleet('acme', {
  hosts: hosts.map((h) => ({
    name: h.name,
    midHome: h.connection ? h.midHome : path.resolve(__dirname, h.midHome),
    ...(h.connection ? { connection: pulumi.all([sshPrivateKey]).apply(([privateKey]) => ({ ...h.connection!, ...(privateKey ? { privateKey } : {}) })) } : {}),
  })),
  certificates,
  storePassword: config.getSecret('storePassword') ?? pulumi.secret(demo.storePassword),
  migrationStrategy: (config.get('migrationStrategy') as 'migrate_delta' | 'migrate_non_ca' | 'do_not_migrate' | undefined) ?? 'migrate_delta',
});

export const soonestExpiry = Object.fromEntries(Object.entries(fleet.truststores).map(([host, t]) => [host, t.soonestNotAfter]));
