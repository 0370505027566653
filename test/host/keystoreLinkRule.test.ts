/**
 * Issue #19 item 1: a keystore link is followed only when root or the owner of its target made
 * it, and never into a directory another account owns. Tests run as root (CI does); "the MID
 * account" is a test uid the MID home and the planted link are chowned to.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MidtrustError } from '../../provider/errors';
import { SshConnectionPool } from '../../provider/host/ssh/sshConnectionPool';
import { SshHost } from '../../provider/host/ssh/sshHost';
import { LocalHost } from '../../provider/host/localHost';
import { keytoolList, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { JDK_CACERTS, needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { makeCertificateSet } from '../cli/applyFixtures';

/** The MID service account of these tests: nobody, so the message can name it. */
const MID_UID = 65534;
const env = { MID_STOREPASS: 'changeit' };

/** A MID home owned by the MID account whose bundled cacerts is a link to `target`, made by `linkOwner`. */
function midHomeLinkedTo(dir: string, target: string, linkOwner: number): { home: string; link: string } {
  const home = path.join(dir, 'mid');
  const security = path.join(home, 'agent', 'jre', 'lib', 'security');
  fs.mkdirSync(security, { recursive: true });
  fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters/>\n');
  for (let d = security; d.startsWith(home); d = path.dirname(d)) fs.chownSync(d, MID_UID, MID_UID);
  const link = path.join(security, 'cacerts');
  fs.symlinkSync(target, link);
  fs.lchownSync(link, linkOwner, linkOwner);
  return { home, link };
}

/** A root-owned store elsewhere on the host (the system JDK's cacerts, 140-odd entries). */
function rootStore(dir: string): { storeDir: string; store: string; bytes: Buffer } {
  const storeDir = path.join(dir, 'jdk', 'lib', 'security');
  fs.mkdirSync(storeDir, { recursive: true });
  const store = path.join(storeDir, 'cacerts');
  fs.copyFileSync(JDK_CACERTS, store);
  return { storeDir, store, bytes: fs.readFileSync(store) };
}

function desiredFile(dir: string, cert: string, home: string): string {
  const f = path.join(dir, 'd.yaml');
  fs.writeFileSync(f, `keystore:\n  midHome: ${home}\n  password: { env: MID_STOREPASS }\nexclusive: true\nbackup: 2\ncertificates:\n  - alias: acme-root\n    file: ${cert}\n`);
  return f;
}

async function rejection(p: Promise<unknown>): Promise<MidtrustError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MidtrustError);
  return e as MidtrustError;
}

