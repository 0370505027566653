/**
 * Issue #13, items 1 and 5: nothing midtrust creates can be redirected by a planted link, and
 * backups are never overwritten nor pruned by guesswork. Tests run as root (CI does), so a link
 * "planted by another account" is made here and then handed to nobody with lchown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../../provider/errors';
import { backupBeforeWrite, BACKUP_MANIFEST_SUFFIX } from '../../provider/host/backup';
import { LocalHost } from '../../provider/host/localHost';
import { editTextFile } from '../../provider/resources/lockedTextEdit';
import { tempDir } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';

const host = new LocalHost();
const NOBODY = 65534;
// Planting a link "by another account" means lchown-ing it to that account: root only.
const asRoot = needs('root').it;

let dir: string;
beforeEach(() => {
  dir = tempDir('mt-noredir-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<MidtrustError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MidtrustError);
  return e as MidtrustError;
}

/** The stamp backupBeforeWrite derives from `now`: the name an attacker predicts. */
const predicted = (store: string, now: Date) => `${store}.midtrust-backup-${now.toISOString().replace(/[-:]/g, '').replace('.', '')}`;

describe('backups never follow a planted link and never overwrite', () => {
  it('a symlink planted at the predictable backup name (pointing at a victim file) is left alone; the backup gets a new name', async () => {
    const store = path.join(dir, 'cacerts');
    const victim = path.join(dir, 'passwd');
    fs.writeFileSync(store, 'store bytes');
    fs.writeFileSync(victim, 'root:x:0:0\n');
    const now = new Date(Date.UTC(2026, 10, 27, 1, 2, 3, 456));
    fs.symlinkSync(victim, predicted(store, now));
    const dangling = `${predicted(store, now)}-2`;
    fs.symlinkSync(path.join(dir, 'nowhere'), dangling);

    const backup = await backupBeforeWrite(host, store, 3, now);

    expect(fs.readFileSync(victim, 'utf8')).toBe('root:x:0:0\n');
    expect(fs.existsSync(path.join(dir, 'nowhere'))).toBe(false);
    expect(fs.lstatSync(predicted(store, now)).isSymbolicLink()).toBe(true);
    expect(backup).toBeDefined();
    expect([predicted(store, now), dangling]).not.toContain(backup);
    expect(fs.lstatSync(backup!).isFile()).toBe(true);
    expect(fs.readFileSync(backup!, 'utf8')).toBe('store bytes');
  });

  it('a regular file already at the predictable name is never overwritten', async () => {
    const store = path.join(dir, 'cacerts');
    fs.writeFileSync(store, 'new content');
    const now = new Date(Date.UTC(2026, 0, 1));
    fs.writeFileSync(predicted(store, now), 'an older backup');
    const backup = await backupBeforeWrite(host, store, 5, now);
    expect(fs.readFileSync(predicted(store, now), 'utf8')).toBe('an older backup');
    expect(fs.readFileSync(backup!, 'utf8')).toBe('new content');
  });

  it('pruning never deletes the backup just written, nor a future-dated or junk look-alike it did not record', async () => {
    const store = path.join(dir, 'cacerts');
    fs.writeFileSync(store, 'v0');
    const future = `${store}.midtrust-backup-29991231T235959999Z`;
    const junk = `${store}.midtrust-backup-20000101T000000000Z`;
    fs.writeFileSync(future, 'not ours (future-dated)');
    fs.writeFileSync(junk, 'not ours (old-looking)');
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      fs.writeFileSync(store, `v${i}`);
      made.push((await backupBeforeWrite(host, store, 2, new Date(Date.UTC(2026, 0, 1, 0, 0, i))))!);
    }
    // Kept: the two newest midtrust made (by its own record), plus both files it never made.
    expect(made.slice(2).map((f) => fs.readFileSync(f, 'utf8'))).toEqual(['v2', 'v3']);
    for (const f of made.slice(0, 2)) expect(fs.existsSync(f)).toBe(false);
    expect(fs.readFileSync(future, 'utf8')).toBe('not ours (future-dated)');
    expect(fs.readFileSync(junk, 'utf8')).toBe('not ours (old-looking)');
  });

  it('orders by its manifest, not by name: a backup made with an earlier clock is still the newest', async () => {
    const store = path.join(dir, 'cacerts');
    fs.writeFileSync(store, 'a');
    const first = (await backupBeforeWrite(host, store, 1, new Date(Date.UTC(2030, 0, 1))))!;
    fs.writeFileSync(store, 'b');
    // The clock went back (NTP step): by name this one sorts first and would be pruned.
    const second = (await backupBeforeWrite(host, store, 1, new Date(Date.UTC(2020, 0, 1))))!;
    expect(fs.existsSync(second)).toBe(true);
    expect(fs.readFileSync(second, 'utf8')).toBe('b');
    expect(fs.existsSync(first)).toBe(false);
  });

  it('never prunes a recorded backup whose content changed since (not provably the file it made)', async () => {
    const store = path.join(dir, 'cacerts');
    fs.writeFileSync(store, 'a');
    const first = (await backupBeforeWrite(host, store, 1, new Date(Date.UTC(2026, 0, 1, 0, 0, 1))))!;
    fs.rmSync(first);
    fs.writeFileSync(first, 'someone else put this here');
    fs.writeFileSync(store, 'b');
    await backupBeforeWrite(host, store, 1, new Date(Date.UTC(2026, 0, 1, 0, 0, 2)));
    expect(fs.readFileSync(first, 'utf8')).toBe('someone else put this here');
  });

  it('the manifest is replaced, never written through a link planted at its name', async () => {
    const store = path.join(dir, 'cacerts');
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(store, 'a');
    fs.writeFileSync(victim, 'precious');
    fs.symlinkSync(victim, `${store}${BACKUP_MANIFEST_SUFFIX}`);
    await backupBeforeWrite(host, store, 2, new Date(Date.UTC(2026, 0, 1)));
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.lstatSync(`${store}${BACKUP_MANIFEST_SUFFIX}`).isFile()).toBe(true);
  });
});

