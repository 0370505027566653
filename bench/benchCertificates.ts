/**
 * Certificates and stores of any size for the benches, made in-process (the tests' certificate
 * builder: real ECDSA P-256 signatures), so a 15,000-entry store takes seconds instead of 15,000
 * openssl or keytool runs. keytool still judges every store a bench measures.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKeystore } from '../provider/keystore/keystoreCodec';
import type { Keystore, KeystoreType } from '../provider/keystore/model';
import { buildCertificate, rdn, toPem } from '../test/certificate/certificateBuilder';

const COMMON_NAME = '2.5.4.3';
const UTF8_STRING = 0x0c;
/** basicConstraints critical CA:TRUE: each bench certificate is a small root CA, as a MID trusts. */
const CA_EXTENSION = Uint8Array.from([0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff]);

/** DER INTEGER content of a positive number: no leading zero octet unless the sign bit needs one. */
function minimalInteger(n: number): Uint8Array {
  const octets: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v & 0xff);
  if (octets[0] & 0x80) octets.unshift(0);
  return Uint8Array.from(octets);
}

let key: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

/**
 * `count` distinct self-signed CA certificates (DER), `CN=<prefix> <i>`, serial i + 1. One key
 * pair signs them all: the bench measures stores, not key generation.
 */
export function benchCertificates(count: number, prefix: string): Uint8Array[] {
  key ??= generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    out.push(buildCertificate({ subject: [rdn(COMMON_NAME, UTF8_STRING, `${prefix} ${i}`)], serial: minimalInteger(i + 1), key, extensions: [CA_EXTENSION] }));
  }
  return out;
}

/** Writes certificates as `<dir>/c<i>.pem` (the files a desired state or a playbook names). */
export function writePemFiles(dir: string, ders: readonly Uint8Array[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return ders.map((der, i) => {
    const file = path.join(dir, `c${i}.pem`);
    fs.writeFileSync(file, toPem([der]));
    return file;
  });
}

/** The three store forms a MID meets: JKS (Java ≤ 17 cacerts), PKCS12 with a password, password-less PKCS12 (Java ≥ 18). */
export type StoreForm = 'JKS' | 'PKCS12' | 'PKCS12 password-less';

/** A store of `entries` trusted certificates in `form`, written by midtrust's codec. */
export function syntheticStore(form: StoreForm, ders: readonly Uint8Array[], password: string): Uint8Array {
  const type: KeystoreType = form === 'JKS' ? 'JKS' : 'PKCS12';
  const passwordless = form === 'PKCS12 password-less';
  const store: Keystore = {
    type,
    integrity: passwordless ? 'none' : 'verified',
    entries: ders.map((der, i) => ({ alias: `entry-${String(i).padStart(5, '0')}`, kind: 'trustedCertificate', timestamp: 1_700_000_000_000 + i, certificates: [der] })),
  };
  return writeKeystore(store, passwordless ? undefined : password);
}

/** The desired-state file adding `pemFiles` as bench-0..bench-n to `storeFile` (paths relative to `file`). */
export function desiredStateYaml(storeFile: string, pemFiles: readonly string[], withPassword: boolean, from: string): string {
  const rel = (p: string): string => path.relative(from, p);
  return `keystore:\n  path: ./${rel(storeFile)}\n${withPassword ? '  password: { env: MID_STOREPASS }\n' : ''}certificates:\n${pemFiles.map((f, i) => `  - alias: bench-${i}\n    file: ${rel(f)}\n`).join('')}`;
}
