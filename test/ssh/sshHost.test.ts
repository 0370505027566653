import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyDesiredState, planDesiredState } from '../../provider/apply/desiredStateRun';
import { KeystoreBatcher } from '../../provider/apply/keystoreBatcher';
import { SshConnectionPool } from '../../provider/host/ssh/sshConnectionPool';
import { SshHost } from '../../provider/host/ssh/sshHost';
import { loadDesiredState } from '../../provider/plan/desiredStateFile';
import { keytoolList, tempDir } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { env, makeCertificateSet, makeStore } from '../cli/applyFixtures';

needs('sshd').describe('SshHost against a real OpenSSH server', () => {
  let sshd: TestSshd;
  let pool: SshConnectionPool;
  const spec = () => ({ host: '127.0.0.1', port: sshd.port, user: 'root', privateKey: sshd.privateKey, knownHostsFile: sshd.knownHostsFile });
  beforeAll(async () => {
    sshd = await startSshd();
    pool = new SshConnectionPool();
  }, 30_000);
  afterAll(async () => {
    await pool?.closeAll();
    await sshd?.stop();
  });

  describe('host key verification is mandatory', () => {
    it.each([
      ['an unknown host', () => ({ knownHostsFile: path.join(tempDir(), 'empty') }), /unknown host .*ssh-keyscan/],
      ['a mismatched pinned key', () => ({ knownHostsFile: undefined, hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), /HOST KEY MISMATCH/],
      ['no key to verify against', () => ({ knownHostsFile: undefined }), /never accepts an unknown host key/],
    ])('refuses %s', async (_n, override, want) => {
      const empty = path.join(tempDir(), 'empty');
      fs.writeFileSync(empty, '');
      const o = override();
      const host = new SshHost({ ...spec(), ...o, ...(o.knownHostsFile ? { knownHostsFile: empty } : {}) }, new SshConnectionPool());
      await expect(host.readFile('/etc/hostname')).rejects.toThrow(want);
    });
    it('accepts the pinned fingerprint', async () => {
      const own = new SshConnectionPool();
      const host = new SshHost({ ...spec(), knownHostsFile: undefined, hostKeyFingerprint: sshd.hostKeyFingerprint }, own);
      expect((await host.stat('/etc/hostname'))?.size).toBeGreaterThan(0);
      await own.closeAll();
    });
  });

  it('plans and applies a desired state on a remote store, over one connection; keytool verifies', async () => {
    const certs = makeCertificateSet(3);
    const store = path.join(certs.dir, 'remote-cacerts');
    makeStore(store, 'JKS');
    const desiredFile = path.join(certs.dir, 'remote.yaml');
    fs.writeFileSync(desiredFile, `keystore:\n  path: ${store}\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: chain\n    file: chain.pem\n  - alias: leaf\n    file: leaf0.pem\n`);
    const desired = loadDesiredState(fs.readFileSync(desiredFile, 'utf8'), desiredFile, { readFile: (f) => fs.readFileSync(f), env });
    const host = new SshHost(spec(), pool);
    expect((await planDesiredState(host, desired)).changes).toBe(3);
    const r = await applyDesiredState(host, desired, { batcher: new KeystoreBatcher(host) });
    expect(r.written).toBe(true);
    expect((await applyDesiredState(host, desired, { batcher: new KeystoreBatcher(host) })).written).toBe(false);
    expect(keytoolList(store, env.MID_STOREPASS).map((e) => e.alias).sort()).toEqual(['chain', 'chain-2', 'leaf', 'mid-key']);
    expect(pool.opened.get(`root@127.0.0.1:${sshd.port}`)).toBe(1);
    expect(fs.readdirSync(certs.dir).filter((n) => n.includes('.midtrust'))).toEqual([]);
  });

  // Cuts at every moment of a write: test/ssh/sshCuts.test.ts.
  it('a dropped connection reporting error then close never evicts its replacement (which would keep the process alive)', async () => {
    const own = new SshConnectionPool();
    const first = await own.get(spec());
    // A dropped link reports 'error' (ECONNRESET) first: the pool forgets it and reconnects.
    first.client.emit('error', new Error('read ECONNRESET'));
    await expect(first.closed).rejects.toThrow(/connection was lost \(read ECONNRESET\)/);
    const second = await own.get(spec());
    expect(second).not.toBe(first);
    // Its late 'close' must not drop the new session from the pool...
    first.client.emit('close');
    await new Promise((r) => setImmediate(r));
    expect(await own.get(spec())).toBe(second);
    // ...so closeAll still closes it, and nothing holds the process open.
    await own.closeAll();
    await expect(second.closed).rejects.toThrow(/connection was lost/);
    expect(own.opened.get(`root@127.0.0.1:${sshd.port}`)).toBe(2);
    first.client.end();
  });

  it('two concurrent applies over separate connections lose nothing', async () => {
    const certs = makeCertificateSet(10);
    const store = path.join(certs.dir, 'shared-cacerts');
    makeStore(store, 'JKS');
    const desiredFor = (ids: number[]) => {
      const f = path.join(certs.dir, `d${ids[0]}.yaml`);
      fs.writeFileSync(f, `keystore:\n  path: ${store}\n  password: { env: MID_STOREPASS }\ncertificates:\n${ids.map((i) => `  - alias: leaf-${i}\n    file: leaf${i}.pem\n`).join('')}`);
      return loadDesiredState(fs.readFileSync(f, 'utf8'), f, { readFile: (x) => fs.readFileSync(x), env });
    };
    const [p1, p2] = [new SshConnectionPool(), new SshConnectionPool()];
    const [h1, h2] = [new SshHost(spec(), p1), new SshHost(spec(), p2)];
    await Promise.all([
      applyDesiredState(h1, desiredFor([0, 1, 2, 3, 4]), { batcher: new KeystoreBatcher(h1) }),
      applyDesiredState(h2, desiredFor([5, 6, 7, 8, 9]), { batcher: new KeystoreBatcher(h2) }),
    ]);
    expect(keytoolList(store, env.MID_STOREPASS).filter((e) => e.alias.startsWith('leaf-'))).toHaveLength(10);
    await p1.closeAll();
    await p2.closeAll();
  });
});
