import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { reportFormat } from '../../provider/cli/commands/reportCommand';
import { MidtrustError } from '../../provider/errors';
import { writeOutputFileAtomic } from '../../provider/host/writeOutputFileAtomic';
import { errorOf } from '../helpers/errorOf';
import { tempDir } from '../helpers/keytool';
import { ROOT, midtrust, midtrustProcess } from '../helpers/midtrustCli';
import { env, makeCertificateSet, makeStore } from '../cli/applyFixtures';

describe('report output: format by -o extension, written atomically, never through a link', () => {
  const dir = tempDir('mt-report-out-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [undefined, undefined, 'html'],
    [undefined, 'r.html', 'html'],
    [undefined, 'r.HTM', 'html'],
    [undefined, 'r.json', 'json'],
    [undefined, '/var/lib/node_exporter/textfile/midtrust.prom', 'prometheus'],
    ['json', 'r.html', 'json'],
    ['prometheus', undefined, 'prometheus'],
  ])('--format %s -o %s → %s', (format, output, want) => {
    expect(reportFormat(format, output)).toBe(want);
  });

  it('refuses an unknown format and an extension that says nothing', () => {
    expect(errorOf(() => reportFormat('pdf', undefined)).message).toMatch(/--format pdf: use html, json or prometheus/);
    expect(errorOf(() => reportFormat(undefined, 'report.txt')).message).toMatch(/cannot tell the format from its extension; name it \.html, \.json or \.prom, or give --format/);
  });

  it('replaces a regular file in one rename, keeping its mode, leaving no temporary file', async () => {
    const f = path.join(dir, 'm.prom');
    fs.writeFileSync(f, 'old\n', { mode: 0o640 });
    fs.chmodSync(f, 0o640);
    await writeOutputFileAtomic(f, 'new\n');
    expect(fs.readFileSync(f, 'utf8')).toBe('new\n');
    expect(fs.statSync(f).mode & 0o777).toBe(0o640);
    await writeOutputFileAtomic(path.join(dir, 'fresh.html'), '<p>x</p>');
    expect(fs.statSync(path.join(dir, 'fresh.html')).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to write through a symbolic link (dangling or not) or onto a directory, and touches nothing', async () => {
    const target = path.join(dir, 'target.txt');
    fs.writeFileSync(target, 'keep');
    fs.symlinkSync(target, path.join(dir, 'link.prom'));
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.prom'));
    await expect(writeOutputFileAtomic(path.join(dir, 'link.prom'), 'x')).rejects.toThrow(MidtrustError);
    await expect(writeOutputFileAtomic(path.join(dir, 'link.prom'), 'x')).rejects.toThrow(/link\.prom: is a symbolic link; midtrust never writes a report through a link/);
    await expect(writeOutputFileAtomic(path.join(dir, 'dangling.prom'), 'x')).rejects.toThrow(/is a symbolic link/);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep');
    expect(fs.existsSync(path.join(dir, 'nowhere'))).toBe(false);
    fs.mkdirSync(path.join(dir, 'adir.html'));
    await expect(writeOutputFileAtomic(path.join(dir, 'adir.html'), 'x')).rejects.toThrow(/exists and is not a regular file/);
    await expect(writeOutputFileAtomic(path.join(dir, 'no', 'such', 'dir.html'), 'x')).rejects.toThrow(/does not exist/);
  });
});

