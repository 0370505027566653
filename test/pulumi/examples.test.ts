/**
 * The Pulumi programs in examples/ (TypeScript, importing `midtrust` by name as users do) run as a
 * fresh clone runs them: no config, no demo yet. `preview` writes nothing; `up` creates the demo
 * MID Server and applies the program; a second `up` changes nothing; `destroy` leaves the demo as
 * it was before the program touched it. Judged by keytool and the MID files' text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDemoMidServer } from '../../provider/demo/demoLayout';
import { tempDir } from '../helpers/keytool';
import { Deployment } from '../helpers/deploymentEngine';
import { acmePem, sha256OfPem } from './providerFixtures';
import { keytoolAliases, PROJECT_ROOT } from './deploymentFixtures';

const DEMO_PASSWORD = 'changeit';

// Whole deployments start a dynamic-provider host per command (1–3 s each, far more on a loaded
// 2-core machine): timing is measured in bench/, never asserted here.
jest.setTimeout(5 * 60_000);

let clone: string;
let reference: { aliases: Record<string, string>; configXml: string; wrapperOverride: string };

beforeAll(() => {
  // A fresh clone: the examples, nothing else of ours (node_modules and the build come from this checkout).
  clone = tempDir('midtrust-clone-');
  fs.cpSync(path.join(PROJECT_ROOT, 'examples'), path.join(clone, 'examples'), { recursive: true });
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(clone, 'node_modules'));
  // What the demo looks like before any program touched it.
  const ref = tempDir('midtrust-demo-ref-');
  try {
    const { midHome, cacerts } = createDemoMidServer(ref, path.join(PROJECT_ROOT, 'examples', 'quickstart', 'demo-seed'));
    reference = {
      aliases: keytoolAliases(cacerts, DEMO_PASSWORD),
      configXml: fs.readFileSync(path.join(midHome, 'agent', 'config.xml'), 'utf8'),
      wrapperOverride: fs.readFileSync(path.join(midHome, 'agent', 'conf', 'wrapper-override.conf'), 'utf8'),
    };
  } finally {
    fs.rmSync(ref, { recursive: true, force: true });
  }
});
afterAll(() => fs.rmSync(clone, { recursive: true, force: true }));

/** Runs an example program as Pulumi does: from its project directory. */
function program(example: string, projectDir: string): () => void {
  return () => {
    const cwd = process.cwd();
    process.chdir(projectDir);
    try {
      jest.isolateModules(() => require(path.join(clone, 'examples', example, 'index.ts')));
    } finally {
      process.chdir(cwd);
    }
  };
}

const demoHome = (): string => path.join(clone, 'demo', 'mid-server');
const demoCacerts = (): string => path.join(demoHome(), 'agent', 'jre', 'lib', 'security', 'cacerts');

function expectDemoAsCreated(): void {
  expect(keytoolAliases(demoCacerts(), DEMO_PASSWORD)).toEqual(reference.aliases);
  expect(fs.readFileSync(path.join(demoHome(), 'agent', 'config.xml'), 'utf8')).toBe(reference.configXml);
  expect(fs.readFileSync(path.join(demoHome(), 'agent', 'conf', 'wrapper-override.conf'), 'utf8')).toBe(reference.wrapperOverride);
}

function stack(projectDir: string, name: string): Deployment {
  return new Deployment({ projectRoot: projectDir, statePath: path.join(clone, `${name}.state.json`) });
}

test('the quick start (Pulumi.yaml at the root) on a fresh clone with no config: preview writes nothing, up trusts the CAs in the demo MID, destroy gives it back', async () => {
  const quick = stack(clone, 'quickstart');
  const run = program('quickstart', clone);
  const before = fs.readdirSync(clone).sort();
  expect((await quick.preview(run)).map((s) => s.op)).toEqual(['create', 'create', 'create']);
  expect(fs.readdirSync(clone).sort()).toEqual(before);

  expect((await quick.up(run)).map((s) => s.op)).toEqual(['create', 'create', 'create']);
  const listed = keytoolAliases(demoCacerts(), DEMO_PASSWORD);
  for (const alias of ['acme-root-ca', 'acme-issuing-ca', 'proxy-acme-example'] as const) expect(listed[alias]).toBe(sha256OfPem(acmePem(alias)));
  // The demo password is a secret in the state; the provider finds its code by a path relative to the project.
  expect(quick.state().resources[0].outputs.storePassword).toMatchObject({ value: DEMO_PASSWORD });
  expect(String(quick.state().resources[0].outputs.__provider)).toMatch(/__provider\.libraryDir = "\.\.\//);

  expect((await quick.up(run)).map((s) => s.op)).toEqual(['same', 'same', 'same']);
  await quick.refresh();
  await quick.destroy();
  expectDemoAsCreated();
});

test.each([
  ['fleet', (): void => {
    const listed = keytoolAliases(demoCacerts(), DEMO_PASSWORD);
    expect(listed['acme-root-ca']).toBe(sha256OfPem(acmePem('acme-root-ca')));
    expect(fs.readFileSync(path.join(demoHome(), 'agent', 'config.xml'), 'utf8')).toContain('value="migrate_delta"');
  }],
  ['migration-strategy', (): void => {
    const xml = fs.readFileSync(path.join(demoHome(), 'agent', 'config.xml'), 'utf8');
    expect(xml).toContain('name="mid.truststore.migration.strategy" value="migrate_non_ca"');
    expect(xml).toContain('name="mid.ssl.bootstrap.default.check_cert_chain" value="true"');
  }],
  ['external-truststore', (): void => {
    const store = path.join(clone, 'demo', 'external', 'mid-truststore.p12');
    expect(fs.readFileSync(path.join(demoHome(), 'agent', 'conf', 'wrapper-override.conf'), 'utf8')).toContain(`-Djavax.net.ssl.trustStore=${store}`);
    // Password-less: no secret is written into wrapper-override.conf.
    expect(fs.readFileSync(path.join(demoHome(), 'agent', 'conf', 'wrapper-override.conf'), 'utf8')).not.toContain('trustStorePassword');
    expect(keytoolAliases(store, undefined)['acme-root-ca']).toBe(sha256OfPem(acmePem('acme-root-ca')));
  }],
])('examples/%s on a fresh clone with no config: preview writes nothing, up applies it, destroy gives the demo back', async (example, expectApplied) => {
  const projectDir = path.join(clone, 'examples', example);
  const demoBefore = fs.existsSync(path.join(clone, 'demo'));
  const s = stack(projectDir, example);
  const run = program(example, projectDir);
  await s.preview(run);
  expect(fs.existsSync(path.join(clone, 'demo'))).toBe(demoBefore);
  await s.up(run);
  expectApplied();
  expect((await s.up(run)).every((step) => step.op === 'same')).toBe(true);
  await s.destroy();
  expectDemoAsCreated();
  expect(fs.existsSync(path.join(clone, 'demo', 'external'))).toBe(false);
});
