import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytool17, runKeytool, tempDir } from '../../helpers/keytool';

export const STOREPASS = 'st0re-Pass';
export const KEYPASS = 'k3y-Pass';
export const env = { SP: STOREPASS, KP: KEYPASS, DP: 'dest-Pass' };

/** Runs keytool with the test passwords in the environment (never on argv). */
export function kt(args: string[]): string {
  return runKeytool(args, { env });
}

/**
 * Stores made by keytool: a JKS with trusted certificates (uppercase and non-ASCII aliases), an EC
 * and an RSA key entry with a key password different from the store password, a JCEKS with a
 * secret key, and an empty JKS.
 */
export function makeJksFixtures(): { dir: string; jks: string; jceks: string; empty: string; certs: Record<string, string> } {
  keytool17();
  const dir = tempDir('mt-jks-');
  const p = (n: string): string => path.join(dir, n);
  const certs: Record<string, string> = {};
  for (const [alias, type] of [['ec-key', 'JKS'], ['rsa-key', 'JKS']] as const) {
    const alg = alias === 'ec-key' ? ['-keyalg', 'EC', '-groupname', 'secp256r1'] : ['-keyalg', 'RSA', '-keysize', '2048'];
    kt(['-genkeypair', '-alias', alias, ...alg, '-dname', `CN=${alias}`, '-keystore', p('a.jks'), '-storetype', type, '-storepass:env', 'SP', '-keypass:env', 'KP']);
  }
  for (const n of ['Upper-CA', 'Ünïcødé-CA', '日本語', '😀-emoji', 'extra1', 'extra2', 'extra3']) {
    const file = p(`${Buffer.from(n).toString('hex')}.pem`);
    kt(['-genkeypair', '-alias', 'tmp', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', `CN=${n}`, '-keystore', p('scratch.p12'), '-storepass:env', 'SP']);
    kt(['-exportcert', '-rfc', '-alias', 'tmp', '-keystore', p('scratch.p12'), '-storepass:env', 'SP', '-file', file]);
    kt(['-delete', '-alias', 'tmp', '-keystore', p('scratch.p12'), '-storepass:env', 'SP']);
    certs[n] = file;
  }
  for (const n of ['Upper-CA', 'Ünïcødé-CA', '日本語', '😀-emoji']) {
    kt(['-importcert', '-noprompt', '-alias', n, '-file', certs[n], '-keystore', p('a.jks'), '-storepass:env', 'SP']);
  }
  kt(['-importkeystore', '-srckeystore', p('a.jks'), '-srcstorepass:env', 'SP', '-srckeypass:env', 'KP', '-srcalias', 'rsa-key', '-destkeystore', p('a.jceks'), '-deststoretype', 'JCEKS', '-deststorepass:env', 'SP', '-destkeypass:env', 'KP']);
  kt(['-genseckey', '-alias', 'aes-key', '-keyalg', 'AES', '-keysize', '128', '-keystore', p('a.jceks'), '-storetype', 'JCEKS', '-storepass:env', 'SP', '-keypass:env', 'KP']);
  kt(['-importcert', '-noprompt', '-alias', 'Upper-CA', '-file', certs['Upper-CA'], '-keystore', p('a.jceks'), '-storetype', 'JCEKS', '-storepass:env', 'SP']);
  kt(['-genkeypair', '-alias', 'gone', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=gone', '-keystore', p('empty.jks'), '-storetype', 'JKS', '-storepass:env', 'SP', '-keypass:env', 'SP']);
  kt(['-delete', '-alias', 'gone', '-keystore', p('empty.jks'), '-storepass:env', 'SP']);
  fs.rmSync(p('scratch.p12'));
  return { dir, jks: p('a.jks'), jceks: p('a.jceks'), empty: p('empty.jks'), certs };
}
