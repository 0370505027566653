/**
 * Keystore resources judged by whole deployments (test/helpers/deploymentEngine.ts plays the
 * engine's step order over the real dynamic-provider host, state kept between commands): renames,
 * moves between resource kinds, splits and merges, replacements, two stacks on one store, drift,
 * destroy. The rule: no refactor leaves a declared entry missing at the end of `up`, and `destroy`
 * leaves the store as the resources found it. Every assertion is keytool's view of the store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { TrustedCertificate, Truststore } from '../../provider';
import { runKeytool } from '../helpers/keytool';
import { acmePem, bundlePems, sha256OfPem } from './providerFixtures';
import { keytoolAliases, keytoolView, ownershipRecordOf, PASSWORD, Workspace } from './deploymentFixtures';

const ROOT = acmePem('acme-root-ca');
const ISSUING = acmePem('acme-issuing-ca');
const PROXY = acmePem('proxy-acme-example');

// Whole deployments start a dynamic-provider host per command (1–3 s each, far more on a loaded
// 2-core machine): timing is measured in bench/, never asserted here.
jest.setTimeout(5 * 60_000);

let ws: Workspace;
beforeAll(() => {
  ws = new Workspace();
});
afterAll(() => ws.remove());

/** One TrustedCertificate, named `name`, for `alias` → `pem` in `store`. */
function trusted(name: string, store: string, alias: string, pem: string, opts: pulumi.CustomResourceOptions = {}, extra: { overwrite?: boolean } = {}): TrustedCertificate {
  return new TrustedCertificate(name, { keystorePath: store, storePassword: PASSWORD, alias, certificatePem: pem, ...extra }, opts);
}

function truststore(name: string, store: string, certs: Record<string, string>, extra: { exclusive?: boolean; overwrite?: boolean } = {}, opts: pulumi.CustomResourceOptions = {}): Truststore {
  return new Truststore(name, { keystorePath: store, storePassword: PASSWORD, certificates: Object.entries(certs).map(([alias, certificatePem]) => ({ alias, certificatePem })), ...extra }, opts);
}

/** What a fresh store looks like to keytool, and its bytes, to compare after destroy. */
function snapshot(store: string): { view: string; bytes: Buffer } {
  return { view: keytoolView(store), bytes: fs.readFileSync(store) };
}

function expectAsFound(store: string, before: { view: string; bytes: Buffer }): void {
  expect(keytoolView(store)).toBe(before.view);
  // Nothing midtrust added is left beside it either.
  expect(ownershipRecordOf(store)).toBeUndefined();
}

test('rename without aliases: the successor keeps the entry; destroy leaves the store byte for byte as found', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const stack = ws.stack();
  expect(await stack.up(() => void trusted('acme-root', store, 'acme-root-ca', ROOT))).toEqual([{ op: 'create', urn: expect.stringContaining('::acme-root') }]);
  const steps = await stack.up(() => void trusted('acme-root-renamed', store, 'acme-root-ca', ROOT));
  expect(steps.map((s) => s.op)).toEqual(['create', 'delete']);
  expect(keytoolAliases(store)['acme-root-ca']).toBe(sha256OfPem(ROOT));
  await stack.refresh();
  expect(stack.state().resources).toHaveLength(1);
  await stack.destroy();
  expectAsFound(store, found);
  expect(fs.readFileSync(store).equals(found.bytes)).toBe(true);
});

test('rename with the aliases option: no create, no delete, nothing written', async () => {
  const store = ws.store();
  const stack = ws.stack();
  await stack.up(() => void trusted('old-name', store, 'acme-root-ca', ROOT));
  const bytes = fs.readFileSync(store);
  const steps = await stack.up(() => void trusted('new-name', store, 'acme-root-ca', ROOT, { aliases: [{ name: 'old-name' }] }));
  expect(steps.map((s) => s.op)).toEqual(['same']);
  expect(fs.readFileSync(store).equals(bytes)).toBe(true);
  await stack.destroy();
  expect(keytoolAliases(store)['acme-root-ca']).toBeUndefined();
});

