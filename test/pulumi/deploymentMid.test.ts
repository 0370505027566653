/**
 * Fleets and MID Server settings judged by whole deployments (see deploymentKeystore.test.ts):
 * fleets growing and shrinking, fleets and hosts renamed, MID parameters and external truststores
 * renamed, destroyed. Assertions look at keytool's view of each cacerts and at the text and mode of
 * config.xml and wrapper-override.conf.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExternalTruststore, MidServerFleet, MidServerParameter, TruststoreMigrationStrategy } from '../../provider';
import { acmePem, sha256OfPem } from './providerFixtures';
import { BUNDLED_PASSWORD, CONFIG_XML, configXmlOf, MidHomes, WRAPPER_OVERRIDE, wrapperOf } from './providerMidFixtures';
import { keytoolAliases, keytoolView, ownershipRecordPath, Workspace } from './deploymentFixtures';

const CERTS = ['acme-root-ca', 'acme-issuing-ca'].map((alias) => ({ alias, certificatePem: acmePem(alias as 'acme-root-ca') }));

// Whole deployments start a dynamic-provider host per command (1–3 s each, far more on a loaded
// 2-core machine): timing is measured in bench/, never asserted here.
jest.setTimeout(5 * 60_000);

let ws: Workspace;
let homes: MidHomes;
beforeAll(() => {
  ws = new Workspace();
  homes = new MidHomes(ws.dir);
});
afterAll(() => ws.remove());

const cacertsOf = (home: string): string => path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
const viewOf = (home: string): string => keytoolView(cacertsOf(home), BUNDLED_PASSWORD);
const trusts = (home: string): boolean => {
  const listed = keytoolAliases(cacertsOf(home), BUNDLED_PASSWORD);
  return CERTS.every((c) => listed[c.alias] === sha256OfPem(c.certificatePem));
};

function fleet(name: string, hosts: Array<{ name: string; midHome: string }>, extra: { migrationStrategy?: 'migrate_non_ca' } = {}): MidServerFleet {
  return new MidServerFleet(name, { hosts, certificates: CERTS, storePassword: BUNDLED_PASSWORD, ...extra });
}

test('a fleet grows from 3 to 5 hosts and shrinks to 2: new hosts get the CAs, removed hosts are given back, the others are not touched', async () => {
  const h = [1, 2, 3, 4, 5].map(() => homes.make());
  const found = h.map(viewOf);
  const foundXml = h.map(configXmlOf);
  const stack = ws.stack();
  const hosts = (n: number[]) => n.map((i) => ({ name: `mid-${i}`, midHome: h[i - 1] }));
  await stack.up(() => void fleet('prod', hosts([1, 2, 3]), { migrationStrategy: 'migrate_non_ca' }));
  expect(h.map(trusts)).toEqual([true, true, true, false, false]);
  const afterFirst = [0, 1, 2].map((i) => fs.readFileSync(cacertsOf(h[i])));

  const grow = await stack.up(() => void fleet('prod', hosts([1, 2, 3, 4, 5]), { migrationStrategy: 'migrate_non_ca' }));
  expect(grow.filter((s) => s.op === 'create').length).toBe(4); // a Truststore and a strategy for each new host
  expect(h.map(trusts)).toEqual([true, true, true, true, true]);
  [0, 1, 2].forEach((i) => expect(fs.readFileSync(cacertsOf(h[i])).equals(afterFirst[i])).toBe(true));

  await stack.up(() => void fleet('prod', hosts([1, 2]), { migrationStrategy: 'migrate_non_ca' }));
  expect(h.map(trusts)).toEqual([true, true, false, false, false]);
  [2, 3, 4].forEach((i) => {
    expect(viewOf(h[i])).toBe(found[i]);
    expect(configXmlOf(h[i])).toBe(foundXml[i]);
  });
  await stack.destroy();
  h.forEach((home, i) => {
    expect(viewOf(home)).toBe(found[i]);
    expect(configXmlOf(home)).toBe(foundXml[i]);
  });
});

test('renaming the fleet, then one of its hosts: every MID keeps its CAs and strategy; destroy gives everything back', async () => {
  const h = [homes.make(), homes.make()];
  const found = h.map(viewOf);
  const stack = ws.stack();
  await stack.up(() => void fleet('prod', [{ name: 'a', midHome: h[0] }, { name: 'b', midHome: h[1] }], { migrationStrategy: 'migrate_non_ca' }));
  const renamed = await stack.up(() => void fleet('production', [{ name: 'a', midHome: h[0] }, { name: 'b', midHome: h[1] }], { migrationStrategy: 'migrate_non_ca' }));
  expect(renamed.filter((s) => s.op === 'delete').length).toBe(5); // the old component and its four children
  expect(h.map(trusts)).toEqual([true, true]);
  h.forEach((home) => expect(configXmlOf(home)).toContain('name="mid.truststore.migration.strategy" value="migrate_non_ca"'));
  await stack.up(() => void fleet('production', [{ name: 'a-london', midHome: h[0] }, { name: 'b', midHome: h[1] }], { migrationStrategy: 'migrate_non_ca' }));
  expect(h.map(trusts)).toEqual([true, true]);
  expect(configXmlOf(h[0])).toContain('value="migrate_non_ca"');
  await stack.refresh();
  await stack.destroy();
  h.forEach((home, i) => {
    expect(viewOf(home)).toBe(found[i]);
    expect(configXmlOf(home)).toBe(CONFIG_XML);
  });
});

test('MidServerParameter and TruststoreMigrationStrategy: renames keep the line; destroy restores the value found before', async () => {
  const home = homes.make();
  const xml = path.join(home, 'agent', 'config.xml');
  // The MID already had a strategy, set by hand.
  const before = CONFIG_XML.replace('</parameters>', '    <parameter name="mid.truststore.migration.strategy" value="do_not_migrate"/>\n</parameters>');
  fs.writeFileSync(xml, before);
  const stack = ws.stack();
  await stack.up(() => {
    new TruststoreMigrationStrategy('strategy', { midHome: home, strategy: 'migrate_non_ca' });
    new MidServerParameter('chain-check', { midHome: home, name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true' });
  });
  await stack.up(() => {
    new TruststoreMigrationStrategy('mid1-strategy', { midHome: home, strategy: 'migrate_non_ca' });
    new MidServerParameter('mid1-chain-check', { midHome: home, name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true' });
  });
  expect(configXmlOf(home)).toContain('name="mid.truststore.migration.strategy" value="migrate_non_ca"');
  expect(configXmlOf(home)).toContain('name="mid.ssl.bootstrap.default.check_cert_chain" value="true"');
  await stack.destroy();
  expect(configXmlOf(home)).toBe(before);
  expect(fs.existsSync(ownershipRecordPath(xml))).toBe(false);
  expect(fs.existsSync(`${xml}.midtrust-owners.json`)).toBe(false);
});

test('ExternalTruststore: a rename keeps the javax.net.ssl lines; destroy removes them, the store and the directories it made', async () => {
  const home = homes.make();
  const base = path.join(ws.dir, 'etc-servicenow');
  const truststorePath = path.join(base, 'mid1', 'truststore.p12');
  const stack = ws.stack();
  await stack.up(() => void new ExternalTruststore('ext', { midHome: home, truststorePath, seedFromBundled: true }));
  expect(wrapperOf(home)).toContain(`-Djavax.net.ssl.trustStore=${truststorePath}`);
  // Password-less PKCS12 by default: no password line at all, and the file keeps its mode.
  expect(wrapperOf(home)).not.toContain('trustStorePassword');
  await stack.up(() => void new ExternalTruststore('mid1-external', { midHome: home, truststorePath, seedFromBundled: true }));
  expect(wrapperOf(home)).toContain(`-Djavax.net.ssl.trustStore=${truststorePath}`);
  expect(fs.existsSync(truststorePath)).toBe(true);
  await stack.destroy();
  expect(wrapperOf(home)).toBe(WRAPPER_OVERRIDE);
  expect(fs.existsSync(truststorePath)).toBe(false);
  expect(fs.existsSync(base)).toBe(false);
});

test('ExternalTruststore with a password: wrapper-override.conf ends up 0600 with its owner kept, and destroy gives its mode back', async () => {
  const home = homes.make();
  const conf = path.join(home, 'agent', 'conf', 'wrapper-override.conf');
  fs.chmodSync(conf, 0o644);
  fs.chownSync(conf, 4321, 4321);
  const truststorePath = path.join(ws.dir, 'ext-pw', 'truststore.jks');
  const stack = ws.stack();
  await stack.up(() => void new ExternalTruststore('ext', { midHome: home, truststorePath, storeType: 'JKS', storePassword: 'Ext-pw-77' }));
  const st = fs.statSync(conf);
  expect(st.mode & 0o777).toBe(0o600);
  expect([st.uid, st.gid]).toEqual([4321, 4321]);
  expect(wrapperOf(home)).toContain('-Djavax.net.ssl.trustStorePassword=Ext-pw-77');
  // The ownership record beside it may hold a previous password: never readable by others.
  expect(fs.statSync(ownershipRecordPath(conf)).mode & 0o077).toBe(0);
  await stack.destroy();
  expect(wrapperOf(home)).toBe(WRAPPER_OVERRIDE);
  expect(fs.statSync(conf).mode & 0o777).toBe(0o644);
});

test('ExternalTruststore: directories it creates belong to the MID home owner and can be entered by the MID account', async () => {
  const home = homes.make();
  fs.chownSync(path.join(home, 'agent'), 2345, 2345);
  const truststorePath = path.join(ws.dir, 'opt-truststores', 'mid9', 'truststore.p12');
  const stack = ws.stack();
  await stack.up(() => void new ExternalTruststore('ext', { midHome: home, truststorePath }));
  for (const d of [path.dirname(truststorePath), path.dirname(path.dirname(truststorePath))]) {
    const st = fs.statSync(d);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([2345, 2345, 0o755]);
  }
  expect(fs.statSync(truststorePath).mode & 0o004).toBe(0o004);
  // Said, not only done: the outputs name the directories it made.
  const outputs = stack.state().resources.find((r) => r.type.endsWith('ExternalTruststore'))!.outputs;
  expect(outputs.createdDirectories).toEqual([path.dirname(path.dirname(truststorePath)), path.dirname(truststorePath)]);
  expect(outputs.note).toMatch(new RegExp(`Created ${path.dirname(path.dirname(truststorePath))}, .*owned like agent/`));
  await stack.destroy();
  expect(fs.existsSync(path.dirname(path.dirname(truststorePath)))).toBe(false);
});
