import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDemoMidServer, DEMO_STOREPASS } from './demoLayout';

/** Where the demo MID Server of the Pulumi examples is, and its store password. */
export interface DemoMidServer {
  readonly midHome: string;
  readonly cacerts: string;
  /** The JDK default "changeit", as a fresh MID Server's bundled cacerts has it. */
  readonly storePassword: string;
}

/**
 * The demo MID Server the Pulumi examples run against on a fresh clone with no config: the layout
 * `npm start` makes under `<root>/mid-server`. It is created only when `create` is true — pass
 * `!pulumi.runtime.isDryRun()`, so `pulumi preview` computes the paths and writes nothing — and
 * only when it does not exist yet (an existing demo, with what `npm start` or an earlier
 * `pulumi up` did to it, is left as it is).
 *
 * @example
 * const demo = demoMidServer(path.resolve(__dirname, '..', '..', 'demo'), path.join(__dirname, 'demo-seed'), { create: !pulumi.runtime.isDryRun() });
 * new TrustedCertificate('acme-root', { keystorePath: demo.cacerts, storePassword: pulumi.secret(demo.storePassword), ... });
 */
export function demoMidServer(root: string, seedDir: string, opts: { create: boolean }): DemoMidServer {
  const midHome = path.join(root, 'mid-server');
  const cacerts = path.join(midHome, 'agent', 'jre', 'lib', 'security', 'cacerts');
  if (opts.create && !fs.existsSync(cacerts)) createDemoMidServer(root, seedDir);
  return { midHome, cacerts, storePassword: DEMO_STOREPASS };
}
