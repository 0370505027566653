import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { midtrustPolicies, TYPES } from '../../policy/midtrustPolicies';
import { tempDir } from '../helpers/keytool';
import { makeCertificate } from '../rules/ruleFixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const DAY = 86400000;

/** Calls every resource policy on one resource, as the analyzer would; returns "policy: message" lines. */
function validate(type: string, props: Record<string, unknown>, config: Record<string, unknown> = {}): string[] {
  const out: string[] = [];
  for (const p of midtrustPolicies as ResourceValidationPolicy[]) {
    if (!p.validateResource || Array.isArray(p.validateResource)) continue;
    const args = { type, props, urn: `urn:pulumi:test::midtrust::${type}::r`, name: 'r', opts: {}, getConfig: () => config, isType: () => false, asType: () => undefined, notApplicable: () => undefined } as unknown as ResourceValidationArgs;
    void p.validateResource(args, (message: string) => out.push(`${p.name}: ${message}`));
  }
  return out;
}

function validateStack(resources: Array<{ type: string; props: Record<string, unknown> }>, name = 'midtrust-lost-on-upgrade'): string[] {
  const out: string[] = [];
  const policy = midtrustPolicies.find((p) => p.name === name) as StackValidationPolicy;
  const args = { resources: resources.map((r, i) => ({ ...r, urn: `urn:${i}`, name: `r${i}` }) as unknown as PolicyResource), getConfig: () => ({}) } as unknown as StackValidationArgs;
  void policy.validateStack(args, (message: string, urn?: string) => out.push(urn ? `${urn}: ${message}` : message));
  return out;
}

let certs: Record<string, string>;
beforeAll(async () => {
  certs = {
    good: (await makeCertificate({ cn: 'ACME Root' })).pem,
    expired: (await makeCertificate({ cn: 'old', notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) })).pem,
    small: (await makeCertificate({ cn: 'small', key: { name: 'RSASSA-PKCS1-v1_5', bits: 1024 } })).pem,
    leaf: (await makeCertificate({ cn: 'leaf', ca: false })).pem,
  };
});

