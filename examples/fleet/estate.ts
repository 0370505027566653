// A real estate's fleet, every connection field from stack config as its own secret: admins log in
// as themselves with an encrypted key, act on the MID home as the MID account through `sudo -n`,
// and reach the MID hosts only through a bastion. docs/fleet.md shows the middle of this file, and
// test/pulumi/estateConnection.test.ts runs it against real sshd, sudo and keytool.
//
//   pulumi config set --path 'estateHosts[0].name' mid-lon-01   (and address, midHome, hostKey)
//   pulumi config set --secret sshUser admin
//   pulumi config set --secret sshKey < ~/.ssh/midtrust_ed25519
//   pulumi config set --secret sshKeyPassphrase; pulumi config set --secret midAccount snc_mid
//   pulumi config set --secret bastionHost bastion.acme.example  (and bastionHostKey SHA256:…)
//   pulumi config set --secret storePassword-mid-lon-01          (one per host)
import * as pulumi from '@pulumi/pulumi';
import { MidServerFleet, type ConnectionInput } from 'midtrust';

/** One MID host of the estate (config `estateHosts`). */
export interface EstateHost {
  name: string;
  address: string;
  sshPort?: number;
  midHome: string;
  /** `SHA256:…` of the MID host's SSH host key. */
  hostKey: string;
}

/** The estate's MidServerFleet, from `config`, trusting `certificates`. */
export function estateFleet(config: pulumi.Config, certificates: Array<{ alias: string; certificatePem: string }>): MidServerFleet {
  const hosts = config.requireObject<EstateHost[]>('estateHosts');
  const connection = (h: EstateHost): ConnectionInput => ({
    host: h.address,
    port: h.sshPort,
    user: config.requireSecret('sshUser'), // an admin, not the MID account
    privateKey: config.requireSecret('sshKey'),
    passphrase: config.requireSecret('sshKeyPassphrase'), // the key is encrypted
    become: config.requireSecret('midAccount'), // sudo -n -u snc_mid
    hostKey: h.hostKey,
    proxyJump: [{ host: config.requireSecret('bastionHost'), port: config.getSecretNumber('bastionPort'), hostKey: config.requireSecret('bastionHostKey') }],
  });
  return new MidServerFleet('estate', {
    hosts: hosts.map((h) => ({ name: h.name, midHome: h.midHome, connection: connection(h), storePassword: config.requireSecret(`storePassword-${h.name}`) })),
    certificates,
  });
}
