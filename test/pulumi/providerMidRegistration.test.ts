/** The MID settings resources under pulumi.runtime.setMocks: type tokens (the policy pack matches them), secrecy, serializable providers. */
import { runWithMocks } from '../helpers/pulumiMocks';
import { ExternalTruststore, MidServerParameter, TruststoreMigrationStrategy } from '../../provider';

test('the three classes register with their type tokens; only storePassword is secret', async () => {
  const { resources } = await runWithMocks(() => {
    new TruststoreMigrationStrategy('s', { midHome: '/opt/mid', strategy: 'migrate_non_ca' });
    new MidServerParameter('p', { midHome: '/opt/mid', name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true' });
    new ExternalTruststore('e', { midHome: '/opt/mid', truststorePath: '/etc/mid/ts.p12', storePassword: 'plain-given' });
  });
  expect(resources.map((r) => r.type)).toEqual([
    'pulumi-nodejs:dynamic/midtrust:TruststoreMigrationStrategy',
    'pulumi-nodejs:dynamic/midtrust:MidServerParameter',
    'pulumi-nodejs:dynamic/midtrust:ExternalTruststore',
  ]);
  expect([TruststoreMigrationStrategy.__pulumiType, MidServerParameter.__pulumiType, ExternalTruststore.__pulumiType]).toEqual(resources.map((r) => r.type));
  expect(resources.map((r) => r.secretInputs)).toEqual([[], [], ['storePassword']]);
  expect(resources[1].inputs).toMatchObject({ name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true' });
  expect(JSON.stringify({ ...resources[2].inputs, storePassword: undefined })).not.toContain('plain-given');
});
