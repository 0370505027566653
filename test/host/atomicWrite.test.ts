import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../../provider/errors';
import { LocalHost } from '../../provider/host/localHost';
import { parseTempFileName } from '../../provider/host/tempFileName';
import { tempDir } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { buildHostLibForChildren, fixture } from './fixtures/hostLib';

const host = new LocalHost();
const NOBODY = 65534;

/** Runs a system tool; false (with the reason) when it is missing or not permitted here. */
function trySystem(cmd: string, args: string[]): { ok: boolean; why: string } {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, why: '' };
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return { ok: false, why: err.stderr?.toString().trim() || err.message };
  }
}

async function caught(p: Promise<unknown>): Promise<MidtrustError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MidtrustError);
  return e as MidtrustError;
}

let dir: string;
beforeEach(() => {
  dir = tempDir('mt-host-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('LocalHost.writeFileAtomic', () => {
  it('replaces the content, keeps the mode and leaves no temporary file', async () => {
    const f = path.join(dir, 'cacerts');
    fs.writeFileSync(f, 'old');
    fs.chmodSync(f, 0o640);
    await host.writeFileAtomic(f, Buffer.from('new'));
    expect(fs.readFileSync(f, 'utf8')).toBe('new');
    expect(fs.statSync(f).mode & 0o7777).toBe(0o640);
    expect(fs.readdirSync(dir)).toEqual(['cacerts']);
  });

  it('creates a new file with opts.mode, or 0644', async () => {
    await host.writeFileAtomic(path.join(dir, 'a'), Buffer.from('x'), { mode: 0o600 });
    await host.writeFileAtomic(path.join(dir, 'b'), Buffer.from('x'));
    expect(fs.statSync(path.join(dir, 'a')).mode & 0o7777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'b')).mode & 0o7777).toBe(0o644);
  });

  needs('root').it('keeps the owner (uid and gid) of the file it replaces', async () => {
    const f = path.join(dir, 'cacerts');
    fs.writeFileSync(f, 'old');
    fs.chownSync(f, NOBODY, NOBODY);
    fs.chmodSync(f, 0o600);
    await host.writeFileAtomic(f, Buffer.from('new'));
    const st = fs.statSync(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([NOBODY, NOBODY, 0o600]);
    expect(fs.readFileSync(f, 'utf8')).toBe('new');
  });

  it('writes through a symlink to its target (Debian cacerts layout) and keeps the link', async () => {
    // /usr/lib/jvm/<jdk>/lib/security/cacerts -> /etc/ssl/certs/java/cacerts, as a relative link.
    const etc = path.join(dir, 'etc', 'ssl', 'certs', 'java');
    const jdk = path.join(dir, 'usr', 'lib', 'jvm', 'jdk', 'lib', 'security');
    fs.mkdirSync(etc, { recursive: true });
    fs.mkdirSync(jdk, { recursive: true });
    const target = path.join(etc, 'cacerts');
    const link = path.join(jdk, 'cacerts');
    fs.writeFileSync(target, 'old');
    fs.chmodSync(target, 0o644);
    fs.symlinkSync(path.relative(jdk, target), link);
    expect((await host.stat(link))?.realPath).toBe(fs.realpathSync(target));

    await host.writeFileAtomic(link, Buffer.from('new'));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe(path.relative(jdk, target));
    expect(fs.readFileSync(target, 'utf8')).toBe('new');
    expect(fs.readdirSync(jdk)).toEqual(['cacerts']);
    expect(fs.readdirSync(etc)).toEqual(['cacerts']);
  });

  it('creates the target of a dangling symlink instead of replacing the link', async () => {
    const link = path.join(dir, 'cacerts');
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync(path.join('real', 'cacerts'), link);
    await host.writeFileAtomic(link, Buffer.from('new'));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'real', 'cacerts'), 'utf8')).toBe('new');
  });

  it('verifies the bytes read back from the temporary file before the rename', async () => {
    const f = path.join(dir, 'cacerts');
    fs.writeFileSync(f, 'old');
    const seen: string[] = [];
    await host.writeFileAtomic(f, Buffer.from('new'), {
      verify: async (readBack) => {
        seen.push(Buffer.from(readBack).toString(), fs.readFileSync(f, 'utf8'));
        const temps = fs.readdirSync(dir).filter((n) => parseTempFileName(n)?.targetBase === 'cacerts');
        seen.push(String(temps.length), (fs.statSync(path.join(dir, temps[0])).mode & 0o7777).toString(8));
      },
    });
    // read back = new bytes; the target still old during verify; one temp file, already with the final mode.
    expect(seen).toEqual(['new', 'old', '1', '644']);
    expect(fs.readFileSync(f, 'utf8')).toBe('new');
  });

  it('leaves the original untouched and removes the temporary file when verify throws', async () => {
    const f = path.join(dir, 'cacerts');
    fs.writeFileSync(f, 'old');
    const before = fs.statSync(f);
    const err = await caught(
      host.writeFileAtomic(f, Buffer.from('new'), {
        verify: () => {
          throw new MidtrustError('CORRUPT', 'does not read back');
        },
      }),
    );
    expect(err.code).toBe('CORRUPT');
    // A bug-style throw from verify still comes out as a MidtrustError.
    const err2 = await caught(
      host.writeFileAtomic(f, Buffer.from('new'), {
        verify: () => {
          throw new TypeError('boom');
        },
      }),
    );
    expect(err2.code).toBe('CORRUPT');
    expect(err2.message).toContain(f);
    const after = fs.statSync(f);
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(fs.readdirSync(dir)).toEqual(['cacerts']);
  });

  needs('root').it('fails with IO naming the file when an unprivileged user cannot write the directory (EACCES)', () => {
    // Root bypasses permission bits, so the writer is a child that switched to nobody.
    const lib = buildHostLibForChildren();
    try {
      fs.chmodSync(dir, 0o755);
      const f = path.join(dir, 'cacerts');
      fs.writeFileSync(f, 'old');
      const r = spawnSync(process.execPath, [fixture('unprivilegedWrite.js'), f], {
        encoding: 'utf8',
        env: { ...process.env, MIDTRUST_HOST_LIB: lib },
      });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout.trim()) as { ok: boolean; code: string; message: string };
      expect(out).toMatchObject({ ok: false, code: 'IO' });
      expect(out.message).toContain(f);
      expect(out.message).toMatch(/permission denied.*run midtrust as the user that owns/);
      expect(fs.readFileSync(f, 'utf8')).toBe('old');
      expect(fs.readdirSync(dir)).toEqual(['cacerts']);
    } finally {
      fs.rmSync(lib, { recursive: true, force: true });
    }
  });

  needs('chattr').it('fails with IO when the directory is immutable (chattr +i, EPERM)', async () => {
    const f = path.join(dir, 'cacerts');
    fs.writeFileSync(f, 'old');
    expect(trySystem('chattr', ['+i', dir])).toEqual({ ok: true, why: '' });
    try {
      const err = await caught(host.writeFileAtomic(f, Buffer.from('new')));
      expect(err.code).toBe('IO');
      expect(err.message).toContain(f);
      expect(err.message).toMatch(/not permitted.*immutable/);
    } finally {
      trySystem('chattr', ['-i', dir]);
    }
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['cacerts']);
  });

  needs('tmpfs').it('fails with IO on a read-only file system (EROFS) and on a full one (ENOSPC)', async () => {
    const ro = path.join(dir, 'ro');
    const full = path.join(dir, 'full');
    fs.mkdirSync(ro);
    fs.mkdirSync(full);
    try {
      expect(trySystem('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', ro])).toEqual({ ok: true, why: '' });
      fs.writeFileSync(path.join(ro, 'cacerts'), 'old');
      expect(trySystem('mount', ['-o', 'remount,ro', ro]).ok).toBe(true);
      const err = await caught(host.writeFileAtomic(path.join(ro, 'cacerts'), Buffer.from('new')));
      expect(err.code).toBe('IO');
      expect(err.message).toContain(path.join(ro, 'cacerts'));
      expect(err.message).toMatch(/read-only.*remount it read-write/);
      expect(fs.readFileSync(path.join(ro, 'cacerts'), 'utf8')).toBe('old');

      // 256 KiB of room, a 1 MiB store: the write runs out of space half-way.
      expect(trySystem('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]).ok).toBe(true);
      const f = path.join(full, 'cacerts');
      fs.writeFileSync(f, 'old');
      const err2 = await caught(host.writeFileAtomic(f, Buffer.alloc(1024 * 1024, 1)));
      expect(err2.code).toBe('IO');
      expect(err2.message).toContain(f);
      expect(err2.message).toMatch(/no space left.*free some space/);
      expect(fs.readFileSync(f, 'utf8')).toBe('old');
      expect(fs.readdirSync(full)).toEqual(['cacerts']);
    } finally {
      trySystem('umount', [ro]);
      trySystem('umount', [full]);
    }
  });
});

describe('LocalHost reading', () => {
  it('reports a missing file as NOT_FOUND, a directory as INVALID_INPUT, stat of a missing file as undefined', async () => {
    expect((await caught(host.readFile(path.join(dir, 'nope')))).code).toBe('NOT_FOUND');
    expect((await caught(host.readFile(dir))).code).toBe('INVALID_INPUT');
    expect(await host.stat(path.join(dir, 'nope'))).toBeUndefined();
  });

  it('stat gives size, mode, owner and the resolved path', async () => {
    const f = path.join(dir, 'cacerts');
    fs.writeFileSync(f, 'abcd');
    fs.chmodSync(f, 0o600);
    fs.symlinkSync(f, path.join(dir, 'link'));
    const st = await host.stat(path.join(dir, 'link'));
    const real = fs.statSync(f);
    expect(st).toEqual({ size: 4, mtimeMs: real.mtimeMs, mode: 0o600, uid: real.uid, gid: real.gid, realPath: fs.realpathSync(f) });
  });
});
