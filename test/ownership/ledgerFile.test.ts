/**
 * Ownership records on disk (provider/ownership/ledgerFile.ts): where they live, what makes one
 * refused (reported, never used), compact writes and the move from the old place. The deployment
 * scenarios are in test/pulumi/deploymentOwnership.test.ts; these are the file rules one by one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalHost } from '../../provider/host/localHost';
import { commitWithLedger, readLedger, recordLocation, writeLedger } from '../../provider/ownership/ledgerFile';
import { claim, EMPTY_LEDGER, pruneOwner, release, type Ledger } from '../../provider/ownership/ownershipLedger';
import { tempDir } from '../helpers/keytool';

const host = new LocalHost();
let dir: string;
beforeEach(() => {
  dir = tempDir('midtrust-ledger-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A MID home with a bundled cacerts of `size` bytes (content does not matter here). */
function midHome(size = 4096): { home: string; cacerts: string } {
  const home = path.join(dir, 'mid');
  fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
  fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
  const cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
  fs.writeFileSync(cacerts, Buffer.alloc(size, 1));
  return { home, cacerts };
}

const SHA = 'a'.repeat(64);
const ledgerWith = (owner: string): Ledger => claim(EMPTY_LEDGER, 'acme-root', owner, null, { digest: SHA, data: '', timestamp: 1 }, 1000);

test('a MID file has its record under agent/work/midtrust-owners, named after the file; any other file beside itself', async () => {
  const { home, cacerts } = midHome();
  expect(await recordLocation(host, cacerts)).toMatchObject({
    path: path.join(home, 'agent', 'work', 'midtrust-owners', 'jre%2Flib%2Fsecurity%2Fcacerts.json'),
    legacyPath: `${cacerts}.midtrust-owners.json`,
    file: 'agent/jre/lib/security/cacerts',
  });
  expect((await recordLocation(host, path.join(home, 'agent', 'config.xml'))).path).toBe(path.join(home, 'agent', 'work', 'midtrust-owners', 'config.xml.json'));
  const other = path.join(dir, 'truststore.p12');
  fs.writeFileSync(other, 'x');
  expect(await recordLocation(host, other)).toMatchObject({ path: `${other}.midtrust-owners.json`, file: 'truststore.p12' });
});

test('written compact and 0600, read back; no claims left removes the record and its directory', async () => {
  const { cacerts } = midHome();
  const loc = await recordLocation(host, cacerts);
  await writeLedger(host, loc, ledgerWith('o1'));
  const text = fs.readFileSync(loc.path, 'utf8');
  expect(text.endsWith('}\n')).toBe(true);
  expect(text.trimEnd()).not.toContain('\n');
  expect(fs.statSync(loc.path).mode & 0o777).toBe(0o600);
  expect(fs.statSync(path.dirname(loc.path)).mode & 0o777).toBe(0o700);
  const read = await readLedger(host, loc);
  expect(read.status).toBe('ok');
  expect(read.ledger.records['acme-root']).toMatchObject({ owners: ['o1'], confirmed: { o1: 1000 } });
  await writeLedger(host, loc, EMPTY_LEDGER);
  expect(fs.existsSync(loc.path)).toBe(false);
  expect(fs.existsSync(path.dirname(loc.path))).toBe(false);
});

test('a version 1 record beside the file is read once, then moved by the next write', async () => {
  const { cacerts } = midHome();
  const loc = await recordLocation(host, cacerts);
  fs.writeFileSync(loc.legacyPath, JSON.stringify({ version: 1, records: ledgerWith('o1').records }, null, 1), { mode: 0o600 });
  const read = await readLedger(host, loc);
  expect(read.status).toBe('legacy');
  expect(read.ledger.records['acme-root'].owners).toEqual(['o1']);
  // Even a change that leaves the claims as they are moves the record.
  await commitWithLedger(host, loc, read, read.ledger, undefined, SHA);
  expect(fs.existsSync(loc.legacyPath)).toBe(false);
  expect(JSON.parse(fs.readFileSync(loc.path, 'utf8'))).toMatchObject({ version: 2, file: 'agent/jre/lib/security/cacerts', fileSha256: SHA });
});

