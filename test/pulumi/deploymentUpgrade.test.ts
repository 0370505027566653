/**
 * A MID upgrade in the middle of a stack's life, judged by keytool (issue 18): up → simulated
 * upgrade (test/helpers/midUpgrade.ts: agent/jre replaced wholesale by a new JRE whose cacerts is
 * the vendor's next one — one root dropped, one added — migrated per strategy by the product's
 * rule, config files kept or rewritten) → refresh → up → refresh → destroy, over the SDK's real
 * dynamic-provider host, for every strategy.
 *
 * After the second up every declared CA is trusted exactly once, under its declared alias (the
 * upgrade's migrated copies adopted: removed, given back by destroy); after destroy the store is
 * exactly as the upgrade produced it (keytool's listing, creation dates included). A JDK root the
 * stack only adopted and the vendor then dropped is not put back without restoreVendorDropped.
 *
 * One stack per strategy holds every scenario of that strategy (one host per command).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExternalTruststore, MidServerFleet, Truststore, TrustedCertificate, TruststoreMigrationStrategy } from '../../provider';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { simulateMidUpgrade, type UpgradeDone } from '../helpers/midUpgrade';
import { acmePem, bundlePems, keytoolStore, sha256OfPem } from './providerFixtures';
import { BUNDLED_PASSWORD, CONFIG_XML, WRAPPER_OVERRIDE } from './providerMidFixtures';
import { aliasesInView, keytoolAliases, keytoolView, Workspace } from './deploymentFixtures';
import type { Deployment, StateResource } from '../helpers/deploymentEngine';
import { check as truststoreCheck } from '../../provider/resources/truststoreOps';

jest.setTimeout(10 * 60_000);

type Strategy = 'migrate_delta' | 'migrate_non_ca' | 'do_not_migrate';

/** The JDK's roots as the vendor names them; the next JRE drops vendor-b and adds vendor-d. */
const VENDOR_B = 'vendor-b [jdk]';
const ROOT = { alias: 'acme-root-ca', certificatePem: acmePem('acme-root-ca') };
const LEAF = { alias: 'proxy-acme-example', certificatePem: acmePem('proxy-acme-example') };
/** A root of the old JRE the stack adopts as found (declared by the user, already there). */
const ADOPTED = { alias: VENDOR_B, certificatePem: bundlePems()[1] };
const REWRITTEN_CONFIG = CONFIG_XML.replace('<parameters>', '<parameters>\n    <!-- laid down again by the upgrade -->');
const REWRITTEN_WRAPPER = '# wrapper-override.conf as the upgrade lays it down\n';

let ws: Workspace;
let vendorNow: string;
let vendorNext: string;
let homes = 0;

beforeAll(() => {
  ws = new Workspace();
  const pems = bundlePems();
  vendorNow = keytoolStore(path.join(ws.dir, 'vendor-now.jks'), BUNDLED_PASSWORD, { 'vendor-a [jdk]': pems[0], [VENDOR_B]: pems[1], 'vendor-c [jdk]': pems[2] });
  fs.mkdirSync(path.join(ws.dir, 'next'));
  vendorNext = keytoolStore(path.join(ws.dir, 'next', 'vendor-next.jks'), BUNDLED_PASSWORD, { 'vendor-a [jdk]': pems[0], 'vendor-c [jdk]': pems[2], 'vendor-d [jdk]': pems[3] });
});
afterAll(() => ws.remove());

/** A MID home whose bundled JRE ships `vendorNow`, with a `release` file like a real JRE's. */
function midHome(): string {
  const home = path.join(ws.dir, `mid-${++homes}`);
  fs.mkdirSync(path.join(home, 'agent', 'conf'), { recursive: true });
  fs.mkdirSync(path.join(home, 'agent', 'jre', 'lib', 'security'), { recursive: true });
  fs.writeFileSync(path.join(home, 'agent', 'config.xml'), CONFIG_XML);
  fs.writeFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), WRAPPER_OVERRIDE);
  fs.writeFileSync(path.join(home, 'agent', 'jre', 'release'), 'JAVA_VERSION="17.0.12"\n');
  fs.copyFileSync(vendorNow, cacertsOf(home));
  return home;
}

const cacertsOf = (home: string): string => path.join(home, 'agent', 'jre', 'lib', 'security', 'cacerts');
const aliasesOf = (home: string): Record<string, string> => keytoolAliases(cacertsOf(home), BUNDLED_PASSWORD);
const configOf = (home: string): string => fs.readFileSync(path.join(home, 'agent', 'config.xml'), 'utf8');

