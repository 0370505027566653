import type { EntryKind, Keystore } from '../model';
import type { MacScheme } from './pkcs12Mac';
import type { PbeScheme } from './pbeScheme';

/** One ContentInfo of the AuthenticatedSafe as read: plain Data (`protection` null) or EncryptedData. */
export interface Pkcs12Content {
  readonly protection: PbeScheme | null;
  /** Every SafeBag it held, in file order (whole DER). */
  readonly bags: readonly Uint8Array[];
}

/**
 * What `readPkcs12` keeps in `Keystore.codecData` so `writePkcs12` can write the store back in its
 * existing protection and layout: the MAC scheme (null = no MacData), each ContentInfo with its
 * scheme and bags, and the bags that belong to no entry (unknown bag types, CRLs, chain
 * certificates no key uses), which are always written back.
 */
export interface Pkcs12StoreData {
  readonly codec: 'PKCS12';
  readonly mac: MacScheme | null;
  readonly contents: readonly Pkcs12Content[];
  readonly carriedBags: readonly Uint8Array[];
}

/**
 * What `readPkcs12` keeps in `KeystoreEntry.codecData`: the entry as read (to tell whether the
 * plan changed it) and the bags that make it up. An unchanged entry is written with exactly
 * these bags.
 */
export interface Pkcs12EntryData {
  readonly codec: 'PKCS12';
  readonly alias: string;
  readonly kind: EntryKind;
  readonly certificates: readonly Uint8Array[];
  /** The key or secret SafeBag (also in `protectedKey`). */
  readonly keyBag?: Uint8Array;
  /** The CertBags this entry owns: a trusted entry's one bag, or a key's chain bags. */
  readonly certBags: readonly Uint8Array[];
}

/** True for store codecData written by readPkcs12. */
export function isPkcs12StoreData(x: unknown): x is Pkcs12StoreData {
  return typeof x === 'object' && x !== null && (x as { codec?: unknown }).codec === 'PKCS12' && Array.isArray((x as Pkcs12StoreData).contents);
}

/** True for entry codecData written by readPkcs12. */
export function isPkcs12EntryData(x: unknown): x is Pkcs12EntryData {
  return typeof x === 'object' && x !== null && (x as { codec?: unknown }).codec === 'PKCS12' && Array.isArray((x as Pkcs12EntryData).certBags);
}

/**
 * The protection of a PKCS12 store, in keytool's terms: `password-less` (no MAC, nothing
 * encrypted: JDK 18+ cacerts), `legacy` (HMAC-SHA1 MAC or RC2/3DES certificates: JDK 8/11),
 * `modern` (JDK 16+), or `new` for a store without codecData (never read from a file).
 */
export function pkcs12Protection(store: Keystore): 'password-less' | 'legacy' | 'modern' | 'new' {
  const d = store.codecData;
  if (!isPkcs12StoreData(d)) return 'new';
  const schemes = d.contents.map((c) => c.protection).filter((p): p is PbeScheme => p !== null);
  if (!d.mac && schemes.length === 0) return 'password-less';
  if (d.mac?.hash === 'sha1' || schemes.some((s) => s.kind === 'pkcs12')) return 'legacy';
  return 'modern';
}
