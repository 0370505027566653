/**
 * Resources on a remote MID host: the `connection` input through the SDK's real dynamic-provider
 * host over gRPC, against a real OpenSSH server on loopback; and the MidServerFleet component.
 * Needs `npm run build` (the host runs dist/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, tempDir } from '../helpers/keytool';
import { secret, startDynamicProviderHost, urnFor, type DynamicProviderHost, type Props } from '../helpers/dynamicProviderHost';
import { runWithMocks } from '../helpers/pulumiMocks';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { MidServerFleet, Truststore } from '../../provider';
import { acmePem, bundlePems, keytoolStore, leaks, providerText, PROJECT_ROOT } from './providerFixtures';

const PASSWORD = 'Ssh-pw-4410';
needs('sshd').describe('Truststore with a connection input (SSH) through the gRPC host', () => {
  let sshd: TestSshd;
  let host: DynamicProviderHost;
  let provider: string;
  let tmp: string;
  const urn = urnFor('Truststore', 'remote');
  const connection = () => ({ host: '127.0.0.1', port: sshd.port, user: 'root', privateKey: sshd.privateKey, hostKey: sshd.hostKeyFingerprint });
  const inputs = (keystorePath: string, certificates: Props[], conn: Props = connection()): Props => ({ keystorePath, storePassword: secret(PASSWORD), connection: secret(conn), certificates, __provider: provider });

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = tempDir('mt-remote-');
    provider = await providerText('truststoreOps');
    host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT });
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    await sshd?.stop();
  });

  it('check refuses a connection without host key verification', async () => {
    const { failures } = await host.check(urn, {}, inputs('/opt/mid/agent/jre/lib/security/cacerts', [], { host: 'h', user: 'u', privateKey: 'k' }));
    expect(failures).toEqual([expect.objectContaining({ property: 'connection', reason: expect.stringMatching(/hostKey .* or connection\.knownHostsFile/) })]);
  });

  it('create, refresh drift and delete on the remote store; the key material stays out of other outputs', async () => {
    const store = keytoolStore(path.join(tmp, 'cacerts'), PASSWORD, { vendor: bundlePems()[0] });
    const certs = [{ alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') }];
    const created = await host.create(urn, inputs(store, certs));
    expect(keytoolList(store, PASSWORD).map((e) => e.alias).sort()).toEqual(['acme-root-ca', 'vendor']);
    expect(leaks(created.properties, sshd.privateKey.split('\n')[1])).toEqual(['connection.privateKey']);
    expect(leaks(created.properties, PASSWORD)).toEqual([]);
    fs.copyFileSync(keytoolStore(path.join(tmp, 'other'), PASSWORD, { vendor: bundlePems()[0] }), store); // someone reset the store
    const read = await host.read(created.id, urn, created.properties);
    expect((read.properties.entries as Props[]).length).toBe(0);
    await host.update(created.id, urn, created.properties, inputs(store, certs));
    expect(keytoolList(store, PASSWORD).map((e) => e.alias)).toContain('acme-root-ca');
    await host.delete(created.id, urn, { ...created.properties, ...inputs(store, certs) });
    expect(keytoolList(store, PASSWORD).map((e) => e.alias)).toEqual(['vendor']);
  }, 60_000);

  it('a changed machine is a replace; changed credentials are an update', async () => {
    const olds = inputs('/x/cacerts', []);
    expect((await host.diff('id', urn, olds, inputs('/x/cacerts', [], { ...connection(), host: '127.0.0.2' }))).replaces).toContain('connection');
    expect((await host.diff('id', urn, olds, inputs('/x/cacerts', [], { ...connection(), privateKey: 'rotated' }))).replaces).not.toContain('connection');
  });
});

test('MidServerFleet: one Truststore per host with stable names, connection and password secret', async () => {
  const { resources } = await runWithMocks(() => {
    new MidServerFleet('prod', {
      hosts: [
        { name: 'mid-lon-01', midHome: '/opt/servicenow/mid', connection: { host: '10.0.0.1', user: 'mid', privateKey: 'KEY', hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
        { name: 'mid-win-01', midHome: 'C:\\ServiceNow\\mid1', connection: { host: '10.0.0.2', user: 'mid', password: 'PW', hostKey: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' } },
      ],
      certificates: [{ alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') }],
      storePassword: 'changeit',
      migrationStrategy: 'migrate_delta',
    });
  });
  expect(resources.filter((r) => r.type === 'pulumi-nodejs:dynamic/midtrust:TruststoreMigrationStrategy').map((r) => `${r.name} ${r.inputs.strategy}`)).toEqual(['prod-mid-lon-01-strategy migrate_delta', 'prod-mid-win-01-strategy migrate_delta']);
  const children = resources.filter((r) => r.type === Truststore.__pulumiType);
  // Each child names its MID home: the store is the one that MID's JVM reads, resolved on the host.
  expect(children.map((r) => `${r.name} ${r.inputs.midHome} ${r.inputs.keystorePath}`)).toEqual([
    'prod-mid-lon-01 /opt/servicenow/mid undefined',
    'prod-mid-win-01 C:\\ServiceNow\\mid1 undefined',
  ]);
  for (const c of children) expect(c.secretInputs.sort()).toEqual(['connection', 'storePassword']);
  expect(resources.map((r) => r.type)).toContain(MidServerFleet.__pulumiType);
});