/** Every alias of a listing (keytool's, {@link aliasesOf}) that holds this certificate. */
function trustedUnder(listed: Record<string, string>, pem: string): string[] {
  const sha = sha256OfPem(pem);
  return Object.entries(listed)
    .filter(([, s]) => s === sha)
    .map(([a]) => a)
    .sort();
}

interface Scenario {
  readonly name: string;
  readonly home: string;
  readonly rewrite: boolean;
  /** Declares the resources of this scenario. */
  readonly declare: () => void;
  upgraded?: string;
  done?: UpgradeDone;
}

function outputsOf(stack: Deployment, name: string): Record<string, unknown> {
  const r = stack.state().resources.find((x: StateResource) => x.urn.endsWith(`::${name}`));
  if (!r) throw new Error(`no resource ${name} in the state`);
  return r.outputs;
}

describe.each<[Strategy]>([['migrate_delta'], ['migrate_non_ca'], ['do_not_migrate']])('%s: up → upgrade → refresh → up → destroy', (strategy) => {
  const suffix = strategy.replace(/_/g, '-');
  const scenarios: Scenario[] = [];
  const stack = (): Deployment => (stackOf ??= ws.stack());
  let stackOf: Deployment | undefined;

  const program = (): void => {
    for (const s of scenarios) s.declare();
  };

  beforeAll(() => {
    const tc = midHome();
    const ts = midHome();
    const ex = midHome();
    const strategyOf = (name: string, home: string) => new TruststoreMigrationStrategy(`${name}-strategy-${suffix}`, { midHome: home, strategy });
    scenarios.push(
      {
        name: `tc-${suffix}`,
        home: tc,
        rewrite: false,
        declare: () => {
          strategyOf('tc', tc);
          for (const c of [ROOT, LEAF]) new TrustedCertificate(`tc-${c.alias}-${suffix}`, { keystorePath: cacertsOf(tc), storePassword: BUNDLED_PASSWORD, ...c });
          new TrustedCertificate(`tc-adopted-${suffix}`, { keystorePath: cacertsOf(tc), storePassword: BUNDLED_PASSWORD, ...ADOPTED });
        },
      },
      {
        name: `ts-${suffix}`,
        home: ts,
        rewrite: true,
        declare: () => {
          strategyOf('ts', ts);
          new Truststore(`ts-${suffix}`, { keystorePath: cacertsOf(ts), storePassword: BUNDLED_PASSWORD, certificates: [ROOT, LEAF, ADOPTED] });
        },
      },
      {
        name: `ex-${suffix}`,
        home: ex,
        rewrite: strategy === 'migrate_delta',
        declare: () => {
          strategyOf('ex', ex);
          new Truststore(`ex-${suffix}`, { keystorePath: cacertsOf(ex), storePassword: BUNDLED_PASSWORD, certificates: [ROOT, LEAF, ADOPTED], exclusive: true });
        },
      },
    );
  });

  test('first up: every declared CA trusted under its alias, the strategy set', async () => {
    await stack().up(program);
    for (const s of scenarios) {
      const listed = aliasesOf(s.home);
      for (const c of [ROOT, LEAF, ADOPTED]) expect(trustedUnder(listed, c.certificatePem)).toEqual([c.alias]);
      expect(configOf(s.home)).toContain(`name="mid.truststore.migration.strategy" value="${strategy}"`);
      // The exclusive store trusts only what is declared.
      if (s === scenarios[2]) expect(Object.keys(listed).sort()).toEqual([ROOT.alias, VENDOR_B, LEAF.alias].sort());
    }
  });

  test('the upgrade replaces agent/jre and migrates by the strategy the stack set', async () => {
    for (const s of scenarios) {
      s.done = await simulateMidUpgrade({ midHome: s.home, nextCacerts: vendorNext, password: BUNDLED_PASSWORD, ...(s.rewrite ? { rewrite: { configXml: REWRITTEN_CONFIG, wrapperOverride: REWRITTEN_WRAPPER } } : {}) });
      s.upgraded = keytoolView(cacertsOf(s.home), BUNDLED_PASSWORD);
      const listed = aliasesInView(s.upgraded);
      // keytool's verdict on what the product's rule did.
      expect(listed['snc_acme-root-ca'] !== undefined).toBe(strategy === 'migrate_delta');
      expect(listed['snc_proxy-acme-example'] !== undefined).toBe(strategy !== 'do_not_migrate');
      expect(listed[`snc_${VENDOR_B}`] !== undefined).toBe(strategy === 'migrate_delta'); // resurrected by the product's rule
      expect(listed['vendor-d [jdk]']).toBe(sha256OfPem(bundlePems()[3]));
      expect(listed[ROOT.alias]).toBeUndefined();
      expect(fs.existsSync(path.join(s.done.backupDir, 'cacerts_before'))).toBe(true);
      // Everything else in the old jre/lib/security went with it (the ownership record too).
      expect(fs.readdirSync(path.dirname(cacertsOf(s.home))).sort()).toEqual(['cacerts', 'java.security']);
    }
  });

  test('refresh says the JRE was replaced and where the CAs went', async () => {
    await stack().refresh();
    const tcRoot = outputsOf(stack(), `tc-${ROOT.alias}-${suffix}`);
    expect(tcRoot.jreReplaced).toBe(true);
    expect(tcRoot.sha256Fingerprint).toBeNull();
    expect(tcRoot.upgradeNote).toMatch(/was replaced since the last pulumi up/);
    if (strategy === 'migrate_delta') {
      expect(tcRoot.trustedAs).toEqual(['snc_acme-root-ca']);
      expect(tcRoot.upgradeNote).toContain('trusted as snc_acme-root-ca (migrated by the upgrade)');
    } else {
      expect(tcRoot.trustedAs).toEqual([]);
      expect(tcRoot.upgradeNote).toContain('acme-root-ca is missing');
    }
    const adopted = outputsOf(stack(), `tc-adopted-${suffix}`);
    expect(adopted.adopted).toBe(true);
    expect(adopted.vendorDropped).toBe(true);
    expect(adopted.upgradeNote).toContain("the vendor's next cacerts dropped");
    const ts = outputsOf(stack(), `ts-${suffix}`);
    expect(ts.jreReplaced).toBe(true);
    expect(ts.vendorDroppedAliases).toEqual([VENDOR_B]);
    expect((ts.entries as unknown[]).length).toBe(0);
    // Rewritten config.xml: refresh sees the strategy gone.
    expect(outputsOf(stack(), `ts-strategy-${suffix}`).strategy).toBeNull();
  });

  test('up after refresh: every declared CA trusted exactly once under its alias; the vendor-dropped root not put back', async () => {
    const steps = await stack().up(program);
    expect(steps.filter((s) => s.op === 'update').length).toBeGreaterThanOrEqual(5);
    for (const s of scenarios) {
      const listed = aliasesOf(s.home);
      for (const c of [ROOT, LEAF]) expect(trustedUnder(listed, c.certificatePem)).toEqual([c.alias]);
      // Not resurrected by midtrust; under migrate_delta the product's own copy stays unless exclusive.
      expect(trustedUnder(listed, ADOPTED.certificatePem)).toEqual(strategy === 'migrate_delta' && s !== scenarios[2] ? [`snc_${VENDOR_B}`] : []);
      expect(configOf(s.home)).toContain(`name="mid.truststore.migration.strategy" value="${strategy}"`);
      if (s === scenarios[2]) expect(Object.keys(listed).sort()).toEqual([ROOT.alias, LEAF.alias].sort());
    }
    const tcRoot = outputsOf(stack(), `tc-${ROOT.alias}-${suffix}`);
    expect(tcRoot.jreReplaced).toBe(false);
    if (strategy === 'migrate_delta') {
      expect(tcRoot.migratedCopiesSeen).toEqual([expect.objectContaining({ alias: 'snc_acme-root-ca', state: 'adopted', inStore: false })]);
      expect(tcRoot.onDestroy).toContain('snc_acme-root-ca back');
    }
    // A second up changes nothing: the decisions are stable.
    await stack().refresh();
    const again = await stack().up(program);
    expect(again.every((s) => s.op === 'same')).toBe(true);
    expect(outputsOf(stack(), `tc-adopted-${suffix}`).vendorDropped).toBe(true);
  });

  test('destroy: every store exactly as the upgrade produced it; config files as found after the upgrade', async () => {
    await stack().destroy();
    for (const s of scenarios) {
      expect(keytoolView(cacertsOf(s.home), BUNDLED_PASSWORD)).toBe(s.upgraded);
      expect(configOf(s.home)).toBe(s.rewrite ? REWRITTEN_CONFIG : CONFIG_XML);
    }
  });
});

