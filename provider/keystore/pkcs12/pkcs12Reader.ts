import { children, content, decodeOid, decodeSmallInteger, expectTag, readTlv, TAG, type Tlv } from '../../asn1/derReader';
import { isMidtrustError, MidtrustError } from '../../errors';
import type { Integrity, Keystore, KeystoreEntry, ReadOptions } from '../model';
import { orderChain, type ChainCandidate } from './certificateChain';
import type { Pkcs12Content, Pkcs12EntryData, Pkcs12StoreData } from './pkcs12CodecData';
import { parseMacData, verifyMac } from './pkcs12Mac';
import { OID, oidName } from './pkcs12Oids';
import { parsePbeAlgorithm } from './pbeScheme';
import { parseSafeBag, timestampOfKeyId, type SafeBag } from './safeBag';

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

/** The PFX's three parts: version, the AuthenticatedSafe octets (absolute offsets) and MacData. */
function readPfx(bytes: Uint8Array): { authSafe: Tlv; macTlv?: Tlv } {
  if (bytes.length > 0 && bytes[0] !== TAG.SEQUENCE) {
    throw new MidtrustError('CORRUPT', `not a PKCS#12 keystore: it starts with byte 0x${bytes[0].toString(16).padStart(2, '0')}, expected a DER SEQUENCE (0x30)`, {
      offset: 0,
    });
  }
  const pfx = expectTag(bytes, readTlv(bytes, 0, bytes.length, 'PKCS#12 PFX'), TAG.SEQUENCE, 'PKCS#12 PFX (a SEQUENCE)');
  const [versionTlv, authSafeCi, macTlv] = children(bytes, pfx, 'PKCS#12 PFX');
  const version = decodeSmallInteger(bytes, expectTag(bytes, versionTlv, TAG.INTEGER, 'PFX version'), 'PFX version');
  if (version !== 3) throw new MidtrustError('UNSUPPORTED', `PKCS#12 version ${version} is not supported; Java and OpenSSL write version 3`);
  const [typeTlv, explicitTlv] = children(bytes, expectTag(bytes, authSafeCi, TAG.SEQUENCE, 'PFX authSafe ContentInfo'), 'PFX authSafe');
  const type = decodeOid(bytes, expectTag(bytes, typeTlv, TAG.OID, 'PFX authSafe content type'));
  if (type !== OID.data) {
    throw new MidtrustError(
      'UNSUPPORTED',
      `PFX authSafe has content type ${oidName(type)}; only password integrity (data) is supported, as in Java (public-key integrity mode is not)`,
    );
  }
  const [octets] = children(bytes, expectTag(bytes, explicitTlv, 0xa0, 'PFX authSafe [0]'), 'PFX authSafe');
  return { authSafe: expectTag(bytes, octets, TAG.OCTET_STRING, 'PFX authSafe octets (a DER OCTET STRING)'), macTlv };
}

/** The ciphertext of an EncryptedContentInfo: `[0] IMPLICIT OCTET STRING`, primitive in DER, chunked in BER. */
function encryptedContentOf(bytes: Uint8Array, t: Tlv | undefined): Uint8Array {
  if (t?.tag === 0x80) return content(bytes, t);
  if (t?.tag === 0xa0) return Buffer.concat(children(bytes, t, 'encrypted content').map((c) => content(bytes, expectTag(bytes, c, TAG.OCTET_STRING, 'encrypted content chunk'))));
  throw new MidtrustError('CORRUPT', `EncryptedData has no encrypted content${t ? ` at byte ${t.start}` : ''}`, { offset: t?.start });
}

/** Parses a SafeContents (SEQUENCE OF SafeBag) occupying all of `buf` from `start` to `end`. */
function readSafeContents(buf: Uint8Array, start: number, end: number): SafeBag[] {
  const seq = expectTag(buf, readTlv(buf, start, end, 'SafeContents'), TAG.SEQUENCE, 'SafeContents');
  if (seq.end !== end) throw new MidtrustError('CORRUPT', `SafeContents: ${end - seq.end} unexpected bytes after byte ${seq.end}`, { offset: seq.end });
  return children(buf, seq, 'SafeContents').map((t, i) => {
    try {
      return parseSafeBag(buf, t);
    } catch (err) {
      throw isMidtrustError(err) ? err.withContext(`SafeBag ${i + 1}`) : err;
    }
  });
}

interface Context {
  readonly password?: string;
  readonly integrity: Integrity;
}