describe('a record that cannot be trusted is refused: reported, its claims not used', () => {
  const cases: Array<{ name: string; plant: (file: string) => void; why: RegExp }> = [
    { name: 'truncated', plant: (f) => fs.writeFileSync(f, '{"version":2,"file":"agent/jre/lib/sec'), why: /not JSON: truncated or damaged/ },
    { name: 'naming another file', plant: (f) => fs.writeFileSync(f, JSON.stringify({ version: 2, file: 'agent/config.xml', records: {} })), why: /it describes "agent\/config.xml", not agent\/jre\/lib\/security\/cacerts/ },
    { name: 'version 1 where only version 2 is written', plant: (f) => fs.writeFileSync(f, JSON.stringify({ version: 1, records: {} })), why: /a version 1 record where only version 2/ },
    {
      name: 'more owners than midtrust allows',
      plant: (f) => fs.writeFileSync(f, JSON.stringify({ version: 2, file: 'agent/jre/lib/security/cacerts', records: { a: { found: null, put: null, owners: Array.from({ length: 65 }, (_, i) => `o${i}`) } } })),
      why: /names 65 owners, more than the 64/,
    },
    { name: 'not a claim', plant: (f) => fs.writeFileSync(f, JSON.stringify({ version: 2, file: 'agent/jre/lib/security/cacerts', records: { a: { owners: 'x' } } })), why: /record 'a' is not a claim/ },
    {
      name: 'owned by another account than root and the store\'s owner',
      plant: (f) => {
        fs.writeFileSync(f, JSON.stringify({ version: 2, file: 'agent/jre/lib/security/cacerts', records: ledgerWith('o1').records }));
        fs.chownSync(f, 4321, 4321);
      },
      why: /owned by uid 4321, neither root nor the owner of .*cacerts/,
    },
  ];
  test.each(cases)('$name', async ({ plant, why }) => {
    const { cacerts } = midHome();
    const loc = await recordLocation(host, cacerts);
    fs.mkdirSync(path.dirname(loc.path), { recursive: true });
    plant(loc.path);
    const read = await readLedger(host, loc);
    expect(read.status).toBe('refused');
    expect(read.ledger).toBe(EMPTY_LEDGER);
    expect(read.notes.join('\n')).toMatch(why);
    expect(read.notes.join('\n')).toMatch(/ownership record not used .*deletes leave every entry in place/);
  });

  test('owned by the store\'s owner (the MID account, for a store it owns): used', async () => {
    const { cacerts } = midHome();
    fs.chownSync(cacerts, 4321, 4321);
    const loc = await recordLocation(host, cacerts);
    await writeLedger(host, loc, ledgerWith('o1'));
    fs.chownSync(loc.path, 4321, 4321);
    expect((await readLedger(host, loc)).status).toBe('ok');
  });

  test('a 25 MiB record is refused from its size without being read', async () => {
    const { cacerts } = midHome();
    const loc = await recordLocation(host, cacerts);
    fs.mkdirSync(path.dirname(loc.path), { recursive: true });
    // Not even JSON: were it read, the refusal would say so instead of naming the size.
    fs.writeFileSync(loc.path, Buffer.alloc(25 * 1024 * 1024, 0x5b));
    const read = await readLedger(host, loc);
    expect(read.notes.join('\n')).toMatch(/not used \(25\.0 MiB, more than the 1\.0 MiB a record of this file can need\)/);
  });
});

test('a file changed since the record was written is said, and claims are then judged entry by entry', async () => {
  const { cacerts } = midHome();
  const loc = await recordLocation(host, cacerts);
  await commitWithLedger(host, loc, { ledger: EMPTY_LEDGER, status: 'none', notes: [] }, ledgerWith('o1'), undefined, SHA);
  expect((await readLedger(host, loc, SHA)).notes).toEqual([]);
  expect((await readLedger(host, loc, 'b'.repeat(64))).notes).toEqual([expect.stringMatching(/cacerts changed since its ownership record was written/)]);
});

test('an entry re-added by hand (same certificate, another creation date) is not the one midtrust put: release leaves it', () => {
  const l = ledgerWith('o1');
  expect(release(l, 'acme-root', 'o1', { digest: SHA, data: '', timestamp: 1 }).restore).toBeNull();
  expect(release(l, 'acme-root', 'o1', { digest: SHA, data: '', timestamp: 2 }).restore).toBeUndefined();
});

test('pruneOwner drops one owner everywhere; a key it owned alone loses its record', () => {
  let l = ledgerWith('o1');
  l = claim(l, 'acme-root', 'o2', { digest: SHA, data: '', timestamp: 1 }, { digest: SHA, data: '', timestamp: 1 }, 2000);
  l = claim(l, 'other', 'o1', null, { digest: SHA, data: '' }, 3000);
  const { ledger, keys } = pruneOwner(l, 'o1');
  expect(keys).toEqual(['acme-root', 'other']);
  expect(ledger.records['acme-root']).toMatchObject({ owners: ['o2'], confirmed: { o2: 2000 } });
  expect(ledger.records.other).toBeUndefined();
});

test('a record write killed half-way leaves a temporary file that the next write removes (its process is gone)', async () => {
  const { cacerts } = midHome();
  const loc = await recordLocation(host, cacerts);
  await writeLedger(host, loc, ledgerWith('o1'));
  const leftover = path.join(path.dirname(loc.path), `.${path.basename(loc.path)}.midtrust-999999999-0123456789ab.tmp`);
  fs.writeFileSync(leftover, '{"version":2');
  await writeLedger(host, loc, ledgerWith('o2'));
  expect(fs.existsSync(leftover)).toBe(false);
  await writeLedger(host, loc, EMPTY_LEDGER);
  expect(fs.existsSync(path.dirname(loc.path))).toBe(false);
});
