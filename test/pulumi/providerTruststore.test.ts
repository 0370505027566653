/**
 * Truststore through the SDK's real dynamic-provider host over gRPC, keytool as the oracle.
 * Needs `npm run build` (the host runs dist/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, runKeytool, tempDir } from '../helpers/keytool';
import { isSecret, secret, startDynamicProviderHost, UNKNOWN, unwrapSecrets, urnFor, type DynamicProviderHost, type Props } from '../helpers/dynamicProviderHost';
import { acmePem, bundlePems, keytoolStore, leaks, providerText, sha256OfPem, PROJECT_ROOT } from './providerFixtures';

const PASSWORD = 'Ts-pw-91c2';
const URN = urnFor('Truststore', 'ts');
const ROOT = { alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') };
const ISSUING = { alias: 'acme-issuing-ca', certificatePem: acmePem('acme-issuing-ca') };
const PROXY = { alias: 'proxy-acme-example', certificatePem: acmePem('proxy-acme-example') };

let host: DynamicProviderHost;
let provider: string;
let tmp: string;
let baseStore: string;
let n = 0;

function freshStore(): string {
  const file = path.join(tmp, `store-${++n}.jks`);
  fs.copyFileSync(baseStore, file);
  return file;
}

function inputs(keystorePath: string, certificates: Props[], extra: Props = {}): Props {
  return { keystorePath, storePassword: secret(PASSWORD), certificates, __provider: provider, ...extra };
}

function list(store: string): Map<string, string | undefined> {
  return new Map(keytoolList(store, PASSWORD).map((e) => [e.alias, e.sha256]));
}

beforeAll(async () => {
  tmp = tempDir('midtrust-provider-ts-');
  baseStore = keytoolStore(path.join(tmp, 'base.jks'), PASSWORD, { 'vendor-a': bundlePems()[0], 'vendor-b': bundlePems()[1] });
  provider = await providerText('truststoreOps');
  host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT });
});

afterAll(async () => {
  await host?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('check: one failure per bad certificate or duplicate alias, named by index; unknowns skipped', async () => {
  const { failures } = await host.check(URN, {}, inputs('relative/cacerts', [
    ROOT,
    { alias: 'ACME-ROOT-CA', certificatePem: acmePem('proxy-acme-example') },
    { alias: 'bad', certificatePem: 'not a pem!' },
    { alias: '', certificatePem: acmePem('acme-issuing-ca') },
    { alias: UNKNOWN, certificatePem: UNKNOWN },
  ], { exclusive: 'sometimes' }));
  const byProperty = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
  expect(Object.keys(byProperty).sort()).toEqual(['certificates[1].alias', 'certificates[2].certificatePem', 'certificates[3].alias', 'exclusive', 'keystorePath']);
  expect(byProperty['certificates[1].alias']).toMatch(/already declared by certificates\[0\]; .*case-insensitively/);
  expect(byProperty['certificates[2].certificatePem']).toMatch(/not a certificate/);
  expect(byProperty['certificates[3].alias']).toMatch(/alias is empty/);
  expect(byProperty.keystorePath).toMatch(/relative path/);
  expect((await host.check(URN, {}, inputs(UNKNOWN, UNKNOWN as unknown as Props[]))).failures).toEqual([]);
});

test('create adds the set in one write, keeps other entries; outputs per-entry fingerprints and the soonest notAfter', async () => {
  const store = freshStore();
  const created = await host.create(URN, inputs(store, [ROOT, ISSUING]));
  const outs = unwrapSecrets<Props>(created.properties);
  expect(outs.entries).toEqual([
    { alias: 'acme-root-ca', sha256Fingerprint: sha256OfPem(ROOT.certificatePem), subject: expect.stringContaining('Root CA'), notAfter: '2056-11-19T00:39:10.000Z' },
    { alias: 'acme-issuing-ca', sha256Fingerprint: sha256OfPem(ISSUING.certificatePem), subject: expect.stringContaining('Issuing CA'), notAfter: '2056-09-30T00:39:11.000Z' },
  ]);
  expect(outs.soonestNotAfter).toBe('2056-09-30T00:39:11.000Z');
  expect(outs.storeType).toBe('JKS');
  expect(isSecret(created.properties.storePassword)).toBe(true);
  expect(leaks(created.properties, PASSWORD)).toEqual([]);
  expect([...list(store).keys()].sort()).toEqual(['acme-issuing-ca', 'acme-root-ca', 'vendor-a', 'vendor-b']);
});

test('update: added, changed and dropped certificates in one write; exclusive removes undeclared trusted entries', async () => {
  const store = freshStore();
  const created = await host.create(URN, inputs(store, [ROOT, ISSUING]));
  const next = inputs(store, [ROOT, { alias: 'acme-issuing-ca', certificatePem: acmePem('proxy-acme-example') }, PROXY]);
  expect(await host.diff(created.id, URN, created.properties, next)).toMatchObject({ changes: 'DIFF_SOME', replaces: [] });
  const updated = await host.update(created.id, URN, created.properties, next);
  let listed = list(store);
  expect(listed.get('acme-issuing-ca')).toBe(sha256OfPem(acmePem('proxy-acme-example')));
  expect(listed.get('proxy-acme-example')).toBe(sha256OfPem(acmePem('proxy-acme-example')));

  const dropped = inputs(store, [ROOT]);
  const afterDrop = await host.update(created.id, URN, updated.properties, dropped);
  expect([...list(store).keys()].sort()).toEqual(['acme-root-ca', 'vendor-a', 'vendor-b']);

  const exclusive = inputs(store, [ROOT], { exclusive: true });
  expect((await host.diff(created.id, URN, afterDrop.properties, exclusive)).changes).toBe('DIFF_SOME');
  const afterExclusive = await host.update(created.id, URN, afterDrop.properties, exclusive);
  listed = list(store);
  expect([...listed.keys()]).toEqual(['acme-root-ca']);
  expect(unwrapSecrets<Props>(afterExclusive.properties).unmanagedAliases).toEqual([]);

  // Drift under exclusive: someone imports a CA by hand; refresh lists it, the next diff plans an update.
  fs.writeFileSync(path.join(tmp, 'hand.pem'), bundlePems()[5]);
  runKeytool(['-importcert', '-noprompt', '-alias', 'by-hand', '-file', path.join(tmp, 'hand.pem'), '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
  const read = await host.read(created.id, URN, afterExclusive.properties, exclusive);
  expect(unwrapSecrets<Props>(read.properties).unmanagedAliases).toEqual(['by-hand']);
  expect((await host.diff(created.id, URN, read.properties, exclusive)).changes).toBe('DIFF_SOME');
  expect((await host.diff(created.id, URN, afterExclusive.properties, exclusive)).changes).toBe('DIFF_NONE');
});

test('read after keytool tampering: deleted and replaced entries show in entries; the store gone → no entries, the resource stays', async () => {
  const store = freshStore();
  const created = await host.create(URN, inputs(store, [ROOT, ISSUING]));
  runKeytool(['-delete', '-alias', 'acme-root-ca', '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
  fs.writeFileSync(path.join(tmp, 'proxy.pem'), acmePem('proxy-acme-example'));
  runKeytool(['-delete', '-alias', 'acme-issuing-ca', '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
  runKeytool(['-importcert', '-noprompt', '-alias', 'acme-issuing-ca', '-file', path.join(tmp, 'proxy.pem'), '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });

  const read = await host.read(created.id, URN, created.properties, inputs(store, [ROOT, ISSUING]));
  const props = unwrapSecrets<Props>(read.properties);
  expect(props.entries).toEqual([expect.objectContaining({ alias: 'acme-issuing-ca', sha256Fingerprint: sha256OfPem(acmePem('proxy-acme-example')) })]);
  expect(unwrapSecrets<Props>(read.inputs).certificates).toEqual([ROOT, ISSUING]);
  expect((await host.diff(read.id, URN, read.properties, inputs(store, [ROOT, ISSUING]))).changes).toBe('DIFF_SOME');
  await host.update(read.id, URN, read.properties, inputs(store, [ROOT, ISSUING]));
  expect(list(store).get('acme-issuing-ca')).toBe(sha256OfPem(ISSUING.certificatePem));
  expect(list(store).get('acme-root-ca')).toBe(sha256OfPem(ROOT.certificatePem));

  fs.rmSync(store);
  const gone = await host.read(read.id, URN, read.properties);
  expect(gone.id).toBe(read.id);
  expect(unwrapSecrets<Props>(gone.properties)).toMatchObject({ entries: [], storeType: null });
});

test('diff: PEM reformatting and alias case are no change; keystorePath → replace, create before delete even for the same file', async () => {
  const store = freshStore();
  const created = await host.create(URN, inputs(store, [ROOT]));
  const crlf = { alias: 'ACME-ROOT-CA', certificatePem: ROOT.certificatePem.replace(/\n/g, '\r\n') };
  expect((await host.diff(created.id, URN, created.properties, inputs(store, [crlf]))).changes).toBe('DIFF_NONE');
  expect(await host.diff(created.id, URN, created.properties, inputs(path.join(tmp, 'b.jks'), [ROOT]))).toMatchObject({ replaces: ['keystorePath'], deleteBeforeReplace: false });
  const link = path.join(tmp, 'link.jks');
  fs.symlinkSync(store, link);
  expect(await host.diff(created.id, URN, created.properties, inputs(link, [ROOT]))).toMatchObject({ replaces: ['keystorePath'], deleteBeforeReplace: false });
  expect((await host.diff(created.id, URN, created.properties, inputs(store, [ROOT, { alias: UNKNOWN, certificatePem: UNKNOWN }]))).changes).toBe('DIFF_SOME');
});

test('delete removes only the declared entries still holding their recorded certificates, even with exclusive', async () => {
  const store = freshStore();
  const created = await host.create(URN, inputs(store, [ROOT, ISSUING]));
  // Someone replaced one declared entry: it is not this resource's any more.
  fs.writeFileSync(path.join(tmp, 'proxy2.pem'), acmePem('proxy-acme-example'));
  runKeytool(['-delete', '-alias', 'acme-issuing-ca', '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
  runKeytool(['-importcert', '-noprompt', '-alias', 'acme-issuing-ca', '-file', path.join(tmp, 'proxy2.pem'), '-keystore', store, '-storepass:env', 'MT_PW'], { env: { MT_PW: PASSWORD } });
  await host.delete(created.id, URN, { ...created.properties, exclusive: true });
  expect([...list(store).keys()].sort()).toEqual(['acme-issuing-ca', 'vendor-a', 'vendor-b']);
  await host.delete(created.id, URN, created.properties);
  await host.delete(created.id, URN, { ...created.properties, keystorePath: path.join(tmp, 'gone', 'cacerts') });
});

test('several Truststores on one keystore in parallel: nothing lost', async () => {
  const store = freshStore();
  const sets = [[ROOT], [ISSUING], [PROXY]];
  await Promise.all(sets.map((set, i) => host.create(urnFor('Truststore', `ts-${i}`), inputs(store, set))));
  expect([...list(store).keys()].sort()).toEqual(['acme-issuing-ca', 'acme-root-ca', 'proxy-acme-example', 'vendor-a', 'vendor-b']);
});

test('issue 19 item 6: aliases named like Object.prototype members (constructor, __proto__, toString) work through create, read, update and delete', async () => {
  const store = freshStore();
  const odd = [
    { alias: 'constructor', certificatePem: acmePem('acme-root-ca') },
    { alias: '__proto__', certificatePem: acmePem('acme-issuing-ca') },
    { alias: 'toString', certificatePem: acmePem('proxy-acme-example') },
  ];
  expect((await host.check(URN, {}, inputs(store, odd))).failures).toEqual([]);
  const created = await host.create(URN, inputs(store, odd));
  expect([...list(store).keys()].sort()).toEqual(['__proto__', 'constructor', 'tostring', 'vendor-a', 'vendor-b']);
  const read = await host.read(created.id, URN, created.properties, inputs(store, odd));
  expect((unwrapSecrets<Props>(read.properties).entries as Props[]).map((e) => e.alias)).toEqual(['constructor', '__proto__', 'toString']);
  const updated = await host.update(created.id, URN, created.properties, inputs(store, odd.slice(1)));
  expect([...list(store).keys()].sort()).toEqual(['__proto__', 'tostring', 'vendor-a', 'vendor-b']);
  await host.delete(created.id, URN, updated.properties);
  expect([...list(store).keys()].sort()).toEqual(['vendor-a', 'vendor-b']);
});
