/**
 * Secrets as the provider really emits them: the SDK's dynamic-provider host driven over gRPC in
 * `secrets: 'raw'` mode, so nothing is re-marked by the harness. Inputs arrive in plain text, as
 * the engine sends them to a provider that does not accept secrets; the engine then re-marks an
 * output secret only under the name of a secret input. So the password may appear under
 * `storePassword` (and the SSH key under `connection`) and nowhere else: no other output, no id,
 * no input returned by check or read under another name, no error message, no host stderr line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers/keytool';
import { startDynamicProviderHost, urnFor, type DynamicProviderHost, type Props } from '../helpers/dynamicProviderHost';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { acmePem, bundlePems, keytoolStore, providerText, PROJECT_ROOT } from './providerFixtures';
import { MidHomes } from './providerMidFixtures';

const PASSWORD = 'Raw-pw-5d1e-not-changeit';
const WRONG = 'Wrong-pw-0b7c';

/** Every path inside `value` whose string contains `needle`. */
function pathsHolding(value: unknown, needle: string, at = ''): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsHolding(v, needle, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => pathsHolding(v, needle, at ? `${at}.${k}` : k));
  return [];
}

/** Records every raw answer of the host, and what failed calls said. */
class Recorder {
  readonly seen: Array<{ what: string; value: unknown }> = [];
  constructor(private readonly host: DynamicProviderHost) {}

  private note<T>(what: string, value: T): T {
    this.seen.push({ what, value });
    return value;
  }

  async lifeCycle(type: string, name: string, inputs: Props, changed: Props): Promise<void> {
    const urn = urnFor(type, name);
    this.note(`${type} check`, (await this.host.check(urn, {}, inputs)).inputs);
    const created = this.note(`${type} create`, await this.host.create(urn, inputs));
    this.note(`${type} read`, await this.host.read(created.id, urn, created.properties, inputs));
    this.note(`${type} diff`, await this.host.diff(created.id, urn, created.properties, changed));
    const updated = this.note(`${type} update`, await this.host.update(created.id, urn, created.properties, changed));
    await this.host.delete(created.id, urn, updated.properties);
  }

  async failure(what: string, call: Promise<unknown>): Promise<void> {
    const err = await call.then(
      () => new Error(`${what} succeeded`),
      (e: Error) => e,
    );
    expect(err.message).not.toMatch(/succeeded$/);
    this.note(`${what} error`, err.message);
  }

  /**
   * Where `needle` appears in what was recorded, as "call: path". `allowed` names the top-level
   * property that may hold it (the engine re-marks that one secret).
   */
  leaks(needle: string, allowed: string): string[] {
    return this.seen.flatMap(({ what, value }) =>
      pathsHolding(value, needle)
        .filter((p) => !new RegExp(`^(properties\\.|inputs\\.)?${allowed}(\\.|$)`).test(p) || what.endsWith('error'))
        .map((p) => `${what}: ${p || '(the value itself)'}`),
    );
  }

  /** How often `needle` appears under the allowed property: the provider must really return it there. */
  kept(needle: string, allowed: string): number {
    return this.seen.flatMap(({ value }) => pathsHolding(value, needle).filter((p) => new RegExp(`^(properties\\.)?${allowed}(\\.|$)`).test(p))).length;
  }
}