describe('Host.createNewFile / createDirectory / replaceFile', () => {
  it('createNewFile creates exclusively and refuses any existing name, a dangling link included, writing nothing through it', async () => {
    const f = path.join(dir, 'new');
    expect(await host.createNewFile(f, Buffer.from('one'), { mode: 0o600 })).toBe(true);
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(await host.createNewFile(f, Buffer.from('two'))).toBe(false);
    expect(fs.readFileSync(f, 'utf8')).toBe('one');
    const link = path.join(dir, 'link');
    fs.symlinkSync(path.join(dir, 'target'), link);
    expect(await host.createNewFile(link, Buffer.from('x'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'target'))).toBe(false);
  });

  it('createDirectory is exclusive too', async () => {
    const d = path.join(dir, '1764205323');
    expect(await host.createDirectory(d)).toBe(true);
    expect(fs.statSync(d).mode & 0o777).toBe(0o700);
    expect(await host.createDirectory(d)).toBe(false);
    fs.symlinkSync(dir, path.join(dir, 'l'));
    expect(await host.createDirectory(path.join(dir, 'l'))).toBe(false);
  });

  it('replaceFile replaces a symlink itself and leaves its target alone', async () => {
    const victim = path.join(dir, 'victim');
    const out = path.join(dir, 'report.html');
    fs.writeFileSync(victim, 'precious');
    fs.symlinkSync(victim, out);
    await host.replaceFile(out, Buffer.from('<html>'), { mode: 0o644 });
    expect(fs.lstatSync(out).isFile()).toBe(true);
    expect(fs.readFileSync(out, 'utf8')).toBe('<html>');
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.readdirSync(dir).sort()).toEqual(['report.html', 'victim']);
  });
});

