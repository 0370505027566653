import * as crypto from 'node:crypto';
import { readTlv } from '../../asn1/derReader';
import { explicit, integer, octetString, oid, sequence, sequenceOf, tlv } from '../../asn1/derWriter';
import { isMidtrustError, MidtrustError } from '../../errors';
import { aliasKey, type Keystore, type KeystoreEntry, type WriteOptions } from '../model';
import { JDK_LEGACY_CERT_PBE } from './legacyPbe';
import { JDK_PBES2 } from './pbes2';
import { pbeEncrypt, type PbeScheme } from './pbeScheme';
import { isPkcs12EntryData, isPkcs12StoreData, type Pkcs12Content } from './pkcs12CodecData';
import { createMacData, JDK_MAC, type MacScheme } from './pkcs12Mac';
import { OID } from './pkcs12Oids';
import { bagRoleOf, chainCertBag, parseSafeBag, timeKeyId, trustedCertBag, withBagAttributes, type BagRole } from './safeBag';

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

const sameList = (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean =>
  a.length === b.length && a.every((x, i) => sameBytes(x, b[i]));

/** Where a bag goes when it is new: key bags with keys (plain Data), certificates with certificates. */
type Destination = 'key' | 'cert';

interface WantedBag {
  readonly der: Uint8Array;
  readonly destination: Destination;
}

/** The bags of one entry: its original bags when the plan left it alone, new ones otherwise. */
function entryBags(entry: KeystoreEntry): WantedBag[] {
  const d = isPkcs12EntryData(entry.codecData) ? entry.codecData : undefined;
  const unchanged = d !== undefined && d.kind === entry.kind && d.alias === entry.alias && sameList(d.certificates, entry.certificates);
  const cert = (der: Uint8Array): WantedBag => ({ der, destination: 'cert' });

  if (entry.kind === 'trustedCertificate') {
    if (entry.certificates.length !== 1) {
      throw new MidtrustError('INVALID_INPUT', `a trusted certificate entry holds exactly one certificate, this one has ${entry.certificates.length}`);
    }
    if (unchanged && d.certBags.length === 1) return [cert(d.certBags[0])];
    return [cert(trustedCertBag(entry.alias, entry.certificates[0]))];
  }

  const keyDer = entry.protectedKey ?? d?.keyBag;
  const wantRole: BagRole = entry.kind === 'privateKey' ? 'key' : 'secret';
  let parsed;
  try {
    parsed = keyDer ? parseSafeBag(keyDer, readTlv(keyDer, 0, keyDer.length, 'key SafeBag')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!keyDer || !parsed || parsed.role !== wantRole || parsed.der.length !== keyDer.length) {
    throw new MidtrustError(
      'UNSUPPORTED',
      `its protected key is not a PKCS#12 ${wantRole === 'key' ? 'key' : 'secret'} bag (did it come from a JKS/JCEKS store?); ` +
        'converting keys between keystore formats needs keytool -importkeystore',
    );
  }
  if (unchanged && sameBytes(keyDer, d.keyBag)) {
    return [{ der: keyDer, destination: 'key' }, ...d.certBags.map(cert)];
  }
  // Renamed or re-chained: keep the protected key bytes, refresh the attributes Java links by.
  // A key without localKeyID gets keytool's "Time <ms>" form (the entry's date, else now).
  const localKeyId = parsed.localKeyId ?? timeKeyId(entry.timestamp ?? Date.now());
  const keyBag = parsed.friendlyName === entry.alias && parsed.localKeyId ? keyDer : withBagAttributes(keyDer, { alias: entry.alias, localKeyId });
  const certs = entry.certificates.map((c, i) => chainCertBag(c, i === 0 ? { alias: entry.alias, localKeyId } : undefined));
  return [{ der: keyBag, destination: 'key' }, ...certs.map(cert)];
}

interface OutContent {
  protection: PbeScheme | null;
  bags: Uint8Array[];
  /** Held bags when read (an emptied content is dropped, as keytool never writes one). */
  hadBags: boolean;
  holdsKeys: boolean;
  holdsCerts: boolean;
}

function checkAliases(store: Keystore): void {
  const seen = new Map<string, string>();
  for (const e of store.entries) {
    if (e.alias.length === 0) throw new MidtrustError('INVALID_INPUT', 'an entry has an empty alias; PKCS12 aliases must not be empty');
    const k = aliasKey(e.alias, store.javaVersion);
    const prior = seen.get(k);
    if (prior !== undefined) {
      throw new MidtrustError(
        'INVALID_INPUT',
        `aliases "${prior}" and "${e.alias}" are the same to Java (PKCS12 aliases are case-insensitive); rename or remove one`,
      );
    }
    seen.set(k, e.alias);
  }
}

const keyOf = (der: Uint8Array): string => Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');

function enqueue<K>(queues: Map<K, number[]>, key: K, index: number): void {
  const q = queues.get(key);
  if (q) q.push(index);
  else queues.set(key, [index]);
}

/**
 * Writes a PKCS#12 keystore in the store's existing protection: password-less stays password-less
 * (plain Data, no MacData); a protected store keeps its MAC and content encryption schemes with
 * fresh salts and IVs (JDK 16+: PBES2 AES-256 + HMAC-SHA256; legacy: RC2-40 + HMAC-SHA1, still
 * readable by JDK 8/11); a new store (no codecData) is modern with a password and password-less
 * without. Untouched bags are written byte for byte in their original place; new bags go where
 * keytool puts them (keys in plain Data, certificates together, new entries last).
 *
 * Encoding the same password-less store twice gives the same bytes; protected stores differ by
 * salts, IVs and MAC only (all drawn from `options.random`).
 *
 * @example
 * const bytes = writePkcs12(store, 'changeit', { random: (n) => crypto.randomBytes(n) });
 */
export function writePkcs12(store: Keystore, password: string | undefined, options: WriteOptions = {}): Uint8Array {
  const random = options.random ?? ((n: number) => crypto.randomBytes(n));
  checkAliases(store);
  const sd = isPkcs12StoreData(store.codecData) ? store.codecData : undefined;

  let mac: MacScheme | null;
  let originals: readonly Pkcs12Content[];
  if (sd) {
    mac = sd.mac;
    originals = sd.contents;
  } else {
    mac = password === undefined ? null : JDK_MAC;
    originals = [];
  }
  const isProtected = mac !== null || originals.some((c) => c.protection !== null);
  if (isProtected && password === undefined) {
    throw new MidtrustError('PASSWORD_REQUIRED', 'this PKCS12 keystore is password-protected; give the store password to write it');
  }

  const wanted: WantedBag[] = [];
  store.entries.forEach((e, i) => {
    try {
      for (const bag of entryBags(e)) wanted.push(bag);
    } catch (err) {
      throw isMidtrustError(err) ? err.withContext(`entry ${i + 1} (${e.alias})`) : err;
    }
  });
  for (const der of sd?.carriedBags ?? []) wanted.push({ der, destination: 'cert' });

  // Untouched bags keep their place: match wanted bags to the original layout — by identity (an
  // untouched entry carries its original bag object), else by bytes. Bytes are compared only when
  // an original bag has no identical object wanted (a removed or changed entry), and only against
  // wanted bags that are not original objects: a latin1 string of every bag was most of the cost
  // of rewriting a 15,000-entry store. Several entries may hold byte-identical chain bags, hence a
  // queue per value.
  const originalBags = new Set<Uint8Array>(originals.flatMap((c) => c.bags));
  const byObject = new Map<Uint8Array, number[]>();
  wanted.forEach((w, i) => {
    if (originalBags.has(w.der)) enqueue(byObject, w.der, i);
  });
  let byBytes: Map<string, number[]> | undefined;
  const bytesQueues = (): Map<string, number[]> => {
    if (!byBytes) {
      const queues = new Map<string, number[]>();
      wanted.forEach((w, i) => {
        if (!originalBags.has(w.der)) enqueue(queues, keyOf(w.der), i);
      });
      byBytes = queues;
    }
    return byBytes;
  };
  const placed = new Array<boolean>(wanted.length).fill(false);
  const next = (q: number[] | undefined): number | undefined => {
    for (let i = q?.shift(); i !== undefined; i = q?.shift()) if (!placed[i]) return i;
    return undefined;
  };
  const claim = (bag: Uint8Array): number | undefined => next(byObject.get(bag)) ?? next(bytesQueues().get(keyOf(bag)));
  const out: OutContent[] = originals.map((c) => {
    const o: OutContent = { protection: c.protection, bags: [], hadBags: c.bags.length > 0, holdsKeys: false, holdsCerts: false };
    for (const bag of c.bags) {
      const role = bagRoleOf(bag);
      if (role === 'key' || role === 'secret') o.holdsKeys = true;
      if (role === 'certificate') o.holdsCerts = true;
      const i = claim(bag);
      if (i !== undefined) {
        placed[i] = true;
        o.bags.push(wanted[i].der);
      }
    }
    return o;
  });

  let keyTarget = out.find((o) => o.holdsKeys);
  // New certificates join the existing certificate content, else an empty encrypted one.
  let certTarget = out.find((o) => o.holdsCerts) ?? out.find((o) => !o.hadBags && o.protection !== null);
  wanted.forEach((w, i) => {
    if (placed[i]) return;
    if (w.destination === 'key') {
      if (!keyTarget) {
        // keytool puts key bags in plain Data (they are shrouded already), before the certificates.
        keyTarget = { protection: null, bags: [], hadBags: false, holdsKeys: true, holdsCerts: false };
        out.unshift(keyTarget);
      }
      keyTarget.bags.push(w.der);
    } else {
      if (!certTarget) {
        certTarget = { protection: newCertProtection(mac, originals), bags: [], hadBags: false, holdsKeys: false, holdsCerts: true };
        out.push(certTarget);
      }
      certTarget.bags.push(w.der);
    }
  });

  const contentInfos = out
    .filter((o) => o.bags.length > 0 || !o.hadBags)
    .map((o) => encodeContent(o, password, random));
  const authSafe = sequenceOf(contentInfos);
  const parts = [integer(3), sequence(oid(OID.data), explicit(0, octetString(authSafe)))];
  if (mac) parts.push(createMacData(mac, password as string, authSafe, random));
  return sequence(...parts);
}

/**
 * Protection for certificates when the store had no certificate content: the store's own
 * encryption if it has one; otherwise by its MAC (none → password-less, SHA-1 → legacy RC2-40,
 * else JDK 16+ PBES2).
 */
function newCertProtection(mac: MacScheme | null, originals: readonly Pkcs12Content[]): PbeScheme | null {
  const existing = originals.find((c) => c.protection !== null)?.protection;
  if (existing) return existing;
  if (!mac) return null;
  return mac.hash === 'sha1' ? JDK_LEGACY_CERT_PBE : JDK_PBES2;
}

function encodeContent(o: OutContent, password: string | undefined, random: (n: number) => Uint8Array): Uint8Array {
  const safeContents = sequenceOf(o.bags);
  if (o.protection === null) return sequence(oid(OID.data), explicit(0, octetString(safeContents)));
  const { algorithm, ciphertext } = pbeEncrypt(o.protection, password as string, safeContents, random);
  const encryptedData = sequence(integer(0), sequence(oid(OID.data), algorithm, tlv(0x80, ciphertext)));
  return sequence(oid(OID.encryptedData), explicit(0, encryptedData));
}