describe('migrate_delta: the choices — keep, remove, and the vendor-dropped root with restoreVendorDropped', () => {
  const stack = (): Deployment => (stackOf ??= ws.stack());
  let stackOf: Deployment | undefined;
  let keep: string;
  let remove: string;
  let optIn: string;
  const upgraded = new Map<string, string>();
  const program = (): void => {
    new TrustedCertificate('keep-root', { keystorePath: cacertsOf(keep), storePassword: BUNDLED_PASSWORD, ...ROOT, migratedCopies: 'keep' });
    new TrustedCertificate('remove-root', { keystorePath: cacertsOf(remove), storePassword: BUNDLED_PASSWORD, ...ROOT, migratedCopies: 'remove' });
    new Truststore('opt-in', { keystorePath: cacertsOf(optIn), storePassword: BUNDLED_PASSWORD, certificates: [ROOT, ADOPTED], restoreVendorDropped: true });
  };

  test('up, then the upgrade (config.xml without a strategy: the default migrate_delta)', async () => {
    [keep, remove, optIn] = [midHome(), midHome(), midHome()];
    await stack().up(program);
    for (const home of [keep, remove, optIn]) {
      await simulateMidUpgrade({ midHome: home, nextCacerts: vendorNext, password: BUNDLED_PASSWORD });
      upgraded.set(home, keytoolView(cacertsOf(home), BUNDLED_PASSWORD));
      expect(aliasesInView(upgraded.get(home)!)['snc_acme-root-ca']).toBe(sha256OfPem(ROOT.certificatePem));
    }
    await stack().refresh();
    expect(outputsOf(stack(), 'keep-root').upgradeNote).toContain('kept (migratedCopies: keep): the CA is trusted twice');
    expect(outputsOf(stack(), 'remove-root').upgradeNote).toContain('the next pulumi up removes this copy for good');
    expect(outputsOf(stack(), 'opt-in').vendorDroppedAliases).toEqual([]);
  });

  test('up: keep trusts the CA twice (said), remove once, the opted-in vendor root comes back once', async () => {
    await stack().up(program);
    const sha = sha256OfPem(ROOT.certificatePem);
    expect(trustedUnder(aliasesOf(keep), ROOT.certificatePem)).toEqual([ROOT.alias, 'snc_acme-root-ca'].sort());
    expect(outputsOf(stack(), 'keep-root').trustedAs).toEqual([ROOT.alias, 'snc_acme-root-ca']);
    expect(trustedUnder(aliasesOf(remove), ROOT.certificatePem)).toEqual([ROOT.alias]);
    const optInListed = aliasesOf(optIn);
    expect(trustedUnder(optInListed, ROOT.certificatePem)).toEqual([ROOT.alias]);
    expect(trustedUnder(optInListed, ADOPTED.certificatePem)).toEqual([VENDOR_B]);
    expect(optInListed[ROOT.alias]).toBe(sha);
    expect(outputsOf(stack(), 'remove-root').onDestroy).not.toContain('snc_acme-root-ca');
    expect(outputsOf(stack(), 'keep-root').onDestroy).toContain('leaves snc_acme-root-ca');
  });

  test('destroy: keep and opt-in end exactly as the upgrade left them; remove without the copy it removed for good', async () => {
    await stack().destroy();
    expect(keytoolView(cacertsOf(keep), BUNDLED_PASSWORD)).toBe(upgraded.get(keep));
    expect(keytoolView(cacertsOf(optIn), BUNDLED_PASSWORD)).toBe(upgraded.get(optIn));
    const left = aliasesOf(remove);
    expect(left[ROOT.alias]).toBeUndefined();
    expect(left['snc_acme-root-ca']).toBeUndefined();
    expect(Object.keys(left).sort()).toEqual([`snc_${VENDOR_B}`, 'vendor-a [jdk]', 'vendor-c [jdk]', 'vendor-d [jdk]']);
  });

  test('check: keep contradicts exclusive', () => {
    const { failures } = truststoreCheck({}, { keystorePath: '/x/cacerts', certificates: [ROOT], exclusive: true, migratedCopies: 'keep' });
    expect(failures).toEqual([expect.objectContaining({ property: 'migratedCopies', reason: expect.stringContaining('keep contradicts exclusive') })]);
    expect((truststoreCheck({}, { keystorePath: '/x/cacerts', certificates: [ROOT], migratedCopies: 'sometimes' }).failures ?? []).map((f) => f.property)).toEqual(['migratedCopies']);
  });
});