describe('directories midtrust creates files in', () => {
  asRoot('a directory link planted by another account is refused, for the store write, its lock and its backup', async () => {
    const real = path.join(dir, 'real');
    fs.mkdirSync(real);
    fs.writeFileSync(path.join(real, 'cacerts'), 'store');
    const planted = path.join(dir, 'security');
    fs.symlinkSync(real, planted);
    fs.lchownSync(planted, NOBODY, NOBODY);
    const store = path.join(planted, 'cacerts');
    for (const attempt of [host.writeFileAtomic(store, Buffer.from('x')), host.lock(store), backupBeforeWrite(host, store, 1)]) {
      const err = await rejection(attempt);
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain(planted);
      expect(err.message).toMatch(/symbolic link owned by uid 65534/);
    }
    expect(fs.readdirSync(real)).toEqual(['cacerts']);
    expect(fs.readFileSync(path.join(real, 'cacerts'), 'utf8')).toBe('store');
  });

  it('a link made by root (an administrator) on the path is followed, like Debian /usr/lib/jvm links', async () => {
    const real = path.join(dir, 'real');
    fs.mkdirSync(real);
    fs.symlinkSync(real, path.join(dir, 'alias'));
    await host.writeFileAtomic(path.join(dir, 'alias', 'cacerts'), Buffer.from('x'));
    expect(fs.readFileSync(path.join(real, 'cacerts'), 'utf8')).toBe('x');
  });

  it('applies `..` after the link before it, as the kernel does (not lexically)', async () => {
    fs.mkdirSync(path.join(dir, 'real', 'deep'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'real', 'other'));
    fs.writeFileSync(path.join(dir, 'real', 'other', 'cacerts'), 'old');
    fs.symlinkSync(path.join('real', 'deep'), path.join(dir, 'lnk'));
    fs.symlinkSync('lnk/../other/cacerts', path.join(dir, 'store'));
    expect(fs.readFileSync(path.join(dir, 'store'), 'utf8')).toBe('old');
    expect(await host.resolveTarget(path.join(dir, 'store'))).toBe(fs.realpathSync(path.join(dir, 'real', 'other', 'cacerts')));
    await host.writeFileAtomic(path.join(dir, 'store'), Buffer.from('new'));
    expect(fs.readFileSync(path.join(dir, 'real', 'other', 'cacerts'), 'utf8')).toBe('new');
    expect(fs.lstatSync(path.join(dir, 'store')).isSymbolicLink()).toBe(true);
  });

  it('refuses to create files in a directory others can write without the sticky bit', async () => {
    const open = path.join(dir, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    const store = path.join(open, 'cacerts');
    fs.writeFileSync(store, 'old');
    const err = await rejection(host.writeFileAtomic(store, Buffer.from('new')));
    expect(err.message).toContain(open);
    expect(err.message).toMatch(/writable by other users.*chmod o-w,g-w/);
    expect(fs.readFileSync(store, 'utf8')).toBe('old');
    expect(fs.readdirSync(open)).toEqual(['cacerts']);
    // Sticky and owned by root, like /tmp: others cannot rename or delete what midtrust creates there.
    fs.chmodSync(open, 0o1777);
    await host.writeFileAtomic(store, Buffer.from('new'));
    expect(fs.readFileSync(store, 'utf8')).toBe('new');
  });
});

describe('only a keystore path is followed through a link', () => {
  it('a write with noFollow refuses a link at the path (dangling or not) and writes nothing anywhere', async () => {
    const victim = path.join(dir, 'victim.conf');
    fs.writeFileSync(victim, 'root-owned settings\n');
    const link = path.join(dir, 'wrapper-override.conf');
    fs.symlinkSync(victim, link);
    const err = await rejection(host.writeFileAtomic(link, Buffer.from('wrapper.java.additional.1=-Dx\n'), { noFollow: true, what: 'wrapper-override.conf' }));
    expect(err.message).toMatch(/wrapper-override\.conf: is a symbolic link, and midtrust follows a link only for a keystore path, never for wrapper-override\.conf/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('root-owned settings\n');
    fs.unlinkSync(link);
    fs.symlinkSync(path.join(dir, 'nowhere'), link);
    await rejection(host.writeFileAtomic(link, Buffer.from('x'), { noFollow: true }));
    expect(fs.existsSync(path.join(dir, 'nowhere'))).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(['victim.conf', 'wrapper-override.conf']);
  });

  it('the MID config edits of the Pulumi resources refuse a planted link: the file it names is left alone', async () => {
    const victim = path.join(dir, 'victim.conf');
    fs.writeFileSync(victim, 'root-owned settings\n');
    const link = path.join(dir, 'wrapper-override.conf');
    fs.symlinkSync(victim, link);
    const err = await rejection(editTextFile(link, (now) => ({ text: `${now.text ?? ''}wrapper.java.additional.9=-Djavax.net.ssl.trustStore=/x\n`, ledger: now.ledger })));
    expect(err.message).toMatch(/is a symbolic link, and midtrust follows a link only for a keystore path/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('root-owned settings\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['victim.conf', 'wrapper-override.conf']);
  });
});
