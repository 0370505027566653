/**
 * The Pulumi resources through the SDK's own dynamic-provider host running under the Windows
 * node.exe (Wine), driven over gRPC as the engine drives it, on a store at C:\pulumi\cacerts.
 * keytool (Linux, Java 17) judges the store after every step. The provider is serialized here
 * (Linux node) with the library path in its Z:\ form, as a Windows `pulumi up` would serialize it
 * with its own path.
 */
import * as fs from 'node:fs';
import { compiledResourcesDir } from '../../provider/resources/midtrustProvider';
import { startDynamicProviderHost, secret, unwrapSecrets, urnFor, type DynamicProviderHost, type Props } from '../helpers/dynamicProviderHost';
import { keytoolList } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { WinePrefix, zPath } from '../helpers/windowsNode';
import { acmePem, bundlePems, keytoolStore, providerText, sha256OfPem, PROJECT_ROOT } from '../pulumi/providerFixtures';

const PASSWORD = 'Win-pulumi-5d';
const STORE = 'C:\\pulumi\\cacerts';
const ROOT = { alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') };
const ISSUING = { alias: 'acme-issuing-ca', certificatePem: acmePem('acme-issuing-ca') };

needs('wine', 'keytool').describe('Pulumi resources through the dynamic-provider host under node.exe (Wine)', () => {
  let wine: WinePrefix;
  let host: DynamicProviderHost;
  let store: string;
  const aliases = (): string[] => keytoolList(store, PASSWORD).map((e) => e.alias).sort();

  beforeAll(async () => {
    wine = await WinePrefix.create();
    store = wine.toLinux(STORE);
    fs.mkdirSync(wine.toLinux('C:\\pulumi'));
    keytoolStore(store, PASSWORD, { 'vendor-a': bundlePems()[0] });
    // Loading @pulumi/pulumi through Wine from Z: takes tens of seconds: one host for the file.
    host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT, launch: wine.dynamicProviderLauncher(PROJECT_ROOT) });
  }, 240_000);

  afterAll(async () => {
    await host?.close();
    await wine?.stop();
  });

  it('Truststore: create, read, update, delete on C:\\pulumi\\cacerts — keytool sees each step', async () => {
    const provider = await providerText('truststoreOps', zPath(compiledResourcesDir()));
    const urn = urnFor('Truststore', 'win');
    const inputs = (certificates: Props[]): Props => ({ keystorePath: STORE, storePassword: secret(PASSWORD), certificates, __provider: provider });
    const created = await host.create(urn, inputs([ROOT]));
    expect(unwrapSecrets<Props>(created.properties).entries).toEqual([expect.objectContaining({ alias: 'acme-root-ca', sha256Fingerprint: sha256OfPem(ROOT.certificatePem) })]);
    expect(aliases()).toEqual(['acme-root-ca', 'vendor-a']);
    const updated = await host.update(created.id, urn, created.properties, inputs([ROOT, ISSUING]));
    expect(aliases()).toEqual(['acme-issuing-ca', 'acme-root-ca', 'vendor-a']);
    const read = await host.read(created.id, urn, updated.properties, inputs([ROOT, ISSUING]));
    expect((unwrapSecrets<Props>(read.properties).entries as Props[]).map((e) => e.alias)).toEqual(['acme-root-ca', 'acme-issuing-ca']);
    await host.delete(created.id, urn, updated.properties);
    expect(aliases()).toEqual(['vendor-a']);
  });

  it('TrustedCertificate: create and delete one entry', async () => {
    const provider = await providerText('trustedCertificateOps', zPath(compiledResourcesDir()));
    const urn = urnFor('TrustedCertificate', 'win');
    const props = { keystorePath: STORE, storePassword: secret(PASSWORD), alias: ISSUING.alias, certificatePem: ISSUING.certificatePem, __provider: provider };
    const created = await host.create(urn, props);
    expect(unwrapSecrets<Props>(created.properties).sha256Fingerprint).toBe(sha256OfPem(ISSUING.certificatePem));
    expect(aliases()).toEqual(['acme-issuing-ca', 'vendor-a']);
    await host.delete(created.id, urn, created.properties);
    expect(aliases()).toEqual(['vendor-a']);
  });
});