describe('migrate_delta, two upgrades in a row: adopt never lets a snc_snc_ generation appear', () => {
  test('up → upgrade → refresh → up → upgrade → refresh → up → destroy', async () => {
    const stack = ws.stack();
    const home = midHome();
    const program = (): void => void new TrustedCertificate('twice', { keystorePath: cacertsOf(home), storePassword: BUNDLED_PASSWORD, ...ROOT });
    await stack.up(program);
    let upgraded = '';
    for (let round = 1; round <= 2; round++) {
      await simulateMidUpgrade({ midHome: home, nextCacerts: vendorNext, password: BUNDLED_PASSWORD, javaVersion: `17.0.1${round + 2}` });
      upgraded = keytoolView(cacertsOf(home), BUNDLED_PASSWORD);
      const listed = aliasesInView(upgraded);
      expect([listed[ROOT.alias], listed['snc_acme-root-ca'], listed['snc_snc_acme-root-ca']]).toEqual([undefined, sha256OfPem(ROOT.certificatePem), undefined]);
      await stack.refresh();
      expect(outputsOf(stack, 'twice').trustedAs).toEqual(['snc_acme-root-ca']);
      await stack.up(program);
      expect(trustedUnder(aliasesOf(home), ROOT.certificatePem)).toEqual([ROOT.alias]);
    }
    await stack.destroy();
    expect(keytoolView(cacertsOf(home), BUNDLED_PASSWORD)).toBe(upgraded);
  });
});

