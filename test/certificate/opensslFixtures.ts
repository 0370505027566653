/**
 * Certificates, keys and bundles made by the real openssl at test time, shared by the input and
 * facts tests. Generated once per test file in a temporary directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openssl, tempDir } from '../helpers/keytool';

export interface OpensslFixtures {
  readonly dir: string;
  /** The bytes of a generated file. */
  bytes(name: string): Buffer;
  /** The text of a generated file. */
  text(name: string): string;
  /** The DER of a generated PEM certificate (via openssl, not via midtrust). */
  der(name: string): Buffer;
  /** Names of the certificate PEMs, for facts tests. */
  readonly certificates: readonly string[];
  remove(): void;
}

/** Generates every fixture; ~1 s on two cores (RSA key generation dominates). */
export function makeOpensslFixtures(): OpensslFixtures {
  const dir = tempDir('mt-cert-fixtures-');
  const run = (args: string[], env?: Record<string, string>): string => openssl(args, { cwd: dir, env });
  const selfSigned = (name: string, newkey: string[], subj: string, ext: string[] = [], digest: string[] = []): void => {
    run(['req', '-x509', '-newkey', ...newkey, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', subj, ...ext, ...digest]);
  };
  selfSigned('rsa-ca', ['rsa:2048'], '/C=US/O=Test, Inc./CN=Test CA', ['-addext', 'basicConstraints=critical,CA:TRUE,pathlen:1']);
  selfSigned('ec-p256', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/CN=ec leaf/emailAddress=ops@example.com', ['-addext', 'basicConstraints=CA:FALSE']);
  selfSigned('ec-p384', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], '/DC=com/DC=example/OU=Ops+CN=p384', ['-multivalue-rdn', '-addext', 'basicConstraints=critical,CA:TRUE']);
  selfSigned('ed25519', ['ed25519'], '/CN=ed25519 root');
  selfSigned('rsa-pss', ['rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'], '/CN=pss root');
  selfSigned('sha1-self', ['rsa:2048'], '/CN=sha1 root/O=Old  Corp ', [], ['-sha1']);
  // A v1 certificate: `x509 -req` without extension options writes none, so no version 3.
  run(['req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', 'v1-leaf.key', '-out', 'v1-leaf.csr', '-subj', '/CN=v1 leaf']);
  run(['x509', '-req', '-in', 'v1-leaf.csr', '-CA', 'rsa-ca.pem', '-CAkey', 'rsa-ca.key', '-set_serial', '0x00ff01', '-out', 'v1-leaf.pem', '-days', '10', '-sha1']);
  run(['req', '-in', 'v1-leaf.csr', '-outform', 'DER', '-out', 'v1-leaf.csr.der']);
  for (const name of ['rsa-ca', 'ec-p256']) run(['x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`]);
  run(['crl2pkcs7', '-nocrl', '-certfile', 'rsa-ca.pem', '-certfile', 'ec-p256.pem', '-out', 'bundle.p7b']);
  run(['crl2pkcs7', '-nocrl', '-certfile', 'rsa-ca.pem', '-certfile', 'ec-p256.pem', '-outform', 'DER', '-out', 'bundle.p7b.der']);
  run(['x509', '-in', 'rsa-ca.pem', '-addtrust', 'serverAuth', '-trustout', '-out', 'rsa-ca.trusted.pem']);
  run(['rsa', '-in', 'v1-leaf.key', '-traditional', '-out', 'v1-leaf.rsa.key']);
  run(['ec', '-in', 'ec-p256.key', '-out', 'ec-p256.sec1.key']);
  run(['pkcs8', '-topk8', '-in', 'ec-p256.key', '-v2', 'aes-256-cbc', '-passout', 'env:MT_FIXTURE_PASS', '-out', 'ec-p256.enc.key'], { MT_FIXTURE_PASS: 'fixture' });
  run(['pkey', '-in', 'ec-p256.key', '-outform', 'DER', '-out', 'ec-p256.key.der']);
  run(['pkey', '-in', 'ec-p256.key', '-pubout', '-out', 'ec-p256.pub']);
  const bytes = (name: string): Buffer => fs.readFileSync(path.join(dir, name));
  return {
    dir,
    bytes,
    text: (name) => bytes(name).toString('utf8'),
    der: (name) => Buffer.from(bytes(name).toString('utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'),
    certificates: ['rsa-ca.pem', 'ec-p256.pem', 'ec-p384.pem', 'ed25519.pem', 'rsa-pss.pem', 'sha1-self.pem', 'v1-leaf.pem'],
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
