import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalHost } from '../../provider/host/localHost';
import { readKeystore } from '../../provider/keystore/keystoreCodec';
import { parseRelease, ruleForRelease } from '../../provider/mid/upgrade/releaseRules';
import { modelUpgrade } from '../../provider/mid/upgrade/upgradeModel';
import { migrateMid, restoreMid } from '../../provider/mid/upgrade/upgradeRun';
import { keytoolList, openssl, runKeytool, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';

const env = { SP: 'changeit' };
const dir = tempDir('mt-upgrade-');
const p = (n: string) => path.join(dir, n);
const ssl = (args: string[]) => openssl(args, { cwd: dir });
const selfSigned = (name: string, ext: string[]) => ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '365', '-subj', `/CN=${name}`, ...ext]);
const signed = (name: string, ca: string, extLines: string | undefined) => {
  ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  const ext = extLines === undefined ? [] : ['-extfile', `${name}.ext`];
  if (extLines !== undefined) fs.writeFileSync(p(`${name}.ext`), extLines);
  ssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '100', ...ext]);
};
const importTo = (store: string, alias: string, cert: string) => runKeytool(['-importcert', '-noprompt', '-alias', alias, '-file', p(`${cert}.pem`), '-keystore', p(store), '-storetype', 'JKS', '-storepass:env', 'SP'], { env });