test('moving entries from TrustedCertificates into a Truststore, splitting it in two, merging back: every entry stays; destroy restores the store', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const stack = ws.stack();
  const all = { 'acme-root-ca': ROOT, 'acme-issuing-ca': ISSUING, 'proxy-acme-example': PROXY };
  const expectAll = (): void => {
    const listed = keytoolAliases(store);
    for (const [alias, pem] of Object.entries(all)) expect(listed[alias]).toBe(sha256OfPem(pem));
  };
  await stack.up(() => {
    for (const [alias, pem] of Object.entries(all)) trusted(alias, store, alias, pem);
  });
  expectAll();
  expect((await stack.up(() => void truststore('everything', store, all))).map((s) => s.op)).toEqual(['create', 'delete', 'delete', 'delete']);
  expectAll();
  await stack.up(() => {
    truststore('cas', store, { 'acme-root-ca': ROOT, 'acme-issuing-ca': ISSUING });
    truststore('proxies', store, { 'proxy-acme-example': PROXY });
  });
  expectAll();
  await stack.up(() => void truststore('merged', store, all));
  expectAll();
  await stack.refresh();
  await stack.destroy();
  expectAsFound(store, found);
});

test('a CA the store already trusts is adopted without a write and survives destroy (the JDK keeps its own root)', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const vendorRoot = bundlePems()[1];
  const stack = ws.stack();
  await stack.up(() => {
    trusted('vendor-root', store, 'vendor-b', vendorRoot);
    trusted('vendor-root-again', store, 'my-copy-of-vendor-b', vendorRoot);
  });
  expect(keytoolAliases(store)['my-copy-of-vendor-b']).toBe(sha256OfPem(vendorRoot));
  await stack.destroy();
  expectAsFound(store, found);
  expect(fs.readFileSync(store).equals(found.bytes)).toBe(true);
});

test('a Truststore refuses an alias holding another certificate; with overwrite it takes it, and destroy puts the previous one back', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const stack = ws.stack();
  await expect(stack.up(() => void truststore('ts', store, { 'vendor-a': ROOT, 'acme-issuing-ca': ISSUING }))).rejects.toThrow(
    /alias vendor-a \(certificates\[0\]\) already trusts another certificate \(sha256 [0-9a-f]{12}…, subject [^)]+\); set overwrite: true/,
  );
  expect(keytoolView(store)).toBe(found.view);
  await stack.up(() => void truststore('ts', store, { 'vendor-a': ROOT, 'acme-issuing-ca': ISSUING }, { overwrite: true }));
  expect(keytoolAliases(store)['vendor-a']).toBe(sha256OfPem(ROOT));
  await stack.destroy();
  expectAsFound(store, found);
});

test('TrustedCertificate: overwrite takes an alias over, destroy gives the previous certificate back with its creation date', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const stack = ws.stack();
  await expect(stack.up(() => void trusted('t', store, 'vendor-c', ROOT))).rejects.toThrow(/alias vendor-c .*already trusts another certificate.*set overwrite: true/);
  await stack.up(() => void trusted('t', store, 'vendor-c', ROOT, {}, { overwrite: true }));
  expect(keytoolAliases(store)['vendor-c']).toBe(sha256OfPem(ROOT));
  await stack.destroy();
  expectAsFound(store, found);
});

test('an alias change is a replace: the new alias is created before the old one is given back', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const stack = ws.stack();
  await stack.up(() => void trusted('root', store, 'acme-root', ROOT));
  const steps = await stack.up(() => void trusted('root', store, 'acme-root-ca', ROOT));
  expect(steps.map((s) => s.op)).toEqual(['replace', 'delete-replaced']);
  const listed = keytoolAliases(store);
  expect(listed['acme-root-ca']).toBe(sha256OfPem(ROOT));
  expect(listed['acme-root']).toBeUndefined();
  await stack.destroy();
  expectAsFound(store, found);
});

