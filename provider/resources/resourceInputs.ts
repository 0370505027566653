import * as path from 'node:path';
import { Certificate } from '../certificate/certificate';
import { parseCertificateInput } from '../certificate/certificateInput';
import { MidtrustError } from '../errors';
import { validateAgainstSchema } from '../plan/schemaValidation';

/**
 * What the engine sends, in check and diff during a preview, for a value that is not known yet —
 * whatever the property's type (FACTS.md §3). Such values are never validated or compared.
 */
export const UNKNOWN_SENTINEL = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** The key under which the dynamic-provider machinery carries the serialized provider. */
export const PROVIDER_KEY = '__provider';

/** One CheckFailure as the dynamic-provider host expects it. */
export interface InputFailure {
  readonly property: string;
  readonly reason: string;
}

/** Property bags as the dynamic-provider host passes them (plain JSON). */
export type Props = Record<string, unknown>;

/** True for the preview-time unknown sentinel. */
export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN_SENTINEL;
}

/** True when `v` or anything inside it is still unknown. */
export function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(containsUnknown);
  return false;
}

/** `certificates[1].alias` from `['certificates', 1, 'alias']`: the form Pulumi prints for a property. */
export function propertyName(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((acc, s) => (typeof s === 'number' ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

/** True when some prefix of `segments` points at the unknown sentinel in `data`. */
function underUnknown(data: unknown, segments: readonly (string | number)[]): boolean {
  let cur: unknown = data;
  for (const s of segments) {
    if (isUnknown(cur)) return true;
    if (typeof cur !== 'object' || cur === null) return false;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return isUnknown(cur);
}

/** Words for the schema problems people actually make, keyed by the last path segment and ajv keyword. */
function reasonFor(segments: readonly (string | number)[], value: unknown, schemaMessage: string): string {
  const last = segments[segments.length - 1];
  if (value === '' && last === 'alias') return 'the alias is empty; give the name the entry has (or will have) in the keystore';
  if (value === '' && last === 'keystorePath') return 'the keystore path is empty; give the absolute path of the keystore file';
  if (value === '' && last === 'certificatePem') return "the certificate is empty; give a PEM certificate ('-----BEGIN CERTIFICATE-----')";
  if (last === 'overwrite' || last === 'exclusive' || last === 'restoreVendorDropped') return `${String(last)} must be true or false`;
  return schemaMessage;
}

/**
 * Validates resource inputs against a JSON Schema in schema/ and returns at most one failure per
 * property, skipping anything the preview does not know yet. `__provider` is not an input.
 */
export function schemaFailures(schemaName: string, inputs: Props): InputFailure[] {
  const data: Props = { ...inputs };
  delete data[PROVIDER_KEY];
  const failures = new Map<string, InputFailure>();
  for (const p of validateAgainstSchema(schemaName, data)) {
    if (underUnknown(data, p.path)) continue;
    const property = propertyName(p.path) || 'inputs';
    if (failures.has(property)) continue;
    const value = p.path.reduce<unknown>((cur, s) => (typeof cur === 'object' && cur !== null ? (cur as Record<string | number, unknown>)[s] : undefined), data);
    failures.set(property, { property, reason: reasonFor(p.path, value, p.message) });
  }
  return [...failures.values()];
}

/**
 * Why a keystore path is unusable, or undefined. Relative paths are refused: the provider runs in
 * the Pulumi host process, whose working directory is the project's, not the user's shell's.
 */
export function keystorePathProblem(value: string): string | undefined {
  if (path.isAbsolute(value) || path.win32.isAbsolute(value)) return undefined;
  return `'${value}' is a relative path; give an absolute path (the provider runs in the Pulumi project's directory, so a relative path would depend on where pulumi runs)`;
}

/**
 * The single certificate of a PEM (or base64/DER) input. INVALID_INPUT with a reason naming
 * `source` when it is not a certificate (private key, CSR, garbage) or holds more than one.
 */
export function parseOneCertificate(pem: string, source: string): Certificate {
  const ders = parseCertificateInput(pem, source);
  if (ders.length !== 1) {
    throw new MidtrustError(
      'INVALID_INPUT',
      `${source}: holds ${ders.length} certificates; one alias trusts exactly one certificate — declare each certificate of the chain under its own alias`,
    );
  }
  const cert = Certificate.fromDer(ders[0]);
  // Parse the facts now, so a certificate we cannot read fails in check, not half-way through an apply.
  void cert.facts;
  return cert;
}

/** The reason of a certificate problem without repeating the source it was prefixed with. */
export function certificateProblem(pem: string, source: string): string | undefined {
  try {
    parseOneCertificate(pem, source);
    return undefined;
  } catch (e) {
    if (!(e instanceof MidtrustError)) throw e;
    return e.message.startsWith(`${source}: `) ? e.message.slice(source.length + 2) : e.message;
  }
}

/**
 * True when two paths are the same spelling once `.`/`..`/duplicate separators are normalised, in
 * the syntax of the host the path belongs to (Windows paths compare case-insensitively). Whether
 * two spellings are links to one file is not decided here — that can only be known on the host,
 * and the ownership record beside the resolved file makes such a replacement safe anyway.
 */
export function samePathSpelling(a: string, b: string): boolean {
  const norm = (p: string): string => (path.win32.isAbsolute(p) && /^[A-Za-z]:/.test(p) ? path.win32.normalize(p).toLowerCase() : path.posix.normalize(p));
  return norm(a) === norm(b);
}

/** A new owner id for a resource's claims (see provider/ownership): random, never derived from a path or name. */
export function newOwnerId(): string {
  const { randomUUID } = require('node:crypto') as typeof import('node:crypto');
  return randomUUID();
}

/** The owner id recorded in a resource's outputs (created before owner ids existed: a fresh one). */
export function ownerIdOf(outs: Props): string {
  return typeof outs.ownerId === 'string' && outs.ownerId.length > 0 ? outs.ownerId : newOwnerId();
}

/** The store password from a property bag: absent or null means a password-less store. */
export function passwordOf(props: Props): string | undefined {
  return typeof props.storePassword === 'string' ? props.storePassword : undefined;
}

/** A message for a person from whatever a library call threw; never a stack trace. */
export function asPersonError(e: unknown, context: string): Error {
  if (e instanceof MidtrustError) return e.withContext(context);
  return new MidtrustError('IO', `${context}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** NOT_FOUND for a keystore that does not exist (callers add the path as context). */
export function missingStore(): MidtrustError {
  return new MidtrustError(
    'NOT_FOUND',
    'the keystore does not exist; midtrust adds certificates to existing keystores only (a MID Server always has its cacerts) — check keystorePath',
  );
}
