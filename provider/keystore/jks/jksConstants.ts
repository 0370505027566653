/** JKS/JCEKS file layout constants (sun.security.provider.JavaKeyStore, com.sun.crypto.provider.JceKeyStore). */
export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;
/** Version 1 files have no certificate type strings; Java writes version 2. */
export const VERSION_1 = 1;
export const VERSION_2 = 2;
export const TAG_PRIVATE_KEY = 1;
export const TAG_TRUSTED_CERT = 2;
/** JCEKS only: a secret key stored as a serialized javax.crypto.SealedObject. */
export const TAG_SECRET_KEY = 3;
/** The integrity digest mixes in this phrase after the password ("Mighty Aphrodite", a Woody Allen film). */
export const WHITENER = Buffer.from('Mighty Aphrodite', 'utf8');
export const DIGEST_LENGTH = 20;
export const DEFAULT_CERT_TYPE = 'X.509';

/** What the JKS codec keeps per entry so a rewrite is byte-identical. */
export interface JksEntryData {
  readonly codec: 'jks';
  /** The certificate type string of each certificate (almost always "X.509"). */
  readonly certTypes: readonly string[];
}

/** What the JKS codec keeps per store. */
export interface JksStoreData {
  readonly codec: 'jks';
  readonly version: number;
}
