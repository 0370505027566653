import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, modernKeytool, runKeytool, tempDir, type Keytool } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs, type Tool } from '../helpers/requireTools';
import { LocalHost } from '../../provider/host/localHost';
import { env, makeCertificateSet, makeStore, writeDesired } from './applyFixtures';

const certs = makeCertificateSet(3);
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const opts = { env, cwd: certs.dir };

const kinds: Array<{ kind: 'JKS' | 'PKCS12' | 'PKCS12-nopw'; keytool: () => Keytool | undefined; password: boolean; tools: Tool[] }> = [
  { kind: 'JKS', keytool: () => undefined, password: true, tools: [] },
  { kind: 'PKCS12', keytool: () => undefined, password: true, tools: [] },
  // Password-less PKCS12 is made and judged by a JDK ≥ 18 keytool (Java 17 cannot write it).
  { kind: 'PKCS12-nopw', keytool: () => modernKeytool(), password: false, tools: ['jdk18'] },
];

for (const { kind, keytool, password, tools } of kinds) needs(...tools).describe(`plan/apply on ${kind}`, () => {
  const modern = keytool();
  const store = path.join(certs.dir, `${kind}.ks`);
  const pw = password ? '  password: { env: MID_STOREPASS }\n' : '';
  const desired = () =>
    writeDesired(
      certs.dir,
      `${kind}.yaml`,
      `keystore:\n  path: ./${kind}.ks\n${pw}certificates:\n  - alias: ACME-Chain\n    file: chain.pem\n  - alias: leaf-zero\n    file: leaf0.pem\n  - alias: Ünïcødé-Leaf\n    file: leaf1.pem\n`,
    );
  const list = () => keytoolList(store, password ? env.MID_STOREPASS : undefined, { keytool: modern }).map((e) => `${e.alias.toLowerCase()} ${e.kind}`).sort();

  beforeAll(() => makeStore(store, kind, modern));

  it('plans (exit 2), applies (keytool verifies), converges (second apply writes nothing)', async () => {
    const f = desired();
    const plan = await midtrust(['plan', '-f', f], opts);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/Plan: 4 to add, 0 to replace, 0 to remove/);
    const applied = await midtrust(['apply', '-f', f], opts);
    expect(applied.code).toBe(0);
    expect(list()).toEqual(['acme-chain trustedCertificate', 'acme-chain-2 trustedCertificate', 'leaf-zero trustedCertificate', 'mid-key privateKey', 'ünïcødé-leaf trustedCertificate'].sort());
    const before = { sha: sha(store), mtime: fs.statSync(store).mtimeMs };
    const again = await midtrust(['apply', '-f', f, '--json'], opts);
    expect(JSON.parse(again.stdout)).toMatchObject({ changes: 0, written: false });
    expect({ sha: sha(store), mtime: fs.statSync(store).mtimeMs }).toEqual(before);
    expect((await midtrust(['plan', '-f', f], opts)).code).toBe(0);
  });

  it('sees drift made with keytool (exit 2, says what) and repairs it', async () => {
    const f = desired();
    const sp = password ? ['-storepass:env', 'MID_STOREPASS'] : ['-storepass:env', 'MID_STOREPASS'];
    runKeytool(['-delete', '-alias', 'leaf-zero', '-keystore', store, ...sp], { env, keytool: modern });
    runKeytool(['-delete', '-alias', 'ACME-Chain', '-keystore', store, ...sp], { env, keytool: modern });
    runKeytool(['-importcert', '-noprompt', '-alias', 'ACME-Chain', '-file', certs.leaves[2], '-keystore', store, ...sp], { env, keytool: modern });
    const plan = await midtrust(['plan', '-f', f, '--json'], opts);
    expect(plan.code).toBe(2);
    const actions = JSON.parse(plan.stdout).actions.map((a: { action: string; alias: string }) => `${a.action} ${a.alias.toLowerCase()}`);
    expect(actions).toEqual(expect.arrayContaining(['replace acme-chain', 'add leaf-zero']));
    expect((await midtrust(['apply', '-f', f], opts)).code).toBe(0);
    expect((await midtrust(['plan', '-f', f], opts)).code).toBe(0);
    expect(list()).toContain('leaf-zero trustedCertificate');
  });

  it('keeps the private key entry usable', () => {
    const dest = path.join(certs.dir, `${kind}-exported.p12`);
    const keypass = kind === 'JKS' ? 'KP' : 'MID_STOREPASS';
    runKeytool(['-importkeystore', '-srckeystore', store, '-srcstorepass:env', 'MID_STOREPASS', '-srcalias', 'mid-key', '-srckeypass:env', keypass, '-destkeystore', dest, '-deststoretype', 'PKCS12', '-deststorepass:env', 'MID_STOREPASS'], { env, keytool: modern });
    expect(keytoolList(dest, env.MID_STOREPASS).map((e) => e.kind)).toEqual(['privateKey']);
  });
});

