/**
 * Registration under pulumi.runtime.setMocks (type tokens, secrecy, a serializable provider), and
 * how the serialized provider finds the library in the host: the installed `midtrust` package first,
 * the captured dist/ directory otherwise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/keytool';
import { serializeProvider, startDynamicProviderHost, unwrapSecrets, urnFor, type Props } from '../helpers/dynamicProviderHost';
import { runWithMocks } from '../helpers/pulumiMocks';
import { MidtrustProvider } from '../../provider/resources/midtrustProvider';
import { TrustedCertificate, Truststore } from '../../provider';
import { acmePem, keytoolStore, PROJECT_ROOT } from './providerFixtures';

test('both classes register with their type tokens, a secret storePassword and an SDK-serializable provider', async () => {
  const pulumi = await import('@pulumi/pulumi');
  const { resources } = await runWithMocks(() => {
    new TrustedCertificate('root', { keystorePath: '/opt/mid/cacerts', storePassword: 'plain-given', alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') });
    new Truststore('fleet-1', {
      keystorePath: '/opt/mid/cacerts',
      storePassword: pulumi.secret('already-secret'),
      certificates: [{ alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') }],
      exclusive: true,
    });
  });
  expect(resources.map((r) => r.type)).toEqual([TrustedCertificate.__pulumiType, Truststore.__pulumiType]);
  expect(TrustedCertificate.__pulumiType).toBe('pulumi-nodejs:dynamic/midtrust:TrustedCertificate');
  expect(Truststore.__pulumiType).toBe('pulumi-nodejs:dynamic/midtrust:Truststore');
  for (const r of resources) {
    expect(r.custom).toBe(true);
    // A plain password is wrapped too; nothing else is secret, so nothing else can hold it.
    expect(r.secretInputs).toEqual(['storePassword']);
    expect(JSON.stringify({ ...r.inputs, storePassword: undefined })).not.toMatch(/plain-given|already-secret/);
  }
  const [tc, ts] = resources;
  expect(tc.inputs).toMatchObject({ keystorePath: '/opt/mid/cacerts', alias: 'acme-root-ca', storePassword: 'plain-given' });
  // The library path is relative to the Pulumi project (the program's working directory).
  expect(tc.inputs.__provider).toBe(await serializeProvider(new MidtrustProvider('trustedCertificateOps', 'dist/provider/resources')));
  expect(ts.inputs.__provider).toBe(await serializeProvider(new MidtrustProvider('truststoreOps', 'dist/provider/resources')));
  // The serialized provider carries no absolute path of this machine, never a password or a PEM.
  expect(String(tc.inputs.__provider)).not.toMatch(/plain-given|BEGIN CERTIFICATE/);
  expect(String(tc.inputs.__provider)).not.toContain(PROJECT_ROOT);
});

test('omitting storePassword registers no password at all', async () => {
  const { resources } = await runWithMocks(() => {
    new TrustedCertificate('nopw', { keystorePath: '/opt/mid/cacerts.p12', alias: 'a', certificatePem: acmePem('acme-root-ca') });
  });
  expect(resources[0].secretInputs).toEqual([]);
  expect(resources[0].inputs.storePassword).toBeUndefined();
});

test('in a project that installed midtrust as a package, the host loads it from node_modules (captured path unused)', async () => {
  const project = tempDir('midtrust-user-project-');
  try {
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules', '@pulumi'), path.join(project, 'node_modules', '@pulumi'));
    fs.symlinkSync(PROJECT_ROOT, path.join(project, 'node_modules', 'midtrust'));
    const store = keytoolStore(path.join(project, 'cacerts'), 'changeit', { seed: acmePem('acme-issuing-ca') });
    // A captured directory that does not exist: only the package path can work.
    const text = await serializeProvider(new MidtrustProvider('trustedCertificateOps', '/nonexistent/midtrust/dist/provider/resources'));
    const host = await startDynamicProviderHost({ projectRoot: project });
    try {
      const created = await host.create(urnFor('TrustedCertificate', 'pkg'), {
        keystorePath: store,
        storePassword: 'changeit',
        alias: 'acme-root-ca',
        certificatePem: acmePem('acme-root-ca'),
        __provider: text,
      });
      expect(unwrapSecrets<Props>(created.properties).alias).toBe('acme-root-ca');
    } finally {
      await host.close();
    }
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});
