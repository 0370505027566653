/**
 * The migrated-copy model (provider/mid/upgrade/migratedCopies.ts) and the CLI doors that use it
 * after a simulated MID upgrade (test/helpers/midUpgrade.ts): upgrade-preview and migrate name a
 * further generation (`snc_snc_…`), restore says what is trusted as a copy instead of restoring
 * it, report's drift says where a missing CA is trusted now. keytool judges every store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKeystore } from '../../provider/keystore/keystoreCodec';
import { copyGenerationsOf, migratedAlias, migratedCopiesOf, vendorRemovedRoot } from '../../provider/mid/upgrade/migratedCopies';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { simulateMidUpgrade } from '../helpers/midUpgrade';
import { acmePem, bundlePems, keytoolStore, sha256OfPem } from '../pulumi/providerFixtures';
import { keytoolAliases } from '../pulumi/deploymentFixtures';
import { CONFIG_XML, WRAPPER_OVERRIDE } from '../pulumi/providerMidFixtures';

describe('which alias is a migrated copy of which', () => {
  test.each<[string, string, number]>([
    ['snc_acme-root', 'acme-root', 1],
    ['snc_snc_acme-root', 'acme-root', 2],
    ['SNC_Acme-Root', 'acme-root', 1], // compared as Java compares aliases
    ['acme-root', 'acme-root', 0],
    ['snc_', 'snc_', 0],
    ['snc_snc_legacy', 'snc_legacy', 1], // a declared alias that starts with the prefix has copies too
    ['snc_acme-root-2', 'acme-root', 0],
    ['sac-acme-root', 'acme-root', 0],
  ])('%s is a copy of %s: generation %i', (alias, of, generations) => {
    expect(copyGenerationsOf(alias, of)).toBe(generations);
  });

  test('migratedAlias strips every prefix; a prefix alone is nothing', () => {
    expect(migratedAlias('snc_snc_acme-root')).toEqual({ original: 'acme-root', generations: 2 });
    expect(migratedAlias('sac-x', 'sac-')).toEqual({ original: 'x', generations: 1 });
    expect(migratedAlias('acme-root')).toBeUndefined();
    expect(migratedAlias('snc_')).toBeUndefined();
  });

  test("vendorRemovedRoot: upgrade-preview's resurrected rule", () => {
    const incoming = new Set(['aa']);
    expect(vendorRemovedRoot('digicert [jdk]', 'bb', incoming)).toBe(true);
    expect(vendorRemovedRoot('debian:digicert.pem', 'bb', incoming)).toBe(true);
    expect(vendorRemovedRoot('digicert [jdk]', 'aa', incoming)).toBe(false); // still shipped
    expect(vendorRemovedRoot('acme-root', 'bb', incoming)).toBe(false); // a private CA
    expect(vendorRemovedRoot('acme-root', 'bb', incoming, new Set(['bb']))).toBe(true); // the baseline decides when known
  });
});

describe('the CLI after a simulated MID upgrade (migrate_delta)', () => {
  const dir = tempDir('mt-copies-');
  const home = path.join(dir, 'mid');
  const cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
  const next = path.join(dir, 'next', 'cacerts');
  const env = { SP: 'changeit' };
  const root = acmePem('acme-root-ca');
  const leaf = acmePem('proxy-acme-example');

  beforeAll(() => {
    const pems = bundlePems();
    fs.mkdirSync(path.join(home, 'agent', 'conf'), { recursive: true });
    fs.mkdirSync(path.dirname(cacerts), { recursive: true });
    fs.mkdirSync(path.dirname(next));
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), CONFIG_XML);
    fs.writeFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), WRAPPER_OVERRIDE);
    keytoolStore(cacerts, 'changeit', { 'vendor-a [jdk]': pems[0], 'vendor-b [jdk]': pems[1], 'acme-root-ca': root, 'proxy-acme-example': leaf });
    keytoolStore(next, 'changeit', { 'vendor-a [jdk]': pems[0], 'vendor-d [jdk]': pems[3] });
    fs.writeFileSync(path.join(dir, 'desired.yaml'), `keystore:\n  midHome: ${home}\n  password: { env: SP }\ncertificates:\n  - alias: acme-root-ca\n    pem: |\n${root.trimEnd().replace(/^/gm, '      ')}\n`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the first upgrade keeps the CAs as snc_ copies; the model finds them by the one rule', async () => {
    await simulateMidUpgrade({ midHome: home, nextCacerts: next, password: 'changeit' });
    const listed = keytoolAliases(cacerts, 'changeit');
    expect(listed['snc_acme-root-ca']).toBe(sha256OfPem(root));
    expect(listed['snc_vendor-b [jdk]']).toBe(sha256OfPem(bundlePems()[1])); // resurrected, as upgrade-preview warns
    expect(listed['acme-root-ca']).toBeUndefined();
    const store = readKeystore(fs.readFileSync(cacerts), { password: 'changeit' });
    expect(migratedCopiesOf(store, 'acme-root-ca', sha256OfPem(root))).toEqual([
      { alias: 'snc_acme-root-ca', of: 'acme-root-ca', generations: 1, sha256: sha256OfPem(root), sameCertificate: true },
    ]);
  });

  test('restore says the CA is trusted as its migrated copy, restores nothing and writes nothing', async () => {
    const before = fs.readFileSync(cacerts);
    const r = await midtrust(['restore', '--mid-home', home, '--storepass-env', 'SP', '--json'], { env });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.restored).toEqual([]);
    expect(out.migrated).toEqual(
      expect.arrayContaining([expect.objectContaining({ alias: 'acme-root-ca', trustedAs: 'snc_acme-root-ca', note: 'trusted as snc_acme-root-ca (migrated by the upgrade)' })]),
    );
    expect(fs.readFileSync(cacerts).equals(before)).toBe(true);
    const text = await midtrust(['restore', '--mid-home', home, '--storepass-env', 'SP'], { env });
    expect(text.stdout).toContain('acme-root-ca: trusted as snc_acme-root-ca (migrated by the upgrade)');
  });

  test("report's drift says where the missing CA is trusted now", async () => {
    const r = await midtrust(['report', '--mid-home', home, '-f', path.join(dir, 'desired.yaml'), '--format', 'json'], { env });
    expect(r.code).toBe(0);
    const actions = JSON.parse(r.stdout).hosts[0].drift.actions;
    expect(actions).toEqual([expect.objectContaining({ action: 'add', alias: 'acme-root-ca', reason: 'not in the store; trusted as snc_acme-root-ca (migrated by the upgrade)' })]);
  });

  test('upgrade-preview names the next generation; the next upgrade makes it (snc_snc_), as previewed', async () => {
    const preview = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', next, '--storepass-env', 'SP', '--json'], { env });
    expect(preview.code).toBe(0);
    const entry = JSON.parse(preview.stdout).entries.find((e: { alias: string }) => e.alias === 'snc_snc_acme-root-ca');
    expect(entry).toEqual(expect.objectContaining({ outcome: 'migrated', previousAlias: 'snc_acme-root-ca', copyOf: { original: 'acme-root-ca', generations: 2 } }));
    expect(entry.reason).toContain('already a migrated copy of acme-root-ca');
    const text = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', next, '--storepass-env', 'SP'], { env, terminal: { columns: 80 } });
    expect(text.stdout).toMatch(/copy of acme-root-ca again/);
    // The table folds to 80 columns (lines naming the MID home's temp path cannot: no width holds a path).
    for (const line of text.stdout.split('\n').filter((l) => !l.includes(dir))) expect(line.length).toBeLessThanOrEqual(80);
    // migrate (the same code the simulated upgrade runs) does what the preview said: keytool agrees.
    const m = await midtrust(['migrate', '--mid-home', home, '--incoming', next, '--storepass-env', 'SP', '--json'], { env });
    expect(m.code).toBe(0);
    expect(keytoolAliases(cacerts, 'changeit')['snc_snc_acme-root-ca']).toBe(sha256OfPem(root));
  });
});
