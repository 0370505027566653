/**
 * Issue #13 items 2 and 3: `migrate` never overwrites a backup directory, `restore` looks past
 * backups that hold nothing of use (and says which one it used), and reports — with a non-zero
 * exit — every certificate it cannot put back. keytool judges every store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalHost } from '../../provider/host/localHost';
import { migrateMid, restoreMid } from '../../provider/mid/upgrade/upgradeRun';
import { keytoolList, openssl, runKeytool, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';

const env = { SP: 'changeit' };
let dir: string;
const p = (n: string) => path.join(dir, n);
const importTo = (store: string, alias: string, cert: string) =>
  runKeytool(['-importcert', '-noprompt', '-alias', alias, '-file', p(`${cert}.pem`), '-keystore', store, '-storetype', 'JKS', '-storepass:env', 'SP'], { env });
const aliases = (store: string) => keytoolList(store, 'changeit').map((e) => e.alias).sort();

let home: string;
let cacerts: string;
const migrationDir = () => path.join(home, 'agent', 'work', 'truststore_migration');

beforeAll(() => {
  dir = tempDir('mt-migsafe-');
  for (const n of ['vendor', 'private-root', 'other-a', 'other-b']) {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.pem`, '-days', '30', '-subj', `/CN=${n}`, '-addext', 'basicConstraints=critical,CA:TRUE'], { cwd: dir });
  }
  importTo(p('current.jks'), 'vendor', 'vendor');
  importTo(p('current.jks'), 'private-root', 'private-root');
  importTo(p('incoming.jks'), 'vendor', 'vendor');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  home = p(`mid-${Math.random().toString(16).slice(2)}`);
  cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
  fs.mkdirSync(path.dirname(cacerts), { recursive: true });
  fs.copyFileSync(p('current.jks'), cacerts);
  // migrate_non_ca: the private root CA is lost by the upgrade.
  fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters>\n  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n</parameters>\n');
});

const migrate = (now?: Date) => migrateMid(new LocalHost(), { midHome: home, incoming: { path: p('incoming.jks'), password: 'changeit' }, currentPassword: 'changeit', now });

describe('migrate never overwrites a backup', () => {
  it('two migrations in the same second get two backup directories; the first still holds the store before any migration', async () => {
    const now = new Date('2026-11-27T10:00:00.250Z');
    const first = await migrate(now);
    const second = await migrate(new Date('2026-11-27T10:00:00.900Z'));
    expect(first.backupDir).toBe(path.join(migrationDir(), '1795773600'));
    expect(second.backupDir).not.toBe(first.backupDir);
    expect(path.basename(second.backupDir)).toBe('1795773601');
    expect(fs.readFileSync(path.join(first.backupDir, 'cacerts_before'))).toEqual(fs.readFileSync(p('current.jks')));
    expect(aliases(path.join(first.backupDir, 'cacerts_before'))).toEqual(['private-root', 'vendor']);
    expect(aliases(path.join(second.backupDir, 'cacerts_before'))).toEqual(['vendor']);
  });

  it('with the real clock, concurrent migrations wait for the next second rather than share a directory', async () => {
    const [a, b] = await Promise.all([migrate(), migrate()]);
    expect(a.backupDir).not.toBe(b.backupDir);
    expect(fs.readdirSync(migrationDir()).length).toBe(2);
  });

  it('a link planted as the epoch directory is not written through (the next second is used)', async () => {
    const now = new Date('2026-11-27T10:00:00Z');
    const elsewhere = p(`elsewhere-${Math.random().toString(16).slice(2)}`);
    fs.mkdirSync(elsewhere);
    fs.mkdirSync(migrationDir(), { recursive: true });
    fs.symlinkSync(elsewhere, path.join(migrationDir(), '1795773600'));
    const r = await migrate(now);
    expect(path.basename(r.backupDir)).toBe('1795773601');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe('restore', () => {
  it('looks past the newest backup when it holds nothing of use, says which backup it used, and keytool sees the CA back', async () => {
    await migrate(new Date('2026-11-27T10:00:00Z'));
    // A second rehearsal: its cacerts_before is the already-migrated store.
    const second = await migrate(new Date('2026-11-27T10:00:00Z'));
    expect(aliases(cacerts)).toEqual(['vendor']);
    const r = await restoreMid(new LocalHost(), { midHome: home, password: 'changeit' });
    expect(r.backupDir).toBe(path.join(migrationDir(), '1795773600'));
    expect(r.skipped).toEqual([{ backupDir: second.backupDir, reason: expect.stringMatching(/every certificate .* is already trusted/) }]);
    expect(r.restored.map((e) => e.alias)).toEqual(['private-root']);
    expect(aliases(cacerts)).toEqual(['private-root', 'vendor']);

    const cli = await midtrust(['restore', '--mid-home', home, '--storepass-env', 'SP'], { env });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/Nothing to restore/);
    expect(cli.stdout).toContain('1795773600');
  });

  it('reports every certificate it cannot restore (alias and restored_ alias both taken) and exits 1', async () => {
    await migrate(new Date('2026-11-27T10:00:00Z'));
    // Both names the lost CA could come back under now hold other certificates.
    importTo(cacerts, 'private-root', 'other-a');
    importTo(cacerts, 'restored_private-root', 'other-b');
    const r = await restoreMid(new LocalHost(), { midHome: home, password: 'changeit' });
    expect(r.restored).toEqual([]);
    expect(r.unrestored).toEqual([expect.objectContaining({ alias: 'private-root', reason: expect.stringMatching(/private-root and restored_private-root are both taken/) })]);

    const cli = await midtrust(['restore', '--mid-home', home, '--storepass-env', 'SP'], { env });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/could not restore 1 certificate/);
    expect(cli.stderr).toMatch(/private-root .*sha256 [0-9a-f]{12}.*both taken/);
    const json = await midtrust(['restore', '--mid-home', home, '--storepass-env', 'SP', '--json'], { env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).unrestored[0].alias).toBe('private-root');
    expect(aliases(cacerts)).toEqual(['private-root', 'restored_private-root', 'vendor']);
  });
});