/** One ContentInfo of the AuthenticatedSafe → its protection and bags (decrypted when needed). */
function readContentInfo(bytes: Uint8Array, ci: Tlv, ctx: Context): { protection: Pkcs12Content['protection']; bags: SafeBag[] } {
  const [typeTlv, explicitTlv] = children(bytes, expectTag(bytes, ci, TAG.SEQUENCE, 'ContentInfo'), 'ContentInfo');
  const type = decodeOid(bytes, expectTag(bytes, typeTlv, TAG.OID, 'ContentInfo type'));
  const [inner] = children(bytes, expectTag(bytes, explicitTlv, 0xa0, 'ContentInfo content [0]'), 'ContentInfo content');
  if (type === OID.data) {
    const octets = expectTag(bytes, inner, TAG.OCTET_STRING, 'Data content (an OCTET STRING)');
    // One copy of the region; bags and certificates are views into it, so the caller's buffer is not kept.
    const region = bytes.slice(octets.contentStart, octets.end);
    return { protection: null, bags: readSafeContents(region, 0, region.length) };
  }
  if (type === OID.encryptedData) {
    const [, eci] = children(bytes, expectTag(bytes, inner, TAG.SEQUENCE, 'EncryptedData'), 'EncryptedData');
    const [, algTlv, encTlv] = children(bytes, expectTag(bytes, eci, TAG.SEQUENCE, 'EncryptedContentInfo'), 'EncryptedContentInfo');
    const pbe = parsePbeAlgorithm(bytes, algTlv);
    const ciphertext = encryptedContentOf(bytes, encTlv);
    if (ctx.password === undefined) {
      throw new MidtrustError(
        'PASSWORD_REQUIRED',
        'the certificates of this PKCS12 keystore are encrypted with the store password; give the store password to read it',
      );
    }
    let plain: Uint8Array;
    try {
      plain = pbe.decrypt(ctx.password, ciphertext);
      return { protection: pbe.scheme, bags: readSafeContents(plain, 0, plain.length) };
    } catch (err) {
      if (!isMidtrustError(err)) throw err;
      if (ctx.integrity === 'verified') {
        // The MAC proved the password right, so the encrypted part itself is damaged.
        throw new MidtrustError('CORRUPT', `encrypted certificates could not be decrypted although the MAC matched: ${err.message}`, { cause: err });
      }
      if (err.code === 'UNSUPPORTED') throw err;
      throw new MidtrustError(
        'WRONG_PASSWORD',
        'keystore password was incorrect: the encrypted certificates do not decrypt with it (this store has no MAC to tell a wrong password from damage)',
        { cause: err },
      );
    }
  }
  if (type === OID.envelopedData) {
    throw new MidtrustError('UNSUPPORTED', 'PKCS#12 public-key privacy mode (envelopedData) is not supported, as in Java');
  }
  throw new MidtrustError('UNSUPPORTED', `AuthenticatedSafe content type ${oidName(type)} is not supported`);
}

/**
 * Reads a PKCS#12 keystore as Java's PKCS12KeyStore does: JDK 16+ (PBES2 certificates, HMAC-SHA256
 * MAC), legacy (RC2-40 certificates, HMAC-SHA1 MAC) and password-less (JDK 18+ cacerts). A CertBag
 * with Java's trusted key usage attribute is a trusted entry named by its friendlyName; key and
 * secret bags are entries whose chain is linked by localKeyID. Everything needed for a lossless
 * rewrite is kept in `codecData`.
 *
 * Errors: WRONG_PASSWORD when the MAC does not match; PASSWORD_REQUIRED when certificates are
 * encrypted and no password was given; CORRUPT/TRUNCATED/UNSUPPORTED for the bytes.
 *
 * @example
 * const store = readPkcs12(fs.readFileSync('cacerts'), {}); // JDK 18+ cacerts: no password needed
 * store.integrity // 'none'
 */
