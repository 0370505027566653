/**
 * PKCS12 keystores made by the real keytool (and certificates made by openssl) in a temp dir, once
 * per test file. Certificates and keys are made with openssl because it is ~10x cheaper than a
 * JVM start; every store is written by keytool itself, which is what the codec must match.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keytool17, keytoolList, modernKeytool, openssl, runKeytool, tempDir, type ListedEntry } from '../../helpers/keytool';

/** ASCII on purpose: JDK 17's PBES2 refuses non-ASCII store passwords. */
export const STOREPASS = 'mid-Store.pass1';
export const PW_ENV = { MT_P12_PASS: STOREPASS };

/** Aliases used in the fixture store, as given to keytool (keytool keeps a trusted alias's case). */
export const ALIASES = {
  rsa: 'RsaKey',
  ec: 'EcKey',
  caTrusted: 'CA-Root',
  nonAscii: 'Zertifikat-äöü-日本-€',
  secret: 'MySecret',
} as const;

const NONE_PROPS = ['-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE', '-J-Dkeystore.pkcs12.macAlgorithm=NONE'];

let dirCache: string | undefined;
/** The fixture directory of this test file. */
export function fixtureDir(): string {
  dirCache ??= tempDir('midtrust-p12-');
  return dirCache;
}

function once<T>(make: () => T): () => T {
  let v: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      v = make();
      done = true;
    }
    return v as T;
  };
}

const ossl = (args: string[]): string => openssl(args, { cwd: fixtureDir(), env: PW_ENV });

/** Certificates and PKCS12 sources made by openssl: a CA, an RSA and an EC leaf signed by it, three self-signed extras. */
export const certificates = once(() => {
  const dir = fixtureDir();
  ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Midtrust Test CA', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:TRUE']);
  for (const [name, alg] of [['rsa', ['-newkey', 'rsa:2048']], ['ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']]] as const) {
    ossl(['req', ...alg, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}-leaf`]);
    ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '365']);
    ossl(['pkcs12', '-export', '-in', `${name}.pem`, '-inkey', `${name}.key`, '-certfile', 'ca.pem', '-name', name === 'rsa' ? ALIASES.rsa : ALIASES.ec,
      '-out', `${name}-src.p12`, '-passout', 'env:MT_P12_PASS']);
  }
  for (const t of ['t1', 't2', 't3']) {
    ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${t}.key`, '-out', `${t}.pem`,
      '-subj', `/CN=extra ${t}`, '-days', '30']);
  }
  const der = (f: string): Uint8Array => new Uint8Array(new X509Certificate(fs.readFileSync(path.join(dir, f))).raw);
  return { dir, ca: der('ca.pem'), rsa: der('rsa.pem'), ec: der('ec.pem'), t1: der('t1.pem'), t2: der('t2.pem'), t3: der('t3.pem') };
});

const kt17 = (args: string[]): string => runKeytool(args, { keytool: keytool17(), env: PW_ENV, cwd: fixtureDir() });
const store = ['-storepass:env', 'MT_P12_PASS'];

/**
 * keytool 17's default PKCS12 (PBES2 AES-256, HMAC-SHA256): RSA and EC private keys with 2-cert
 * chains, a trusted CA with an uppercase alias, a trusted cert with a non-ASCII alias, a secret key.
 */
export const modernStore = once(() => {
  certificates();
  const f = 'modern.p12';
  for (const src of ['rsa-src.p12', 'ec-src.p12']) {
    kt17(['-importkeystore', '-srckeystore', src, '-srcstoretype', 'PKCS12', '-srcstorepass:env', 'MT_P12_PASS',
      '-destkeystore', f, '-deststoretype', 'PKCS12', '-deststorepass:env', 'MT_P12_PASS', '-noprompt']);
  }
  kt17(['-importcert', '-keystore', f, ...store, '-alias', ALIASES.caTrusted, '-file', 'ca.pem', '-noprompt']);
  kt17(['-importcert', '-keystore', f, ...store, '-alias', ALIASES.nonAscii, '-file', 't1.pem', '-noprompt']);
  kt17(['-genseckey', '-keystore', f, ...store, '-alias', ALIASES.secret, '-keyalg', 'AES', '-keysize', '128']);
  return path.join(fixtureDir(), f);
});

/** The same store converted by keytool 17 with `-J-Dkeystore.pkcs12.legacy` (RC2-40, 3DES keys, HMAC-SHA1). */
export const legacyStore = once(() => {
  const f = path.join(fixtureDir(), 'legacy.p12');
  kt17(['-J-Dkeystore.pkcs12.legacy', '-importkeystore', '-srckeystore', modernStore(), '-srcstorepass:env', 'MT_P12_PASS',
    '-destkeystore', f, '-deststoretype', 'PKCS12', '-deststorepass:env', 'MT_P12_PASS', '-noprompt']);
  return f;
});

/** The same store converted by a JDK ≥ 18 keytool with the NONE properties; undefined without such a JDK. */
export const passwordlessStore = once(() => {
  const k = modernKeytool();
  if (!k) return undefined;
  const f = path.join(fixtureDir(), 'passwordless.p12');
  runKeytool([...NONE_PROPS, '-importkeystore', '-srckeystore', modernStore(), '-srcstorepass:env', 'MT_P12_PASS',
    '-destkeystore', f, '-deststoretype', 'PKCS12', '-deststorepass:env', 'MT_P12_PASS', '-noprompt'], { keytool: k, env: PW_ENV });
  return f;
});

/** An empty keytool 17 PKCS12 (one entry added, then deleted). */
export const emptyStore = once(() => {
  const f = 'empty.p12';
  kt17(['-genseckey', '-keystore', f, '-storetype', 'PKCS12', ...store, '-alias', 'tmp', '-keyalg', 'AES', '-keysize', '128']);
  kt17(['-delete', '-keystore', f, ...store, '-alias', 'tmp']);
  return path.join(fixtureDir(), f);
});

/** The JDK cacerts (Debian's JKS) converted to password-less PKCS12 by a JDK ≥ 18 keytool. */
export const passwordlessCacerts = once(() => {
  const k = modernKeytool();
  const src = '/etc/ssl/certs/java/cacerts';
  if (!k || !fs.existsSync(src)) return undefined;
  const f = path.join(fixtureDir(), 'cacerts.p12');
  runKeytool([...NONE_PROPS, '-importkeystore', '-srckeystore', src, '-srcstorepass:env', 'MT_SRC', '-destkeystore', f,
    '-deststoretype', 'PKCS12', '-deststorepass:env', 'MT_SRC', '-noprompt'], { keytool: k, env: { MT_SRC: 'changeit' } });
  return f;
});

/** keytool's view of a store, with the password when given. */
export function listed(file: string, password: string | undefined, keytool = keytool17()): ListedEntry[] {
  return keytoolList(file, password, { keytool });
}
