/**
 * Ownership records under stress, judged by whole deployments (test/helpers/deploymentEngine.ts
 * over the real dynamic-provider host) with keytool as the oracle: a record deleted, truncated,
 * restored from an old copy, planted by the account owning the MID home (naming other files,
 * oversized), lost between two stacks sharing an entry, and a stale owner after `pulumi state
 * delete` listed and pruned by `midtrust owners`. The rules: a record that does not match is
 * reported, never acted on; no file outside the described store is ever removed; a lost record
 * degrades to "keep", never to "refuse my own alias" or "restore my own old CA".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { ExternalTruststore, TrustedCertificate } from '../../provider';
import { runKeytool } from '../helpers/keytool';
import { midtrustProcess } from '../helpers/midtrustCli';
import { acmePem, keytoolStore, sha256OfPem } from './providerFixtures';
import { BUNDLED_PASSWORD, MidHomes } from './providerMidFixtures';
import { keytoolAliases, keytoolView, ownershipRecordOf, ownershipRecordPath, PASSWORD, Workspace } from './deploymentFixtures';

const ROOT = acmePem('acme-root-ca');
const ISSUING = acmePem('acme-issuing-ca');
/** The account owning the MID homes of the planted-record tests (not root). */
const MID_UID = 2345;

// Whole deployments start a dynamic-provider host per command: timing is measured in bench/.
jest.setTimeout(5 * 60_000);

let ws: Workspace;
let homes: MidHomes;
beforeAll(() => {
  ws = new Workspace();
  homes = new MidHomes(ws.dir);
});
afterAll(() => ws.remove());

function trusted(name: string, store: string, alias: string, pem: string, extra: { overwrite?: boolean; storePassword?: string } = {}, opts: pulumi.CustomResourceOptions = {}): TrustedCertificate {
  return new TrustedCertificate(name, { keystorePath: store, storePassword: extra.storePassword ?? PASSWORD, alias, certificatePem: pem, ...(extra.overwrite ? { overwrite: true } : {}) }, opts);
}

function outputsOf(stack: ReturnType<Workspace['stack']>, type = 'TrustedCertificate'): Record<string, unknown> {
  return stack.state().resources.find((r) => r.type.endsWith(type))!.outputs;
}

/** keytool -importcert, as a person re-adding a certificate by hand. */
function keytoolImport(store: string, alias: string, pem: string, password = PASSWORD): void {
  const file = path.join(ws.dir, `hand-${alias}-${Date.now()}.pem`);
  fs.writeFileSync(file, pem);
  runKeytool(['-importcert', '-noprompt', '-alias', alias, '-file', file, '-keystore', store, '-storepass:env', 'PW'], { env: { PW: password } });
}

function keytoolDelete(store: string, alias: string, password = PASSWORD): void {
  runKeytool(['-delete', '-alias', alias, '-keystore', store, '-storepass:env', 'PW'], { env: { PW: password } });
}

/** keytool's line for one alias (its creation date included). */
function entryLine(store: string, alias: string, password = PASSWORD): string | undefined {
  return keytoolView(store, password)
    .split('\n')
    .find((l) => l.startsWith(`${alias}, `));
}

const cacertsOf = (home: string): string => path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');

test('records of a MID home live under agent/work, which upgrades keep, and are compact', async () => {
  const home = homes.make();
  const store = cacertsOf(home);
  const stack = ws.stack();
  await stack.up(() => void trusted('root', store, 'acme-root-ca', ROOT, { storePassword: BUNDLED_PASSWORD }));
  const record = ownershipRecordPath(store);
  expect(record).toBe(path.join(home, 'agent', 'work', 'midtrust-owners', 'jre%2Flib%2Fsecurity%2Fcacerts.json'));
  expect(fs.existsSync(`${store}.midtrust-owners.json`)).toBe(false);
  const text = fs.readFileSync(record, 'utf8');
  expect(text.trimEnd().split('\n')).toHaveLength(1);
  expect(JSON.parse(text)).toMatchObject({ version: 2, file: 'agent/jre/lib/security/cacerts' });
  expect(fs.statSync(record).mode & 0o077).toBe(0);
  // An upgrade replaces agent/jre wholesale: the record is still there.
  const bytes = fs.readFileSync(store);
  fs.rmSync(path.join(home, 'agent', 'jre'), { recursive: true });
  fs.mkdirSync(path.dirname(store), { recursive: true });
  fs.writeFileSync(store, bytes);
  expect(ownershipRecordOf(store)).toBeDefined();
  await stack.destroy();
  expect(keytoolAliases(store, BUNDLED_PASSWORD)['acme-root-ca']).toBeUndefined();
  expect(fs.existsSync(record)).toBe(false);
});

