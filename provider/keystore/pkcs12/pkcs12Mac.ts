import * as crypto from 'node:crypto';
import { children, content, decodeOid, decodeSmallInteger, expectTag, TAG, type Tlv } from '../../asn1/derReader';
import { integer, nullValue, octetString, oid, sequence } from '../../asn1/derWriter';
import { MidtrustError } from '../../errors';
import { bmpPassword, hashLength, KDF_ID, pkcs12Kdf } from './pkcs12Kdf';
import { DIGEST_BY_OID, MAX_ITERATION_COUNT, OID, OID_BY_DIGEST, oidName, type HashName } from './pkcs12Oids';

/** What stays the same when a store's MAC is recomputed (the salt is fresh). */
export interface MacScheme {
  readonly hash: HashName;
  readonly iterations: number;
  readonly saltLength: number;
}

/** JDK 16+ default: HMAC-SHA256, 10000 iterations, 20-byte salt. */
export const JDK_MAC: MacScheme = { hash: 'sha256', iterations: 10000, saltLength: 20 };

/** JDK 8/11 default and `-J-Dkeystore.pkcs12.legacy`: HMAC-SHA1, 100000 iterations. */
export const JDK_LEGACY_MAC: MacScheme = { hash: 'sha1', iterations: 100000, saltLength: 20 };

/** A parsed MacData. */
export interface MacData {
  readonly scheme: MacScheme;
  readonly digest: Uint8Array;
  readonly salt: Uint8Array;
}

/**
 * Reads MacData `SEQUENCE { DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }`
 * (RFC 7292 §4).
 */
export function parseMacData(bytes: Uint8Array, t: Tlv): MacData {
  const [digestInfo, saltTlv, iterTlv] = children(bytes, expectTag(bytes, t, TAG.SEQUENCE, 'MacData'), 'MacData');
  const [algId, digestTlv] = children(bytes, expectTag(bytes, digestInfo, TAG.SEQUENCE, 'MAC DigestInfo'), 'MAC DigestInfo');
  const algParts = children(bytes, expectTag(bytes, algId, TAG.SEQUENCE, 'MAC digest algorithm'), 'MAC digest algorithm');
  const algorithm = decodeOid(bytes, expectTag(bytes, algParts[0], TAG.OID, 'MAC digest algorithm OID'));
  const hash = DIGEST_BY_OID[algorithm];
  if (!hash) {
    const hint = algorithm === OID.pbmac1 ? ' (PBMAC1, RFC 9579, is not supported yet)' : '';
    throw new MidtrustError('UNSUPPORTED', `MAC algorithm ${oidName(algorithm)} is not supported${hint}; SHA-1/224/256/384/512 MACs are`);
  }
  const digest = content(bytes, expectTag(bytes, digestTlv, TAG.OCTET_STRING, 'MAC value'));
  const salt = content(bytes, expectTag(bytes, saltTlv, TAG.OCTET_STRING, 'MAC salt'));
  let iterations = 1;
  if (iterTlv) iterations = decodeSmallInteger(bytes, expectTag(bytes, iterTlv, TAG.INTEGER, 'MAC iteration count'), 'MAC iteration count');
  if (iterations < 1 || iterations > MAX_ITERATION_COUNT) {
    throw new MidtrustError('UNSUPPORTED', `MAC iteration count ${iterations} is outside 1..${MAX_ITERATION_COUNT} (Java refuses it too)`);
  }
  return { scheme: { hash, iterations, saltLength: salt.length }, digest, salt };
}

function hmac(scheme: MacScheme, salt: Uint8Array, password: string, authSafe: Uint8Array): Buffer {
  // The MAC key comes from the RFC 7292 KDF over the BMPString password, with the MAC's own hash,
  // even in JDK 16+ stores whose contents use PBES2 with a UTF-8 password.
  const key = pkcs12Kdf(scheme.hash, bmpPassword(password), salt, KDF_ID.mac, scheme.iterations, hashLength(scheme.hash));
  return crypto.createHmac(scheme.hash, key).update(authSafe).digest();
}

/** True when the MAC over `authSafe` (the AuthenticatedSafe's octets) matches, compared in constant time. */
export function verifyMac(mac: MacData, password: string, authSafe: Uint8Array): boolean {
  const expected = hmac(mac.scheme, mac.salt, password, authSafe);
  return expected.length === mac.digest.length && crypto.timingSafeEqual(expected, mac.digest);
}

/** Encodes MacData with a fresh salt, as Java writes it (NULL digest parameters, iterations present). */
export function createMacData(scheme: MacScheme, password: string, authSafe: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  const salt = random(scheme.saltLength);
  const digest = hmac(scheme, salt, password, authSafe);
  return sequence(
    sequence(sequence(oid(OID_BY_DIGEST[scheme.hash]), nullValue()), octetString(digest)),
    octetString(salt),
    integer(scheme.iterations),
  );
}