describe('midtrust report on this machine (--keystore, --mid-home)', () => {
  const dir = tempDir('mt-report-cli-');
  const certs = makeCertificateSet(1);
  const home = path.join(dir, 'mid');
  const cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
  let desired: string;

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(cacerts), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters>\n  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n</parameters>\n');
    makeStore(cacerts, 'JKS');
    desired = path.join(certs.dir, 'desired.yaml');
    fs.writeFileSync(desired, `keystore:\n  path: ${cacerts}\n  password: { env: MID_STOREPASS }\ncertificates:\n  - { alias: acme-root, file: root.pem }\n  - { alias: leaf-0, file: leaf0.pem }\n`);
    expect((await midtrust(['apply', '-f', desired], { env, cwd: dir })).code).toBe(0);
  }, 60_000);
  afterAll(() => {
    for (const d of [dir, certs.dir]) fs.rmSync(d, { recursive: true, force: true });
  });

  it('--mid-home -f: JSON on stdout with the MID settings, drift and upgrade losses (exit 0)', async () => {
    const r = await midtrust(['report', '--mid-home', home, '-f', desired, '--format', 'json'], { env, cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.source).toEqual({ kind: 'midHome', path: home });
    expect(doc.hosts).toHaveLength(1);
    expect(doc.hosts[0]).toMatchObject({ reached: true, mid: { strategy: 'migrate_non_ca' }, drift: { changes: 0 }, coverage: ['present', 'present'] });
    expect(doc.hosts[0].upgrade.lost.map((l: { alias: string }) => l.alias).sort()).toEqual(['acme-root', 'leaf-0']);
    // Without a MID name in config.xml, the MID is named after its directory, not this machine.
    expect(doc.hosts[0].name).toBe('mid');
  });

  it('--mid-home names the MID as config.xml does (its name parameter), in every format', async () => {
    const named = path.join(dir, 'named-home');
    fs.mkdirSync(path.join(named, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.copyFileSync(cacerts, path.join(named, 'agent', 'jre', 'lib', 'security', 'cacerts'));
    fs.writeFileSync(path.join(named, 'agent', 'config.xml'), '<parameters>\n  <parameter name="name" value="mid-ldap-01"/>\n</parameters>\n');
    const json = JSON.parse((await midtrust(['report', '--mid-home', named, '--format', 'json'], { env, cwd: dir })).stdout);
    expect(json.hosts.map((h: { name: string }) => h.name)).toEqual(['mid-ldap-01']);
    expect((await midtrust(['report', '--mid-home', named, '--format', 'prometheus'], { env, cwd: dir })).stdout).toMatch(/^midtrust_host_up\{host="mid-ldap-01"\} 1$/m);
  });

  it('--keystore -o file.prom: metrics written to the file, a line on stderr; password from the desired file', async () => {
    const r = await midtrust(['report', '--keystore', cacerts, '-f', desired, '-o', 'm.prom'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^wrote .*m\.prom \(prometheus\): 1 host\(s\), 1 reached, 0 failed\n$/);
    const text = fs.readFileSync(path.join(dir, 'm.prom'), 'utf8');
    expect(text).toMatch(/^midtrust_store_drift\{host="[^"]+"\} 0$/m);
    expect(text).not.toMatch(/midtrust_upgrade_lost_certificates\{/);
  });

  it('a store that cannot be read is a failed host: the report is still written, exit 1', async () => {
    const r = await midtrust(['report', '--keystore', path.join(dir, 'missing-cacerts'), '-o', 'down.json'], { env, cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAILED: .*missing-cacerts: does not exist/);
    const doc = JSON.parse(fs.readFileSync(path.join(dir, 'down.json'), 'utf8'));
    expect(doc.summary).toMatchObject({ hosts: 1, reached: 0, failed: 1 });
  });

  it('a wrong password fails the host with the keystore’s own message, never a stack trace', async () => {
    const r = await midtrust(['report', '--keystore', cacerts, '--storepass-env', 'WRONG', '--format', 'json'], { env: { ...env, WRONG: 'nope' }, cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).hosts[0].error).toMatch(/password/i);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('usage errors: no source, two sources, a positional, a bad endpoint timeout', async () => {
    expect((await midtrust(['report'], { env, cwd: dir })).stderr).toMatch(/give exactly one of --inventory <hosts\.yaml>, --mid-home <dir> or --keystore <file>/);
    expect((await midtrust(['report', '--keystore', 'a', '--mid-home', 'b'], { env, cwd: dir })).stderr).toMatch(/\(got --mid-home and --keystore\)/);
    expect((await midtrust(['report', 'cacerts'], { env, cwd: dir })).stderr).toMatch(/unexpected argument cacerts; give the keystore with --keystore/);
    expect((await midtrust(['report', '--keystore', cacerts, '--endpoint-timeout', '0'], { env, cwd: dir })).stderr).toMatch(/--endpoint-timeout 0: give seconds, more than 0 and at most 600/);
  });

  it('the compiled CLI lists it; loading the command loads no renderer; HTML to stdout by default', () => {
    const index = JSON.stringify(path.join(ROOT, 'dist', 'provider', 'cli', 'commands', 'index.js'));
    const probe = `require(${index}).commands.find((c) => c.name === 'report').load(); console.log(Object.keys(require.cache).filter((k) => k.includes(${JSON.stringify(`${path.sep}provider${path.sep}report${path.sep}`)})).join(' '))`;
    const loaded = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(loaded.stdout.trim()).toBe('');
    const help = midtrustProcess(['--help']);
    expect(help.stdout).toMatch(/\n {2}report {10}fleet trust posture/);
    // The command's own help reads at 80 columns.
    const own = midtrustProcess(['report', '--help']);
    expect(own.stdout).toMatch(/--endpoint-timeout <seconds>/);
    expect(own.stdout.split('\n').filter((l) => l.length > 80)).toEqual([]);
    const r = midtrustProcess(['report', '--keystore', cacerts, '--storepass-env', 'MID_STOREPASS'], { env, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  });
});
