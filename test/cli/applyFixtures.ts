import * as fs from 'node:fs';
import * as path from 'node:path';
import { openssl, runKeytool, tempDir, type Keytool } from '../helpers/keytool';

export const env = { MID_STOREPASS: 'apply-Pass-1', KP: 'key-Pass-2' };

/** Certificates made by openssl: a root, an intermediate it signs (chain.pem = intermediate + root), and n leaves. */
export function makeCertificateSet(n: number): { dir: string; root: string; chain: string; leaves: string[] } {
  const dir = tempDir('mt-apply-');
  const run = (args: string[]) => openssl(args, { cwd: dir });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '365', '-subj', '/O=ACME/CN=ACME Root', '-addext', 'basicConstraints=critical,CA:TRUE']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/O=ACME/CN=ACME Issuing']);
  fs.writeFileSync(path.join(dir, 'int.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\n');
  run(['x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.pem', '-days', '300', '-extfile', 'int.ext']);
  fs.writeFileSync(path.join(dir, 'chain.pem'), fs.readFileSync(path.join(dir, 'int.pem'), 'utf8') + fs.readFileSync(path.join(dir, 'root.pem'), 'utf8'));
  const leaves: string[] = [];
  for (let i = 0; i < n; i++) {
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `leaf${i}.key`, '-out', `leaf${i}.pem`, '-days', '90', '-subj', `/CN=leaf ${i}`]);
    leaves.push(path.join(dir, `leaf${i}.pem`));
  }
  return { dir, root: path.join(dir, 'root.pem'), chain: path.join(dir, 'chain.pem'), leaves };
}

/** A keystore of the given kind made by keytool, holding a private key entry 'mid-key' (key password KP). */
export function makeStore(file: string, kind: 'JKS' | 'PKCS12' | 'PKCS12-nopw', keytool?: Keytool): void {
  const props = kind === 'PKCS12-nopw' ? ['-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE', '-J-Dkeystore.pkcs12.macAlgorithm=NONE'] : [];
  const type = kind === 'JKS' ? 'JKS' : 'PKCS12';
  const keypass = kind === 'JKS' ? 'KP' : 'MID_STOREPASS'; // PKCS12 keys share the store password in keytool
  runKeytool([...props, '-genkeypair', '-alias', 'mid-key', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=mid', '-keystore', file, '-storetype', type, '-storepass:env', 'MID_STOREPASS', '-keypass:env', keypass], { env, keytool });
}

/** Writes a desired-state file and returns its path. */
export function writeDesired(dir: string, name: string, yaml: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, yaml);
  return f;
}
