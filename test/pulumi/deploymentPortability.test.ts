/**
 * State that outlives the checkout and the credentials it was made with, judged by deployments:
 * a stack created from one checkout is refreshed and destroyed from another after the first is
 * deleted; rotated SSH credentials are an update that writes nothing, and refresh and destroy use
 * the new key after the old one is revoked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { needs } from '../helpers/requireTools';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { TrustedCertificate } from '../../provider';
import { acmePem, sha256OfPem } from './providerFixtures';
import { keytoolAliases, keytoolView, PASSWORD, PROJECT_ROOT, Workspace } from './deploymentFixtures';

const ROOT = acmePem('acme-root-ca');

// Whole deployments start a dynamic-provider host per command (1–3 s each, far more on a loaded
// 2-core machine): timing is measured in bench/, never asserted here.
jest.setTimeout(5 * 60_000);

let ws: Workspace;
beforeAll(() => {
  ws = new Workspace();
});
afterAll(() => ws.remove());

test('a stack made from a checkout that is then deleted refreshes and destroys from another checkout', async () => {
  const store = ws.store();
  const found = keytoolView(store);
  // Checkout A: the built package and its dependencies, at another absolute path.
  const checkout = path.join(ws.dir, 'checkout-a');
  fs.mkdirSync(checkout);
  fs.cpSync(path.join(PROJECT_ROOT, 'dist'), path.join(checkout, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(checkout, 'package.json'));
  fs.cpSync(path.join(PROJECT_ROOT, 'schema'), path.join(checkout, 'schema'), { recursive: true });
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(checkout, 'node_modules'));

  const fromA = ws.stack(checkout);
  const program = (): void => {
    // The program of checkout A loads checkout A's midtrust, from checkout A (Pulumi runs programs in the project directory).
    const midtrust = require(path.join(checkout, 'dist', 'provider')) as typeof import('../../provider');
    new midtrust.TrustedCertificate('root', { keystorePath: store, storePassword: PASSWORD, alias: 'acme-root-ca', certificatePem: ROOT });
  };
  const cwd = process.cwd();
  process.chdir(checkout);
  try {
    await fromA.up(program);
  } finally {
    process.chdir(cwd);
  }
  expect(keytoolAliases(store)['acme-root-ca']).toBe(sha256OfPem(ROOT));
  const stateText = fs.readFileSync(fromA.opts.statePath, 'utf8');
  expect(stateText).not.toContain(checkout);
  expect(stateText).not.toContain(PROJECT_ROOT);

  fs.rmSync(checkout, { recursive: true, force: true });
  // Checkout B (this repository) takes the same state file.
  const fromB = new (fromA.constructor as typeof import('../helpers/deploymentEngine').Deployment)({ ...fromA.opts, projectRoot: PROJECT_ROOT });
  expect((await fromB.refresh()).map((s) => s.op)).toEqual(['read']);
  await fromB.destroy();
  expect(keytoolView(store)).toBe(found);
});

needs('sshd').describe('over SSH', () => {
  let sshd: TestSshd | undefined;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => sshd?.stop());

  test('rotated SSH credentials: an update that writes nothing; refresh and destroy use the new key once the old one is revoked', async () => {
    const s = sshd!;
    const store = ws.store();
    const found = keytoolView(store);
    const newKey = path.join(s.dir, 'rotated');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', newKey]);
    fs.appendFileSync(path.join(s.dir, 'authorized_keys'), fs.readFileSync(`${newKey}.pub`));
    const connection = (privateKey: string) => ({ host: '127.0.0.1', port: s.port, user: 'root', privateKey, hostKey: s.hostKeyFingerprint });
    const program = (privateKey: string) => (): void =>
      void new TrustedCertificate('root', { keystorePath: store, storePassword: PASSWORD, alias: 'acme-root-ca', certificatePem: ROOT, connection: connection(privateKey) });

    const stack = ws.stack();
    await stack.up(program(s.privateKey));
    const bytes = fs.readFileSync(store);
    const mtime = fs.statSync(store).mtimeMs;
    expect((await stack.up(program(fs.readFileSync(newKey, 'utf8')))).map((x) => x.op)).toEqual(['update']);
    expect(fs.readFileSync(store).equals(bytes)).toBe(true);
    expect(fs.statSync(store).mtimeMs).toBe(mtime);

    // The old key is revoked: only the new one gets in.
    fs.writeFileSync(path.join(s.dir, 'authorized_keys'), fs.readFileSync(`${newKey}.pub`));
    expect((await stack.refresh()).map((x) => x.op)).toEqual(['read']);
    await stack.destroy();
    expect(keytoolView(store)).toBe(found);
  });
});
