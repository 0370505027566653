/**
 * A Pulumi program whose every connection field is its own config secret (examples/fleet/estate.ts,
 * the program docs/fleet.md shows) — an admin login with an encrypted key, become to the MID
 * account through sudo, a bastion — run through whole deployments over the SDK's real
 * dynamic-provider host, against real sshd (target on 127.0.0.2, only through the bastion), real
 * sudo and keytool. The state file and the raw gRPC answers hold none of the secrets in plain text.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { estateFleet } from '../../examples/fleet/estate';
import { createBecomeAccounts, type BecomeAccounts } from '../helpers/becomeAccounts';
import { isSecret, startDynamicProviderHost, unwrapSecrets, urnFor, type Props } from '../helpers/dynamicProviderHost';
import { keytoolList } from '../helpers/keytool';
import { runWithMocks } from '../helpers/pulumiMocks';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { acmePem, keytoolStore, bundlePems, PROJECT_ROOT } from './providerFixtures';
import { Workspace } from './deploymentFixtures';

jest.setTimeout(5 * 60_000);

const STORE_PASSWORD = 'Estate-store-pw-81c2';
const PASSPHRASE = 'Estate-key-passphrase-4d07';

/** Every path inside `value` whose string contains `needle`. */
function pathsHolding(value: unknown, needle: string, at = ''): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsHolding(v, needle, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => pathsHolding(v, needle, at ? `${at}.${k}` : k));
  return [];
}

/** Paths whose string holds `needle` without a secret-marked value around it. */
function unmarkedHolding(value: unknown, needle: string, at = ''): string[] {
  if (isSecret(value)) return [];
  if (typeof value === 'string') return value.includes(needle) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unmarkedHolding(v, needle, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => unmarkedHolding(v, needle, at ? `${at}.${k}` : k));
  return [];
}

