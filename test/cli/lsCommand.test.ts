import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, modernKeytool, runKeytool, tempDir } from '../helpers/keytool';
import { CLI, midtrust, midtrustProcess } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { jksDigest } from '../../provider/keystore/jks/jksDigest';
import { applyPlan } from '../../provider/plan/applyPlan';

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

describe('issue 19 item 7: an entry date outside what a JavaScript Date can hold', () => {
  /** A keytool-made JKS holding one trusted entry whose stored date is `ms` (digest recomputed, as a hand-made store would be). */
  function storeDated(name: string, ms: bigint): string {
    const file = p(name);
    kt(['-importcert', '-noprompt', '-alias', 'far', '-file', p('server.pem'), '-keystore', file, '-storetype', 'JKS', '-storepass:env', 'SP']);
    const body = Buffer.from(fs.readFileSync(file).subarray(0, -20));
    const at = 16 + 2 + body.readUInt16BE(16); // header (12) + tag (4) + alias
    body.writeBigInt64BE(ms, at);
    fs.writeFileSync(file, Buffer.concat([body, jksDigest(env.SP, body)]));
    return file;
  }

  it.each([
    ['the largest 64-bit value (keytool: Aug 17, 292278994)', 2n ** 63n - 1n],
    ['a date far before 1970', -(2n ** 62n)],
    ['one millisecond past the last Date', 8_640_000_000_000_001n],
  ])('ls lists %s as keytool does: exact milliseconds, no stack trace', async (_what, ms) => {
    const file = storeDated(`far-${ms}.jks`, ms);
    expect(keytoolList(file, env.SP).map((e) => e.alias)).toEqual(['far']);
    const json = await midtrust(['ls', file, '--storepass-env', 'SP', '--json'], { env });
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).entries[0]).toMatchObject({ alias: 'far', created: null, createdMs: ms.toString() });
    const text = await midtrust(['ls', file, '--storepass-env', 'SP'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^far\b/m);
  });

  it('apply keeps such an entry byte-for-byte and gives the new entry a real date (never writes one outside the range)', async () => {
    const file = storeDated('far-apply.jks', 2n ** 63n - 1n);
    const before = fs.readFileSync(file);
    const desired = p('far.yaml');
    fs.writeFileSync(desired, `keystore:\n  path: ${file}\n  password: { env: SP }\ncertificates:\n  - alias: server\n    file: ${p('server.pem')}\n`);
    expect((await midtrust(['apply', '-f', desired], { env })).code).toBe(0);
    const after = fs.readFileSync(file);
    // The untouched entry is the first one in the file: same bytes, its date included.
    const entry = before.subarray(12, before.length - 20);
    expect(after.includes(entry)).toBe(true);
    const listed = JSON.parse((await midtrust(['ls', file, '--storepass-env', 'SP', '--json'], { env })).stdout).entries as Array<{ alias: string; created: string | null }>;
    expect(Date.parse(listed.find((e) => e.alias === 'server')!.created!)).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(() => applyPlan(undefined, { createStore: true } as never, { certificates: [] } as never, { now: new Date(NaN) })).toThrow(/invalid date/);
  });
});

describe('issue 19 item 12: a link to a file that is not a keystore', () => {
  it('ls names the file and the formats tried, and prints none of its bytes', async () => {
    const secret = p('shadow');
    fs.writeFileSync(secret, 'root:$6$c2FsdHNhbHQ$hashhashhash:19000:0:99999:7:::\n', { mode: 0o600 });
    const link = p('cacerts-link');
    fs.symlinkSync(secret, link);
    for (const args of [[], ['--json']]) {
      const r = await midtrust(['ls', link, ...args]);
      expect(r.code).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out).toContain(`${link}: not a Java keystore`);
      expect(out).toMatch(/tried JKS.*JCEKS.*PKCS#12/);
      expect(out).not.toMatch(/72 6f|726f|root:|\$6\$|hash/);
    }
    // The same for a file that looks like DER but is not a PKCS#12 PFX.
    fs.writeFileSync(p('der.bin'), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]));
    const der = await midtrust(['ls', p('der.bin')]);
    expect(der.stderr).toMatch(/not a Java keystore: it is none of the formats midtrust reads/);
    expect(der.stderr).not.toMatch(/30 03/);
  });
});
