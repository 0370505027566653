import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import { keytoolList, tempDir } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { JDK_CACERTS, needs } from '../helpers/requireTools';
import { makeCertificate } from './ruleFixtures';

const dir = tempDir('mt-lint-');
const env = { SP: 'lint-Pass' };
const DAY = 86400000;

beforeAll(async () => {
  const expired = await makeCertificate({ cn: 'old ldaps CA', notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
  const privateCa = await makeCertificate({ cn: 'ACME Root' });
  const leaf = await makeCertificate({ cn: 'proxy', ca: false });
  fs.writeFileSync(path.join(dir, 'expired.pem'), expired.pem);
  fs.writeFileSync(path.join(dir, 'ca.pem'), privateCa.pem);
  fs.writeFileSync(path.join(dir, 'leaf.pem'), leaf.pem);
  const home = path.join(dir, 'mid');
  fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
  fs.mkdirSync(path.join(home, 'agent', 'conf'), { recursive: true });
  fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters>\n  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n</parameters>\n');
  fs.writeFileSync(
    path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'),
    writeKeystore({ type: 'JKS', integrity: 'verified', entries: [{ alias: 'acme-root', kind: 'trustedCertificate', timestamp: 1, certificates: [privateCa.der] }, { alias: 'old-ldaps', kind: 'trustedCertificate', timestamp: 1, certificates: [expired.der] }] }, env.SP),
  );
  fs.writeFileSync(path.join(dir, 'good.yaml'), 'keystore: { midHome: ./mid }\ncertificates:\n  - alias: proxy\n    file: leaf.pem\n');
  fs.writeFileSync(path.join(dir, 'bad.yaml'), 'keystore: { midHome: ./mid }\ncertificates:\n  - alias: acme-root\n    file: ca.pem\n  - alias: old-ldaps\n    file: expired.pem\n');
});

describe('midtrust lint', () => {
  it('passes a clean file (advisories do not fail by default) and fails on --fail-on advisory', async () => {
    const ok = await midtrust(['lint', '-f', 'good.yaml', '--json'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).violations.map((v: { rule: string }) => v.rule)).toEqual(['trusted-end-entity']);
    expect((await midtrust(['lint', '-f', 'good.yaml', '--fail-on', 'advisory'], { cwd: dir })).code).toBe(1);
  });
  it('reports expiry and the CA lost under the MID’s migrate_non_ca, with the JSON contract', async () => {
    const r = await midtrust(['lint', '-f', 'bad.yaml', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const vs = JSON.parse(r.stdout).violations as Array<Record<string, string>>;
    for (const v of vs) expect(Object.keys(v).sort()).toEqual(['alias', 'message', 'remediation', 'rule', 'severity', 'sha256']);
    expect(vs.map((v) => `${v.rule} ${v.alias}`)).toEqual(expect.arrayContaining(['certificate-expired old-ldaps', 'lost-on-upgrade acme-root', 'lost-on-upgrade old-ldaps']));
  });
  it('needs no store password: the file is checked without the secret (CI lints without it), its form still is', async () => {
    fs.writeFileSync(path.join(dir, 'secret.yaml'), 'keystore: { midHome: ./mid, password: { env: NOT_SET_ANYWHERE } }\ncertificates:\n  - alias: proxy\n    file: leaf.pem\n');
    const r = await midtrust(['lint', '-f', 'secret.yaml', '--json'], { cwd: dir, env: {} });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).violations).toEqual(expect.any(Array));
    fs.writeFileSync(path.join(dir, 'bad-secret.yaml'), 'keystore: { midHome: ./mid, password: { envv: X } }\ncertificates: []\n');
    expect((await midtrust(['lint', '-f', 'bad-secret.yaml'], { cwd: dir, env: {} })).stderr).toMatch(/keystore\.password/);
  });

  it('rejects a bad --fail-on', async () => {
    expect((await midtrust(['lint', '-f', 'good.yaml', '--fail-on', 'fatal'], { cwd: dir })).stderr).toMatch(/use advisory, warning or error/);
  });
});

describe('midtrust audit', () => {
  it('audits a MID home: expiry report sorted by date, upgrade loss, exit code', async () => {
    const r = await midtrust(['audit', '--mid-home', 'mid', '--storepass-env', 'SP'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Soonest expiries:\nNOT AFTER\s+ALIAS\n\d{4}-\d\d-\d\d\s+old-ldaps\n\d{4}-\d\d-\d\d\s+acme-root/);
    expect(r.stdout).toMatch(/lost-on-upgrade/);
    // keytool agrees on what is in the audited store
    expect(keytoolList(path.join(dir, 'mid', 'agent', 'jre', 'lib', 'security', 'cacerts'), env.SP).map((e) => e.alias).sort()).toEqual(['acme-root', 'old-ldaps']);
  });
  it('a MID home that is not there: one clear line naming the store path once', async () => {
    const r = await midtrust(['audit', '--mid-home', 'no-such-mid', '--storepass-env', 'SP'], { cwd: dir, env });
    expect(r.code).toBe(1);
    const cacerts = path.join(dir, 'no-such-mid', 'agent', 'jre', 'lib', 'security', 'cacerts');
    expect(r.stderr.split(cacerts).length - 1).toBe(1);
    // The store is resolved from the MID home (resolveMidStore), which says what is missing.
    expect(r.stderr).toMatch(/does not look like a MID Server home: missing .*config\.xml and .*cacerts/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--inventory refuses --incoming and --endpoint instead of dropping them, and says what checks them', async () => {
    const incoming = await midtrust(['audit', '--inventory', 'hosts.yaml', '--incoming', 'x', '--storepass-env', 'SP'], { cwd: dir, env });
    expect(incoming.code).toBe(1);
    expect(incoming.stderr).toMatch(/--incoming is not checked per host by audit --inventory; .*midtrust report --inventory/);
    const endpoint = await midtrust(['audit', '--inventory', 'hosts.yaml', '--endpoint', 'ad:636', '--storepass-env', 'SP'], { cwd: dir, env });
    expect(endpoint.code).toBe(1);
    expect(endpoint.stderr).toMatch(/use midtrust verify --inventory/);
  });

  it('audits a plain keystore as JSON', async () => {
    const r = await midtrust(['audit', 'mid/agent/jre/lib/security/cacerts', '--storepass-env', 'SP', '--json', '--fail-on', 'error'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations.map((v: { rule: string }) => v.rule)).toContain('certificate-expired');
  });
});

needs('jdkCacerts', 'keytool').describe('a fresh MID: the stock JDK cacerts is quiet, the vendor roots judged apart', () => {
  const home = path.join(dir, 'stock-mid');
  const cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
  const stock = { CHANGEIT: 'changeit' };
  beforeAll(() => {
    fs.mkdirSync(path.dirname(cacerts), { recursive: true });
    fs.copyFileSync(JDK_CACERTS, cacerts);
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), '<parameters>\n  <parameter name="name" value="stock-mid"/>\n</parameters>\n');
  });

  it('audit --mid-home on the stock cacerts exits 0; its expired and SHA-1 vendor roots are reported apart and do not fail', async () => {
    const r = await midtrust(['audit', '--mid-home', home, '--storepass-env', 'CHANGEIT'], { env: stock, terminal: { columns: 80 } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No findings about the certificates the team added\./);
    expect(r.stdout.replace(/\n\s*/g, ' ')).toMatch(/JDK vendor roots \(judged against their vendor aliases \(\[jdk\], debian:\)\): \d+ finding\(s\), not counted for --fail-on\./);
    expect(r.stdout).toMatch(/advisory weak-signature × \d+: debian:/);
    // The expiry list is about the team's certificates, never the vendor's roots.
    expect(r.stdout).not.toMatch(/^\d{4}-\d\d-\d\d\s+debian:/m);
    // The vendor section fits 80 columns.
    for (const line of r.stdout.slice(r.stdout.indexOf('JDK vendor roots')).split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const j = await midtrust(['audit', '--mid-home', home, '--storepass-env', 'CHANGEIT', '--json'], { env: stock });
    expect(j.code).toBe(0);
    const json = JSON.parse(j.stdout) as { violations: unknown[]; vendorFindings: { rule: string; alias: string }[] };
    expect(json.violations).toEqual([]);
    // The keytool oracle: every vendor finding names an alias the stock store really holds.
    const aliases = new Set(keytoolList(cacerts, 'changeit').map((e) => e.alias));
    expect(json.vendorFindings.length).toBeGreaterThan(0);
    for (const v of json.vendorFindings) expect(aliases.has(v.alias)).toBe(true);
    expect(json.vendorFindings.some((v) => v.rule === 'weak-signature')).toBe(true);
  });

  it('--fail-on-vendor counts them when asked; a certificate the team added is judged as the team’s, and fails', async () => {
    const asked = await midtrust(['audit', '--mid-home', home, '--storepass-env', 'CHANGEIT', '--fail-on', 'advisory', '--fail-on-vendor'], { env: stock });
    expect(asked.code).toBe(1);
    expect(asked.stdout).toMatch(/counted for --fail-on \(--fail-on-vendor\)/);
    const withTeam = path.join(dir, 'stock-plus-team.jks');
    fs.copyFileSync(cacerts, withTeam);
    const imp = await midtrust(['import', '--keystore', withTeam, '--alias', 'old-ldaps', '--file', path.join(dir, 'expired.pem'), '--storepass-env', 'CHANGEIT'], { env: stock });
    expect(imp.code).toBe(0);
    const r = await midtrust(['audit', withTeam, '--storepass-env', 'CHANGEIT', '--json', '--vendor-baseline', cacerts], { env: stock });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as { violations: { rule: string; alias: string }[]; vendorFindings: { alias: string }[]; vendorBaseline: string };
    expect(json.violations.map((v) => `${v.rule} ${v.alias}`)).toEqual(['certificate-expired old-ldaps']);
    expect(json.vendorBaseline).toBe(cacerts);
    expect(json.vendorFindings.every((v) => v.alias !== 'old-ldaps')).toBe(true);
  });
});
