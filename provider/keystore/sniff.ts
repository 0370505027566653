import { MidtrustError } from '../errors';
import type { KeystoreType } from './model';

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

/**
 * The keystore type as Java probes it: JKS by `FEEDFEED`, JCEKS by `CECECECE`, PKCS12 by a DER
 * SEQUENCE prefix followed by INTEGER 3 (the PFX version). A file name never decides.
 *
 * @example
 * sniffKeystoreType(fs.readFileSync('cacerts')) // 'JKS' on Java ≤ 17, 'PKCS12' on Java ≥ 18
 */
export function sniffKeystoreType(bytes: Uint8Array): KeystoreType {
  if (bytes.length === 0) {
    throw new MidtrustError('CORRUPT', 'the file is empty; it is not a keystore', { offset: 0 });
  }
  if (bytes.length >= 4) {
    const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    if (magic === JKS_MAGIC) return 'JKS';
    if (magic === JCEKS_MAGIC) return 'JCEKS';
  }
  if (bytes[0] === 0x30 && looksLikePfx(bytes)) return 'PKCS12';
  // Never quote the bytes: the path may be a link to a file the reader may not see (/etc/shadow).
  throw new MidtrustError(
    'UNSUPPORTED',
    'not a Java keystore: it is none of the formats midtrust reads (tried JKS, which starts FEEDFEED; JCEKS, CECECECE; PKCS#12, a DER PFX); check that the path names a keystore',
    { offset: 0 },
  );
}

/** SEQUENCE { INTEGER 3, ... } with a plausible length encoding. */
function looksLikePfx(b: Uint8Array): boolean {
  let i = 1;
  if (i >= b.length) return false;
  const first = b[i++];
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) return false;
    i += n;
  }
  return b[i] === 0x02 && b[i + 1] === 0x01 && b[i + 2] === 0x03;
}