describe('policies called directly', () => {
  it('a good CA passes every policy', () => {
    expect(validate(TYPES.trustedCertificate, { alias: 'acme', certificatePem: certs.good, keystorePath: '/x' })).toEqual([]);
  });
  it('expired and weak certificates are reported by their policies', () => {
    expect(validate(TYPES.trustedCertificate, { alias: 'old', certificatePem: certs.expired })).toEqual([expect.stringMatching(/^midtrust-certificate-expired: old .* expired on/)]);
    expect(validate(TYPES.truststore, { certificates: [{ alias: 'small', certificatePem: certs.small }] })).toEqual([expect.stringMatching(/^midtrust-weak-key: small .* 1024-bit RSA/)]);
  });
  it('thresholds come from the policy config', () => {
    expect(validate(TYPES.trustedCertificate, { alias: 'small', certificatePem: certs.small }, { minRsaBits: 1024 })).toEqual([]);
  });
  it('duplicates inside a Truststore; unknown values during preview are skipped', () => {
    expect(validate(TYPES.truststore, { certificates: [{ alias: 'a', certificatePem: certs.good }, { alias: 'b', certificatePem: certs.good }] })).toEqual([expect.stringMatching(/^midtrust-duplicate-certificate: b holds the same certificate/)]);
    expect(validate(TYPES.trustedCertificate, { alias: 'x', certificatePem: '04da6b54-80e4-46f7-96ec-b56ff0331ba9' })).toEqual([]);
  });
  it('strategies outside the allowed list; external truststore inside the MID home', () => {
    expect(validate(TYPES.migrationStrategy, { midHome: '/opt/mid', strategy: 'do_not_migrate' }, { allowedStrategies: ['migrate_delta'] })).toEqual([expect.stringMatching(/do_not_migrate is not allowed/)]);
    expect(validate(TYPES.externalTruststore, { midHome: '/opt/mid', truststorePath: '/opt/mid/agent/ts.p12' })).toEqual([expect.stringMatching(/inside the MID home/)]);
    expect(validate(TYPES.externalTruststore, { midHome: '/opt/mid', truststorePath: '/etc/mid/ts.p12' })).toEqual([]);
  });
  it('across the stack: a private CA declared for a MID whose strategy is migrate_non_ca', () => {
    const keystorePath = '/opt/mid/agent/jre/lib/security/cacerts';
    const msgs = validateStack([
      { type: TYPES.migrationStrategy, props: { midHome: '/opt/mid', strategy: 'migrate_non_ca' } },
      { type: TYPES.trustedCertificate, props: { keystorePath, alias: 'acme-root', certificatePem: certs.good } },
      { type: TYPES.trustedCertificate, props: { keystorePath, alias: 'proxy', certificatePem: certs.leaf } },
    ]);
    expect(msgs).toEqual([expect.stringMatching(/^urn:0: acme-root will be lost at the next MID upgrade under migrate_non_ca: a CA certificate/)]);
    expect(validateStack([{ type: TYPES.migrationStrategy, props: { midHome: '/opt/mid', strategy: 'do_not_migrate' } }])).toEqual([expect.stringMatching(/without an ExternalTruststore/)]);
  });
  it('across the stack: a midHome resource counts for the upgrade loss only when the bundled cacerts is its store', () => {
    const strategy = { type: TYPES.migrationStrategy, props: { midHome: '/opt/mid', strategy: 'migrate_non_ca' } };
    const byHome = { type: TYPES.trustedCertificate, props: { midHome: '/opt/mid/agent', alias: 'acme-root', certificatePem: certs.good } };
    const external = { type: TYPES.externalTruststore, props: { midHome: '/opt/mid', truststorePath: '/etc/mid/ts.p12' } };
    expect(validateStack([strategy, byHome])).toEqual([expect.stringMatching(/acme-root will be lost at the next MID upgrade/)]);
    // Wired to an external truststore in the same stack: the upgrade does not touch what it trusts.
    expect(validateStack([strategy, byHome, external])).toEqual([]);
    expect(validateStack([strategy, { ...byHome, props: { ...byHome.props, store: 'bundled' } }, external])).toEqual([expect.stringMatching(/acme-root will be lost/)]);
  });
  it('across the stack: the bundled cacerts managed for a MID whose ExternalTruststore wires another store (bundled-store-bypassed)', () => {
    const external = { type: TYPES.externalTruststore, props: { midHome: '/opt/mid', truststorePath: '/etc/mid/ts.p12' } };
    const bundled = { type: TYPES.truststore, props: { midHome: '/opt/mid', store: 'bundled', certificates: [{ alias: 'acme', certificatePem: certs.good }] } };
    const byPath = { type: TYPES.trustedCertificate, props: { keystorePath: '/opt/mid/agent/jre/lib/security/cacerts', alias: 'acme', certificatePem: certs.good } };
    const effective = { type: TYPES.trustedCertificate, props: { midHome: '/opt/mid', alias: 'acme', certificatePem: certs.good } };
    const msgs = validateStack([external, bundled, byPath, effective], 'midtrust-bundled-store-bypassed');
    expect(msgs).toEqual([
      expect.stringMatching(/^urn:1: \/opt\/mid\/agent\/jre\/lib\/security\/cacerts is the bundled cacerts, but the MID's JVM reads the external truststore \/etc\/mid\/ts\.p12/),
      expect.stringMatching(/^urn:2: .*is the bundled cacerts/),
    ]);
    // Without the wiring in the stack, store: bundled is simply the store the JVM reads.
    expect(validateStack([bundled, byPath, effective], 'midtrust-bundled-store-bypassed')).toEqual([]);
  });
});

describe('the pack served over gRPC (as `pulumi preview --policy-pack policy` runs it)', () => {
  // The SDK's generated gRPC stubs are CommonJS with loose typings.
  const grpc = require('@grpc/grpc-js');
  const services = require('@pulumi/pulumi/proto/analyzer_grpc_pb');
  const messages = require('@pulumi/pulumi/proto/analyzer_pb');
  const { Struct } = require('google-protobuf/google/protobuf/struct_pb');
  const { Empty } = require('google-protobuf/google/protobuf/empty_pb');
  type Diagnostic = { getPolicyname(): string; getMessage(): string; getEnforcementlevel(): number; getUrn(): string };
  type Schema = { getProperties(): { toJavaScript(): unknown } | undefined; getRequiredList(): string[] };
  type Info = { getPoliciesList(): Array<{ getName(): string; getPolicyType(): number; getEnforcementlevel(): number; getConfigschema(): Schema | undefined }> };
  const LEVEL: Record<string, number> = { advisory: messages.EnforcementLevel.ADVISORY, mandatory: messages.EnforcementLevel.MANDATORY, disabled: messages.EnforcementLevel.DISABLED };
  const CACERTS = '/opt/mid/agent/jre/lib/security/cacerts';

  let pack: ChildProcess;
  let client: { close(): void } & Record<string, (req: unknown, cb: (err: Error | null, res: unknown) => void) => void>;
  const call = <T>(method: string, req: unknown): Promise<T> => new Promise((resolve, reject) => client[method](req, (err, res) => (err ? reject(err) : resolve(res as T))));
  const lines = (res: { getDiagnosticsList(): Diagnostic[] }): string[] => res.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage()}`);

  /** One resource as the engine describes it to an analyzer. */
  function resource<M>(Message: new () => M, type: string, name: string, props: Record<string, unknown>): M {
    const r = new Message() as M & { setType(t: string): void; setName(n: string): void; setUrn(u: string): void; setOptions(o: unknown): void; setProperties(p: unknown): void };
    r.setType(type);
    r.setName(name);
    r.setUrn(`urn:pulumi:test::midtrust::${type}::${name}`);
    // The engine always sends resource options; the pack refuses requests without them.
    r.setOptions(new messages.AnalyzerResourceOptions());
    r.setProperties(Struct.fromJavaScript(props));
    return r;
  }
  const analyze = async (type: string, name: string, props: Record<string, unknown>): Promise<string[]> =>
    lines(await call<{ getDiagnosticsList(): Diagnostic[] }>('analyze', resource(messages.AnalyzeRequest, type, name, props)));
  const analyzeStack = async (resources: Array<[string, string, Record<string, unknown>]>): Promise<Diagnostic[]> => {
    const req = new messages.AnalyzeStackRequest();
    req.setResourcesList(resources.map(([type, name, props]) => resource(messages.AnalyzerResource, type, name, props)));
    return (await call<{ getDiagnosticsList(): Diagnostic[] }>('analyzeStack', req)).getDiagnosticsList();
  };
  /** The Configure RPC: the config the engine sends from `pulumi policy` / the pack's config file. */
  const configure = async (config: Record<string, { enforcementLevel: keyof typeof LEVEL; [k: string]: unknown }>): Promise<void> => {
    const req = new messages.ConfigureAnalyzerRequest();
    for (const [policy, { enforcementLevel, ...props }] of Object.entries(config)) {
      const c = new messages.PolicyConfig();
      c.setEnforcementlevel(LEVEL[enforcementLevel]);
      c.setProperties(Struct.fromJavaScript(props));
      req.getPolicyconfigMap().set(policy, c);
    }
    await call('configure', req);
  };

  beforeAll(async () => {
    // The pack's runner (ts-node) keeps a compile cache in TMPDIR: give it one that goes with this file.
    pack = spawn(process.execPath, [path.join(ROOT, 'node_modules/@pulumi/pulumi/cmd/run-policy-pack'), '127.0.0.1:1', path.join(ROOT, 'policy')], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tempDir('mt-policy-pack-') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    pack.stderr!.on('data', (d) => (stderr += d));
    const port = await new Promise<number>((resolve, reject) => {
      pack.stdout!.once('data', (d) => resolve(Number(String(d).trim().split('\n')[0])));
      pack.once('exit', (code) => reject(new Error(`policy pack exited ${code}: ${stderr}`)));
    });
    client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 30_000);
  afterAll(async () => {
    client?.close();
    if (pack && pack.exitCode === null) {
      pack.kill();
      await new Promise((r) => pack.once('exit', r));
    }
  });

  it('lists every policy with its kind, level and config schema', async () => {
    const info = await call<Info>('getAnalyzerInfo', new Empty());
    const served = info.getPoliciesList().map((p) => ({
      name: p.getName(),
      stack: p.getPolicyType() === messages.PolicyType.POLICY_TYPE_STACK,
      level: p.getEnforcementlevel(),
      config: p.getConfigschema()?.getProperties()?.toJavaScript(),
    }));
    const declared = midtrustPolicies.map((p) => ({
      name: p.name,
      stack: 'validateStack' in p,
      level: LEVEL[p.enforcementLevel ?? 'advisory'],
      config: p.configSchema?.properties,
    }));
    expect(served).toEqual(declared);
    expect(served.filter((p) => p.stack).map((p) => p.name)).toEqual(['midtrust-lost-on-upgrade', 'midtrust-bundled-store-bypassed', 'midtrust-endpoint-not-trusted']);
  });

  it('reports a weak key on one resource', async () => {
    expect(await analyze(TYPES.trustedCertificate, 'small', { alias: 'small', certificatePem: certs.small, keystorePath: CACERTS })).toEqual([
      expect.stringMatching(/^midtrust-weak-key: [^]*small .* has a 1024-bit RSA key/),
    ]);
  }, 30_000);

  it('runs the stack policy over the whole stack, naming the strategy resource', async () => {
    const diags = await analyzeStack([
      [TYPES.migrationStrategy, 'strategy', { midHome: '/opt/mid', strategy: 'migrate_non_ca' }],
      [TYPES.trustedCertificate, 'acme-root', { keystorePath: CACERTS, alias: 'acme-root', certificatePem: certs.good }],
      [TYPES.trustedCertificate, 'proxy', { keystorePath: CACERTS, alias: 'proxy', certificatePem: certs.leaf }],
    ]);
    expect(diags.map((d) => ({ policy: d.getPolicyname(), urn: d.getUrn(), level: d.getEnforcementlevel() }))).toEqual([
      { policy: 'midtrust-lost-on-upgrade', urn: `urn:pulumi:test::midtrust::${TYPES.migrationStrategy}::strategy`, level: LEVEL.mandatory },
    ]);
    expect(diags[0].getMessage()).toMatch(/acme-root will be lost at the next MID upgrade under migrate_non_ca/);
    const alone = await analyzeStack([[TYPES.migrationStrategy, 'strategy', { midHome: '/opt/mid', strategy: 'do_not_migrate' }]]);
    expect(alone.map((d) => d.getMessage())).toEqual([expect.stringMatching(/do_not_migrate without an ExternalTruststore/)]);
    const withExternal = await analyzeStack([
      [TYPES.migrationStrategy, 'strategy', { midHome: '/opt/mid', strategy: 'do_not_migrate' }],
      [TYPES.externalTruststore, 'ext', { midHome: '/opt/mid', truststorePath: '/etc/mid/ts.p12' }],
    ]);
    expect(withExternal.map((d) => d.getMessage())).toEqual([]);
  }, 30_000);

  it('takes its thresholds, allowed strategies and enforcement levels from the Configure RPC', async () => {
    const small = { alias: 'small', certificatePem: certs.small, keystorePath: CACERTS };
    const nonCa = { midHome: '/opt/mid', strategy: 'migrate_non_ca' };
    try {
      await configure({
        'midtrust-weak-key': { enforcementLevel: 'advisory', minRsaBits: 1024 },
        'midtrust-disallowed-migration-strategy': { enforcementLevel: 'mandatory', allowedStrategies: ['migrate_delta'] },
      });
      expect(await analyze(TYPES.trustedCertificate, 'small', small)).toEqual([]);
      expect(await analyze(TYPES.migrationStrategy, 'strategy', nonCa)).toEqual([expect.stringMatching(/^midtrust-disallowed-migration-strategy: [^]*migrate_non_ca is not allowed \(allowed: migrate_delta\)/)]);
      // A disabled policy reports nothing, whatever it finds.
      await configure({ 'midtrust-weak-key': { enforcementLevel: 'disabled' } });
      expect(await analyze(TYPES.trustedCertificate, 'small', small)).toEqual([]);
      expect(await analyze(TYPES.migrationStrategy, 'strategy', nonCa)).toEqual([]);
    } finally {
      await configure({});
    }
    expect(await analyze(TYPES.trustedCertificate, 'small', small)).toEqual([expect.stringMatching(/^midtrust-weak-key: /)]);
  }, 30_000);
});
