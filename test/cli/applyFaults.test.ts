import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKeystore } from '../../provider/keystore/keystoreCodec';
import { keytoolList } from '../helpers/keytool';
import { midtrust, startMidtrust } from '../helpers/midtrustCli';
import { env, makeCertificateSet, makeStore, writeDesired } from './applyFixtures';

const certs = makeCertificateSet(20);
const leafAliases = (store: string) =>
  readKeystore(fs.readFileSync(store), { password: env.MID_STOREPASS })
    .entries.map((e) => e.alias)
    .filter((a) => a.startsWith('leaf-'))
    .sort();
const declare = (name: string, store: string, leaves: number[], state: 'present' | 'absent') =>
  writeDesired(
    certs.dir,
    name,
    `keystore:\n  path: ${store}\n  password: { env: MID_STOREPASS }\ncertificates:\n${leaves.map((i) => (state === 'present' ? `  - alias: leaf-${i}\n    file: leaf${i}.pem\n` : `  - alias: leaf-${i}\n    state: absent\n`)).join('')}`,
  );
const exitOf = (child: ReturnType<typeof startMidtrust>) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });

describe('fault injection: kill -9 during apply', () => {
  it('leaves the old or the new store, always valid, over 50 kills', async () => {
    const store = path.join(certs.dir, 'killed.jks');
    // A full-size store makes the write window wide enough for kills to land inside it.
    if (fs.existsSync('/etc/ssl/certs/java/cacerts')) {
      const { writeKeystore } = await import('../../provider/keystore/keystoreCodec');
      fs.writeFileSync(store, writeKeystore(readKeystore(fs.readFileSync('/etc/ssl/certs/java/cacerts'), { password: 'changeit' }), env.MID_STOREPASS));
    } else {
      makeStore(store, 'JKS');
    }
    const all = Array.from({ length: 10 }, (_, i) => i);
    const add = declare('kill-add.yaml', store, all, 'present');
    const remove = declare('kill-remove.yaml', store, all, 'absent');
    const full = all.map((i) => `leaf-${i}`).sort();
    // How long one whole apply takes as a process: kills are spread over that window.
    const t0 = Date.now();
    await exitOf(startMidtrust(['apply', '-f', add], { env, cwd: certs.dir }));
    const window = Math.max(50, Date.now() - t0);
    await exitOf(startMidtrust(['apply', '-f', remove], { env, cwd: certs.dir }));
    let killedMidway = 0;
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const child = startMidtrust(['apply', '-f', i % 2 ? remove : add], { env, cwd: certs.dir });
      const exited = exitOf(child);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * window * 1.3)));
      child.kill('SIGKILL');
      const { signal } = await exited;
      if (signal === 'SIGKILL') killedMidway++;
      const present = leafAliases(store); // throws unless the store verifies with its password
      expect([[], full]).toContainEqual(present);
      seen.add(present.length ? 'new' : 'old');
    }
    console.log(`kill -9 test: apply takes ~${window} ms; ${killedMidway} of 60 applies were killed before they finished`);
    expect(killedMidway).toBeGreaterThanOrEqual(20);
    expect(seen).toEqual(new Set(['old', 'new'])); // some applies did complete: the test saw both states
    // The next run cleans up after the killed ones and still converges.
    expect((await midtrust(['apply', '-f', add], { env, cwd: certs.dir })).code).toBe(0);
    expect(leafAliases(store)).toEqual(full);
    expect(fs.readdirSync(certs.dir).filter((n) => n.startsWith('.killed.jks.midtrust-'))).toEqual([]);
    expect(keytoolList(store, env.MID_STOREPASS).filter((e) => e.alias.startsWith('leaf-'))).toHaveLength(10);
  }, 180_000);
});

describe('concurrent applies lose nothing', () => {
  it.each([2, 4])('%i processes applying disjoint sets → the union is present', async (n) => {
    const store = path.join(certs.dir, `concurrent-${n}.jks`);
    makeStore(store, 'JKS');
    const files = Array.from({ length: n }, (_, k) =>
      declare(`conc-${n}-${k}.yaml`, store, Array.from({ length: 20 / n }, (_, j) => k * (20 / n) + j), 'present'),
    );
    const results = await Promise.all(files.map((f) => exitOf(startMidtrust(['apply', '-f', f], { env, cwd: certs.dir }))));
    for (const r of results) expect(r).toMatchObject({ code: 0 });
    expect(leafAliases(store)).toEqual(Array.from({ length: 20 }, (_, i) => `leaf-${i}`).sort());
    expect(keytoolList(store, env.MID_STOREPASS)).toHaveLength(21);
  }, 60_000);
});

describe('symlinked store (as Debian links every JDK cacerts)', () => {
  it('writes the target, keeps the link and the target mode', async () => {
    const target = path.join(certs.dir, 'real-cacerts');
    const link = path.join(certs.dir, 'linked-cacerts');
    makeStore(target, 'JKS');
    fs.chmodSync(target, 0o640);
    fs.symlinkSync(target, link);
    const f = declare('link.yaml', 'linked-cacerts', [0], 'present');
    expect((await midtrust(['apply', '-f', f], { env, cwd: certs.dir })).code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
    expect(leafAliases(target)).toEqual(['leaf-0']);
  });
});
