/**
 * The oracle for "what does this MID's JVM trust": a Java TLS client with the JVM's *default*
 * trust manager, started with exactly the `-D` options the MID's wrapper-override.conf gives its
 * JVM (javax.net.ssl.trustStore, …Type, …Password, as the Java Service Wrapper reads them), and an
 * openssl s_server with a test CA's leaf for 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, waitForPort } from '../../bench/benchUtil';
import { readSystemProperties } from '../../provider/mid/wrapperOverride';
import { openssl } from './keytool';

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

/** A test CA, a server certificate it issued for 127.0.0.1, openssl s_server presenting it. */
export interface WiredTlsServer {
  readonly port: number;
  /** The CA's certificate (PEM) and its file. */
  readonly caPem: string;
  readonly caFile: string;
  /** Runs the probe on `java` with the -D options of `wrapperOverride` (a file). */
  probe(java: string, wrapperOverride: string): { trusted: boolean; output: string };
  close(): void;
}

/**
 * Makes the PKI in `dir`, starts the server, writes the probe.
 *
 * @example
 * const server = await startWiredTlsServer(dir);
 * server.probe('/usr/bin/java', `${midHome}/agent/conf/wrapper-override.conf`).trusted;
 */
export async function startWiredTlsServer(dir: string): Promise<WiredTlsServer> {
  fs.mkdirSync(dir, { recursive: true });
  const probeFile = path.join(dir, 'TlsProbe.java');
  fs.writeFileSync(probeFile, PROBE);
  const run = (args: string[]): string => openssl(args, { cwd: dir });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/O=ACME/CN=ACME Wired Test Root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(path.join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '10', '-extfile', 'leaf.ext']);
  const port = await freePort();
  const server: ChildProcess = spawn('openssl', ['s_server', '-accept', String(port), '-cert', 'leaf.pem', '-key', 'leaf.key', '-www', '-quiet'], { cwd: dir, stdio: 'ignore' });
  await waitForPort(port, 10_000, server);
  const caFile = path.join(dir, 'ca.pem');
  return {
    port,
    caPem: fs.readFileSync(caFile, 'utf8'),
    caFile,
    probe(java, wrapperOverride) {
      const props = readSystemProperties(fs.readFileSync(wrapperOverride, 'utf8'));
      const flags = [...props].map(([name, { value }]) => `-D${name}=${value}`);
      const r = spawnSync(java, [...flags, probeFile, String(port)], { encoding: 'utf8', timeout: 60_000 });
      return { trusted: r.status === 0 && r.stdout.includes('TRUSTED'), output: `${r.stdout}${r.stderr}` };
    },
    close() {
      server.kill('SIGTERM');
    },
  };
}
