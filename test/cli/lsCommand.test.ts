import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, modernKeytool, runKeytool, tempDir } from '../helpers/keytool';
import { CLI, midtrust, midtrustProcess } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';

const env = { SP: 'ls-Pass-1' };
const dir = tempDir('mt-ls-');
const p = (n: string) => path.join(dir, n);
const kt = (args: string[], keytool = undefined as ReturnType<typeof modernKeytool>) => runKeytool(args, { env, keytool });

beforeAll(() => {
  kt(['-genkeypair', '-alias', 'Server-Key', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=server,O=ACME', '-keystore', p('s.jks'), '-storetype', 'JKS', '-storepass:env', 'SP', '-keypass:env', 'SP']);
  kt(['-exportcert', '-rfc', '-alias', 'server-key', '-keystore', p('s.jks'), '-storepass:env', 'SP', '-file', p('server.pem')]);
  kt(['-importcert', '-noprompt', '-alias', 'Ünïcødé Root', '-file', p('server.pem'), '-keystore', p('s.jks'), '-storepass:env', 'SP']);
  kt(['-importkeystore', '-srckeystore', p('s.jks'), '-srcstorepass:env', 'SP', '-destkeystore', p('s.p12'), '-deststoretype', 'PKCS12', '-deststorepass:env', 'SP']);
});

const fromKeytool = (file: string, password?: string) =>
  keytoolList(file, password).map((e) => ({ alias: e.alias.toLowerCase(), kind: e.kind, sha256: e.sha256 }));
const fromJson = (stdout: string) =>
  (JSON.parse(stdout) as { entries: Array<{ alias: string; kind: string; sha256: string }> }).entries.map((e) => ({ alias: e.alias.toLowerCase(), kind: e.kind, sha256: e.sha256 }));

describe('midtrust ls', () => {
  it.each([['JKS', 's.jks'], ['PKCS12', 's.p12']])('%s --json lists what keytool lists', async (type, file) => {
    const r = await midtrust(['ls', p(file), '--storepass-env', 'SP', '--json'], { env });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ path: p(file), type, verified: true });
    expect(json.entries[0]).toEqual(expect.objectContaining({ subject: expect.any(String), issuer: expect.any(String), notAfter: expect.any(String), isCa: expect.any(Boolean) }));
    expect(fromJson(r.stdout)).toEqual(fromKeytool(p(file), env.SP));
  });

  it('lists a JKS without a password unverified and says so on stderr', async () => {
    const r = await midtrust(['ls', p('s.jks'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).verified).toBe(false);
    expect(r.stderr).toMatch(/integrity NOT verified/);
  });

  needs('jdk18').it('lists a password-less PKCS12 (JDK ≥ 18 cacerts form)', async () => {
    const modern = modernKeytool()!;
    runKeytool(['-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE', '-J-Dkeystore.pkcs12.macAlgorithm=NONE', '-importcert', '-noprompt', '-alias', 'root', '-file', p('server.pem'), '-keystore', p('nopw.p12'), '-storetype', 'PKCS12', '-storepass:env', 'SP'], { env, keytool: modern });
    const r = await midtrust(['ls', p('nopw.p12'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'PKCS12', verified: false, integrity: 'none' });
    expect(fromJson(r.stdout)).toEqual(fromKeytool(p('nopw.p12')));
  });

  it('prints a table with a header line', async () => {
    const r = await midtrust(['ls', p('s.jks'), '--storepass-env', 'SP'], { env });
    expect(r.stdout).toMatch(/^.*s\.jks: JKS, 2 entries, integrity verified\nALIAS\s+KIND\s+SUBJECT CN\s+NOT AFTER\s+CA\s+SHA-256\n/);
    expect(r.stdout).toMatch(/server-key\s+key\s+server/);
  });

  it.each([
    ['a wrong password', ['--storepass-env', 'BAD'], { BAD: 'nope' }, /password (is|was) incorrect/i],
    ['a missing file', [], {}, /nope\.jks: does not exist/],
    ['a password on argv', ['--storepass', 'changeit'], {}, /visible to every user in 'ps'/],
    ['an unset env var', ['--storepass-env', 'UNSET_VAR'], {}, /UNSET_VAR is not set/],
  ])('fails with one clear line for %s', async (_n, extra, e, want) => {
    const file = _n === 'a missing file' ? p('nope.jks') : p('s.jks');
    const r = await midtrust(['ls', file, ...extra], { env: e });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(want);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\bat \w+ \(/); // no stack trace
  });

  it('reads the password from stdin and from a file', async () => {
    fs.writeFileSync(p('pw.txt'), `${env.SP}\n`);
    expect((await midtrust(['ls', p('s.jks'), '--storepass-file', p('pw.txt'), '--json'])).code).toBe(0);
    expect((await midtrust(['ls', p('s.jks'), '--storepass-stdin', '--json'], { stdin: `${env.SP}\n` })).code).toBe(0);
  });

  it('runs as a process without loading @pulumi/pulumi', () => {
    const r = midtrustProcess(['ls', p('s.jks'), '--storepass-env', 'SP', '--json'], { env });
    expect(r.code).toBe(0);
    const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(path.dirname(CLI), 'runCli.js'))}); console.log(Object.keys(require.cache).filter((k) => k.includes('@pulumi')).length)`], { encoding: 'utf8' });
    expect(probe.stdout.trim()).toBe('0');
  });
});