test('keystorePath re-spelled through a symlink of the same file: replace, and the entry is still there at the end', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const link = path.join(path.dirname(store), 'cacerts-link');
  fs.symlinkSync(store, link);
  const stack = ws.stack();
  await stack.up(() => void trusted('root', store, 'acme-root-ca', ROOT));
  const steps = await stack.up(() => void trusted('root', link, 'acme-root-ca', ROOT));
  expect(steps.map((s) => s.op)).toEqual(['replace', 'delete-replaced']);
  expect(keytoolAliases(store)['acme-root-ca']).toBe(sha256OfPem(ROOT));
  // A re-spelling that normalises to the same path is no change at all.
  const respelled = `${path.dirname(link)}/./${path.basename(link)}`;
  expect((await stack.up(() => void trusted('root', respelled, 'acme-root-ca', ROOT))).map((s) => s.op)).toEqual(['same']);
  await stack.destroy();
  expectAsFound(store, found);
});

test('two stacks manage disjoint aliases of one store: destroying one leaves the other', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const a = ws.stack();
  const b = ws.stack();
  await a.up(() => void trusted('root', store, 'acme-root-ca', ROOT));
  await b.up(() => void truststore('proxies', store, { 'proxy-acme-example': PROXY }));
  await a.destroy();
  const listed = keytoolAliases(store);
  expect(listed['acme-root-ca']).toBeUndefined();
  expect(listed['proxy-acme-example']).toBe(sha256OfPem(PROXY));
  await b.destroy();
  expectAsFound(store, found);
});

test('exclusive: undeclared trusted entries are removed while declared, and destroy puts them back', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const stack = ws.stack();
  await stack.up(() => void truststore('only-acme', store, { 'acme-root-ca': ROOT }, { exclusive: true }));
  expect(Object.keys(keytoolAliases(store))).toEqual(['acme-root-ca']);
  // Turning exclusive off gives the vendor roots back at once.
  await stack.up(() => void truststore('only-acme', store, { 'acme-root-ca': ROOT }));
  expect(Object.keys(keytoolAliases(store)).sort()).toEqual(['acme-root-ca', 'vendor-a', 'vendor-b', 'vendor-c']);
  await stack.up(() => void truststore('only-acme', store, { 'acme-root-ca': ROOT }, { exclusive: true }));
  await stack.destroy();
  expectAsFound(store, found);
});

test('retainOnDelete: a resource dropped from the program leaves its entry in the store', async () => {
  const store = ws.store();
  const stack = ws.stack();
  await stack.up(() => void trusted('kept', store, 'acme-root-ca', ROOT, { retainOnDelete: true }));
  expect((await stack.up(() => undefined)).map((s) => s.op)).toEqual(['retain']);
  expect(keytoolAliases(store)['acme-root-ca']).toBe(sha256OfPem(ROOT));
});

test('drift: an entry deleted by hand shows on refresh and comes back with the next up; a store deleted out of band is a clear error until it is back', async () => {
  const store = ws.store();
  const found = snapshot(store);
  const stack = ws.stack();
  const program = (): void => void trusted('root', store, 'acme-root-ca', ROOT);
  await stack.up(program);
  runKeytool(['-delete', '-alias', 'acme-root-ca', '-keystore', store, '-storepass:env', 'PW'], { env: { PW: PASSWORD } });
  await stack.refresh();
  expect(stack.state().resources[0].outputs.sha256Fingerprint).toBeNull();
  expect((await stack.preview(program)).map((s) => s.op)).toEqual(['update']);
  expect((await stack.up(program)).map((s) => s.op)).toEqual(['update']);
  expect(keytoolAliases(store)['acme-root-ca']).toBe(sha256OfPem(ROOT));

  fs.rmSync(store);
  await stack.refresh();
  expect(stack.state().resources[0].outputs).toMatchObject({ sha256Fingerprint: null, storeType: null });
  await expect(stack.up(program)).rejects.toThrow(/the keystore does not exist; .*check keystorePath/);
  // The MID is reinstalled (its vendor cacerts back): the next up puts the entry back.
  fs.writeFileSync(store, found.bytes);
  await stack.up(program);
  expect(keytoolAliases(store)['acme-root-ca']).toBe(sha256OfPem(ROOT));
  await stack.destroy();
  expectAsFound(store, found);
});
