import { MidtrustError } from '../errors';
import { readJks } from './jks/jksReader';
import { writeJks } from './jks/jksWriter';
import type { Keystore, ReadOptions, WriteOptions } from './model';
import { readPkcs12 } from './pkcs12/pkcs12Reader';
import { writePkcs12 } from './pkcs12/pkcs12Writer';
import { sniffKeystoreType } from './sniff';

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
  return type === 'PKCS12' ? readPkcs12(bytes, options) : readJks(bytes, options);
}

/**
 * Writes a keystore in its own type and existing protection. Untouched entries come out
 * byte-identical; PKCS12 encryption uses fresh salts and IVs, so only a password-less PKCS12 or
 * a JKS/JCEKS is byte-for-byte reproducible.
 */
export function writeKeystore(store: Keystore, password: string | undefined, options: WriteOptions = {}): Uint8Array {
  if (store.type === 'PKCS12') return writePkcs12(store, password, options);
  if (password === undefined) {
    throw new MidtrustError(
      'PASSWORD_REQUIRED',
      `a ${store.type} keystore cannot be written without its password (its integrity check is keyed by it); give the store password`,
    );
  }
  return writeJks(store, password, options);
}
