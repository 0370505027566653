import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCertificateInput } from '../certificate/certificateInput';
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
 * Creates (or resets) a demo MID Server layout under `root`: agent/config.xml,
 * agent/conf/wrapper-override.conf and a JKS cacerts seeded like a real bundled JRE — from this
 * machine's JDK cacerts when there is one, else from the system CA bundle — plus one retired
 * private CA that the quick start declares absent.
 */
export function createDemoMidServer(root: string, seedDir: string): { midHome: string; cacerts: string; seededFrom: string } {
  const midHome = path.join(root, 'mid-server');
  fs.rmSync(midHome, { recursive: true, force: true });
  const security = path.join(midHome, 'agent', 'jre', 'lib', 'security');
  fs.mkdirSync(security, { recursive: true });
  fs.mkdirSync(path.join(midHome, 'agent', 'conf'), { recursive: true });
  fs.mkdirSync(path.join(midHome, 'agent', 'work'), { recursive: true });
  fs.writeFileSync(path.join(midHome, 'agent', 'config.xml'), CONFIG_XML);
  fs.writeFileSync(path.join(midHome, 'agent', 'conf', 'wrapper-override.conf'), WRAPPER_OVERRIDE);

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
  fs.writeFileSync(cacerts, writeKeystore({ type: 'JKS', entries, integrity: 'verified' }, DEMO_STOREPASS));
  return { midHome, cacerts, seededFrom };
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
  const dir = path.join(root, 'incoming-jre', 'lib', 'security');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'cacerts');
  fs.writeFileSync(file, writeKeystore({ type: 'PKCS12', entries, integrity: 'none' }, undefined));
  return { path: file, removedVendorAlias: removed?.alias };
}