needs('sshd').describe('migrate_non_ca: a MidServerFleet over SSH across the upgrade of its hosts', () => {
  let sshd: TestSshd;
  let stackOf: Deployment | undefined;
  const stack = (): Deployment => (stackOf ??= ws.stack());
  const hosts: string[] = [];
  const upgraded = new Map<string, string>();
  const program = (): void => {
    const connection = { host: '127.0.0.1', port: sshd.port, user: 'root', privateKey: sshd.privateKey, hostKey: sshd.hostKeyFingerprint };
    new MidServerFleet('fleet', { hosts: hosts.map((midHome, i) => ({ name: `mid-${i}`, midHome, connection })), certificates: [ROOT, LEAF, ADOPTED], storePassword: BUNDLED_PASSWORD, migrationStrategy: 'migrate_non_ca' });
  };
  beforeAll(async () => {
    sshd = await startSshd();
    hosts.push(midHome(), midHome());
  });
  afterAll(async () => sshd?.stop());

  test('up → upgrade (config kept on one host, rewritten on the other) → refresh → up → destroy', async () => {
    await stack().up(program);
    for (const [i, home] of hosts.entries()) {
      await simulateMidUpgrade({ midHome: home, nextCacerts: vendorNext, password: BUNDLED_PASSWORD, ...(i === 1 ? { rewrite: { configXml: REWRITTEN_CONFIG } } : {}) });
      upgraded.set(home, keytoolView(cacertsOf(home), BUNDLED_PASSWORD));
      const listed = aliasesInView(upgraded.get(home)!);
      expect([listed[ROOT.alias], listed['snc_acme-root-ca'], listed['snc_proxy-acme-example']]).toEqual([undefined, undefined, sha256OfPem(LEAF.certificatePem)]);
    }
    await stack().refresh();
    const ts = outputsOf(stack(), 'fleet-mid-0');
    expect(ts.jreReplaced).toBe(true);
    expect(ts.upgradeNote).toContain('proxy-acme-example: trusted as snc_proxy-acme-example (migrated by the upgrade)');
    expect(ts.vendorDroppedAliases).toEqual([VENDOR_B]);
    await stack().up(program);
    for (const home of hosts) {
      const listed = aliasesOf(home);
      for (const c of [ROOT, LEAF]) expect(trustedUnder(listed, c.certificatePem)).toEqual([c.alias]);
      expect(trustedUnder(listed, ADOPTED.certificatePem)).toEqual([]);
      expect(configOf(home)).toContain('name="mid.truststore.migration.strategy" value="migrate_non_ca"');
    }
    await stack().destroy();
    for (const [i, home] of hosts.entries()) {
      expect(keytoolView(cacertsOf(home), BUNDLED_PASSWORD)).toBe(upgraded.get(home));
      expect(configOf(home)).toBe(i === 1 ? REWRITTEN_CONFIG : CONFIG_XML);
    }
  });
});

