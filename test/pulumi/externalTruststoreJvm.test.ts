/**
 * A real JVM judges the external truststore ExternalTruststore wires by default: a password-less
 * PKCS12 store, named by `-Djavax.net.ssl.trustStore` with no password. For Java 17 (the MID's
 * bundled JRE for Washington DC..Zurich) and the JDK >= 18 on this machine, a client started with
 * exactly the -D options wrapper-override.conf holds completes a TLS handshake with a server whose
 * CA the program declared in that store — and fails it (PKIX) before the CA is declared.
 * And why the store is seeded by default: an empty truststore makes the JVM fail every handshake.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, waitForPort } from '../../bench/benchUtil';
import { allKeytools, openssl } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { readSystemProperties } from '../../provider/mid/wrapperOverride';
import { ExternalTruststore, Truststore } from '../../provider';
import { MidHomes } from './providerMidFixtures';
import { Workspace } from './deploymentFixtures';

/** A TLS client that only handshakes: the JVM's default trust manager, its default truststore properties. */
const PROBE = `
import javax.net.ssl.*;
public class TlsProbe {
  public static void main(String[] args) throws Exception {
    SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
    try (SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", Integer.parseInt(args[0]))) {
      socket.startHandshake();
      System.out.println("TRUSTED");
    } catch (SSLException e) {
      System.out.println("NOT_TRUSTED " + e.getMessage());
      System.exit(2);
    }
  }
}
`;

const jvms = allKeytools().map((k) => ({ version: k.version, java: path.join(path.dirname(k.bin), 'java') }));

// Whole deployments start a dynamic-provider host per command (1–3 s each, far more on a loaded
// 2-core machine): timing is measured in bench/, never asserted here.
jest.setTimeout(5 * 60_000);

let ws: Workspace;
let homes: MidHomes;
let server: ChildProcess | undefined;
let port = 0;
let caPem = '';

/** Runs the probe with the -D options wrapper-override.conf gives the MID's JVM. */
function probe(java: string, wrapperOverride: string): { trusted: boolean; output: string } {
  const props = readSystemProperties(fs.readFileSync(wrapperOverride, 'utf8'));
  const flags = [...props].map(([name, { value }]) => `-D${name}=${value}`);
  const r = spawnSync(java, [...flags, path.join(ws.dir, 'pki', 'TlsProbe.java'), String(port)], { encoding: 'utf8', timeout: 60_000 });
  return { trusted: r.status === 0 && r.stdout.includes('TRUSTED'), output: `${r.stdout}${r.stderr}` };
}

needs('java', 'jdk18', 'openssl').describe('the external truststore judged by a real JVM', () => {
  beforeAll(async () => {
    ws = new Workspace();
    homes = new MidHomes(ws.dir);
    const dir = path.join(ws.dir, 'pki');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'TlsProbe.java'), PROBE);
    const run = (args: string[]): string => openssl(args, { cwd: dir });
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/O=ACME/CN=ACME Test Root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1']);
    fs.writeFileSync(path.join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n');
    run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '10', '-extfile', 'leaf.ext']);
    caPem = fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8');
    port = await freePort();
    server = spawn('openssl', ['s_server', '-accept', String(port), '-cert', 'leaf.pem', '-key', 'leaf.key', '-www', '-quiet'], { cwd: dir, stdio: 'ignore' });
    await waitForPort(port, 10_000, server);
  });

  afterAll(() => {
    server?.kill('SIGTERM');
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