needs('root', 'keytool', 'jdkCacerts', 'openssl').describe('a keystore link planted by the MID account (local)', () => {
  const certs = makeCertificateSet(0);
  let dir: string;
  beforeEach(() => {
    dir = tempDir('mt-linkrule-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('apply refuses it: the root-owned store it points to stays byte-identical, no backup, manifest or lock beside it', async () => {
    const { storeDir, store, bytes } = rootStore(dir);
    const { home, link } = midHomeLinkedTo(dir, store, MID_UID);
    const r = await midtrust(['apply', '-f', desiredFile(dir, certs.root, home)], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${link}: is a symbolic link made by uid ${MID_UID} (nobody)`);
    expect(r.stderr).toContain(`points to ${store}, which belongs to root`);
    expect(r.stderr).toMatch(/give the path it points to instead/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(store).equals(bytes)).toBe(true);
    expect(fs.readdirSync(storeDir)).toEqual(['cacerts']);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('the same under --json: one JSON error', async () => {
    const { store, bytes } = rootStore(dir);
    const { home } = midHomeLinkedTo(dir, store, MID_UID);
    const r = await midtrust(['apply', '-f', desiredFile(dir, certs.root, home), '--json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    const err = (JSON.parse(r.stdout || r.stderr) as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/symbolic link made by uid 65534/);
    expect(fs.readFileSync(store).equals(bytes)).toBe(true);
  });

  it('a Debian-style link made by root is still followed: the store it points to gets the change (and the backup)', async () => {
    const { storeDir, store } = rootStore(dir);
    const { home } = midHomeLinkedTo(dir, store, 0);
    const r = await midtrust(['apply', '-f', desiredFile(dir, certs.root, home)], { env, cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(keytoolList(store, 'changeit').map((e) => e.alias)).toEqual(['acme-root']);
    expect(fs.readdirSync(storeDir).some((n) => n.startsWith('cacerts.midtrust-backup-'))).toBe(true);
  });

  it('a link the MID account made to its own store in its own directory is followed', async () => {
    const own = path.join(dir, 'mid-stores');
    fs.mkdirSync(own);
    const store = path.join(own, 'truststore');
    fs.copyFileSync(JDK_CACERTS, store);
    fs.chownSync(own, MID_UID, MID_UID);
    fs.chownSync(store, MID_UID, MID_UID);
    const { home } = midHomeLinkedTo(dir, store, MID_UID);
    const r = await midtrust(['apply', '-f', desiredFile(dir, certs.root, home)], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(keytoolList(store, 'changeit').map((e) => e.alias)).toEqual(['acme-root']);
    expect(fs.statSync(store).uid).toBe(MID_UID);
  });
});

needs('root').describe('the keystore link rule (resolveTarget)', () => {
  const host = new LocalHost();
  let dir: string;
  beforeEach(() => {
    dir = tempDir('mt-linkrule-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a dangling link the MID account planted into a root directory creates nothing there', async () => {
    const rootDir = path.join(dir, 'etc-app');
    fs.mkdirSync(rootDir);
    const { link } = midHomeLinkedTo(dir, path.join(rootDir, 'new-store'), MID_UID);
    const err = await rejection(host.writeFileAtomic(link, Buffer.from('x')));
    expect(err.message).toContain(`in ${rootDir}, a directory that belongs to root`);
    expect(fs.readdirSync(rootDir)).toEqual([]);
  });

  it('a link to a file the MID account owns in a root directory is refused too (never into another account\'s directory)', async () => {
    const rootDir = path.join(dir, 'etc-app');
    fs.mkdirSync(rootDir);
    fs.writeFileSync(path.join(rootDir, 'store'), 'old');
    fs.chownSync(path.join(rootDir, 'store'), MID_UID, MID_UID);
    const { link } = midHomeLinkedTo(dir, path.join(rootDir, 'store'), MID_UID);
    await rejection(host.lock(link));
    expect(fs.readdirSync(rootDir)).toEqual(['store']);
  });

  it('each hop is judged: root → root → store is followed; root → MID link → root store is refused', async () => {
    const { store, bytes } = rootStore(dir);
    const second = path.join(dir, 'etc-cacerts');
    fs.symlinkSync(store, second);
    fs.symlinkSync(second, path.join(dir, 'first'));
    expect(await host.resolveTarget(path.join(dir, 'first'))).toBe(fs.realpathSync(store));
    const { link: midLink } = midHomeLinkedTo(dir, store, MID_UID);
    const front = path.join(dir, 'front-cacerts');
    fs.symlinkSync(midLink, front);
    const err = await rejection(host.writeFileAtomic(front, Buffer.from('x')));
    expect(err.message).toContain(`${front}: is a symbolic link made by root that points to ${midLink}, in ${path.dirname(midLink)}, a directory that belongs to uid ${MID_UID}`);
    expect(err.message).not.toMatch(/root may have planted/);
    expect(fs.readFileSync(store).equals(bytes)).toBe(true);
  });

  it('a link root made into a directory the MID account owns is refused (the directory rule holds for every maker)', async () => {
    const midDir = path.join(dir, 'mid-stores');
    fs.mkdirSync(midDir);
    fs.writeFileSync(path.join(midDir, 'truststore'), 'old');
    fs.chownSync(midDir, MID_UID, MID_UID);
    const link = path.join(dir, 'cacerts');
    fs.symlinkSync(path.join(midDir, 'truststore'), link);
    const err = await rejection(host.resolveTarget(link));
    expect(err.message).toContain(`a directory that belongs to uid ${MID_UID} (nobody)`);
    // The real path is always accepted.
    expect(await host.resolveTarget(path.join(midDir, 'truststore'))).toBe(path.join(fs.realpathSync(midDir), 'truststore'));
  });
});

needs('root', 'sshd', 'keytool', 'jdkCacerts', 'openssl').describe('a keystore link planted by the MID account (over SSH)', () => {
  const certs = makeCertificateSet(0);
  let sshd: TestSshd;
  let pool: SshConnectionPool;
  let dir: string;
  beforeAll(async () => {
    sshd = await startSshd();
    pool = new SshConnectionPool();
  }, 30_000);
  afterAll(async () => {
    await pool?.closeAll();
    await sshd?.stop();
    fs.rmSync(sshd.dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    dir = tempDir('mt-sshlinkrule-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const inventory = (home: string): string => {
    const f = path.join(dir, 'hosts.yaml');
    fs.writeFileSync(
      f,
      `hosts:\n  - name: mid-1\n    host: 127.0.0.1\n    port: ${sshd.port}\n    user: root\n    privateKeyFile: ${path.join(sshd.dir, 'userkey')}\n    hostKeyFingerprint: ${sshd.hostKeyFingerprint}\n    midHome: ${home}\n`,
    );
    return f;
  };

  it('fleet apply refuses it: target byte-identical, no backup or manifest in its directory', async () => {
    const { storeDir, store, bytes } = rootStore(dir);
    const { home, link } = midHomeLinkedTo(dir, store, MID_UID);
    const r = await midtrust(['apply', '-f', desiredFile(dir, certs.root, home), '--inventory', inventory(home)], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain(`${link}: is a symbolic link made by uid ${MID_UID} (nobody)`);
    expect(fs.readFileSync(store).equals(bytes)).toBe(true);
    expect(fs.readdirSync(storeDir)).toEqual(['cacerts']);
  });

  it('SshHost follows a root-made link and refuses the MID one', async () => {
    const host = new SshHost({ host: '127.0.0.1', port: sshd.port, user: 'root', privateKey: sshd.privateKey, knownHostsFile: sshd.knownHostsFile }, pool);
    const { store, bytes } = rootStore(dir);
    const rootLink = path.join(dir, 'debian-cacerts');
    fs.symlinkSync(store, rootLink);
    expect(await host.resolveTarget(rootLink)).toBe(fs.realpathSync(store));
    const { link } = midHomeLinkedTo(dir, store, MID_UID);
    const err = await rejection(host.writeFileAtomic(link, Buffer.from('x')));
    expect(err.message).toContain(`ssh root@127.0.0.1:${sshd.port} ${link}: is a symbolic link made by uid ${MID_UID} (nobody)`);
    expect(fs.readFileSync(store).equals(bytes)).toBe(true);
  });
});
