/**
 * `midtrust report --inventory -f desired.yaml --incoming …` with `endpoints:` declared, over real
 * OpenSSH servers on loopback and a real `openssl s_server`:
 * - mid-trusting: its JVM uses cacerts, which holds the endpoint's root — trusted now; its
 *   strategy (migrate_non_ca) drops that root at the next upgrade — not trusted after it;
 * - mid-external: cacerts holds the root too, but its JVM uses an external truststore (set in
 *   wrapper-override.conf) without it — not trusted now, which only the JVM's real store shows;
 * - a declared endpoint nobody listens on — unreachable from both, never a verdict.
 * The connection to each endpoint is opened by the MID host's sshd (direct-tcpip, seen in its
 * log), over the one SSH connection the host's report uses. Each format is judged by its oracle:
 * ajv (JSON), promtool (metrics), a real Chromium (page, with and without JavaScript).
 */
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { writeKeystore } from '../../provider/keystore/keystoreCodec';
import type { Keystore } from '../../provider/keystore/model';
import type { FleetPosture, HostPosture } from '../../provider/report/posture';
import { freePort } from '../../bench/benchUtil';
import { ARTIFACTS, launchChromium, openFile } from '../helpers/chromium';
import { tempDir } from '../helpers/keytool';
import { ROOT, midtrust } from '../helpers/midtrustCli';
import { promtool } from '../helpers/promtool';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { PROFILE, startTlsServer, TestPki, type TlsServer } from '../verify/testPki';

