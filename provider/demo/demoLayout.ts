import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCertificateInput } from '../certificate/certificateInput';
import { MidtrustError } from '../errors';
import { CREATE_EXCLUSIVE } from '../host/localFiles';
import { readKeystore, writeKeystore } from '../keystore/keystoreCodec';
import type { KeystoreEntry } from '../keystore/model';

/** The JDK default password of cacerts ("changeit"): the demo's store uses it, like a fresh MID. */
export const DEMO_STOREPASS = 'changeit';

const JDK_CACERTS = ['/etc/ssl/certs/java/cacerts', '/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts'];
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const CONFIG_XML = `<?xml version="1.0" encoding="UTF-8"?>
<parameters>
  <!-- Demo MID Server created by 'npm start' (midtrust). -->
  <parameter name="url" value="https://acme.service-now.com/"/>
  <parameter name="mid.instance.username" value="mid.user"/>
  <parameter name="mid.instance.password" secure="true" value="encrypted:AAAAdemoonlyAAAA"/>
  <parameter name="name" value="demo-mid-01"/>
  <parameter name="mid.truststore.migration.strategy" value="migrate_delta"/>
</parameters>
`;

const WRAPPER_OVERRIDE = `# Demo wrapper-override.conf created by 'npm start' (midtrust).
wrapper.java.additional.1=-Djava.awt.headless=true
`;

/**
 * The file that marks a directory as the demo's own. The demo resets (deletes and recreates) a
 * directory only when it holds this marker — one it created itself on an earlier run; anything
 * else at that name is refused and left as it is.
 */
export const DEMO_MARKER = '.midtrust-demo';

/**
 * Makes `dir` the demo's own, empty but for its marker: created when missing (parents too),
 * reset when an earlier demo made it, refused — nothing deleted, nothing followed — when it is a
 * symlink, a file, or a directory the demo did not create.
 *
 * @example
 * claimDemoDirectory('/tmp/try/mid-server'); // throws INVALID_INPUT if /tmp/try/mid-server is someone's
 */
export function claimDemoDirectory(dir: string): void {
  if (demoOwnership(dir) === 'ours') fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir);
  writeNewFile(path.join(dir, DEMO_MARKER), 'Created by `midtrust demo`, which deletes and recreates this directory on its next run.\n');
}

/** The directories the demo makes under its root. */
export const DEMO_DIRECTORIES = ['mid-server', 'incoming-jre', 'quickstart'] as const;

/**
 * Checks, before the demo changes anything, that every directory it will make under `root` is
 * either absent or its own (see {@link claimDemoDirectory}); throws INVALID_INPUT otherwise.
 *
 * @example
 * assertDemoCanUse('/tmp/try');
 */
export function assertDemoCanUse(root: string): void {
  for (const name of DEMO_DIRECTORIES) demoOwnership(path.join(root, name));
}

function demoOwnership(dir: string): 'missing' | 'ours' {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  const refuse = (what: string) =>
    new MidtrustError('INVALID_INPUT', `${dir}: ${what}, so it was not created by midtrust demo; nothing was deleted — choose another --dir, or remove it yourself`);
  if (st.isSymbolicLink()) throw refuse('is a symbolic link');
  if (!st.isDirectory()) throw refuse('is a file');
  let marked = false;
  try {
    marked = fs.lstatSync(path.join(dir, DEMO_MARKER)).isFile();
  } catch {
    // no marker
  }
  if (!marked) throw refuse(`exists without the ${DEMO_MARKER} marker the demo puts in its own directories`);
  return 'ours';
}

