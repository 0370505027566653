import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCertificateInput } from '../../provider/certificate/certificateInput';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import type { Keystore, KeystoreEntry, KeystoreType } from '../../provider/keystore/model';
import type { DesiredCertificate, DesiredState } from '../../provider/plan/desiredState';
import { Secret } from '../../provider/plan/secret';
import { openssl, tempDir } from '../helpers/keytool';

/** The password every plan test uses; tests search outputs and errors for it. */
export const PASSWORD = 'pw-LEAK-7781';

export interface CertificateSet {
  readonly dir: string;
  /** PEM text of a certificate by name. */
  pem(name: string): string;
  /** Path of its PEM file. */
  file(name: string): string;
  /** Its DER. */
  der(name: string): Uint8Array;
  /** Removes the temporary directory. */
  cleanup(): void;
}

/**
 * Self-signed EC certificates made by openssl (name.pem, name.key), plus `chain.pem`: an
 * intermediate signed by a root, intermediate first (as servers send them).
 */
export function makeCertificates(names: string[]): CertificateSet {
  const dir = tempDir('mt-plan-');
  const run = (args: string[]) => openssl(args, { cwd: dir });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  for (const n of names) run(['req', '-x509', ...newKey, '-keyout', `${n}.key`, '-out', `${n}.pem`, '-days', '30', '-subj', `/CN=${n}`]);
  run(['req', '-x509', ...newKey, '-keyout', 'root.key', '-out', 'root.pem', '-days', '30', '-subj', '/CN=Plan Root', '-addext', 'basicConstraints=critical,CA:TRUE']);
  run(['req', ...newKey, '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=Plan Issuing']);
  run(['x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.pem', '-days', '20']);
  const read = (n: string) => fs.readFileSync(path.join(dir, `${n}.pem`), 'utf8');
  fs.writeFileSync(path.join(dir, 'chain.pem'), `ACME issuing chain\r\n${read('int')}\r\n${read('root')}`);
  return {
    dir,
    pem: read,
    file: (n) => path.join(dir, `${n}.pem`),
    der: (n) => parseCertificateInput(read(n), n)[0],
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Model builders for plan tests (the plan layer works on the model only). */
export function modelBuilders(certs: CertificateSet) {
  const trusted = (alias: string, n: string): KeystoreEntry => ({ alias, kind: 'trustedCertificate', timestamp: 1, certificates: [certs.der(n)] });
  const privateKey = (alias: string): KeystoreEntry => ({ alias, kind: 'privateKey', timestamp: 1, certificates: [certs.der('k')], protectedKey: Uint8Array.of(1, 2, 3) });
  const secretKey = (alias: string): KeystoreEntry => ({ alias, kind: 'secretKey', timestamp: 1, certificates: [], protectedKey: Uint8Array.of(4, 5, 6) });
  const store = (type: KeystoreType, entries: KeystoreEntry[]): Keystore => ({ type, entries, integrity: 'verified' });
  const present = (alias: string, n: string): DesiredCertificate => ({ alias, state: 'present', der: certs.der(n), sha256: sha256Hex(certs.der(n)), source: `${n}.pem` });
  const absent = (alias: string): DesiredCertificate => ({ alias, state: 'absent', source: 'desired.yaml certificates[9]' });
  const desired = (certificates: DesiredCertificate[], extra: Partial<DesiredState> = {}): DesiredState => ({
    sourceFile: 'desired.yaml',
    keystore: { path: '/tmp/cacerts', password: new Secret(PASSWORD), create: false },
    exclusive: false,
    backup: 0,
    certificates,
    ...extra,
  });
  return { trusted, privateKey, secretKey, store, present, absent, desired, sha: (n: string) => sha256Hex(certs.der(n)) };
}