test('every Pulumi project of the repository refreshes before up/preview/destroy (options.refresh: always)', () => {
  const { parse } = require('yaml') as typeof import('yaml');
  const root = path.resolve(__dirname, '..', '..');
  const projects = ['Pulumi.yaml', ...fs.readdirSync(path.join(root, 'examples')).map((d) => path.join('examples', d, 'Pulumi.yaml'))].filter((f) => fs.existsSync(path.join(root, f)));
  expect(projects.length).toBeGreaterThanOrEqual(4);
  for (const f of projects) expect([f, parse(fs.readFileSync(path.join(root, f), 'utf8')).options?.refresh]).toEqual([f, 'always']);
});

describe('a MID wired to an external truststore, across an upgrade (wrapper-override.conf kept, and rewritten without the wiring)', () => {
  const stack = (): Deployment => (stackOf ??= ws.stack());
  let stackOf: Deployment | undefined;
  let kept: string;
  let rewritten: string;
  const external = (home: string): string => path.join(ws.dir, `etc-${path.basename(home)}`, 'truststore.p12');
  const wrapperOf = (home: string): string => fs.readFileSync(path.join(home, 'agent', 'conf', 'wrapper-override.conf'), 'utf8');
  const upgradedCacerts = new Map<string, string>();
  const program = (): void => {
    for (const home of [kept, rewritten]) {
      const ext = new ExternalTruststore(`ext-${path.basename(home)}`, { midHome: home, truststorePath: external(home) });
      // midHome from the wiring's output: created after it, so the store it resolves is the external one.
      new Truststore(`acme-${path.basename(home)}`, { midHome: ext.midHome, certificates: [ROOT] });
    }
  };

  test('up: the CA lands in the external store the JVM reads; the bundled cacerts is untouched', async () => {
    [kept, rewritten] = [midHome(), midHome()];
    const bundledBefore = keytoolView(cacertsOf(kept), BUNDLED_PASSWORD);
    await stack().up(program);
    for (const home of [kept, rewritten]) {
      expect(wrapperOf(home)).toContain(`-Djavax.net.ssl.trustStore=${external(home)}`);
      expect(keytoolAliases(external(home))[ROOT.alias]).toBe(sha256OfPem(ROOT.certificatePem));
      expect(keytoolView(cacertsOf(home), BUNDLED_PASSWORD)).toBe(bundledBefore);
    }
  });

  test('upgrade → refresh → up: the wiring is back where the upgrade dropped it, the CA still trusted once', async () => {
    await simulateMidUpgrade({ midHome: kept, nextCacerts: vendorNext, password: BUNDLED_PASSWORD });
    await simulateMidUpgrade({ midHome: rewritten, nextCacerts: vendorNext, password: BUNDLED_PASSWORD, rewrite: { wrapperOverride: REWRITTEN_WRAPPER } });
    for (const home of [kept, rewritten]) upgradedCacerts.set(home, keytoolView(cacertsOf(home), BUNDLED_PASSWORD));
    expect(wrapperOf(rewritten)).toBe(REWRITTEN_WRAPPER);
    await stack().refresh();
    await stack().up(program);
    for (const home of [kept, rewritten]) {
      expect(wrapperOf(home)).toContain(`-Djavax.net.ssl.trustStore=${external(home)}`);
      expect(trustedUnder(keytoolAliases(external(home)), ROOT.certificatePem)).toEqual([ROOT.alias]);
      // The upgrade does not reach the external store: nothing was migrated into the bundled one for it.
      expect(keytoolView(cacertsOf(home), BUNDLED_PASSWORD)).toBe(upgradedCacerts.get(home));
    }
  });

  test('destroy: the external store and its directory gone, wrapper-override.conf and cacerts as the upgrade left them', async () => {
    await stack().destroy();
    expect(wrapperOf(kept)).toBe(WRAPPER_OVERRIDE);
    expect(wrapperOf(rewritten)).toBe(REWRITTEN_WRAPPER);
    for (const home of [kept, rewritten]) {
      expect(fs.existsSync(external(home))).toBe(false);
      expect(fs.existsSync(path.dirname(external(home)))).toBe(false);
      expect(keytoolView(cacertsOf(home), BUNDLED_PASSWORD)).toBe(upgradedCacerts.get(home));
    }
  });
});
