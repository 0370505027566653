import * as fs from 'node:fs';
import * as path from 'node:path';
import { openssl, tempDir } from '../helpers/keytool';

/** Self-signed certificates made by openssl for plan tests: name → PEM file path. */
export function makeCertificates(names: string[]): { dir: string; pem: (name: string) => string; file: (name: string) => string } {
  const dir = tempDir('mt-plan-');
  for (const n of names) {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.pem`, '-days', '30', '-subj', `/CN=${n}`], { cwd: dir });
  }
  return { dir, pem: (n) => fs.readFileSync(path.join(dir, `${n}.pem`), 'utf8'), file: (n) => path.join(dir, `${n}.pem`) };
}
