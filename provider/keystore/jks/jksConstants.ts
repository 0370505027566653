/**
 * JKS/JCEKS file layout constants, as in `sun.security.provider.JavaKeyStore` and
 * `com.sun.crypto.provider.JceKeyStore`. Every number in the file is big-endian.
 */

/** First u32 of a JKS file. */
export const JKS_MAGIC = 0xfeedfeed;
/** First u32 of a JCEKS file. */
export const JCEKS_MAGIC = 0xcececece;
/** Version 1 files have no certificate type strings (every certificate is X.509). */
export const VERSION_1 = 1;
/** The version Java writes, and so does midtrust. */
export const VERSION_2 = 2;
/** magic + version + entry count. */
export const HEADER_LENGTH = 12;
/** Entry tag: private key (EncryptedPrivateKeyInfo) with its certificate chain. */
export const TAG_PRIVATE_KEY = 1;
/** Entry tag: one trusted certificate. */
export const TAG_TRUSTED_CERT = 2;
/** Entry tag, JCEKS only: a secret key stored as a serialized `javax.crypto.SealedObject`, with no length prefix. */
export const TAG_SECRET_KEY = 3;
/** The integrity digest mixes in this phrase after the password (the title of a Woody Allen film). */
export const WHITENER = Buffer.from('Mighty Aphrodite', 'utf8');
/** The trailer is a SHA-1 digest. */
export const DIGEST_LENGTH = 20;
/** The certificate type string of every certificate Java writes, and of new entries. */
export const DEFAULT_CERT_TYPE = 'X.509';
/**
 * The fewest bytes an entry can take: tag, empty alias, timestamp and a 4-byte length (a version 1
 * trusted certificate with empty DER). Bounds the entry count a file of a given size can claim.
 */
export const MIN_ENTRY_LENGTH = 4 + 2 + 8 + 4;
