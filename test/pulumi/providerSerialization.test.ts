/**
 * Every resource's provider serializes as `pulumi up` serializes it — checked in a plain `node`
 * process (test/pulumi/fixtures/serializeProviders.js), because under jest a provider capturing a
 * native function serializes anyway and only fails in production. Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from './providerFixtures';

interface Report {
  registered: Record<string, { type: string; provider?: string }>;
  failures: string[];
}

function serializeInPlainNode(mode?: 'control'): Report {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'serializeProviders.js'), PROJECT_ROOT, ...(mode ? [mode] : [])], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`serializeProviders.js exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

/** Resource name in the fixture → what it is. */
const RESOURCES: Record<string, string> = {
  tc: 'TrustedCertificate',
  ts: 'Truststore',
  strategy: 'TruststoreMigrationStrategy',
  param: 'MidServerParameter',
  ext: 'ExternalTruststore',
  'fleet-mid-0': 'Truststore',
  'fleet-mid-0-strategy': 'TruststoreMigrationStrategy',
};

describe('providers serialize in plain node, as in a real pulumi up', () => {
  let report: Report;
  beforeAll(() => {
    report = serializeInPlainNode();
  });

  it('every resource (and each child of MidServerFleet) registers with its serialized provider', () => {
    expect(report.failures).toEqual([]);
    const got = Object.fromEntries(
      Object.keys(RESOURCES).map((name) => [name, { type: report.registered[name]?.type, serialized: typeof report.registered[name]?.provider === 'string' && report.registered[name].provider!.includes('exports.handler') }]),
    );
    expect(got).toEqual(Object.fromEntries(Object.entries(RESOURCES).map(([name, type]) => [name, { type: `pulumi-nodejs:dynamic/midtrust:${type}`, serialized: true }])));
  });

  it('the check can fail: a provider capturing a native function is refused in plain node', () => {
    const control = serializeInPlainNode('control');
    expect(control.registered).toEqual({});
    expect(control.failures.join('\n')).toMatch(/Error serializing[^]*createHash/);
  });

  // The provider records where its code is relative to the Pulumi project, never as an absolute
  // path of the machine that ran `pulumi up` (DESIGN.md: "State carries no absolute path").
  it('no serialized provider holds an absolute path of this machine', () => {
    const machinePaths = [PROJECT_ROOT, os.tmpdir(), os.homedir()].filter((p) => p !== '/');
    const found = Object.entries(report.registered).flatMap(([name, r]) => machinePaths.filter((p) => r.provider?.includes(p)).map((p) => `${name}: ${p}`));
    expect(found).toEqual([]);
  });
});
