/**
 * `midtrust report --inventory` over real OpenSSH servers on loopback: a host in sync, a drifted
 * one (a CA deleted by hand with keytool), one on migrate_non_ca (its private CA is lost at the
 * next upgrade), a certificate expiring in 10 days everywhere, and a host that cannot be reached.
 * Each shows in all three formats, judged by ajv (JSON), promtool (metrics) and Chromium (page).
 */
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARTIFACTS, launchChromium, openFile } from '../helpers/chromium';
import { openssl, runKeytool, tempDir } from '../helpers/keytool';
import { ROOT, midtrust } from '../helpers/midtrustCli';
import { promtool } from '../helpers/promtool';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { env, makeCertificateSet, makeStore } from '../cli/applyFixtures';


needs('sshd', 'chromium', 'promtool').describe('midtrust report over a fleet of real sshd hosts', () => {
  const dir = tempDir('mt-report-fleet-');
  const servers: TestSshd[] = [];
  const homes: string[] = [];
  const certs = makeCertificateSet(1);
  let inventory: string;
  let desiredFile: string;
  const cacerts = (i: number) => path.join(homes[i], 'agent', 'jre', 'lib', 'security', 'cacerts');

  beforeAll(async () => {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'soon.key', '-out', 'soon.pem', '-days', '10', '-subj', '/O=ACME/CN=soon.acme.example', '-addext', 'basicConstraints=critical,CA:FALSE'], { cwd: certs.dir });
    desiredFile = path.join(certs.dir, 'desired.yaml');
    fs.writeFileSync(
      desiredFile,
      'keystore:\n  midHome: /ignored/by/inventory\n  password: { env: MID_STOREPASS }\ncertificates:\n  - { alias: acme-root, file: root.pem }\n  - { alias: soon-proxy, file: soon.pem }\n  - { alias: leaf-0, file: leaf0.pem }\n',
    );
    const base = path.join(dir, 'base-cacerts');
    makeStore(base, 'JKS');
    for (let i = 0; i < 3; i++) {
      servers.push(await startSshd());
      const home = path.join(dir, `mid${i}`);
      fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
      const strategy = i === 2 ? '  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n' : '';
      fs.writeFileSync(path.join(home, 'agent', 'config.xml'), `<parameters>\n${strategy}</parameters>\n`);
      fs.copyFileSync(base, path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'));
      homes.push(home);
    }
    const hosts = servers.map((s, i) => `  - { name: mid-${i}, host: 127.0.0.1, port: ${s.port}, privateKeyFile: ${path.join(s.dir, 'userkey')}, hostKeyFingerprint: "${s.hostKeyFingerprint}", midHome: ${homes[i]} }\n`);
    hosts.push(`  - { name: mid-down, host: 127.0.0.1, port: 1, privateKeyFile: ${path.join(servers[0].dir, 'userkey')}, hostKeyFingerprint: "${servers[0].hostKeyFingerprint}", midHome: /opt/mid, timeoutSeconds: 2 }\n`);
    inventory = path.join(dir, 'hosts.yaml');
    fs.writeFileSync(inventory, `defaults:\n  user: root\nhosts:\n${hosts.join('')}`);
    // Every reachable host gets the declared state over SSH; then someone deletes a CA by hand on mid-1.
    const apply = await midtrust(['apply', '-f', desiredFile, '--inventory', inventory], { env, cwd: dir });
    expect(apply.stdout).toMatch(/4 host\(s\): 3 ok, 1 failed/);
    runKeytool(['-delete', '-alias', 'acme-root', '-keystore', cacerts(1), '-storepass:env', 'MID_STOREPASS'], { env });
  }, 180_000);
  afterAll(async () => {
    for (const s of servers) await s.stop();
    for (const d of [dir, certs.dir, ...servers.map((s) => s.dir)]) fs.rmSync(d, { recursive: true, force: true });
  });

  const report = async (out: string) => {
    const r = await midtrust(['report', '--inventory', inventory, '-f', desiredFile, '--storepass-env', 'MID_STOREPASS', '-o', out], { env, cwd: dir });
    // The failed host makes the exit code 1, and the report is written all the same.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/midtrust report: mid-down: FAILED: ssh root@127\.0\.0\.1:1/);
    return fs.readFileSync(path.join(dir, out), 'utf8');
  };

  it('JSON: valid against the schema; drift, the expiring certificate, the upgrade loss and the failed host', async () => {
    const doc = JSON.parse(await report('posture.json'));
    const validate = new Ajv({ allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    type Host = { name: string; reached: boolean; error: string | null; drift: { changes: number } | null; coverage: string[] | null; upgrade: { lost: { alias: string }[] } | null };
    const byName = new Map<string, Host>((doc.hosts as Host[]).map((h) => [h.name, h]));
    expect([...byName.keys()]).toEqual(['mid-0', 'mid-1', 'mid-2', 'mid-down']);
    expect(byName.get('mid-down')).toMatchObject({ reached: false });
    expect(byName.get('mid-0')).toMatchObject({ reached: true, drift: { changes: 0 }, coverage: ['present', 'present', 'present'], upgrade: { lost: [] } });
    expect(byName.get('mid-1')).toMatchObject({ drift: { changes: 1 }, coverage: ['missing', 'present', 'present'] });
    // openssl's req -x509 makes CA:TRUE certificates (acme-root, leaf-0); the end-entity soon-proxy migrates.
    expect(byName.get('mid-2')?.upgrade?.lost.map((l) => l.alias).sort()).toEqual(['acme-root', 'leaf-0']);
    const soon = (doc.certificates as { aliases: string[]; hosts: number }[]).find((c) => c.aliases.includes('soon-proxy'));
    expect(soon?.hosts).toBe(3);
    expect(doc.summary).toMatchObject({ hosts: 4, reached: 3, failed: 1, drifted: 1, incomplete: 1, upgradeRisk: 1, expiring: { withinSoonDays: { certificates: 1, hosts: 3 } } });
  }, 60_000);

  it('Prometheus: promtool accepts it; host_up, drift, expiry and upgrade loss per host', async () => {
    const text = await report('posture.prom');
    const check = promtool(['check', 'metrics'], text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    expect(text).toContain('midtrust_host_up{host="mid-down"} 0\n');
    expect(text).toContain('midtrust_host_up{host="mid-0"} 1\n');
    expect(text).toContain('midtrust_store_drift{host="mid-0"} 0\n');
    expect(text).toContain('midtrust_store_drift{host="mid-1"} 1\n');
    expect(text).toContain('midtrust_upgrade_lost_certificates{host="mid-2"} 2\n');
    expect(text).toContain('midtrust_upgrade_lost_certificates{host="mid-0"} 0\n');
    const soon = [...text.matchAll(/^midtrust_certificate_not_after_timestamp_seconds\{host="(mid-\d)",alias="soon-proxy",[^}]*\} (\d+)$/gm)];
    expect(soon.map((m) => m[1])).toEqual(['mid-0', 'mid-1', 'mid-2']);
    for (const m of soon) expect(Number(m[2]) - Date.now() / 1000).toBeLessThan(30 * 86400);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('HTML: in Chromium, each host’s row shows it; the expiring certificate is listed; screenshot kept', async () => {
    await report('posture.html');
    const chromium = await launchChromium();
    try {
      const view = await openFile(chromium.browser, path.join(dir, 'posture.html'));
      expect(view.requests).toEqual([view.url]);
      expect(view.consoleProblems).toEqual([]);
      expect(view.pageErrors).toEqual([]);
      const rows = (await view.page.evaluate(`Object.fromEntries([...document.querySelectorAll('#hosts-table tbody tr[data-flags]')].map((r) => [r.cells[0].innerText.split('\\n')[0], [...r.cells].map((c) => c.innerText.trim())]))`)) as Record<string, string[]>;
      expect(Object.keys(rows).sort()).toEqual(['mid-0', 'mid-1', 'mid-2', 'mid-down']);
      expect(rows['mid-down'][0]).toContain('FAILED');
      expect(rows['mid-down'][1]).toMatch(/ssh root@127\.0\.0\.1:1/);
      expect(rows['mid-0'][1]).toBe('in sync');
      expect(rows['mid-1'][1]).toMatch(/^1 change\n1 missing$/);
      expect(rows['mid-2'][4]).toBe('migrate_non_ca');
      expect(rows['mid-2'][6]).toMatch(/^2\n(acme-root|leaf-0) \+1$/);
      expect(rows['mid-0'][6]).toBe('none');
      for (const h of ['mid-0', 'mid-1', 'mid-2']) expect(rows[h][3]).toMatch(/· in (9|10) d\nsoon-proxy$/);
      const expiring = (await view.page.evaluate(`document.getElementById('expiring-table').innerText`)) as string;
      expect(expiring).toMatch(/soon-proxy[^\n]*\nO=ACME, CN=soon\.acme\.example|soon-proxy[\s\S]*CN=soon\.acme\.example, O=ACME/);
      expect(expiring).toMatch(/\t3\tmid-0, mid-1, mid-2/);
      expect(await view.page.evaluate(`document.querySelectorAll('#coverage-grid td.c-missing').length`)).toBe(1);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await view.page.screenshot({ path: path.join(ARTIFACTS, 'report-fleet.png'), fullPage: true });
    } finally {
      await chromium.close();
    }
  }, 90_000);
});
