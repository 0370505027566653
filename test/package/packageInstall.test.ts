/**
 * midtrust as someone else's project gets it: `npm pack` (the `files` whitelist), then
 * `npm install ./midtrust-<version>.tgz` into a fresh directory, a small TypeScript Pulumi program
 * importing `midtrust` type-checked by tsc against the installed typings, run under the SDK's mocks
 * of the installed @pulumi/pulumi, and its resource created through the SDK's real dynamic-provider
 * host started in that directory — keytool judges the store. The installed bin and the policy pack
 * (`--policy-pack node_modules/midtrust/policy`) are checked from there too.
 *
 * The install uses the npm cache first (`--prefer-offline`): it reaches the registry only for
 * what the cache lacks (the first run on a fresh machine). Needs `npm run build` (npm test runs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytoolList, tempDir } from '../helpers/keytool';
import { startDynamicProviderHost, urnFor } from '../helpers/dynamicProviderHost';
import { needs } from '../helpers/requireTools';
import { acmePem, bundlePems, keytoolStore, sha256OfPem, PROJECT_ROOT } from '../pulumi/providerFixtures';

jest.setTimeout(6 * 60_000);

const PASSWORD = 'Consumer-Pw-1';
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const version = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The consumer's program, as a user would write it. */
const PROGRAM = `import * as fs from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { TrustedCertificate } from 'midtrust';

const root = new TrustedCertificate('acme-root', {
  keystorePath: './cacerts.jks',
  storePassword: pulumi.secret(process.env.CONSUMER_STOREPASS ?? ''),
  alias: 'acme-root',
  certificatePem: fs.readFileSync('acme-root.pem', 'utf8'),
});

export const fingerprint: pulumi.Output<string | null> = root.sha256Fingerprint;
`;

/** Runs the compiled program under the installed SDK's mocks and prints what it registered (the engine's view). */
const MOCK_RUNNER = `const pulumi = require('@pulumi/pulumi');
const registered = [];
pulumi.runtime.setMocks({
  newResource: (args) => { registered.push({ type: args.type, name: args.name, inputs: args.inputs }); return { id: args.name + '-id', state: args.inputs }; },
  call: (args) => args.inputs,
}, 'consumer', 'dev', false);
require('./out/index.js');
setTimeout(() => process.stdout.write(JSON.stringify(registered)), 1500);
`;

