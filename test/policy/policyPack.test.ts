import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { midtrustPolicies, TYPES } from '../../policy/midtrustPolicies';
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

function validateStack(resources: Array<{ type: string; props: Record<string, unknown> }>): string[] {
  const out: string[] = [];
  const policy = midtrustPolicies.find((p) => p.name === 'midtrust-lost-on-upgrade') as StackValidationPolicy;
  const args = { resources: resources.map((r, i) => ({ ...r, urn: `urn:${i}`, name: `r${i}` }) as unknown as PolicyResource), getConfig: () => ({}) } as unknown as StackValidationArgs;
  void policy.validateStack(args, (message: string) => out.push(message));
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
    expect(msgs).toEqual([expect.stringMatching(/^acme-root will be lost at the next MID upgrade under migrate_non_ca: a CA certificate/)]);
    expect(validateStack([{ type: TYPES.migrationStrategy, props: { midHome: '/opt/mid', strategy: 'do_not_migrate' } }])).toEqual([expect.stringMatching(/without an ExternalTruststore/)]);
  });
});

describe('the pack served over gRPC (as `pulumi preview --policy-pack policy` runs it)', () => {
  let pack: ChildProcess;
  let port: number;
  beforeAll(async () => {
    pack = spawn(process.execPath, [path.join(ROOT, 'node_modules/@pulumi/pulumi/cmd/run-policy-pack'), '127.0.0.1:1', path.join(ROOT, 'policy')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    pack.stderr!.on('data', (d) => (stderr += d));
    port = await new Promise<number>((resolve, reject) => {
      pack.stdout!.once('data', (d) => resolve(Number(String(d).trim().split('\n')[0])));
      pack.once('exit', (code) => reject(new Error(`policy pack exited ${code}: ${stderr}`)));
    });
  }, 30_000);
  afterAll(() => {
    pack?.kill();
  });

  it('loads, lists its policies and reports a weak key', async () => {
    const grpc = require('@grpc/grpc-js');
    const services = require('@pulumi/pulumi/proto/analyzer_grpc_pb');
    const messages = require('@pulumi/pulumi/proto/analyzer_pb');
    const { Struct } = require('google-protobuf/google/protobuf/struct_pb');
    const { Empty } = require('google-protobuf/google/protobuf/empty_pb');
    const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <T>(method: string, req: unknown): Promise<T> => new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
    try {
      const info = await call<{ getPoliciesList(): Array<{ getName(): string }> }>('getAnalyzerInfo', new Empty());
      expect(info.getPoliciesList().map((p) => p.getName())).toEqual(expect.arrayContaining(['midtrust-weak-key', 'midtrust-lost-on-upgrade']));
      const req = new messages.AnalyzeRequest();
      req.setType(TYPES.trustedCertificate);
      req.setName('small');
      req.setUrn(`urn:pulumi:test::midtrust::${TYPES.trustedCertificate}::small`);
      // The engine always sends resource options; the pack refuses requests without them.
      req.setOptions(new messages.AnalyzerResourceOptions());
      req.setProperties(Struct.fromJavaScript({ alias: 'small', certificatePem: certs.small, keystorePath: '/opt/mid/agent/jre/lib/security/cacerts' }));
      const res = await call<{ getDiagnosticsList(): Array<{ getPolicyname(): string; getMessage(): string; getEnforcementlevel(): number }> }>('analyze', req);
      const diags = res.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage()}`);
      expect(diags).toEqual([expect.stringMatching(/^midtrust-weak-key: [^]*small .* has a 1024-bit RSA key/)]);
    } finally {
      client.close();
    }
  }, 30_000);
});