describe('raw gRPC outputs: the store password only under storePassword', () => {
  let host: DynamicProviderHost;
  let rec: Recorder;
  let tmp: string;
  let homes: MidHomes;

  beforeAll(async () => {
    tmp = tempDir('mt-secrets-raw-');
    homes = new MidHomes(tmp);
    host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT, secrets: 'raw' });
    rec = new Recorder(host);
  });
  afterAll(async () => {
    await host?.close();
  });

  it('TrustedCertificate, Truststore and ExternalTruststore, through check, create, read, diff, update, delete and failures', async () => {
    const store = (n: string) => keytoolStore(path.join(tmp, n), PASSWORD, { vendor: bundlePems()[0] });
    const tc = await providerText('trustedCertificateOps');
    const tcInputs = { keystorePath: store('tc.jks'), storePassword: PASSWORD, alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca'), __provider: tc };
    await rec.lifeCycle('TrustedCertificate', 'raw', tcInputs, { ...tcInputs, certificatePem: acmePem('acme-issuing-ca') });
    await rec.failure('TrustedCertificate wrong password', host.create(urnFor('TrustedCertificate', 'wrong'), { ...tcInputs, storePassword: WRONG }));

    const ts = await providerText('truststoreOps');
    const tsInputs = { keystorePath: store('ts.jks'), storePassword: PASSWORD, certificates: [{ alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') }], __provider: ts };
    await rec.lifeCycle('Truststore', 'raw', tsInputs, { ...tsInputs, certificates: [...tsInputs.certificates, { alias: 'acme-issuing-ca', certificatePem: acmePem('acme-issuing-ca') }] });
    await rec.failure('Truststore wrong password', host.create(urnFor('Truststore', 'wrong'), { ...tsInputs, storePassword: WRONG }));
    await rec.failure('Truststore bad certificate', host.create(urnFor('Truststore', 'bad'), { ...tsInputs, certificates: [{ alias: 'junk', certificatePem: `not a certificate ${PASSWORD}` }] }));

    const ext = await providerText('externalTruststoreOps');
    const home = homes.make();
    const extInputs = { midHome: home, truststorePath: path.join(tmp, 'ext', 'ts.p12'), storePassword: PASSWORD, storeType: 'PKCS12', seedFromBundled: true, __provider: ext };
    await rec.lifeCycle('ExternalTruststore', 'raw', extInputs, { ...extInputs, restartCommand: 'true' });
    const wrongHome = homes.make();
    fs.mkdirSync(path.join(tmp, 'ext2'));
    fs.copyFileSync(store('ext-existing.jks'), path.join(tmp, 'ext2', 'ts.jks'));
    await rec.failure('ExternalTruststore wrong password', host.create(urnFor('ExternalTruststore', 'wrong'), { ...extInputs, midHome: wrongHome, truststorePath: path.join(tmp, 'ext2', 'ts.jks'), storePassword: WRONG }));

    expect(rec.leaks(PASSWORD, 'storePassword')).toEqual([]);
    expect(rec.leaks(WRONG, 'storePassword')).toEqual([]);
    expect(host.stderr()).not.toContain(PASSWORD);
    expect(host.stderr()).not.toContain(WRONG);
    // The check really looked at the returned state: the password is kept where it belongs.
    expect(rec.kept(PASSWORD, 'storePassword')).toBeGreaterThanOrEqual(6);
  }, 120_000);
});

needs('sshd').describe('raw gRPC outputs over SSH: the key only under connection (MidServerFleet children, MID settings)', () => {
  let sshd: TestSshd;
  let host: DynamicProviderHost;
  let tmp: string;
  let homes: MidHomes;

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = tempDir('mt-secrets-raw-ssh-');
    homes = new MidHomes(tmp);
    host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT, secrets: 'raw' });
  }, 60_000);
  afterAll(async () => {
    await host?.close();
    await sshd?.stop();
  });

  it('Truststore (what MidServerFleet makes per host), TruststoreMigrationStrategy and MidServerParameter with a connection', async () => {
    const rec = new Recorder(host);
    const keyLine = sshd.privateKey.split('\n')[1];
    const connection = { host: '127.0.0.1', port: sshd.port, user: 'root', privateKey: sshd.privateKey, hostKey: sshd.hostKeyFingerprint };
    const home = homes.make();
    const cacerts = path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');

    const ts = await providerText('truststoreOps');
    const tsInputs = { keystorePath: cacerts, storePassword: 'changeit', connection, certificates: [{ alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') }], __provider: ts };
    await rec.lifeCycle('Truststore', 'fleet-mid-0', tsInputs, { ...tsInputs, certificates: [{ alias: 'acme-issuing-ca', certificatePem: acmePem('acme-issuing-ca') }] });
    await rec.failure('Truststore wrong password over SSH', host.create(urnFor('Truststore', 'wrong'), { ...tsInputs, storePassword: WRONG }));

    const strategy = await providerText('truststoreMigrationStrategyOps');
    const sInputs = { midHome: home, strategy: 'migrate_non_ca', connection, __provider: strategy };
    await rec.lifeCycle('TruststoreMigrationStrategy', 'raw', sInputs, { ...sInputs, strategy: 'migrate_delta' });

    const param = await providerText('midServerParameterOps');
    const pInputs = { midHome: home, name: 'mid.ssl.bootstrap.default.check_cert_chain', value: 'true', connection, __provider: param };
    await rec.lifeCycle('MidServerParameter', 'raw', pInputs, { ...pInputs, value: 'false' });
    await rec.failure('MidServerParameter on a missing home', host.create(urnFor('MidServerParameter', 'gone'), { ...pInputs, midHome: path.join(tmp, 'no-such-mid') }));

    expect(rec.leaks(keyLine, 'connection')).toEqual([]);
    expect(rec.leaks(WRONG, 'storePassword')).toEqual([]);
    expect(rec.leaks('changeit', 'storePassword')).toEqual([]);
    expect(host.stderr()).not.toContain(keyLine);
    expect(host.stderr()).not.toContain(WRONG);
    expect(rec.kept(keyLine, 'connection')).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
