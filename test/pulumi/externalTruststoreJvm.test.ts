/**
 * A real JVM judges the external truststore ExternalTruststore wires by default: a password-less
 * PKCS12 store, named by `-Djavax.net.ssl.trustStore` with no password. For Java 17 (the MID's
 * bundled JRE for Washington DC..Zurich) and the JDK >= 18 on this machine, a client started with
 * exactly the -D options wrapper-override.conf holds completes a TLS handshake with a server whose
 * CA the program declared in that store — and fails it (PKIX) before the CA is declared.
 * And why the store is seeded by default: an empty truststore makes the JVM fail every handshake.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allKeytools } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { startWiredTlsServer, type WiredTlsServer } from '../helpers/wiredJvm';
import { ExternalTruststore, Truststore } from '../../provider';
import { MidHomes } from './providerMidFixtures';
import { Workspace } from './deploymentFixtures';

const jvms = allKeytools().map((k) => ({ version: k.version, java: path.join(path.dirname(k.bin), 'java') }));

// Whole deployments start a dynamic-provider host per command (1–3 s each, far more on a loaded
// 2-core machine): timing is measured in bench/, never asserted here.
jest.setTimeout(5 * 60_000);

let ws: Workspace;
let homes: MidHomes;
let server: WiredTlsServer | undefined;
let caPem = '';

/** Runs the probe with the -D options wrapper-override.conf gives the MID's JVM. */
const probe = (java: string, wrapperOverride: string): { trusted: boolean; output: string } => server!.probe(java, wrapperOverride);

needs('java', 'jdk18', 'openssl').describe('the external truststore judged by a real JVM', () => {
  beforeAll(async () => {
    ws = new Workspace();
    homes = new MidHomes(ws.dir);
    server = await startWiredTlsServer(path.join(ws.dir, 'pki'));
    caPem = server.caPem;
  });

  afterAll(() => {
    server?.close();
    ws?.remove();
  });

  test.each(jvms.map((j) => [j.version, j.java] as const))('Java %i: the password-less PKCS12 external truststore, wired without a password, is what the JVM trusts', async (version, java) => {
    const home = homes.make();
    const truststorePath = path.join(ws.dir, `external-${version}`, 'mid-truststore.p12');
    const wrapper = path.join(home, 'agent', 'conf', 'wrapper-override.conf');
    const stack = ws.stack();
    const external = (): ExternalTruststore => new ExternalTruststore('external', { midHome: home, truststorePath });
    await stack.up(() => void external());
    expect(fs.readFileSync(wrapper, 'utf8')).not.toContain('trustStorePassword');
    // Seeded from the bundled cacerts (the default), which does not know the ACME test root.
    const before = probe(java, wrapper);
    expect(before.trusted).toBe(false);
    expect(before.output).toMatch(/PKIX|unable to find valid certification path/);

    await stack.up(() => {
      const ext = external();
      new Truststore('acme', { keystorePath: ext.truststorePath, certificates: [{ alias: 'acme-test-root', certificatePem: caPem }] });
    });
    expect(probe(java, wrapper)).toMatchObject({ trusted: true });
    await stack.destroy();
  });

  test.each(jvms.map((j) => [j.version, j.java] as const))('Java %i: an empty truststore (seedFromBundled: false) trusts nothing at all, not even public CAs', async (version, java) => {
    const home = homes.make();
    const stack = ws.stack();
    await stack.up(() => void new ExternalTruststore('empty', { midHome: home, truststorePath: path.join(ws.dir, `empty-${version}`, 'ts.p12'), seedFromBundled: false }));
    const r = probe(java, path.join(home, 'agent', 'conf', 'wrapper-override.conf'));
    expect(r.trusted).toBe(false);
    expect(r.output).toMatch(/trustAnchors parameter must be non-empty/);
    await stack.destroy();
  });
});
