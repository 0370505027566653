/**
 * What the JKS/JCEKS codec keeps in the model's opaque `codecData` so that a rewrite of an
 * unchanged store is byte-identical. Other codecs and the plan never look inside.
 */

/** Per entry: only what Java's writer would not reproduce from the model alone. */
export interface JksEntryData {
  readonly codec: 'jks';
  /** The certificate type string of each certificate (always "X.509" in files Java writes). */
  readonly certTypes: readonly string[];
  /**
   * The alias bytes as stored, kept only when they are not the canonical modified UTF-8 of the
   * alias (a raw 00 or an over-long form, which Java reads but never writes).
   */
  readonly aliasBytes?: Uint8Array;
  /** Same for certificate type strings, index by index; absent when all are canonical. */
  readonly certTypeBytes?: ReadonlyArray<Uint8Array | undefined>;
  /** The 8 timestamp bytes, kept only when the value is beyond 2^53 and a number cannot hold it exactly. */
  readonly timestampBytes?: Uint8Array;
}

/** Per store. */
export interface JksStoreData {
  readonly codec: 'jks';
  /**
   * The version read (1 or 2). A version 1 store is written back as version 1 (so an unchanged
   * rewrite is byte-identical) as long as every certificate type is X.509; anything else is
   * written as version 2, like Java.
   */
  readonly version: number;
}

/** True for entry codecData made by readJks. */
export function isJksEntryData(d: unknown): d is JksEntryData {
  return typeof d === 'object' && d !== null && (d as { codec?: unknown }).codec === 'jks' && Array.isArray((d as { certTypes?: unknown }).certTypes);
}