test('a record at the old place beside the store is read once and moved to agent/work', async () => {
  const home = homes.make();
  const store = cacertsOf(home);
  const found = keytoolView(store, BUNDLED_PASSWORD);
  const stack = ws.stack();
  await stack.up(() => void trusted('root', store, 'acme-root-ca', ROOT, { storePassword: BUNDLED_PASSWORD }));
  // What an earlier release left: version 1, pretty-printed, beside the store.
  const record = ownershipRecordPath(store);
  const v1 = JSON.parse(fs.readFileSync(record, 'utf8'));
  fs.writeFileSync(`${store}.midtrust-owners.json`, JSON.stringify({ version: 1, records: v1.records }, null, 1), { mode: 0o600 });
  fs.rmSync(record);
  await stack.up(() => void trusted('root', store, 'acme-root-ca', ISSUING, { storePassword: BUNDLED_PASSWORD }));
  expect(fs.existsSync(`${store}.midtrust-owners.json`)).toBe(false);
  expect(fs.existsSync(record)).toBe(true);
  await stack.destroy();
  expect(keytoolView(store, BUNDLED_PASSWORD)).toBe(found);
});

test('record deleted: destroy keeps the entry (no claim proven); a refresh claims it back from the outputs, and destroy then gives back', async () => {
  const store = ws.store();
  const found = keytoolView(store);
  const program = (): void => void trusted('root', store, 'acme-root-ca', ROOT);
  const a = ws.stack();
  await a.up(program);
  fs.rmSync(ownershipRecordPath(store));
  await a.destroy();
  expect(keytoolAliases(store)['acme-root-ca']).toBe(sha256OfPem(ROOT));
  keytoolDelete(store, 'acme-root-ca');

  const b = ws.stack();
  await b.up(program);
  fs.rmSync(ownershipRecordPath(store));
  await b.refresh();
  expect(outputsOf(b).ownershipNotes).toEqual([expect.stringMatching(/alias acme-root-ca: claimed back/)]);
  expect(ownershipRecordOf(store)?.records['acme-root-ca'].owners).toEqual([outputsOf(b).ownerId]);
  await b.destroy();
  expect(keytoolView(store)).toBe(found);
});

test('record truncated: destroy does not use it (entry kept, no error); a refresh reports it and claims back from the outputs', async () => {
  const store = ws.store();
  const found = keytoolView(store);
  const program = (): void => void trusted('root', store, 'acme-root-ca', ROOT);
  const a = ws.stack();
  await a.up(program);
  const truncate = (): void => {
    const record = ownershipRecordPath(store);
    const text = fs.readFileSync(record, 'utf8');
    fs.writeFileSync(record, text.slice(0, Math.floor(text.length / 2)));
  };
  truncate();
  await a.destroy();
  expect(keytoolAliases(store)['acme-root-ca']).toBe(sha256OfPem(ROOT));
  expect(a.hostLog).toMatch(/ownership record not used \(it is not JSON: truncated or damaged\)/);
  keytoolDelete(store, 'acme-root-ca');
  fs.rmSync(ownershipRecordPath(store));

  const b = ws.stack();
  await b.up(program);
  truncate();
  await b.refresh();
  const notes = (outputsOf(b).ownershipNotes as string[]).join('\n');
  expect(notes).toMatch(/ownership record not used \(it is not JSON: truncated or damaged\)/);
  expect(notes).toMatch(/alias acme-root-ca: claimed back/);
  await b.destroy();
  expect(keytoolView(store)).toBe(found);
});

test('an old copy of the record restored after the entry was re-added by hand: destroy leaves the hand-added certificate', async () => {
  const store = ws.store();
  const stack = ws.stack();
  await stack.up(() => void trusted('root', store, 'acme-root-ca', ROOT));
  const record = ownershipRecordPath(store);
  const oldCopy = fs.readFileSync(record);
  // Another team removes it and adds it again by hand (same certificate, a later creation date).
  keytoolDelete(store, 'acme-root-ca');
  await new Promise((r) => setTimeout(r, 20));
  keytoolImport(store, 'acme-root-ca', ROOT);
  const handAdded = entryLine(store, 'acme-root-ca');
  fs.writeFileSync(record, oldCopy);
  await stack.destroy();
  expect(entryLine(store, 'acme-root-ca')).toBe(handAdded);
  expect(stack.hostLog).toMatch(/alias acme-root-ca: changed since midtrust put it .*left as it is/);
});