export function readPkcs12(bytes: Uint8Array, options: ReadOptions = {}): Keystore {
  const { password } = options;
  const { authSafe, macTlv } = readPfx(bytes);

  let integrity: Integrity = 'none';
  let mac: Pkcs12StoreData['mac'] = null;
  if (macTlv) {
    const macData = parseMacData(bytes, macTlv);
    mac = macData.scheme;
    if (password === undefined) {
      integrity = 'unverified';
    } else if (verifyMac(macData, password, content(bytes, authSafe))) {
      integrity = 'verified';
    } else {
      throw new MidtrustError('WRONG_PASSWORD', 'keystore password was incorrect (the PKCS12 MAC does not match)');
    }
  }

  const seq = expectTag(bytes, readTlv(bytes, authSafe.contentStart, authSafe.end, 'AuthenticatedSafe'), TAG.SEQUENCE, 'AuthenticatedSafe');
  if (seq.end !== authSafe.end) {
    throw new MidtrustError('CORRUPT', `AuthenticatedSafe: unexpected bytes after byte ${seq.end}`, { offset: seq.end });
  }
  const contents: Pkcs12Content[] = [];
  const allBags: SafeBag[] = [];
  children(bytes, seq, 'AuthenticatedSafe').forEach((ci, i) => {
    try {
      const { protection, bags } = readContentInfo(bytes, ci, { password, integrity });
      contents.push({ protection, bags: bags.map((b) => b.der) });
      for (const b of bags) allBags.push(b); // not push(...bags): a 100,000-bag store overflows the stack
    } catch (err) {
      throw isMidtrustError(err) ? err.withContext(`PKCS12 content ${i + 1}`) : err;
    }
  });

  const usedBags = new Set<Uint8Array>();
  const entries = buildEntries(allBags, usedBags);
  // Bags of no entry (unknown types, CRLs, chain certificates no key uses) are carried as they are.
  const carriedBags = allBags.filter((b) => !usedBags.has(b.der)).map((b) => b.der);
  const codecData: Pkcs12StoreData = { codec: 'PKCS12', mac, contents, carriedBags };
  return { type: 'PKCS12', entries, integrity, codecData };
}

/** Entries in file order of their defining bag (key/secret bag or trusted CertBag); marks the bags they use. */
function buildEntries(bags: readonly SafeBag[], usedBags: Set<Uint8Array>): KeystoreEntry[] {
  const candidates = new Map<SafeBag, ChainCandidate>();
  for (const b of bags) {
    if (b.certificate) candidates.set(b, { certificate: b.certificate, trusted: b.trusted, claimed: false });
  }
  const certBags = [...candidates.keys()];
  const pool = [...candidates.values()];
  const bagOf = new Map<ChainCandidate, SafeBag>([...candidates].map(([b, c]) => [c, b]));

  // Java names entries without a friendlyName "1", "2", ... (PKCS12KeyStore.getUnfriendlyName).
  let unfriendly = 0;
  const aliasOf = (b: SafeBag): string => b.friendlyName ?? String(++unfriendly);

  const entries: KeystoreEntry[] = [];
  for (const b of bags) {
    if (b.role === 'certificate' && b.trusted && b.certificate) {
      usedBags.add(b.der);
      const alias = aliasOf(b);
      const certificates = [b.certificate];
      const data: Pkcs12EntryData = { codec: 'PKCS12', alias, kind: 'trustedCertificate', certificates, certBags: [b.der] };
      entries.push({ alias, kind: 'trustedCertificate', certificates, codecData: data });
    } else if (b.role === 'key' || b.role === 'secret') {
      usedBags.add(b.der);
      const alias = aliasOf(b);
      const timestamp = timestampOfKeyId(b.localKeyId);
      const kind = b.role === 'key' ? 'privateKey' : 'secretKey';
      let certificates: Uint8Array[] = [];
      let owned: Uint8Array[] = [];
      if (kind === 'privateKey') {
        const leaf = findLeaf(b, certBags, candidates);
        if (leaf) {
          const r = orderChain(leaf, pool);
          certificates = r.chain.map((c) => c.certificate);
          owned = r.owned.map((c) => bagOf.get(c)!.der);
          for (const o of owned) usedBags.add(o);
        }
      }
      const data: Pkcs12EntryData = { codec: 'PKCS12', alias, kind, certificates, keyBag: b.der, certBags: owned };
      entries.push({
        alias,
        kind,
        ...(timestamp === undefined ? {} : { timestamp }),
        certificates,
        protectedKey: b.der,
        codecData: data,
      });
    }
  }
  return entries;
}

/**
 * The leaf of a key entry, as Java's findMatchedCertificate: the chain CertBag with the same
 * localKeyID, else one with the same friendlyName and no localKeyID, else a trusted CertBag with
 * the same localKeyID.
 */
function findLeaf(key: SafeBag, certBags: readonly SafeBag[], candidates: Map<SafeBag, ChainCandidate>): ChainCandidate | undefined {
  const chainBags = certBags.filter((c) => !c.trusted);
  const pick = (list: SafeBag[]): ChainCandidate | undefined => {
    const c = list.map((b) => candidates.get(b)!);
    return c.find((x) => !x.claimed) ?? c[0];
  };
  if (key.localKeyId) {
    const byId = pick(chainBags.filter((c) => same(c.localKeyId, key.localKeyId)));
    if (byId) return byId;
  }
  if (key.friendlyName !== undefined) {
    const byName = pick(chainBags.filter((c) => !c.localKeyId && c.friendlyName === key.friendlyName));
    if (byName) return byName;
  }
  return key.localKeyId ? pick(certBags.filter((c) => c.trusted && same(c.localKeyId, key.localKeyId))) : undefined;
}