/** Files in the demo's own directories are new files, created exclusively like every file midtrust makes. */
function writeNewFile(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, CREATE_EXCLUSIVE, 0o644);
  try {
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Creates (or resets) a demo MID Server layout under `root`: agent/config.xml,
 * agent/conf/wrapper-override.conf and a JKS cacerts seeded like a real bundled JRE — from this
 * machine's JDK cacerts when there is one, else from the system CA bundle — plus one retired
 * private CA that the quick start declares absent.
 */
export function createDemoMidServer(root: string, seedDir: string): { midHome: string; cacerts: string; seededFrom: string } {
  const midHome = path.join(root, 'mid-server');
  claimDemoDirectory(midHome);
  const security = path.join(midHome, 'agent', 'jre', 'lib', 'security');
  fs.mkdirSync(security, { recursive: true });
  fs.mkdirSync(path.join(midHome, 'agent', 'conf'), { recursive: true });
  fs.mkdirSync(path.join(midHome, 'agent', 'work'), { recursive: true });
  writeNewFile(path.join(midHome, 'agent', 'config.xml'), CONFIG_XML);
  writeNewFile(path.join(midHome, 'agent', 'conf', 'wrapper-override.conf'), WRAPPER_OVERRIDE);

  const cacerts = path.join(security, 'cacerts');
  const retired = parseCertificateInput(fs.readFileSync(path.join(seedDir, 'retired-ldaps-ca.pem')), 'demo seed');
  const jdk = JDK_CACERTS.find((p) => fs.existsSync(p));
  const now = Date.now();
  let entries: KeystoreEntry[] = [];
  let seededFrom = 'an empty store';
  if (jdk) {
    seededFrom = jdk;
    entries = [...readKeystore(fs.readFileSync(jdk), { password: DEMO_STOREPASS }).entries];
  } else if (fs.existsSync(SYSTEM_BUNDLE)) {
    seededFrom = SYSTEM_BUNDLE;
    entries = parseCertificateInput(fs.readFileSync(SYSTEM_BUNDLE), SYSTEM_BUNDLE).map((der, i) => ({
      alias: `vendor-ca-${String(i + 1).padStart(3, '0')}`,
      kind: 'trustedCertificate' as const,
      timestamp: now,
      certificates: [der],
    }));
  }
  entries.push({ alias: 'retired-ldaps-ca', kind: 'trustedCertificate', timestamp: now, certificates: [retired[0]] });
  writeNewFile(cacerts, writeKeystore({ type: 'JKS', entries, integrity: 'verified' }, DEMO_STOREPASS));
  return { midHome, cacerts, seededFrom };
}

/**
 * The quick start's desired state, set up to run against the demo under `root`: a demo-owned
 * `root/quickstart` holding the example's desired.yaml — its midHome pointed at `../mid-server`
 * — and its certificates. So `demo --dir D` works on D, never on the repository's ./demo.
 *
 * @example
 * createDemoDesiredState('/tmp/try', 'examples/quickstart'); // '/tmp/try/quickstart/desired.yaml'
 */
export function createDemoDesiredState(root: string, exampleDir: string): string {
  const dir = path.join(root, 'quickstart');
  claimDemoDirectory(dir);
  const text = fs.readFileSync(path.join(exampleDir, 'desired.yaml'), 'utf8');
  // Same column for the comment after it, so the file reads as the example does.
  const pointed = text.replace(/^(\s*midHome:\s*)(\S+)( *)/m, (_m, head: string, value: string, gap: string) => `${head}${'../mid-server'.padEnd(value.length + gap.length - 1)} `);
  if (pointed === text) throw new MidtrustError('INVALID_INPUT', `${exampleDir}/desired.yaml: no keystore.midHome line to point at the demo`);
  const desired = path.join(dir, 'desired.yaml');
  writeNewFile(desired, pointed);
  fs.mkdirSync(path.join(dir, 'certs'));
  for (const name of fs.readdirSync(path.join(exampleDir, 'certs'))) writeNewFile(path.join(dir, 'certs', name), fs.readFileSync(path.join(exampleDir, 'certs', name)));
  return desired;
}

/**
 * The truststore a MID upgrade would bring: the JDK ≥ 18 form (password-less PKCS12), holding the
 * current vendor roots minus one — as when a JDK vendor distrusts a root — so the upgrade preview
 * has something to say about resurrected roots too.
 */
export function createIncomingTruststore(root: string, currentCacerts: string): { path: string; removedVendorAlias?: string } {
  const current = readKeystore(fs.readFileSync(currentCacerts), { password: DEMO_STOREPASS });
  const acme = /^(acme|proxy|retired)/;
  const vendor = current.entries.filter((e) => e.kind === 'trustedCertificate' && !acme.test(e.alias));
  const removed = vendor[0];
  const entries = vendor.slice(1).map((e) => ({ alias: e.alias, kind: e.kind, timestamp: e.timestamp, certificates: e.certificates }));
  claimDemoDirectory(path.join(root, 'incoming-jre'));
  const dir = path.join(root, 'incoming-jre', 'lib', 'security');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'cacerts');
  writeNewFile(file, writeKeystore({ type: 'PKCS12', entries, integrity: 'none' }, undefined));
  return { path: file, removedVendorAlias: removed?.alias };
}
