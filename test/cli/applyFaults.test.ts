/** Concurrent applies and symlinked stores; kill -9 during apply is test/cli/applyKillPhases.test.ts. */
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