needs('sshd', 'openssl', 'chromium', 'promtool').describe('midtrust report: declared endpoints judged on every MID host, from the MID host', () => {
  const dir = tempDir('mt-report-endpoints-');
  const pki = new TestPki(path.join(dir, 'pki'));
  const env = { MID_STOREPASS: 'changeit' };
  const sshds: TestSshd[] = [];
  let server: TlsServer;
  let trusted: string;
  let unreachable: string;
  let inventory: string;
  let desiredFile: string;
  let incoming: string;
  let homes: string[];
  let external: string;
  let silent: net.Server;

  const jks = (file: string, entries: Array<[alias: string, cert: string]>): string => {
    const model: Keystore = { type: 'JKS', integrity: 'verified', entries: entries.map(([alias, cert]) => ({ alias, kind: 'trustedCertificate', timestamp: 0, certificates: [pki.der(cert)] })) };
    fs.writeFileSync(file, writeKeystore(model, 'changeit'));
    return file;
  };
  const midHome = (name: string, config: string, wrapper?: string): string => {
    const home = path.join(dir, name);
    fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
    fs.mkdirSync(path.join(home, 'agent', 'conf'), { recursive: true });
    fs.writeFileSync(path.join(home, 'agent', 'config.xml'), `<parameters>\n${config}</parameters>\n`);
    if (wrapper) fs.writeFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), wrapper);
    jks(path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'), [['fleet-root', 'root']]);
    return home;
  };
  const sshdLog = (s: TestSshd): string => fs.readFileSync(path.join(s.dir, 'log'), 'utf8');
  const logins = (s: TestSshd): number => (sshdLog(s).match(/Accepted publickey for root/g) ?? []).length;

  beforeAll(async () => {
    pki.issue('root', { subject: '/CN=Fleet Root CA', issuer: 'self', ext: PROFILE.root });
    pki.issue('inter', { subject: '/CN=Fleet Issuing CA', issuer: 'root', ext: PROFILE.intermediate });
    pki.issue('leaf', { subject: '/CN=localhost', issuer: 'inter', ext: PROFILE.server() });
    pki.issue('other', { subject: '/CN=Some Other Root', issuer: 'self', ext: PROFILE.root });
    pki.issue('vendor', { subject: '/CN=Vendor Root CA', issuer: 'self', ext: PROFILE.root });
    // DEBUG1: sshd logs each direct-tcpip channel it opens (the proof the MID host made the connection).
    const [started, a, b] = await Promise.all([startTlsServer(pki, 'leaf', ['inter']), startSshd(['LogLevel DEBUG1']), startSshd(['LogLevel DEBUG1'])]);
    server = started;
    sshds.push(a, b);
    trusted = `https://localhost:${server.port}`;
    unreachable = `localhost:${await freePort()}`;
    external = jks(path.join(dir, 'external-truststore.jks'), [['other-root', 'other']]);
    homes = [
      midHome('mid-a', '  <parameter name="mid.truststore.migration.strategy" value="migrate_non_ca"/>\n'),
      midHome('mid-b', '', `wrapper.java.additional.1=-Djavax.net.ssl.trustStore=${external}\nwrapper.java.additional.2=-Djavax.net.ssl.trustStorePassword=changeit\n`),
    ];
    inventory = path.join(dir, 'hosts.yaml');
    fs.writeFileSync(
      inventory,
      `defaults:\n  user: root\nhosts:\n${[['mid-trusting', a, homes[0]] as const, ['mid-external', b, homes[1]] as const]
        .map(([n, s, home]) => `  - { name: ${n}, host: 127.0.0.1, port: ${s.port}, privateKeyFile: ${path.join(s.dir, 'userkey')}, hostKeyFingerprint: "${s.hostKeyFingerprint}", midHome: ${home} }\n`)
        .join('')}`,
    );
    fs.copyFileSync(pki.file('root.pem'), path.join(dir, 'root.pem'));
    desiredFile = path.join(dir, 'desired.yaml');
    fs.writeFileSync(
      desiredFile,
      `keystore:\n  midHome: /ignored/by/inventory\n  password: { env: MID_STOREPASS }\ncertificates:\n  - { alias: fleet-root, file: root.pem }\nendpoints:\n  - ${trusted}\n  - ${unreachable}\n`,
    );
    incoming = jks(path.join(dir, 'incoming-cacerts'), [['vendorroot [jdk]', 'vendor']]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([server?.stop(), ...sshds.map((s) => s.stop()), new Promise((r) => (silent ? silent.close(r) : r(undefined)))]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One report run: exit 0 (endpoint problems are for looking, as drift is); one SSH login per host. */
  const report = async (out: string): Promise<string> => {
    const before = sshds.map(logins);
    const r = await midtrust(['report', '--inventory', inventory, '-f', desiredFile, '--incoming', incoming, '--storepass-env', 'MID_STOREPASS', '--endpoint-timeout', '5', '-o', out], { env, cwd: dir });
    expect(r.stderr).toMatch(/^wrote .* 2 host\(s\), 2 reached, 0 failed\n$/);
    expect(r.code).toBe(0);
    expect(sshds.map(logins)).toEqual(before.map((n) => n + 1));
    return fs.readFileSync(path.join(dir, out), 'utf8');
  };

  it('JSON (ajv): each host judged against its JVM’s real store, now and after the upgrade; unreachable is no verdict; findings from the endpoint rule', async () => {
    const doc = JSON.parse(await report('posture.json')) as FleetPosture;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc.endpoints).toEqual([trusted, unreachable]);
    const host = (name: string): HostPosture => doc.hosts.find((h) => h.name === name) as HostPosture;
    const [a, b] = [host('mid-trusting'), host('mid-external')];
    // Both cacerts hold the CA, but the posture reads the store each JVM reads (resolveMidStore):
    // the externally wired MID's store lacks it — the coverage grid and the endpoint verdict agree.
    expect([a.coverage, b.coverage]).toEqual([['present'], ['missing']]);
    expect(b.store).toMatchObject({ path: expect.stringMatching(/external-truststore\.jks$/), why: expect.stringMatching(/^external truststore wired in .*wrapper-override\.conf line \d+$/) });

    expect(a.endpoints?.[0]).toMatchObject({ target: trusted, trusted: true, anchor: { alias: 'fleet-root', sha256: pki.sha256('root') }, problems: [], error: null });
    expect(a.endpoints?.[0].store).toMatch(/mid-a\/agent\/jre\/lib\/security\/cacerts$/);
    expect(a.endpoints?.[0].afterUpgrade).toMatchObject({ trusted: false, anchor: null, problems: [{ code: 'ROOT_NOT_TRUSTED' }] });
    expect(a.endpoints?.[0].afterUpgrade?.store).toMatch(/as it will be after the upgrade/);

    expect(b.endpoints?.[0]).toMatchObject({ target: trusted, trusted: false, anchor: null, problems: [{ code: 'ROOT_NOT_TRUSTED' }], error: null });
    expect(b.endpoints?.[0].store).toMatch(/external-truststore\.jks \(external truststore wired in .*wrapper-override\.conf line \d+\)/);
    expect(b.endpoints?.[0].suggest.map((s) => s.subject)).toContain('CN=Fleet Root CA');
    // An external truststore is not touched by the upgrade: the same verdict after it.
    expect(b.endpoints?.[0].afterUpgrade).toMatchObject({ trusted: false, problems: [{ code: 'ROOT_NOT_TRUSTED' }] });

    for (const h of [a, b]) {
      expect(h.endpoints?.[1]).toMatchObject({ target: unreachable, trusted: null, anchor: null, problems: [], afterUpgrade: { trusted: null } });
      expect(h.endpoints?.[1].error).toMatch(new RegExp(`the MID host cannot connect to ${unreachable}`));
    }
    const endpointFindings = (h: HostPosture) => h.violations.filter((v) => v.rule.startsWith('endpoint-')).map((v) => `${v.rule} (${v.severity}): ${v.message}`);
    expect(endpointFindings(a)).toEqual([
      expect.stringMatching(new RegExp(`^endpoint-not-trusted \\(error\\): ${trusted} will not be trusted after the upgrade with .*mid-a/agent/jre/lib/security/cacerts as it will be after the upgrade .*: the chain the server sends ends at CN=Fleet Issuing CA`)),
      expect.stringMatching(new RegExp(`^endpoint-unreachable \\(warning\\): ${unreachable} could not be checked now with .*mid-a/agent/jre/lib/security/cacerts: .*the MID host cannot connect`)),
    ]);
    expect(endpointFindings(b)).toEqual([
      expect.stringMatching(new RegExp(`^endpoint-not-trusted \\(error\\): ${trusted} will not be trusted now with .*external-truststore\\.jks`)),
      expect.stringMatching(new RegExp(`^endpoint-unreachable \\(warning\\): ${unreachable} could not be checked now`)),
    ]);
    expect(doc.summary.endpoints).toEqual({ notTrusted: 1, notChecked: 2, notTrustedAfterUpgrade: 2 });
    expect(doc.summary.violations.error).toBe([...a.violations, ...b.violations].filter((v) => v.severity === 'error').length);
    // The MID hosts opened the connections: each sshd logged a direct-tcpip channel to both endpoints.
    for (const s of sshds) {
      expect(sshdLog(s)).toMatch(new RegExp(`server_request_direct_tcpip: originator .*, target localhost port ${server.port}\\b`));
      expect(sshdLog(s)).toMatch(new RegExp(`server_request_direct_tcpip: originator .*, target localhost port ${unreachable.split(':')[1]}\\b`));
    }
  }, 30_000);

  it('Prometheus (promtool): trusted 1/0 per host and target, after the upgrade, unreachable only as checked 0', async () => {
    const text = await report('posture.prom');
    const check = promtool(['check', 'metrics'], text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    expect(text).toContain(`midtrust_endpoint_trusted{host="mid-trusting",target="${trusted}"} 1\n`);
    expect(text).toContain(`midtrust_endpoint_trusted{host="mid-external",target="${trusted}"} 0\n`);
    expect(text).toContain(`midtrust_endpoint_trusted_after_upgrade{host="mid-trusting",target="${trusted}"} 0\n`);
    expect(text).toContain(`midtrust_endpoint_trusted_after_upgrade{host="mid-external",target="${trusted}"} 0\n`);
    expect(text).toContain(`midtrust_endpoint_checked{host="mid-trusting",target="${unreachable}"} 0\n`);
    expect(text).toContain(`midtrust_endpoint_checked{host="mid-external",target="${trusted}"} 1\n`);
    expect(text).not.toMatch(new RegExp(`midtrust_endpoint_trusted(_after_upgrade)?\\{[^}]*target="${unreachable}"`));
    expect(text).toMatch(/^# HELP midtrust_endpoint_trusted .+\n# TYPE midtrust_endpoint_trusted gauge$/m);
  }, 30_000);

  it('HTML (Chromium): the untrusted endpoint is red with the problem on hover and in plain words without JavaScript; summary card; screenshot', async () => {
    await report('posture.html');
    const file = path.join(dir, 'posture.html');
    const chromium = await launchChromium();
    try {
      const view = await openFile(chromium.browser, file);
      expect(view.requests).toEqual([view.url]);
      expect(view.consoleProblems).toEqual([]);
      expect(view.pageErrors).toEqual([]);
      type Cell = { text: string; title: string; cls: string; bg: string };
      const grid = (await view.page.evaluate(`Object.fromEntries([...document.querySelectorAll('#endpoint-grid tbody tr')].map((r) => [r.cells[0].innerText, [...r.cells].slice(1).map((c) => ({ text: c.innerText.trim(), title: c.title, cls: c.className, bg: getComputedStyle(c).backgroundColor }))]))`)) as Record<string, Cell[]>;
      const heads = (await view.page.evaluate(`[...document.querySelectorAll('#endpoint-grid thead th')].map((th) => th.innerText)`)) as string[];
      expect(heads).toEqual(['Host', trusted, unreachable]);
      // Hosts with a problem now come first.
      expect(Object.keys(grid)).toEqual(['mid-external', 'mid-trusting']);
      const [notTrusted, trustedNow] = [grid['mid-external'][0], grid['mid-trusting'][0]];
      expect(notTrusted.text).toBe('✕ not trusted');
      expect(notTrusted.cls).toBe('e-no');
      expect(notTrusted.bg).toBe('rgb(253, 236, 235)');
      expect(notTrusted.title).toMatch(/NOT TRUSTED now\nthe chain the server sends ends at CN=Fleet Issuing CA, issued by CN=Fleet Root CA, which the store does not trust/);
      expect(notTrusted.title).toMatch(/Fix: add this root CA .*: CN=Fleet Root CA/);
      // The store judged is named once per host, on its name.
      const storeTitles = (await view.page.evaluate(`[...document.querySelectorAll('#endpoint-grid tbody th')].map((th) => th.title)`)) as string[];
      expect(storeTitles[0]).toMatch(/^judged against .*external-truststore\.jks \(external truststore wired in .*wrapper-override\.conf line \d+\)$/);
      expect(storeTitles[1]).toMatch(/^judged against .*mid-a\/agent\/jre\/lib\/security\/cacerts$/);
      expect(trustedNow.text).toBe('✓\n→ ✕ after upgrade');
      expect(trustedNow.title).toMatch(/trusted now\nanchored at fleet-root/);
      for (const h of ['mid-external', 'mid-trusting']) expect(grid[h][1]).toMatchObject({ text: '? unreachable', cls: 'e-unknown' });
      const card = (await view.page.evaluate(`[...document.querySelectorAll('.summary .card')].map((c) => c.innerText.replace(/\\s+/g, ' ').trim()).find((t) => t.startsWith('ENDPOINTS'))`)) as string;
      expect(card).toBe('ENDPOINTS NOT TRUSTED 1 host 2 unreachable · 2 after upgrade');
      // The host table offers the endpoint filter, and both hosts match it.
      await view.page.select('#host-flag', 'endpoint');
      expect(await view.page.evaluate(`document.getElementById('host-count').textContent`)).toBe('2 hosts');
      await view.page.select('#host-flag', '');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const section = await view.page.$('#endpoints');
      await section?.screenshot({ path: path.join(ARTIFACTS, 'report-endpoints.png') });
      await view.page.screenshot({ path: path.join(ARTIFACTS, 'report-endpoints-page.png'), fullPage: true });

      const plain = await openFile(chromium.browser, file, { javaScript: false });
      const why = (await plain.page.evaluate(`[...document.querySelectorAll('#endpoint-why tbody tr')].map((r) => [...r.cells].map((c) => c.innerText.trim()))`)) as string[][];
      expect(why.map((r) => [r[0], r[1], r[2].split('\n')[0]])).toEqual([
        [trusted, 'not trusted now', '1'],
        [unreachable, 'unreachable', '2'],
        [trusted, 'not trusted after the upgrade', '1'],
      ]);
      expect(why[0][2]).toMatch(/mid-external/);
      expect(why[0][3]).toMatch(/ROOT_NOT_TRUSTED the chain the server sends ends at CN=Fleet Issuing CA/);
      expect(why[0][3]).toMatch(/Fix: add this root CA/);
      expect(why[1][3]).toMatch(/the MID host cannot connect to/);
      expect(why[2][2]).toMatch(/mid-trusting/);
    } finally {
      await chromium.close();
    }
  }, 30_000);

  it('on this machine (--mid-home, --keystore): TCP from here, the same engine; an endpoint that never answers is cut at --endpoint-timeout', async () => {
    // Accepts TCP, reads and says nothing: only the per-endpoint timeout ends the wait.
    silent = net.createServer((s) => s.resume());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const quiet = `localhost:${(silent.address() as net.AddressInfo).port}`;
    const local = path.join(dir, 'desired-local.yaml');
    fs.writeFileSync(local, fs.readFileSync(desiredFile, 'utf8').replace(/endpoints:[\s\S]*$/, `endpoints:\n  - ${trusted}\n  - ${quiet}\n`));
    const run = async (args: string[]): Promise<FleetPosture> => {
      const r = await midtrust(['report', ...args, '-f', local, '--storepass-env', 'MID_STOREPASS', '--endpoint-timeout', '1', '--format', 'json'], { env, cwd: dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as FleetPosture;
    };
    const mid = await run(['--mid-home', homes[0], '--incoming', incoming]);
    expect(mid.hosts[0].endpoints?.map((e) => [e.target, e.trusted, e.afterUpgrade?.trusted])).toEqual([
      [trusted, true, false],
      [quiet, null, null],
    ]);
    expect(mid.hosts[0].endpoints?.[1].error).toMatch(/^localhost:\d+: no TLS handshake within 1 s/);
    const store = await run(['--keystore', external]);
    expect(store.hosts[0].endpoints?.[0]).toMatchObject({ trusted: false, problems: [{ code: 'ROOT_NOT_TRUSTED' }], afterUpgrade: null, store: external });
    expect(store.summary.endpoints).toEqual({ notTrusted: 1, notChecked: 1, notTrustedAfterUpgrade: null });
  }, 30_000);
});
