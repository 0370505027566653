import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytool17, openssl, runKeytool, tempDir } from '../../helpers/keytool';

export const STOREPASS = 'st0re-Pass';
export const KEYPASS = 'k3y-Pass';
export const env = { SP: STOREPASS, KP: KEYPASS, DP: 'dest-Pass' };

/** Aliases of the trusted certificates keytool imports into the JKS fixture (case and non-ASCII on purpose). */
export const TRUSTED_ALIASES = ['Upper-CA', 'Ünïcødé-CA', '日本語', '😀-emoji'];

/** Runs keytool with the test passwords in the environment (never on argv). */
export function kt(args: string[]): string {
  return runKeytool(args, { env });
}

export interface JksFixtures {
  dir: string;
  /** JKS: EC and RSA key entries (key password ≠ store password) and the TRUSTED_ALIASES certificates. */
  jks: string;
  /** JCEKS: an AES secret key, an RSA key entry and one trusted certificate. */
  jceks: string;
  /** A JKS that had one entry, then none. */
  empty: string;
  /** DER certificate files by name: TRUSTED_ALIASES plus extra1..extra3 (not in any store). */
  certs: Record<string, string>;
}

/** A JCEKS holding only an AES secret key (one keytool call), in a fresh temp dir. */
export function makeSecretOnlyJceks(): { dir: string; file: string } {
  keytool17();
  const dir = tempDir('mt-jceks-');
  const file = path.join(dir, 'secret-only.jceks');
  kt(['-genseckey', '-alias', 'aes-key', '-keyalg', 'AES', '-keysize', '128', '-keystore', file, '-storetype', 'JCEKS', '-storepass:env', 'SP', '-keypass:env', 'KP']);
  return { dir, file };
}

/**
 * Stores made by keytool at test time. Certificates come from openssl (milliseconds each), so
 * only the 11 calls that must be keytool's pay for a JVM start.
 */
export function makeJksFixtures(): JksFixtures {
  keytool17();
  const dir = tempDir('mt-jks-');
  const p = (n: string): string => path.join(dir, n);
  const certs: Record<string, string> = {};
  [...TRUSTED_ALIASES, 'extra1', 'extra2', 'extra3'].forEach((name, i) => {
    const file = p(`cert${i}.der`);
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('unused.key'), '-subj', `/CN=midtrust test ${i}`, '-days', '365', '-outform', 'DER', '-out', file]);
    certs[name] = file;
  });
  fs.rmSync(p('unused.key'));

  const jks = ['-keystore', p('a.jks'), '-storetype', 'JKS', '-storepass:env', 'SP'];
  kt(['-genkeypair', '-alias', 'ec-key', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=ec-key', ...jks, '-keypass:env', 'KP']);
  kt(['-genkeypair', '-alias', 'rsa-key', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=rsa-key', ...jks, '-keypass:env', 'KP']);
  for (const n of TRUSTED_ALIASES) kt(['-importcert', '-noprompt', '-alias', n, '-file', certs[n], ...jks]);

  const jceks = ['-keystore', p('a.jceks'), '-storetype', 'JCEKS', '-storepass:env', 'SP'];
  kt(['-genseckey', '-alias', 'aes-key', '-keyalg', 'AES', '-keysize', '128', ...jceks, '-keypass:env', 'KP']);
  kt(['-genkeypair', '-alias', 'rsa-key', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=rsa-key', ...jceks, '-keypass:env', 'KP']);
  kt(['-importcert', '-noprompt', '-alias', 'Upper-CA', '-file', certs['Upper-CA'], ...jceks]);

  const empty = ['-keystore', p('empty.jks'), '-storetype', 'JKS', '-storepass:env', 'SP'];
  kt(['-genkeypair', '-alias', 'gone', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=gone', ...empty, '-keypass:env', 'SP']);
  kt(['-delete', '-alias', 'gone', ...empty]);
  return { dir, jks: p('a.jks'), jceks: p('a.jceks'), empty: p('empty.jks'), certs };
}
