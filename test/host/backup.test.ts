import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../../provider/errors';
import { backupBeforeWrite } from '../../provider/host/backup';
import { LocalHost } from '../../provider/host/localHost';
import { tempDir } from '../helpers/keytool';

const host = new LocalHost();

let dir: string;
beforeEach(() => {
  dir = tempDir('mt-bak-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('backupBeforeWrite', () => {
  it('copies the store with its mode and keeps only the newest N copies', async () => {
    const f = path.join(dir, 'cacerts');
    const lookAlike = 'cacerts.midtrust-backup-by-hand';
    fs.writeFileSync(path.join(dir, lookAlike), 'mine');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      fs.writeFileSync(f, `v${i}`);
      fs.chmodSync(f, 0o600);
      made.push((await backupBeforeWrite(host, f, 3, new Date(Date.UTC(2026, 0, 1, 0, 0, i, 7))))!);
    }
    expect(path.basename(made[4])).toBe('cacerts.midtrust-backup-20260101T000004007Z');
    const backups = fs.readdirSync(dir).filter((n) => /midtrust-backup-\d/.test(n)).sort();
    expect(backups).toEqual(made.slice(2).map((p) => path.basename(p)));
    expect(backups.map((n) => fs.readFileSync(path.join(dir, n), 'utf8'))).toEqual(['v2', 'v3', 'v4']);
    for (const n of backups) expect(fs.statSync(path.join(dir, n)).mode & 0o7777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, lookAlike), 'utf8')).toBe('mine');
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('puts the backup beside the symlink target, not the link', async () => {
    fs.mkdirSync(path.join(dir, 'real'));
    const target = path.join(dir, 'real', 'cacerts');
    fs.writeFileSync(target, 'content');
    fs.symlinkSync(target, path.join(dir, 'cacerts'));
    const backup = await backupBeforeWrite(host, path.join(dir, 'cacerts'), 1);
    expect(path.dirname(backup!)).toBe(fs.realpathSync(path.join(dir, 'real')));
    expect(fs.readFileSync(backup!, 'utf8')).toBe('content');
  });

  it('does nothing for a store that does not exist yet, and refuses keep < 1', async () => {
    expect(await backupBeforeWrite(host, path.join(dir, 'nope'), 2)).toBeUndefined();
    const err = await backupBeforeWrite(host, path.join(dir, 'nope'), 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MidtrustError);
    expect((err as MidtrustError).code).toBe('INVALID_INPUT');
  });
});
