/**
 * A MID wired to an external truststore (wrapper-override.conf: -Djavax.net.ssl.trustStore, …Type,
 * …Password): every door given the MID home changes the store its JVM reads, never the bundled
 * cacerts — the CLI's plan/apply (then verify --mid-home), and TrustedCertificate, Truststore and
 * MidServerFleet with midHome through the SDK's real dynamic-provider host. keytool judges every
 * store; a real JVM started with the wired -D options judges the trust. `store: bundled` is the
 * explicit way to change the bundled cacerts anyway, and lint/audit flag it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExternalTruststore, MidServerFleet, TrustedCertificate, Truststore } from '../../provider';
import { keytoolList } from '../helpers/keytool';
import { midtrust } from '../helpers/midtrustCli';
import { needs } from '../helpers/requireTools';
import { startWiredTlsServer, type WiredTlsServer } from '../helpers/wiredJvm';
import { Workspace } from './deploymentFixtures';
import { BUNDLED_PASSWORD, MidHomes } from './providerMidFixtures';
import { bundlePems, keytoolStore, sha256OfPem } from './providerFixtures';

// Whole deployments start a dynamic-provider host per command; JVMs start per probe.
jest.setTimeout(5 * 60_000);

const EXT_PASSWORD = 'Ext-wired-7d2a-not-changeit';
const java = '/usr/bin/java';

let ws: Workspace;
let homes: MidHomes;
let server: WiredTlsServer;
let caSha = '';

/** A MID home wired (as an administrator does by hand) to a keytool-made PKCS12 outside it. */
function wiredMid(name: string, opts: { password?: string } = { password: EXT_PASSWORD }): { home: string; external: string; bundled: string; wrapper: string } {
  const home = homes.make();
  const external = path.join(ws.dir, `${name}-external`, 'truststore.p12');
  fs.mkdirSync(path.dirname(external), { recursive: true });
  // The JVM needs the store to hold something it trusts; any CA the probe does not use will do.
  keytoolStore(external, opts.password ?? '', { 'site-root': bundlePems()[3] }, 'PKCS12');
  const wrapper = path.join(home, 'agent', 'conf', 'wrapper-override.conf');
  const lines = [`wrapper.java.additional.4=-Djavax.net.ssl.trustStore=${external}`, 'wrapper.java.additional.5=-Djavax.net.ssl.trustStoreType=PKCS12'];
  if (opts.password !== undefined) lines.push(`wrapper.java.additional.6=-Djavax.net.ssl.trustStorePassword=${opts.password}`);
  fs.appendFileSync(wrapper, `${lines.join('\n')}\n`);
  return { home, external, bundled: path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts'), wrapper };
}

/** alias → sha256 as keytool lists the store. */
function aliases(store: string, password: string | undefined): Record<string, string | undefined> {
  return Object.fromEntries(keytoolList(store, password).map((e) => [e.alias, e.sha256]));
}

needs('keytool', 'java', 'openssl').describe('a MID wired to an external truststore', () => {
  beforeAll(async () => {
    ws = new Workspace();
    homes = new MidHomes(ws.dir);
    server = await startWiredTlsServer(path.join(ws.dir, 'pki'));
    caSha = sha256OfPem(server.caPem);
  });

  afterAll(() => {
    server?.close();
    ws?.remove();
  });

  describe('the CLI', () => {
    test('plan/apply with midHome change the external store (bundled byte-identical); verify --mid-home and the wired JVM say trusted', async () => {
      const mid = wiredMid('cli');
      const bundledBefore = fs.readFileSync(mid.bundled);
      const desired = path.join(ws.dir, 'cli-desired.yaml');
      // The desired state gives the bundled store's password: the wired one is what the JVM (and midtrust) open the store with.
      fs.writeFileSync(desired, `keystore:\n  midHome: ${mid.home}\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: acme-wired-root\n    file: ${server.caFile}\n`);
      const env = { MID_STOREPASS: BUNDLED_PASSWORD };

      // Before: the JVM with the wired options does not trust the server, and neither does verify.
      expect(server.probe(java, mid.wrapper)).toMatchObject({ trusted: false, output: expect.stringMatching(/PKIX|unable to find valid certification path/) });
      const before = await midtrust(['verify', '--target', `127.0.0.1:${server.port}`, '--mid-home', mid.home, '--json'], { env });
      expect(before.code).toBe(2);

      const plan = await midtrust(['plan', '-f', desired], { env });
      expect(plan.code).toBe(2);
      const lines = plan.stdout.split('\n');
      expect(lines[0]).toBe(`Keystore ${mid.external} (PKCS12)`);
      expect(lines[1]).toMatch(/^ {2}external truststore wired in .*wrapper-override\.conf line 6$/);
      expect(plan.stdout).toMatch(/^\+ add\s+acme-wired-root/m);
      expect(plan.stdout).toMatch(/note: the given store password is not used/);
      expect(plan.stdout + plan.stderr).not.toContain(EXT_PASSWORD);
      const planJson = JSON.parse((await midtrust(['plan', '-f', desired, '--json'], { env })).stdout);
      expect(planJson).toMatchObject({ keystorePath: mid.external, store: { kind: 'external', path: mid.external, why: expect.stringMatching(/line 6$/) } });

      const apply = await midtrust(['apply', '-f', desired], { env });
      expect(apply.code).toBe(0);
      expect(apply.stdout).toContain(`Wrote ${mid.external}.`);
      expect(aliases(mid.external, EXT_PASSWORD)).toMatchObject({ 'acme-wired-root': caSha, 'site-root': sha256OfPem(bundlePems()[3]) });
      expect(fs.readFileSync(mid.bundled).equals(bundledBefore)).toBe(true);
      expect(aliases(mid.bundled, BUNDLED_PASSWORD)['acme-wired-root']).toBeUndefined();

      const verify = await midtrust(['verify', '--target', `127.0.0.1:${server.port}`, '--mid-home', mid.home, '--json'], { env });
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ trusted: true, anchor: { alias: 'acme-wired-root', sha256: caSha }, store: expect.stringMatching(/truststore\.p12 \(external truststore wired in .*wrapper-override\.conf line 6\)$/) });
      expect(server.probe(java, mid.wrapper)).toMatchObject({ trusted: true });

      // Nothing left to do, and the audit of the MID home audits the same store.
      expect((await midtrust(['plan', '-f', desired], { env })).code).toBe(0);
      const audit = await midtrust(['audit', '--mid-home', mid.home, '--json'], { env });
      expect(JSON.parse(audit.stdout)).toMatchObject({ store: { kind: 'external', path: mid.external } });
      expect(JSON.parse(audit.stdout).violations.map((v: { rule: string }) => v.rule)).not.toContain('bundled-store-bypassed');
    });

    test('store: bundled changes the bundled cacerts (external byte-identical), and lint and audit flag it', async () => {
      const mid = wiredMid('bundled');
      const externalBefore = fs.readFileSync(mid.external);
      const desired = path.join(ws.dir, 'bundled-desired.yaml');
      fs.writeFileSync(desired, `keystore:\n  midHome: ${mid.home}\n  store: bundled\n  password: { env: MID_STOREPASS }\ncertificates:\n  - alias: acme-wired-root\n    file: ${server.caFile}\n`);
      const env = { MID_STOREPASS: BUNDLED_PASSWORD };

      const apply = await midtrust(['apply', '-f', desired], { env });
      expect(apply.code).toBe(0);
      expect(apply.stdout.split('\n').slice(0, 2)).toEqual([`Keystore ${mid.bundled} (JKS)`, expect.stringMatching(/^ {2}bundled cacerts, chosen; the JVM reads the external truststore .*truststore\.p12 wired in .* line 6 instead$/)]);
      expect(aliases(mid.bundled, BUNDLED_PASSWORD)['acme-wired-root']).toBe(caSha);
      expect(fs.readFileSync(mid.external).equals(externalBefore)).toBe(true);
      // The JVM reads the external store: the bundled change does not make it trust the server.
      expect(server.probe(java, mid.wrapper).trusted).toBe(false);

      const lint = await midtrust(['lint', '-f', desired, '--json'], { env });
      const lintJson = JSON.parse(lint.stdout);
      expect(lintJson.store).toMatchObject({ kind: 'bundled', path: mid.bundled, bypassed: mid.external });
      expect(lintJson.violations).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'bundled-store-bypassed', severity: 'warning', message: expect.stringContaining(`reads the external truststore ${mid.external}`) })]));
      const lintText = await midtrust(['lint', '-f', desired], { env, terminal: { columns: 80 } });
      expect(lintText.stdout).toMatch(/bundled-store-bypassed/);
      expect(lintText.stdout).toMatch(/^Store: .*cacerts, the MID's bundled cacerts, chosen/m);

      const audit = await midtrust(['audit', mid.bundled, '--mid-home', mid.home, '--storepass-env', 'MID_STOREPASS', '--json'], { env });
      expect(JSON.parse(audit.stdout).violations).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'bundled-store-bypassed' })]));

      // Without the wiring the same file is what the JVM reads: nothing to flag.
      fs.writeFileSync(mid.wrapper, 'wrapper.java.additional.1=-Dfoo=bar\n');
      const plain = JSON.parse((await midtrust(['lint', '-f', desired, '--json'], { env })).stdout);
      expect(plain.violations.map((v: { rule: string }) => v.rule)).not.toContain('bundled-store-bypassed');
    });

    test('report --mid-home and upgrade-preview name the store and why', async () => {
      const mid = wiredMid('report');
      const env = { MID_STOREPASS: BUNDLED_PASSWORD };
      const report = await midtrust(['report', '--mid-home', mid.home, '--format', 'json'], { env });
      expect(report.code).toBe(0);
      const host = JSON.parse(report.stdout).hosts[0];
      expect(host.store).toMatchObject({ path: mid.external, type: 'PKCS12', why: expect.stringMatching(/^external truststore wired in .*line 6$/) });
      // An upgrade replaces the bundled JRE only: no upgrade loss is modelled for the external store.
      expect(host.upgrade).toBeNull();

      const preview = await midtrust(['upgrade-preview', '--mid-home', mid.home, '--incoming', mid.bundled, '--storepass-env', 'MID_STOREPASS'], { env });
      expect(preview.code).toBe(0);
      expect(preview.stdout.split('\n').slice(0, 3)).toEqual([`Store: ${mid.bundled}`, expect.stringMatching(/^ {2}bundled cacerts, chosen; the JVM reads the external truststore/), '  (an upgrade keeps the external truststore: what the MID trusts does not change)']);
    });
  });

  describe('the Pulumi resources with midHome (real dynamic-provider host)', () => {
    test('the same program creates the wiring and the entries: previews decided on inputs; the external store changes, the bundled one never', async () => {
      const home = homes.make();
      const bundled = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
      const wrapper = path.join(home, 'agent', 'conf', 'wrapper-override.conf');
      const bundledBefore = fs.readFileSync(bundled);
      const truststorePath = path.join(ws.dir, 'pulumi-external', 'mid-truststore.p12');
      const [extra] = bundlePems().slice(4, 5);
      const program = (): void => {
        const ext = new ExternalTruststore('ext', { midHome: home, truststorePath });
        // midHome from the ExternalTruststore's output: the engine orders the wiring first.
        new TrustedCertificate('acme', { midHome: ext.midHome, storePassword: BUNDLED_PASSWORD, alias: 'acme-wired-root', certificatePem: server.caPem });
        new Truststore('set', { midHome: ext.midHome, storePassword: BUNDLED_PASSWORD, certificates: [{ alias: 'extra-root', certificatePem: extra }] });
      };
      const stack = ws.stack();
      const first = await stack.preview(program);
      expect(first.map((s) => s.op)).toEqual(['create', 'create', 'create']);
      await stack.up(program);

      expect(aliases(truststorePath, undefined)).toMatchObject({ 'acme-wired-root': caSha, 'extra-root': sha256OfPem(extra) });
      expect(fs.readFileSync(bundled).equals(bundledBefore)).toBe(true);
      const outs = (name: string): Record<string, unknown> => stack.state().resources.find((r) => r.urn.endsWith(`::${name}`))!.outputs;
      for (const name of ['acme', 'set']) {
        expect(outs(name)).toMatchObject({ midHome: home, storePath: truststorePath, storeSource: expect.stringMatching(/^external truststore wired in .*wrapper-override\.conf line \d+$/) });
        expect(outs(name).keystorePath).toBeUndefined();
      }
      expect(server.probe(java, wrapper)).toMatchObject({ trusted: true });

      // The same program again: nothing to do, whatever the disk now holds.
      expect((await stack.preview(program)).map((s) => s.op)).toEqual(['same', 'same', 'same']);
      expect((await stack.up(program)).map((s) => s.op)).toEqual(['same', 'same', 'same']);

      await stack.destroy();
      expect(fs.readFileSync(bundled).equals(bundledBefore)).toBe(true);
      expect(fs.readFileSync(wrapper, 'utf8')).not.toContain('javax.net.ssl.trustStore');
    });

    test('the MID is wired after up: refresh sees the entry missing from the store its JVM now reads; up moves it there and gives the bundled cacerts back', async () => {
      const home = homes.make();
      const bundled = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
      const wrapper = path.join(home, 'agent', 'conf', 'wrapper-override.conf');
      const bundledAliases = aliases(bundled, BUNDLED_PASSWORD);
      const program = (): void => void new TrustedCertificate('acme', { midHome: home, storePassword: BUNDLED_PASSWORD, alias: 'acme-wired-root', certificatePem: server.caPem });
      const stack = ws.stack();
      await stack.up(program);
      expect(aliases(bundled, BUNDLED_PASSWORD)['acme-wired-root']).toBe(caSha);
      const outs = (): Record<string, unknown> => stack.state().resources.find((r) => r.urn.endsWith('::acme'))!.outputs;
      expect(outs()).toMatchObject({ storePath: bundled, storeSource: expect.stringMatching(/^bundled cacerts \(no trustStore wired in/) });

      // An administrator wires an external truststore by hand (keytool-made, its own password).
      const external = path.join(ws.dir, 'wired-later', 'truststore.p12');
      fs.mkdirSync(path.dirname(external), { recursive: true });
      keytoolStore(external, EXT_PASSWORD, { 'site-root': bundlePems()[3] }, 'PKCS12');
      fs.appendFileSync(wrapper, `wrapper.java.additional.4=-Djavax.net.ssl.trustStore=${external}\nwrapper.java.additional.5=-Djavax.net.ssl.trustStoreType=PKCS12\nwrapper.java.additional.6=-Djavax.net.ssl.trustStorePassword=${EXT_PASSWORD}\n`);
      expect(server.probe(java, wrapper).trusted).toBe(false);

      // Without refresh, up has nothing to compare but inputs: the same.
      expect((await stack.preview(program)).map((s) => s.op)).toEqual(['same']);
      await stack.refresh();
      expect(outs()).toMatchObject({ sha256Fingerprint: null, storePath: bundled, storeSource: expect.stringMatching(/^external truststore wired in .* line 6: .*truststore\.p12 is now the store its JVM reads; the next update moves the entries there from .*cacerts$/) });
      expect((await stack.up(program)).map((s) => s.op)).toEqual(['update']);
      expect(aliases(external, EXT_PASSWORD)).toMatchObject({ 'acme-wired-root': caSha });
      expect(aliases(bundled, BUNDLED_PASSWORD)).toEqual(bundledAliases);
      expect(outs()).toMatchObject({ sha256Fingerprint: caSha, storePath: external, storeSource: expect.stringMatching(/^external truststore wired in .* line 6$/) });
      expect(server.probe(java, wrapper)).toMatchObject({ trusted: true });

      await stack.destroy();
      expect(Object.keys(aliases(external, EXT_PASSWORD))).toEqual(['site-root']);
      expect(aliases(bundled, BUNDLED_PASSWORD)).toEqual(bundledAliases);
    });

    test('a MID wired by hand: TrustedCertificate and MidServerFleet change the external store (opened with the wired password); store: bundled the bundled one', async () => {
      const mid = wiredMid('pulumi-hand');
      const bundledBefore = fs.readFileSync(mid.bundled);
      const [fleetPem, bundledPem] = bundlePems().slice(4, 6);
      const stack = ws.stack();
      await stack.up(() => {
        new TrustedCertificate('acme', { midHome: mid.home, storePassword: BUNDLED_PASSWORD, alias: 'acme-wired-root', certificatePem: server.caPem });
        new MidServerFleet('fleet', { hosts: [{ name: 'local', midHome: mid.home }], storePassword: BUNDLED_PASSWORD, certificates: [{ alias: 'fleet-root', certificatePem: fleetPem }] });
      });
      expect(aliases(mid.external, EXT_PASSWORD)).toMatchObject({ 'acme-wired-root': caSha, 'fleet-root': sha256OfPem(fleetPem) });
      expect(fs.readFileSync(mid.bundled).equals(bundledBefore)).toBe(true);
      expect(server.probe(java, mid.wrapper)).toMatchObject({ trusted: true });
      expect(JSON.stringify(stack.state())).not.toContain(EXT_PASSWORD);

      // store: bundled is the explicit choice of the bundled cacerts.
      const externalBefore = fs.readFileSync(mid.external);
      const second = ws.stack();
      await second.up(() => void new TrustedCertificate('bundled', { midHome: mid.home, store: 'bundled', storePassword: BUNDLED_PASSWORD, alias: 'bundled-only', certificatePem: bundledPem }));
      expect(aliases(mid.bundled, BUNDLED_PASSWORD)['bundled-only']).toBe(sha256OfPem(bundledPem));
      expect(fs.readFileSync(mid.external).equals(externalBefore)).toBe(true);
      expect(second.state().resources.find((r) => r.urn.endsWith('::bundled'))!.outputs).toMatchObject({ storePath: mid.bundled, storeSource: expect.stringMatching(/^bundled cacerts, chosen; the JVM reads the external truststore/) });

      await second.destroy();
      expect(fs.readFileSync(mid.bundled).equals(bundledBefore)).toBe(true);
      await stack.destroy();
      expect(Object.keys(aliases(mid.external, EXT_PASSWORD))).toEqual(['site-root']);
    });
  });
});