needs('sshd', 'sudo', 'keytool').describe('a Pulumi program with every connection field a config secret (become, bastion, encrypted key)', () => {
  let accounts: BecomeAccounts;
  let bastion: TestSshd;
  let target: TestSshd;
  let ws: Workspace;
  let cacerts: string;
  let midHome: string;
  let keyText: string;
  const certificates = [{ alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') }];
  const config = (): { config: Record<string, string>; secretConfig: string[] } => {
    const secrets: Record<string, string> = {
      sshUser: accounts.login,
      sshKey: keyText,
      sshKeyPassphrase: PASSPHRASE,
      midAccount: accounts.mid,
      bastionHost: '127.0.0.1',
      bastionPort: String(bastion.port),
      bastionHostKey: bastion.hostKeyFingerprint,
      'storePassword-mid-behind': STORE_PASSWORD,
    };
    const plain = { estateHosts: JSON.stringify([{ name: 'mid-behind', address: '127.0.0.2', sshPort: target.port, midHome, hostKey: target.hostKeyFingerprint }]) };
    const all = { ...plain, ...secrets };
    return { config: Object.fromEntries(Object.entries(all).map(([k, v]) => [`midtrust:${k}`, v])), secretConfig: Object.keys(secrets).map((k) => `midtrust:${k}`) };
  };
  const program = () => {
    estateFleet(new pulumi.Config(), certificates);
  };
  /** The secrets, and the body line of the private key. */
  const secretTexts = () => [STORE_PASSWORD, PASSPHRASE, keyText.split('\n')[1]];

  beforeAll(async () => {
    accounts = createBecomeAccounts();
    [bastion, target] = await Promise.all([startSshd(['LogLevel DEBUG1']), startSshd([], '127.0.0.2')]);
    ws = new Workspace();
    fs.chmodSync(ws.dir, 0o755);
    const keyFile = path.join(ws.dir, 'adminkey');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-f', keyFile]);
    keyText = fs.readFileSync(keyFile, 'utf8');
    for (const s of [bastion, target]) {
      fs.appendFileSync(path.join(s.dir, 'authorized_keys'), fs.readFileSync(`${keyFile}.pub`));
      fs.chmodSync(s.dir, 0o755); // sshd reads authorized_keys as the login user
      fs.chmodSync(path.join(s.dir, 'authorized_keys'), 0o644);
    }
    midHome = path.join(ws.dir, 'mid');
    const security = path.join(midHome, 'agent', 'jre', 'lib', 'security');
    fs.mkdirSync(security, { recursive: true });
    fs.writeFileSync(path.join(midHome, 'agent', 'config.xml'), '<parameters/>\n');
    cacerts = keytoolStore(path.join(security, 'cacerts'), STORE_PASSWORD, { vendor: bundlePems()[0] });
    for (const p of [midHome, path.join(midHome, 'agent'), path.join(midHome, 'agent', 'jre'), path.join(midHome, 'agent', 'jre', 'lib'), security, cacerts, path.join(midHome, 'agent', 'config.xml')]) {
      fs.chownSync(p, accounts.midUid, accounts.midGid);
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all([bastion?.stop(), target?.stop()]);
    ws?.remove();
    accounts?.remove();
  });

  it('registers the connection as a secret; up writes the store as the MID account through the bastion; the state holds no secret in clear; destroy gives the store back', async () => {
    const { resources } = await runWithMocks(program, config());
    const child = resources.find((r) => r.name === 'estate-mid-behind');
    expect(child?.secretInputs).toEqual(['connection', 'storePassword']);
    const stack = ws.stack();
    const bastionBefore = (fs.readFileSync(bastion.log, 'utf8').match(/direct_tcpip: originator/g) ?? []).length;
    await stack.up(program, config());
    expect(keytoolList(cacerts, STORE_PASSWORD).map((e) => e.alias).sort()).toEqual(['acme-root-ca', 'vendor']);
    expect(fs.statSync(cacerts).uid).toBe(accounts.midUid);
    expect((fs.readFileSync(bastion.log, 'utf8').match(/direct_tcpip: originator/g) ?? []).length).toBeGreaterThan(bastionBefore);
    // The harness keeps secrets in the engine's wire form (the real engine encrypts those): every
    // secret must be inside a value marked secret, in inputs and outputs alike.
    const state = JSON.parse(fs.readFileSync(stack.opts.statePath, 'utf8'));
    for (const s of [...secretTexts(), accounts.mid]) {
      expect({ secret: s.slice(0, 12), unmarked: unmarkedHolding(state, s) }).toEqual({ secret: s.slice(0, 12), unmarked: [] });
      expect(pathsHolding(state, s).length).toBeGreaterThan(0);
    }
    expect((await stack.up(program, config())).every((s) => s.op === 'same')).toBe(true);
    await stack.destroy();
    expect(keytoolList(cacerts, STORE_PASSWORD).map((e) => e.alias)).toEqual(['vendor']);
    expect(fs.statSync(cacerts).uid).toBe(accounts.midUid);
    expect(stack.hostLog).not.toContain(PASSPHRASE);
  });

  it('raw gRPC answers (check, create, read, diff, delete) hold the secrets only under the secret inputs they came in', async () => {
    const { resources } = await runWithMocks(program, config());
    const reg = resources.find((r) => r.name === 'estate-mid-behind')!;
    const inputs = unwrapSecrets<Props>(reg.rawInputs); // as the engine sends them to a provider without secret support
    const host = await startDynamicProviderHost({ projectRoot: PROJECT_ROOT, secrets: 'raw' });
    const seen: Array<{ what: string; value: unknown }> = [];
    try {
      const urn = urnFor('Truststore', 'raw-estate');
      const checked = await host.check(urn, {}, inputs);
      expect(checked.failures).toEqual([]);
      seen.push({ what: 'check', value: checked.inputs });
      const created = await host.create(urn, inputs);
      seen.push({ what: 'create', value: created });
      seen.push({ what: 'read', value: await host.read(created.id, urn, created.properties, inputs) });
      seen.push({ what: 'diff', value: await host.diff(created.id, urn, created.properties, inputs) });
      await host.delete(created.id, urn, created.properties);
      expect(keytoolList(cacerts, STORE_PASSWORD).map((e) => e.alias)).toEqual(['vendor']);
      const misplaced = seen.flatMap(({ what, value }) =>
        secretTexts().flatMap((s) => pathsHolding(value, s).filter((p) => !/^(properties\.|inputs\.)?(connection|storePassword)(\.|$)/.test(p)).map((p) => `${what}: ${p}`)),
      );
      expect(misplaced).toEqual([]);
      // …and the provider does return the connection (the engine re-marks it secret by its name).
      expect(pathsHolding(created.properties, PASSPHRASE)).toEqual(['connection.passphrase']);
      expect(host.stderr()).not.toContain(PASSPHRASE);
    } finally {
      await host.close();
    }
  });
});

test('the Pulumi snippet in docs/fleet.md is a verbatim part of examples/fleet/estate.ts (which tsc type-checks in npm test)', () => {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'fleet.md'), 'utf8');
  const snippet = /<!-- snippet: examples\/fleet\/estate\.ts -->\n```ts\n([^]*?)```/.exec(doc)?.[1];
  expect(snippet).toMatch(/config\.requireSecret\('sshKey'\)/);
  expect(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', 'fleet', 'estate.ts'), 'utf8')).toContain(snippet as string);
});