test('rotation after a lost record: the resource updates its own alias (no refusal), and with overwrite its own old CA is not "found"', async () => {
  const store = ws.store();
  const found = keytoolView(store);
  const stack = ws.stack();
  await stack.up(() => void trusted('root', store, 'acme-ca', ROOT));
  fs.rmSync(ownershipRecordPath(store));
  expect((await stack.up(() => void trusted('root', store, 'acme-ca', ISSUING))).map((s) => s.op)).toEqual(['update']);
  expect(keytoolAliases(store)['acme-ca']).toBe(sha256OfPem(ISSUING));
  expect(outputsOf(stack).ownershipNotes).toEqual([expect.stringMatching(/alias acme-ca: claimed back from this resource's outputs/)]);

  fs.rmSync(ownershipRecordPath(store));
  await stack.up(() => void trusted('root', store, 'acme-ca', ROOT, { overwrite: true }));
  expect(keytoolAliases(store)['acme-ca']).toBe(sha256OfPem(ROOT));
  expect(ownershipRecordOf(store)?.records['acme-ca']).toMatchObject({ found: null });
  await stack.destroy();
  // Neither of the stack's own certificates comes back: the alias was free when it first claimed it.
  expect(keytoolView(store)).toBe(found);
});

test('two stacks share an alias; an upgrade drops the entry and the record: X re-adds it, Y re-claims on refresh, X destroy keeps it for Y', async () => {
  const home = homes.make();
  const store = cacertsOf(home);
  const found = keytoolView(store, BUNDLED_PASSWORD);
  const x = ws.stack();
  const y = ws.stack();
  const program = (): void => void trusted('root', store, 'acme-root-ca', ROOT, { storePassword: BUNDLED_PASSWORD });
  await x.up(program);
  await y.up(program);
  expect(outputsOf(y).claims).toEqual([expect.objectContaining({ alias: 'acme-root-ca', found: null, otherOwners: 1 })]);
  // The upgrade: a fresh vendor store, and this time the record lost as well (deleted with agent/work).
  fs.rmSync(path.join(home, 'agent', 'jre'), { recursive: true });
  fs.mkdirSync(path.dirname(store), { recursive: true });
  homes.bundledCopy(store);
  fs.rmSync(path.join(home, 'agent', 'work'), { recursive: true });
  await x.refresh();
  await x.up(program);
  expect(keytoolAliases(store, BUNDLED_PASSWORD)['acme-root-ca']).toBe(sha256OfPem(ROOT));
  await y.refresh();
  expect(ownershipRecordOf(store)?.records['acme-root-ca'].owners.sort()).toEqual([outputsOf(x).ownerId, outputsOf(y).ownerId].sort());
  await x.destroy();
  expect(keytoolAliases(store, BUNDLED_PASSWORD)['acme-root-ca']).toBe(sha256OfPem(ROOT));
  await y.destroy();
  expect(keytoolView(store, BUNDLED_PASSWORD)).toBe(found);
});

test('a record planted by the MID-home owner naming an administrator store: root\'s ExternalTruststore update and delete never remove it', async () => {
  const home = homes.make();
  fs.chownSync(path.join(home, 'agent'), MID_UID, MID_UID);
  fs.chownSync(path.join(home, 'agent', 'conf'), MID_UID, MID_UID);
  fs.chownSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), MID_UID, MID_UID);
  const adminDir = path.join(ws.dir, 'admin-truststores');
  fs.mkdirSync(adminDir);
  const adminStore = keytoolStore(path.join(adminDir, 'store.p12'), 'Admin-pw-1', { 'admin-ca': ROOT }, 'PKCS12');
  const adminBytes = fs.readFileSync(adminStore);
  const stack = ws.stack();
  const program = (restartCommand?: string) => () =>
    void new ExternalTruststore('ext', { midHome: home, truststorePath: adminStore, storePassword: 'Admin-pw-1', storeType: 'PKCS12', ...(restartCommand ? { restartCommand } : {}) });
  await stack.up(program());
  expect(outputsOf(stack, 'ExternalTruststore').createdStore).toBe(false);
  const ownerId = String(outputsOf(stack, 'ExternalTruststore').ownerId);

  // The MID account rewrites the record of its wrapper-override.conf: "this resource created the administrator's store and directory".
  const conf = path.join(home, 'agent', 'conf', 'wrapper-override.conf');
  const record = ownershipRecordPath(conf);
  const planted = JSON.parse(fs.readFileSync(record, 'utf8'));
  const made = { found: null, put: { digest: 'f'.repeat(64), data: '' }, owners: [ownerId] };
  planted.records[`#store:${adminStore}`] = made;
  planted.records[`#dir:${adminDir}`] = made;
  fs.writeFileSync(record, JSON.stringify(planted));
  fs.chownSync(record, MID_UID, MID_UID);

  await stack.up(program('true'));
  expect(outputsOf(stack, 'ExternalTruststore')).toMatchObject({ createdStore: false, createdDirectories: [] });
  await stack.destroy();
  expect(fs.readFileSync(adminStore).equals(adminBytes)).toBe(true);
  expect(fs.existsSync(adminDir)).toBe(true);
});

test('an oversized planted record (25 MiB) is refused from its size, reported, and replaced by the next claim; nothing outside the store changes', async () => {
  const home = homes.make();
  const store = cacertsOf(home);
  const found = keytoolView(store, BUNDLED_PASSWORD);
  fs.chownSync(store, MID_UID, MID_UID);
  const record = ownershipRecordPath(store);
  fs.mkdirSync(path.dirname(record), { recursive: true });
  fs.writeFileSync(record, `{"version":2,"file":"agent/config.xml","records":{${' '.repeat(25 * 1024 * 1024)}}}`);
  fs.chownSync(record, MID_UID, MID_UID);
  const configBefore = fs.readFileSync(path.join(home, 'agent', 'config.xml'));
  const stack = ws.stack();
  await stack.up(() => void trusted('root', store, 'acme-root-ca', ROOT, { storePassword: BUNDLED_PASSWORD }));
  expect((outputsOf(stack).ownershipNotes as string[]).join('\n')).toMatch(/ownership record not used \(25\.0 MiB, more than the 1\.0 MiB a record of this file can need\)/);
  expect(fs.statSync(record).size).toBeLessThan(4096);
  // A record naming another file than the one it sits for is refused too.
  const named = JSON.parse(fs.readFileSync(record, 'utf8'));
  fs.writeFileSync(record, JSON.stringify({ ...named, file: 'agent/config.xml' }));
  await stack.refresh();
  expect((outputsOf(stack).ownershipNotes as string[]).join('\n')).toMatch(/not used \(it describes "agent\/config.xml", not agent\/jre\/lib\/security\/cacerts\)/);
  // The refresh claimed back from the outputs, over the refused record: the next up and destroy work from it.
  expect(ownershipRecordOf(store)).toMatchObject({ file: 'agent/jre/lib/security/cacerts' });
  await stack.up(() => void trusted('root', store, 'acme-root-ca', ISSUING, { storePassword: BUNDLED_PASSWORD }));
  await stack.destroy();
  expect(keytoolView(store, BUNDLED_PASSWORD)).toBe(found);
  expect(fs.readFileSync(path.join(home, 'agent', 'config.xml')).equals(configBefore)).toBe(true);
});

test('pulumi state delete leaves a stale owner: midtrust owners shows it, owners prune removes it, and the other stack then gives back', async () => {
  const store = ws.store();
  const found = keytoolView(store);
  const a = ws.stack();
  const b = ws.stack();
  const program = (): void => void trusted('root', store, 'acme-root-ca', ROOT);
  await a.up(program);
  await b.up(program);
  const gone = String(outputsOf(a).ownerId);
  const kept = String(outputsOf(b).ownerId);
  // `pulumi state delete` of A's resource: its claim stays in the record, never confirmed again.
  fs.writeFileSync(a.opts.statePath, JSON.stringify({ resources: [] }));
  await new Promise((r) => setTimeout(r, 2500));
  await b.refresh();

  const listed = midtrustProcess(['owners', store, '--stale-after', '1s', '--json']);
  expect(listed.code).toBe(0);
  const claim = JSON.parse(listed.stdout).files[0].claims[0];
  expect(claim).toMatchObject({ key: 'acme-root-ca', found: null, put: sha256OfPem(ROOT), matches: true });
  expect(claim.owners).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ id: gone, stale: true, reason: expect.stringMatching(/not confirmed for \d+ s while other owners were/) }),
      expect.objectContaining({ id: kept, stale: false }),
    ]),
  );
  const text = midtrustProcess(['owners', store, '--stale-after', '1s']);
  expect(text.stdout).toContain(`${gone}  confirmed`);
  expect(text.stdout).toMatch(/STALE/);
  // Every line but the two paths (the store, its record) fits 80 columns.
  const prose = text.stdout.split('\n').filter((l) => !l.trim().startsWith(ws.dir));
  expect(prose.length).toBeGreaterThan(4);
  expect(Math.max(...prose.map((l) => l.length))).toBeLessThanOrEqual(80);

  const pruned = midtrustProcess(['owners', 'prune', store, '--owner', gone, '--json']);
  expect(pruned.code).toBe(0);
  expect(JSON.parse(pruned.stdout).pruned[0]).toMatchObject({ owner: gone, keys: ['acme-root-ca'], released: [] });
  expect(ownershipRecordOf(store)?.records['acme-root-ca'].owners).toEqual([kept]);
  const again = midtrustProcess(['owners', 'prune', store, '--owner', gone, '--json']);
  expect(again.code).toBe(1);
  expect(JSON.parse(again.stdout || again.stderr).error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(`owner ${gone} claims nothing here`) });
  await b.destroy();
  expect(keytoolView(store)).toBe(found);
});
