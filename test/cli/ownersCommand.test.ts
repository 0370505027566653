/**
 * `midtrust owners` on a MID home, in-process: the files of a MID it looks at, a refused record
 * shown as such (never pruned), and clear errors for bad options. The whole flow (stacks, state
 * delete, prune, destroy) is in test/pulumi/deploymentOwnership.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalHost } from '../../provider/host/localHost';
import { recordLocation, writeLedger } from '../../provider/ownership/ledgerFile';
import { claim, EMPTY_LEDGER } from '../../provider/ownership/ownershipLedger';
import { keytoolStore, bundlePems } from '../pulumi/providerFixtures';
import { tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';

let dir: string;
let home: string;
let cacerts: string;
beforeEach(() => {
  dir = tempDir('midtrust-owners-cli-');
  home = path.join(dir, 'mid');
  fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
  fs.mkdirSync(path.join(home, 'agent', 'conf'), { recursive: true });
  fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
  cacerts = keytoolStore(path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'), 'changeit', { 'vendor-a': bundlePems()[0] });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function claimOn(file: string, key: string, owners: Array<[string, number]>): Promise<string> {
  let l = EMPTY_LEDGER;
  const value = { digest: 'c'.repeat(64), data: '' };
  // The first owner finds the key free; the others join it while it holds what the first put there.
  owners.forEach(([o, at], i) => {
    l = claim(l, key, o, i === 0 ? null : value, value, at);
  });
  const loc = await recordLocation(new LocalHost(), file);
  await writeLedger(new LocalHost(), loc, l);
  return loc.path;
}

test('--mid-home lists the claims on its cacerts and config.xml; an owner far behind the newest confirmation is stale', async () => {
  const day = 86_400_000;
  await claimOn(cacerts, 'acme-root', [['old-owner', 1 * day], ['live-owner', 40 * day]]);
  await claimOn(path.join(home, 'agent', 'config.xml'), 'mid.truststore.migration.strategy', [['strategy-owner', 40 * day]]);
  const r = await midtrust(['owners', '--mid-home', home, '--json']);
  expect(r.code).toBe(0);
  const files = JSON.parse(r.stdout).files as Array<{ file: string; status: string; claims: Array<{ key: string; matches: boolean | null; owners: Array<{ id: string; stale: boolean; reason: string | null }> }> }>;
  expect(files.map((f) => [path.basename(f.file), f.status])).toEqual([
    ['cacerts', 'ok'],
    ['config.xml', 'ok'],
  ]);
  // The entry is gone from the store (never added), so both owners of acme-root are marked: the entry changed.
  expect(files[0].claims[0]).toMatchObject({ key: 'acme-root', matches: false });
  expect(files[1].claims[0]).toMatchObject({ key: 'mid.truststore.migration.strategy', matches: null, owners: [{ id: 'strategy-owner', stale: false }] });

  // Judged against the newest confirmation: 39 days behind with --stale-after 30 → stale; 45 → not.
  await claimOn(path.join(home, 'agent', 'config.xml'), 'k', [['old-owner', 1 * day], ['live-owner', 40 * day]]);
  const stale = JSON.parse((await midtrust(['owners', path.join(home, 'agent', 'config.xml'), '--json'])).stdout).files[0].claims[0].owners;
  expect(stale).toEqual([
    expect.objectContaining({ id: 'old-owner', stale: true, reason: 'not confirmed for 39 days while other owners were' }),
    expect.objectContaining({ id: 'live-owner', stale: false }),
  ]);
  const lenient = JSON.parse((await midtrust(['owners', path.join(home, 'agent', 'config.xml'), '--stale-after', '45d', '--json'])).stdout).files[0].claims[0].owners;
  expect(lenient.every((o: { stale: boolean }) => !o.stale)).toBe(true);
});

test('a refused record is shown as NOT USED and prune leaves it alone', async () => {
  const loc = await recordLocation(new LocalHost(), cacerts);
  fs.mkdirSync(path.dirname(loc.path), { recursive: true });
  fs.writeFileSync(loc.path, '{"version":2,');
  const listed = await midtrust(['owners', cacerts]);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain('ownership record NOT USED:');
  expect(listed.stdout).toMatch(/note: .*not JSON: truncated or damaged/);
  const pruned = await midtrust(['owners', 'prune', cacerts, '--owner', 'x', '--json']);
  expect(pruned.code).toBe(1);
  expect(JSON.parse(pruned.stdout).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/prune works on records midtrust uses only/) });
  expect(fs.readFileSync(loc.path, 'utf8')).toBe('{"version":2,');
});

test.each([
  [['owners', 'prune', '--mid-home', '.', '--json'], 'INVALID_INPUT', /owners prune needs --owner <ID>/],
  [['owners', '--stale-after', 'soon', 'cacerts', '--json'], 'INVALID_INPUT', /--stale-after soon: give a duration such as 30 \(days\), 12h/],
  [['owners', 'a', 'b', '--json'], 'INVALID_INPUT', /owners takes one file/],
  [['owners', '--mid-home', 'nowhere', '--json'], 'NOT_FOUND', /does not look like a MID Server home/],
])('%j → %s', async (argv, code, message) => {
  const r = await midtrust(argv as string[], { cwd: dir });
  expect(r.code).toBe(1);
  expect(JSON.parse(r.stdout).error).toMatchObject({ code, message: expect.stringMatching(message) });
});