needs('keytool').describe('the packed package installed into a fresh project', () => {
  const work = tempDir('mt-package-');
  const consumer = path.join(work, 'consumer');
  let tarball: string;
  let listing: string[];

  beforeAll(() => {
    if (!fs.existsSync(path.join(PROJECT_ROOT, 'dist', 'provider', 'index.d.ts'))) throw new Error('dist/ is missing: run npm run build first (npm test does)');
    // dist/ is already built: pack without running prepare again.
    execFileSync(NPM, ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: PROJECT_ROOT, stdio: 'pipe' });
    tarball = path.join(work, `midtrust-${version}.tgz`);
    listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
    const install = spawnSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: consumer, encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' } });
    if (install.status !== 0) throw new Error(`npm install ${tarball} failed:\n${install.stdout}${install.stderr}`);
    fs.writeFileSync(path.join(consumer, 'index.ts'), PROGRAM);
    fs.writeFileSync(path.join(consumer, 'acme-root.pem'), acmePem('acme-root-ca'));
    // Only the Node typings come from this checkout (typeRoots); midtrust's and Pulumi's come from the install.
    fs.writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, outDir: 'out', skipLibCheck: true, typeRoots: [path.join(PROJECT_ROOT, 'node_modules', '@types')], types: ['node'] }, files: ['index.ts'] }, null, 2),
    );
  });

  const tsc = (cwd: string) => spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', cwd], { cwd, encoding: 'utf8' });

  it('the tarball holds what a user needs (dist/provider, typings, the CLI, the policy pack, schemas) and nothing of the workshop', () => {
    for (const f of ['package.json', 'README.md', 'dist/provider/index.js', 'dist/provider/index.d.ts', 'dist/provider/cli/main.js', 'dist/policy/index.js', 'dist/policy/midtrustPolicies.js', 'policy/PulumiPolicy.yaml', 'policy/package.json', 'schema/desired-state.schema.json', 'docs/pulumi.md']) {
      expect(listing).toContain(f);
    }
    const workshop = listing.filter((f) => /^(test|bench|scripts|\.ci|dist\/test|dist\/bench|node_modules)\//.test(f) || /\.map$/.test(f) || /^(tsconfig.*|jest\.config\.js|eslint\.config\.mjs|Pulumi\.yaml)$/.test(f) || (/\.ts$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('examples/')));
    expect(workshop).toEqual([]);
    expect(listing.length).toBeLessThan(500);
  });

  it('a TypeScript Pulumi program importing midtrust type-checks against the installed typings — and a wrong property does not', () => {
    const ok = tsc(consumer);
    expect(`${ok.stdout}${ok.stderr}`).toBe('');
    expect(ok.status).toBe(0);
    const broken = path.join(work, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'index.ts'), PROGRAM.replace('alias:', 'alais:'));
    fs.writeFileSync(path.join(broken, 'tsconfig.json'), fs.readFileSync(path.join(consumer, 'tsconfig.json')));
    fs.symlinkSync(path.join(consumer, 'node_modules'), path.join(broken, 'node_modules'));
    const bad = tsc(broken);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/index\.ts\(\d+,\d+\): error TS2561: .*'alais'.*'alias'/);
  });

  it('runs: the program registers a midtrust:TrustedCertificate, and the dynamic-provider host started in the project creates it (keytool lists it)', async () => {
    const store = keytoolStore(path.join(consumer, 'cacerts.jks'), PASSWORD, { 'seed-ca': bundlePems()[0] });
    // --no-deprecation --no-warnings: the installed SDK's own dependencies warn about Node APIs (sys, WASI); not ours to judge here.
    // out/index.js is what the type-check above compiled.
    const run = spawnSync(process.execPath, ['--no-deprecation', '--no-warnings', '-e', MOCK_RUNNER], { cwd: consumer, encoding: 'utf8', env: { ...process.env, CONSUMER_STOREPASS: PASSWORD } });
    expect(run.stderr).toBe('');
    const registered = JSON.parse(run.stdout) as { type: string; name: string; inputs: Record<string, unknown> }[];
    expect(registered.map((r) => `${r.type} ${r.name}`)).toEqual(['pulumi-nodejs:dynamic/midtrust:TrustedCertificate acme-root']);
    const inputs = registered[0].inputs;
    expect(typeof inputs.__provider).toBe('string');
    const host = await startDynamicProviderHost({ projectRoot: consumer });
    try {
      const urn = urnFor('TrustedCertificate', 'acme-root');
      const checked = await host.check(urn, {}, { ...inputs, keystorePath: store, storePassword: PASSWORD });
      expect(checked.failures).toEqual([]);
      const created = await host.create(urn, checked.inputs);
      expect(created.properties.sha256Fingerprint).toBe(sha256OfPem(acmePem('acme-root-ca')));
    } finally {
      await host.close();
    }
    expect(new Map(keytoolList(store, PASSWORD).map((e) => [e.alias, e.sha256])).get('acme-root')).toBe(sha256OfPem(acmePem('acme-root-ca')));
  });

  it('the installed bin runs (node_modules/.bin/midtrust), and the policy pack loads from node_modules/midtrust/policy with the documented policies', () => {
    const ls = spawnSync(path.join(consumer, 'node_modules', '.bin', 'midtrust'), ['ls', 'cacerts.jks', '--storepass-env', 'CONSUMER_STOREPASS', '--json'], { cwd: consumer, encoding: 'utf8', env: { ...process.env, CONSUMER_STOREPASS: PASSWORD } });
    expect(ls.stderr).toBe('');
    expect((JSON.parse(ls.stdout) as { entries: { alias: string }[] }).entries.map((e) => e.alias)).toContain('acme-root');
    const pack = path.join(consumer, 'node_modules', 'midtrust', 'policy');
    expect(fs.readFileSync(path.join(pack, 'PulumiPolicy.yaml'), 'utf8')).toMatch(/^runtime: nodejs$/m);
    // The pack's entry point, resolved as Pulumi resolves it (package.json main from the pack directory).
    const main = path.resolve(pack, (JSON.parse(fs.readFileSync(path.join(pack, 'package.json'), 'utf8')) as { main: string }).main);
    expect(fs.existsSync(main)).toBe(true);
    const names = spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(path.dirname(main), 'midtrustPolicies.js'))}).midtrustPolicies.map((p) => [p.name, p.enforcementLevel])))`], { cwd: consumer, encoding: 'utf8' });
    expect(names.stderr).toBe('');
    const policies = JSON.parse(names.stdout) as [string, string][];
    expect(policies.length).toBeGreaterThan(0);
    // Every policy is documented in the README with its enforcement level.
    const readme = fs.readFileSync(path.join(consumer, 'node_modules', 'midtrust', 'README.md'), 'utf8');
    for (const [name, level] of policies) expect(readme).toMatch(new RegExp(`\\| \`${name}\` \\| ${level} \\|`));
  });
});
