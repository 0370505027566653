/**
 * The MID settings resources on a remote MID host (`connection` input) through the SDK's real
 * dynamic-provider host over gRPC, against a real OpenSSH server on loopback. Needs `npm run build`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, tempDir } from '../helpers/keytool';
import { secret, startDynamicProviderHost, urnFor, type DynamicProviderHost, type Props } from '../helpers/dynamicProviderHost';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { providerText, PROJECT_ROOT } from './providerFixtures';
import { configXmlOf, CONFIG_XML, MidHomes, wrapperOf } from './providerMidFixtures';

needs('sshd').describe('MID settings resources with a connection input (SSH)', () => {
  let sshd: TestSshd;
  let host: DynamicProviderHost;
  let homes: MidHomes;
  let dir: string;
  const connection = () => secret({ host: '127.0.0.1', port: sshd.port, user: 'root', privateKey: sshd.privateKey, hostKey: sshd.hostKeyFingerprint });

  beforeAll(async () => {
    sshd = await startSshd();
    dir = tempDir('mt-mid-ssh-');
    homes = new MidHomes(dir);
    host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT });
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    await sshd?.stop();
  });

  it('TruststoreMigrationStrategy sets, reads and removes the parameter on the remote config.xml; restartCommand runs on the MID host', async () => {
    const home = homes.make();
    const marker = path.join(home, 'restarted-remotely');
    const urn = urnFor('TruststoreMigrationStrategy', 'remote');
    const inputs: Props = { midHome: home, strategy: 'migrate_non_ca', connection: connection(), restartCommand: `touch '${marker}'`, __provider: await providerText('truststoreMigrationStrategyOps') };
    const created = await host.create(urn, inputs);
    expect(configXmlOf(home)).toContain('<parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>');
    expect(fs.existsSync(marker)).toBe(true);
    const read = await host.read(created.id, urn, created.properties);
    expect(read.properties.strategy).toBe('migrate_non_ca');
    await host.delete(created.id, urn, created.properties);
    expect(configXmlOf(home)).toBe(CONFIG_XML);
  }, 60_000);

  it('ExternalTruststore creates the remote store from the bundled cacerts and wires wrapper-override.conf', async () => {
    const home = homes.make();
    const store = path.join(dir, `external-${path.basename(home)}.p12`);
    const urn = urnFor('ExternalTruststore', 'remote');
    const inputs: Props = { midHome: home, truststorePath: store, seedFromBundled: true, connection: connection(), __provider: await providerText('externalTruststoreOps') };
    const created = await host.create(urn, inputs);
    expect(keytoolList(store, undefined).map((e) => e.alias).sort()).toEqual(['seed-a', 'seed-b', 'seed-c']);
    expect(wrapperOf(home)).toContain(`-Djavax.net.ssl.trustStore=${store}`);
    await host.delete(created.id, urn, created.properties);
    expect(wrapperOf(home)).not.toContain('javax.net.ssl.trustStore');
  }, 60_000);
});
