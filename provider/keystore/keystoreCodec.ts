import { MidtrustError } from '../errors';
import type { Keystore, ReadOptions, WriteOptions } from './model';
import { sniffKeystoreType } from './sniff';

// Codecs are loaded on first use: listing a JKS never pays for the PKCS12 code (~15 ms of
// start-up for a CLI whose whole run should take tens of milliseconds).
const jks = (): typeof import('./jks/jksReader') & typeof import('./jks/jksWriter') => ({ ...require('./jks/jksReader'), ...require('./jks/jksWriter') });
const pkcs12 = (): typeof import('./pkcs12/pkcs12Reader') & typeof import('./pkcs12/pkcs12Writer') => ({
  ...require('./pkcs12/pkcs12Reader'),
  ...require('./pkcs12/pkcs12Writer'),
});

/**
 * Reads any Java keystore: the type is sniffed from the bytes as Java does (with
 * `keystore.type.compat`, JKS and PKCS12 load each other), never from the file name.
 *
 * @example
 * const store = readKeystore(fs.readFileSync('cacerts'), { password: 'changeit' });
 * store.type // 'JKS'; store.integrity // 'verified'
 */
export function readKeystore(bytes: Uint8Array, options: ReadOptions = {}): Keystore {
  const type = sniffKeystoreType(bytes);
  return type === 'PKCS12' ? pkcs12().readPkcs12(bytes, options) : jks().readJks(bytes, options);
}

/**
 * Writes a keystore in its own type and existing protection. Untouched entries come out
 * byte-identical; PKCS12 encryption uses fresh salts and IVs, so only a password-less PKCS12 or
 * a JKS/JCEKS is byte-for-byte reproducible.
 */
export function writeKeystore(store: Keystore, password: string | undefined, options: WriteOptions = {}): Uint8Array {
  if (store.type === 'PKCS12') return pkcs12().writePkcs12(store, password, options);
  if (password === undefined) {
    throw new MidtrustError(
      'PASSWORD_REQUIRED',
      `a ${store.type} keystore cannot be written without its password (its integrity check is keyed by it); give the store password`,
    );
  }
  return jks().writeJks(store, password, options);
}