beforeAll(() => {
  for (const v of ['vendor1', 'vendor2', 'vendor3', 'other']) selfSigned(v, ['-addext', 'basicConstraints=critical,CA:TRUE']);
  selfSigned('private-root', ['-addext', 'basicConstraints=critical,CA:TRUE']);
  signed('private-int', 'private-root', 'basicConstraints=critical,CA:TRUE,pathlen:0\n');
  signed('leaf', 'private-int', 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:ldap.acme.example\n');
  signed('nobc', 'private-int', 'subjectAltName=DNS:proxy.acme.example\n'); // v3, no basic constraints
  signed('v1cert', 'private-root', undefined); // no extensions: openssl writes X.509 v1
  signed('dup', 'private-int', 'basicConstraints=CA:FALSE\n');
  const current: Array<[string, string]> = [['vendor1 [jdk]', 'vendor1'], ['vendor2 [jdk]', 'vendor2'], ['private-root', 'private-root'], ['private-int', 'private-int'], ['leaf', 'leaf'], ['nobc', 'nobc'], ['v1cert', 'v1cert'], ['dup', 'dup']];
  for (const [alias, cert] of current) importTo('current.jks', alias, cert);
  for (const [alias, cert] of [['vendor1 [jdk]', 'vendor1'], ['vendor3 [jdk]', 'vendor3'], ['snc_dup', 'other']]) importTo('incoming.jks', alias, cert);
});

const load = (n: string) => readKeystore(fs.readFileSync(p(n)), { password: 'changeit' });
const summarize = (r: ReturnType<typeof modelUpgrade>) => ({
  result: r.result.map((e) => `${e.outcome} ${e.alias}`).sort(),
  lost: r.lost.map((e) => `${e.outcome} ${e.alias}`).sort(),
});

describe('upgrade model by rule', () => {
  it('migrate_delta: everything missing migrates with the snc_ prefix; vendor-removed roots are resurrected; collisions flagged', () => {
    expect(summarize(modelUpgrade(load('current.jks'), load('incoming.jks'), 'delta', 't'))).toEqual({
      result: ['incoming snc_dup', 'incoming vendor3 [jdk]', 'kept vendor1 [jdk]', 'migrated snc_leaf', 'migrated snc_nobc', 'migrated snc_private-int', 'migrated snc_private-root', 'migrated snc_v1cert', 'resurrected snc_vendor2 [jdk]'],
      lost: ['collision dup'],
    });
  });
  it('migrate_non_ca: only v3 non-CA certificates migrate; CAs and v1 are lost with the reason', () => {
    const r = modelUpgrade(load('current.jks'), load('incoming.jks'), 'non_ca', 't');
    expect(summarize(r)).toEqual({
      result: ['incoming snc_dup', 'incoming vendor3 [jdk]', 'kept vendor1 [jdk]', 'migrated snc_leaf', 'migrated snc_nobc'],
      lost: ['collision dup', 'lost private-int', 'lost private-root', 'lost v1cert'],
    });
    // The root the JDK vendor removed is not the team's loss: it is retired, as the vendor intends.
    expect(r.retired.map((e) => `${e.outcome} ${e.alias}`)).toEqual(['retired vendor2 [jdk]']);
    expect(r.lost.find((e) => e.alias === 'v1cert')!.reason).toMatch(/v1 certificate/);
    expect(r.lost.find((e) => e.alias === 'private-root')!.reason).toMatch(/a CA certificate/);
  });
  it('do_not_migrate / releases without migration: everything custom is lost', () => {
    expect(summarize(modelUpgrade(load('current.jks'), load('incoming.jks'), 'none', 't')).result).toEqual(['incoming snc_dup', 'incoming vendor3 [jdk]', 'kept vendor1 [jdk]']);
  });
  it('uses a prefix parameter (a support article says sac-)', () => {
    expect(modelUpgrade(load('current.jks'), load('incoming.jks'), 'delta', 't', { prefix: 'sac-' }).result.map((e) => e.alias)).toContain('sac-leaf');
  });
});

describe('release rules', () => {
  it.each([
    ['orlando-p9', 'none'], ['orlando-p10', 'non_ca'], ['paris-p3', 'none'], ['paris-p4', 'non_ca'], ['paris-p6', 'non_ca'], ['paris-p7', 'delta'],
    ['quebec', 'non_ca'], ['quebec-p1', 'non_ca'], ['quebec-p2', 'delta'], ['rome', 'delta'], ['washingtondc', 'delta'], ['Washington DC Patch 3', 'delta'], ['newyork', 'none'],
  ])('%s → %s', (release, rule) => {
    expect(ruleForRelease(parseRelease(release)).rule).toBe(rule);
  });
  it('from Rome on, the strategy decides', () => {
    expect(ruleForRelease(parseRelease('xanadu'), 'do_not_migrate').rule).toBe('none');
    expect(ruleForRelease(parseRelease('paris-p8'), 'do_not_migrate').rule).toBe('delta');
  });
  it('rejects unknown releases listing the families', () => {
    expect(() => parseRelease('kingston')).toThrow(/families: madrid, newyork, orlando/);
  });
});

describe('migrate and restore on a MID layout (results checked with keytool)', () => {
  const home = p('mid');
  const cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
  beforeAll(() => {
    fs.mkdirSync(path.dirname(cacerts), { recursive: true });
    fs.copyFileSync(p('current.jks'), cacerts);
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters>\n  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n</parameters>\n');
  });

  it('upgrade-preview --mid-home reads the strategy from config.xml (JSON contract)', async () => {
    const r = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', p('incoming.jks'), '--storepass-env', 'SP', '--json'], { env });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.rule).toBe('non_ca');
    expect(json.entries[0]).toEqual(expect.objectContaining({ alias: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), outcome: expect.any(String), reason: expect.any(String) }));
    expect(json.lost.map((e: { alias: string }) => e.alias).sort()).toEqual(['dup', 'private-int', 'private-root', 'v1cert']);
    expect(json.retired.map((e: { alias: string }) => e.alias)).toEqual(['vendor2 [jdk]']);
  });

  it('upgrade-preview --fail-on-loss exits 1 when certificates are lost, saying how many; the reason is printed once per group', async () => {
    const plain = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', p('incoming.jks'), '--storepass-env', 'SP'], { env });
    expect(plain.code).toBe(0);
    const r = await midtrust(['upgrade-preview', '--mid-home', home, '--incoming', p('incoming.jks'), '--storepass-env', 'SP', '--fail-on-loss'], { env, terminal: { columns: 80 } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('midtrust upgrade-preview: the upgrade loses 4 certificate(s) (--fail-on-loss)\n');
    // private-root and private-int share one reason: it appears once, above both aliases.
    expect(r.stdout.split('a CA certificate: migrate_non_ca migrates only').length).toBe(2);
    expect(r.stdout).toMatch(/Because a CA certificate: migrate_non_ca[^]*ALIAS\s+SHA-256\n\s+private-root\s[^]*\n\s+private-int\s/);
    expect(r.stdout).toMatch(/Retired by the JDK vendor \(not shipped by the new JRE, not a loss\): 1 — vendor2\s+\[jdk\]/);
    // Every line fits 80 columns but those naming config.xml or the store by their (temporary, long) paths.
    for (const line of r.stdout.split('\n').filter((l) => !l.includes(home))) expect(line.length).toBeLessThanOrEqual(80);
    // Nothing lost (the same store as incoming): exit 0 even with --fail-on-loss.
    const same = await midtrust(['upgrade-preview', '--current', p('incoming.jks'), '--incoming', p('incoming.jks'), '--strategy', 'migrate_non_ca', '--storepass-env', 'SP', '--fail-on-loss'], { env });
    expect(same.stdout).toMatch(/Nothing is lost/);
    expect(same.code).toBe(0);
  });

  it('migrate lays out the product backups and writes exactly the modeled store', async () => {
    const now = new Date('2026-11-27T10:00:00Z');
    const r = await migrateMid(new LocalHost(), { midHome: home, incoming: { path: p('incoming.jks'), password: 'changeit' }, currentPassword: 'changeit', now });
    const epoch = String(Math.floor(now.getTime() / 1000));
    expect(r.backupDir).toBe(path.join(home, 'agent', 'work', 'truststore_migration', epoch));
    expect(fs.readFileSync(path.join(r.backupDir, 'cacerts_before'))).toEqual(fs.readFileSync(p('current.jks')));
    expect(fs.readFileSync(path.join(r.backupDir, 'cacerts_from_upgrade'))).toEqual(fs.readFileSync(p('incoming.jks')));
    expect(keytoolList(cacerts, 'changeit').map((e) => e.alias).sort()).toEqual(['snc_dup', 'snc_leaf', 'snc_nobc', 'vendor1 [jdk]', 'vendor3 [jdk]']);
  });

  it('restore brings back what the upgrade lost, once — but not the root the JDK vendor removed, unless asked', async () => {
    const first = await midtrust(['restore', '--mid-home', home, '--storepass-env', 'SP'], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Restored 4 certificate\(s\)/);
    expect(first.stdout).toMatch(/Left out 1 JDK vendor root\(s\) the new JRE no longer ships[^]*vendor2 \[jdk\][^]*--include-vendor-removed/);
    const listed = keytoolList(cacerts, 'changeit').map((e) => e.alias);
    expect(listed).toEqual(expect.arrayContaining(['private-root', 'private-int', 'v1cert', 'dup']));
    expect(listed).not.toContain('vendor2 [jdk]');
    const again = await midtrust(['restore', '--mid-home', home, '--storepass-env', 'SP'], { env });
    expect(again.stdout).toMatch(/Nothing else to restore[^]*Left out 1 JDK vendor root/);
    const asked = await restoreMid(new LocalHost(), { midHome: home, password: 'changeit', includeVendorRemoved: true });
    expect(asked.restored.map((e) => e.alias)).toEqual(['vendor2 [jdk]']);
    expect(keytoolList(cacerts, 'changeit').map((e) => e.alias)).toContain('vendor2 [jdk]');
  });

  it('refuses a directory that is not a MID home', async () => {
    const r = await midtrust(['upgrade-preview', '--mid-home', dir, '--incoming', p('incoming.jks'), '--storepass-env', 'SP'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not look like a MID Server home/);
  });
});