describe('apply refuses bad input and leaves the store untouched', () => {
  const store = path.join(certs.dir, 'guarded.jks');
  beforeAll(() => makeStore(store, 'JKS'));
  const untouched = async (yaml: string, want: RegExp, extraEnv: Record<string, string> = {}) => {
    const before = sha(store);
    const r = await midtrust(['apply', '-f', writeDesired(certs.dir, 'bad.yaml', yaml)], { env: { ...env, ...extraEnv }, cwd: certs.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(want);
    expect(r.stderr).not.toContain(env.MID_STOREPASS);
    expect(r.stderr).not.toContain('WRONG-pw-xyz');
    expect(sha(store)).toBe(before);
  };
  it('wrong password', () => untouched('keystore:\n  path: guarded.jks\n  password: { env: WRONG }\ncertificates:\n  - alias: a\n    file: leaf0.pem\n', /password (is|was) incorrect/i, { WRONG: 'WRONG-pw-xyz' }));
  it('invalid certificate, naming alias and file', () => {
    fs.writeFileSync(path.join(certs.dir, 'junk.pem'), 'not a cert');
    return untouched('keystore:\n  path: guarded.jks\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: junk-ca\n    file: junk.pem\n', /junk-ca.*junk\.pem/);
  });
  it('a private key entry under a declared alias', () => untouched('keystore:\n  path: guarded.jks\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: MID-KEY\n    state: absent\n', /never replaces or deletes key entries/));
  it('a corrupt store', async () => {
    const corrupt = path.join(certs.dir, 'corrupt.jks');
    const b = fs.readFileSync(store);
    fs.writeFileSync(corrupt, b.subarray(0, b.length - 40));
    const r = await midtrust(['apply', '-f', writeDesired(certs.dir, 'c.yaml', 'keystore:\n  path: corrupt.jks\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: a\n    file: leaf0.pem\n')], opts);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/corrupt\.jks.*(truncated|bytes remain|byte \d+)/i);
    expect(fs.readFileSync(corrupt).length).toBe(b.length - 40);
  });
  it('a lock held by another run: waits, then names the holder', async () => {
    const lock = await new LocalHost().lock(store);
    try {
      const before = sha(store);
      const r = await midtrust(['apply', '-f', writeDesired(certs.dir, 'l.yaml', 'keystore:\n  path: guarded.jks\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: a\n    file: leaf0.pem\n'), '--lock-timeout', '0.5'], opts);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`locked by pid ${process.pid} on host`));
      expect(sha(store)).toBe(before);
    } finally {
      await lock.release();
    }
  });
  needs('chattr').it('a directory that cannot be written gives a clear error', async () => {
    // Root ignores permission bits, and a child switched to another user would need to read this
    // checkout (not given for a 0700 clone); an immutable directory stops root in-process too.
    const dir = tempDir('mt-ro-');
    const roStore = path.join(dir, 'ro.jks');
    fs.copyFileSync(store, roStore);
    fs.copyFileSync(certs.leaves[0], path.join(dir, 'leaf0.pem'));
    const f = writeDesired(dir, 'ro.yaml', 'keystore:\n  path: ro.jks\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: a\n    file: leaf0.pem\n');
    try {
      expect(spawnSync('chattr', ['+i', dir], { encoding: 'utf8' })).toMatchObject({ status: 0, stderr: '' });
      const before = sha(roStore);
      const r = await midtrust(['apply', '-f', f], { env, cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ro\.jks/);
      expect(r.stderr).toMatch(/permission|not permitted|immutable/i);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(sha(roStore)).toBe(before);
    } finally {
      spawnSync('chattr', ['-i', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('import and delete (keytool -importcert / -delete, idempotent)', () => {
  const store = path.join(certs.dir, 'single.jks');
  beforeAll(() => makeStore(store, 'JKS', undefined));

  it('import adds once (keytool sees it); delete removes it; a second delete, or a mistyped alias, says nothing had that name', async () => {
    const base = ['--keystore', 'single.jks', '--storepass-env', 'MID_STOREPASS'];
    expect((await midtrust(['import', ...base, '--alias', 'one-leaf', '--file', 'leaf0.pem'], opts)).code).toBe(0);
    expect(keytoolList(store, env.MID_STOREPASS).map((e) => e.alias)).toContain('one-leaf');
    const removed = await midtrust(['delete', ...base, '--alias', 'one-leaf'], opts);
    expect(removed.code).toBe(0);
    expect(removed.stdout).not.toMatch(/No entry named/);
    expect(keytoolList(store, env.MID_STOREPASS).map((e) => e.alias)).not.toContain('one-leaf');
    const again = await midtrust(['delete', ...base, '--alias', 'one-leaf'], opts);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No entry named 'one-leaf' in .*single\.jks: nothing was deleted/);
  });

  it('their errors speak of the options given, not of a desired-state file', async () => {
    const base = ['--keystore', 'single.jks', '--storepass-env', 'MID_STOREPASS'];
    const key = await midtrust(['import', ...base, '--alias', 'oops', '--file', 'root.key'], opts);
    expect(key.code).toBe(1);
    expect(key.stderr).toMatch(/^midtrust import: error: --file: alias oops \(root\.key\): .*private key/m);
    expect(key.stderr).not.toMatch(/desired|<options>|certificates\[0\]/);
    const keyEntry = await midtrust(['delete', ...base, '--alias', 'mid-key'], opts);
    expect(keyEntry.code).toBe(1);
    expect(keyEntry.stderr).toMatch(/--alias mid-key/);
    expect(keyEntry.stderr).not.toMatch(/<options>|certificates\[0\]/);
    expect(keytoolList(store, env.MID_STOREPASS).map((e) => e.alias)).toContain('mid-key');
  });
});

describe('a MID home that is not one', () => {
  it('plan names keystore.midHome and what it must be, not keystore.create (a MID cacerts is never created)', async () => {
    writeDesired(certs.dir, 'nomid.yaml', 'keystore:\n  midHome: ../mid-srv\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: leaf-zero\n    file: leaf0.pem\n');
    const r = await midtrust(['plan', '-f', 'nomid.yaml'], opts);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mid-srv does not look like a MID Server home; keystore\.midHome must be the directory that contains agent\/ \(.*nomid\.yaml\)/);
    expect(r.stderr).not.toMatch(/keystore\.create/);
  });
});
