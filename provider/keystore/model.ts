/**
 * One model for every keystore format. Codecs turn bytes into a `Keystore` and back; the plan
 * works on this model only. Entries keep the bytes their codec needs to write them back unchanged
 * (`protectedKey`, `codecData`), so a rewrite never touches what the plan did not change.
 */

import { javaLowerCase } from './javaAliasCase';

export type KeystoreType = 'JKS' | 'JCEKS' | 'PKCS12';

export type EntryKind = 'trustedCertificate' | 'privateKey' | 'secretKey';

/**
 * How far the store's integrity was checked when it was read:
 * - `verified`: the JKS/JCEKS digest or the PKCS12 MAC matched the password;
 * - `unverified`: the store has an integrity check but no password was given (keytool does the same);
 * - `none`: the store has no integrity protection (password-less PKCS12).
 */
export type Integrity = 'verified' | 'unverified' | 'none';

export interface KeystoreEntry {
  /** As stored in the file: lowercase for JKS/JCEKS as Java writes it; PKCS12 keeps the friendlyName's case. */
  readonly alias: string;
  readonly kind: EntryKind;
  /** Creation date in ms since the epoch (JKS/JCEKS always; PKCS12 when the entry carries one). */
  readonly timestamp?: number;
  /** DER certificates: exactly one for a trusted entry, the chain (leaf first) for a private key, none for a secret key. */
  readonly certificates: readonly Uint8Array[];
  /**
   * Protected key material carried byte-for-byte and never decrypted by midtrust: the JKS/JCEKS
   * EncryptedPrivateKeyInfo, the JCEKS serialized SealedObject, the PKCS12 key SafeBag.
   */
  readonly protectedKey?: Uint8Array;
  /** Whatever else the codec that read this entry needs to write it back byte-identical. Opaque to everyone else. */
  readonly codecData?: unknown;
}

export interface Keystore {
  readonly type: KeystoreType;
  /** In file order (keytool lists sorted, but files are in hash order; order is kept on rewrite). */
  readonly entries: readonly KeystoreEntry[];
  readonly integrity: Integrity;
  /** Codec-private facts needed to write the store in its existing protection (JKS version, PKCS12 algorithms). */
  readonly codecData?: unknown;
  /**
   * The Java feature version that reads this store, whose Unicode tables fold its aliases
   * (javaAliasCase.ts: JDK 17 and JDK 25 disagree on a few dozen characters); default 17.
   */
  readonly javaVersion?: number;
}

/** Options for writing: injectable randomness and clock so tests are deterministic. */
export interface WriteOptions {
  /** Source of random bytes (salts, IVs). Defaults to crypto.randomBytes. */
  readonly random?: (n: number) => Uint8Array;
}

/** Options for reading. */
export interface ReadOptions {
  /**
   * Password to check integrity (and, for PKCS12, to decrypt certificate bags). `undefined` reads
   * JKS/JCEKS unverified like keytool; a password-protected PKCS12 cannot be listed without one.
   */
  readonly password?: string;
}

/**
 * Java's alias lookup: JKS/JCEKS lowercase with Locale.ENGLISH, PKCS12 compares
 * case-insensitively — with the case tables of the JDK that reads the store (`javaVersion`,
 * default 17; see javaAliasCase.ts). Returns the key two aliases share when that Java would treat
 * them as the same.
 *
 * @example
 * aliasKey('ACME-Root'); // 'acme-root'
 * aliasKey('Ⱟx', 17) === aliasKey('ⱟx', 17); // false: Java 17 knows no lower case for U+2C2F
 */
export function aliasKey(alias: string, javaVersion?: number): string {
  // toLowerCase(Locale.ENGLISH) lowercases every cased character, not only ASCII (no Turkish
  // dotless-i special case); javaLowerCase is JS toLowerCase with the JDK's Unicode version.
  return javaLowerCase(alias, javaVersion);
}

/** The alias a store of `type` would store for the requested alias (JKS/JCEKS lowercase it, as Java `javaVersion` does). */
export function storedAlias(type: KeystoreType, alias: string, javaVersion?: number): string {
  return type === 'PKCS12' ? alias : javaLowerCase(alias, javaVersion);
}

/**
 * Finds the entry Java would return for `alias`: JKS looks up the lowercased alias among the
 * aliases as stored (an entry stored exactly so wins), PKCS12 compares case-insensitively.
 */
export function findEntry(store: Keystore, alias: string): KeystoreEntry | undefined {
  const key = aliasKey(alias, store.javaVersion);
  return store.entries.find((e) => e.alias === key) ?? store.entries.find((e) => aliasKey(e.alias, store.javaVersion) === key);
}
