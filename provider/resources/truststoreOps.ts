import * as path from 'node:path';
import type { dynamic } from '@pulumi/pulumi';
import { Certificate } from '../certificate/certificate';
import { sha256Hex } from '../certificate/fingerprint';
import { aliasKey, findEntry, type Keystore } from '../keystore/model';
import { applyPlan } from '../plan/applyPlan';
import { computePlan } from '../plan/computePlan';
import type { DesiredCertificate, DesiredState } from '../plan/desiredState';
import {
  asPersonError,
  certificateProblem,
  isUnknown,
  containsUnknown,
  keystorePathProblem,
  missingStore,
  parseOneCertificate,
  passwordOf,
  sameKeystoreFile,
  schemaFailures,
  type InputFailure,
  type Props,
} from './resourceInputs';
import { trace } from './sharedBatcher';
import { copyGiven, pickInputs, readStore } from './storeAccess';
import { batcherFor, connectionProblems, machineOf, type ConnectionInput } from './connectionInput';

/*
 * The logic behind the Truststore resource: a set of trusted certificates in one keystore,
 * applied with the same plan/apply functions as `midtrust apply`, in one coalesced write.
 */

const SCHEMA = 'truststore.schema.json';

interface DeclaredCertificate {
  alias: string;
  certificatePem: string;
}

interface TruststoreInputs {
  keystorePath: string;
  storePassword?: string;
  connection?: ConnectionInput;
  certificates: DeclaredCertificate[];
  exclusive?: boolean;
}

/** One entry of the `entries` output: what the store holds under a declared alias. */
interface EntryOutput {
  alias: string;
  sha256Fingerprint: string;
  subject: string;
  notAfter: string;
}

/** `check`: schema, absolute path, every certificate, and aliases declared twice (Java compares them case-insensitively). */
export function check(_olds: Props, news: Props): dynamic.CheckResult {
  const failures: InputFailure[] = schemaFailures(SCHEMA, news);
  const failed = new Set(failures.map((f) => f.property));
  if (!failed.has('keystorePath') && typeof news.keystorePath === 'string' && !isUnknown(news.keystorePath)) {
    const reason = keystorePathProblem(news.keystorePath);
    if (reason) failures.push({ property: 'keystorePath', reason });
  }
  if (Array.isArray(news.certificates)) {
    const seen = new Map<string, number>();
    news.certificates.forEach((c: unknown, i) => {
      if (typeof c !== 'object' || c === null) return;
      const { alias, certificatePem } = c as Record<string, unknown>;
      const pemProperty = `certificates[${i}].certificatePem`;
      if (!failed.has(pemProperty) && typeof certificatePem === 'string' && !isUnknown(certificatePem)) {
        const reason = certificateProblem(certificatePem, pemProperty);
        if (reason) failures.push({ property: pemProperty, reason });
      }
      const aliasProperty = `certificates[${i}].alias`;
      if (failed.has(aliasProperty) || typeof alias !== 'string' || isUnknown(alias)) return;
      const first = seen.get(aliasKey(alias));
      if (first === undefined) seen.set(aliasKey(alias), i);
      else {
        failures.push({
          property: aliasProperty,
          reason: `alias '${alias}' is already declared by certificates[${first}]; aliases are compared case-insensitively, as Java does — keep one`,
        });
      }
    });
  }
  if (!failed.has('connection') && news.connection !== undefined && !isUnknown(news.connection)) failures.push(...connectionProblems(news.connection));
  return { inputs: news, failures };
}

/**
 * `diff` (olds are the previous outputs):
 * - keystorePath changed → replace; when the new path names the same file, the old resource's
 *   delete would remove what the new one just put there → deleteBeforeReplace.
 * - the declared (alias, SHA-256) set differs from what the store held at the last create/update/
 *   refresh (`entries`) → update. PEM formatting is no change; alias case is no change.
 * - exclusive or storePassword changed, or an exclusive store gained undeclared entries (seen by
 *   refresh in `unmanagedAliases`) → update.
 */
export function diff(_id: string, olds: Props, news: Props): dynamic.DiffResult {
  const replaces: string[] = [];
  if (isUnknown(news.keystorePath) || path.resolve(String(olds.keystorePath)) !== path.resolve(String(news.keystorePath))) replaces.push('keystorePath');
  if (isUnknown(news.connection) || machineOf(olds.connection) !== machineOf(news.connection)) replaces.push('connection');
  let changes = replaces.length > 0;
  if (containsUnknown(news.certificates) || !sameSet(declaredFingerprints(news.certificates), recordedFingerprints(olds))) changes = true;
  if (isUnknown(news.exclusive) || Boolean(news.exclusive) !== Boolean(olds.exclusive)) changes = true;
  if (Boolean(news.exclusive) && Array.isArray(olds.unmanagedAliases) && olds.unmanagedAliases.length > 0) changes = true;
  if (isUnknown(news.storePassword) || (news.storePassword ?? null) !== (olds.storePassword ?? null)) changes = true;
  const deleteBeforeReplace = replaces.length > 0 && !isUnknown(news.keystorePath) && sameKeystoreFile(String(olds.keystorePath), String(news.keystorePath));
  return { changes, replaces, deleteBeforeReplace };
}

/** `create`: adds (or takes over) every declared alias and, with exclusive, removes undeclared trusted certificates. One write, none when nothing changes. */
export async function create(props: Props): Promise<dynamic.CreateResult> {
  const inputs = props as unknown as TruststoreInputs;
  const outs = await applyDeclared(inputs, new Map());
  return { id: inputs.keystorePath, outs };
}

/**
 * `update`: aliases dropped from the declaration are removed (only while they still hold the
 * certificate this resource recorded), then the new declaration is applied — one write.
 */
export async function update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const inputs = news as unknown as TruststoreInputs;
  const declared = new Set(inputs.certificates.map((c) => aliasKey(c.alias)));
  const dropped = new Map([...recordedFingerprints(olds)].filter(([key]) => !declared.has(key)));
  return { outs: await applyDeclared(inputs, dropped) };
}

/**
 * `read` (pulumi refresh): the store gone → empty id. Otherwise `entries` lists what each declared
 * alias really holds (missing ones left out), and with exclusive `unmanagedAliases` lists trusted
 * certificates that appeared undeclared; the declared inputs are returned unchanged.
 */
export async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
  const inputs = props as unknown as TruststoreInputs;
  const store = await readStore(inputs.keystorePath, passwordOf(props), inputs.connection);
  if (!store) return { id: '', props: {} };
  const outs = outputsFor(inputs, store);
  return { id, props: outs, inputs: inputsOf(outs) };
}

/** `delete`: removes the declared aliases that still hold the recorded certificates; nothing else (exclusive or not). */
export async function remove(_id: string, props: Props): Promise<void> {
  const inputs = props as unknown as TruststoreInputs;
  const recorded = recordedFingerprints(props);
  try {
    const outcome = await batcherFor(inputs.connection).submit({ path: inputs.keystorePath, password: passwordOf(props) }, (current) => {
      if (!current) return { store: current, result: 0 };
      const removals = ownedRemovals(current, recorded);
      if (removals.length === 0) return { store: current, result: 0 };
      const desired = desiredState(inputs.keystorePath, removals, false);
      return { store: applyPlan(current, computePlan(current, desired), desired, { now: new Date() }), result: removals.length };
    });
    trace(`truststore delete: ${outcome.result} removed; ${outcome.written ? 'wrote' : 'did not write'} ${inputs.keystorePath} (batch of ${outcome.batchSize})`);
  } catch (e) {
    throw asPersonError(e, `deleting the truststore entries from ${inputs.keystorePath}`);
  }
}

/** Applies the declaration plus the removal of `dropped` aliases in one coalesced change and returns the outputs. */
async function applyDeclared(inputs: TruststoreInputs, dropped: Map<string, string>): Promise<Props> {
  const present: DesiredCertificate[] = inputs.certificates.map((c, i) => {
    const cert = parseOneCertificate(c.certificatePem, `certificates[${i}] (alias ${c.alias})`);
    return { alias: c.alias, state: 'present', der: cert.der, sha256: cert.sha256, source: `certificates[${i}]` };
  });
  try {
    const outcome = await batcherFor(inputs.connection).submit({ path: inputs.keystorePath, password: inputs.storePassword }, (current) => {
      if (!current) throw missingStore();
      const desired = desiredState(inputs.keystorePath, [...ownedRemovals(current, dropped), ...present], Boolean(inputs.exclusive));
      const plan = computePlan(current, desired);
      const next = applyPlan(current, plan, desired, { now: new Date() });
      return { store: next, result: next };
    });
    trace(`truststore put: ${outcome.written ? 'wrote' : 'did not write'} ${inputs.keystorePath} (batch of ${outcome.batchSize})`);
    // The store as this change left it; later changes in the same batch touch other aliases only.
    return outputsFor(inputs, outcome.result);
  } catch (e) {
    throw asPersonError(e, inputs.keystorePath);
  }
}

/** Absent-declarations for the recorded aliases that still hold the recorded certificate. */
function ownedRemovals(store: Keystore, recorded: Map<string, string>): DesiredCertificate[] {
  const out: DesiredCertificate[] = [];
  for (const [key, sha] of recorded) {
    const entry = findEntry(store, key);
    if (entry?.kind === 'trustedCertificate' && entry.certificates[0] && sha256Hex(entry.certificates[0]) === sha) {
      out.push({ alias: entry.alias, state: 'absent', source: 'removed from the Truststore' });
    }
  }
  return out;
}

function desiredState(keystorePath: string, certificates: DesiredCertificate[], exclusive: boolean): DesiredState {
  return { sourceFile: '<pulumi>', keystore: { path: keystorePath, create: false }, exclusive, backup: 0, certificates };
}


/** Declared alias key → SHA-256 ("?" for a certificate that does not parse, so it always differs). */
function declaredFingerprints(certificates: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(certificates)) return out;
  for (const c of certificates as DeclaredCertificate[]) {
    let sha = '?';
    try {
      sha = parseOneCertificate(c.certificatePem, c.alias).sha256;
    } catch {
      // check reports why; here it only has to count as a change.
    }
    out.set(aliasKey(c.alias), sha);
  }
  return out;
}

/** Alias key → SHA-256 from the `entries` output (what the store held when last seen). */
function recordedFingerprints(olds: Props): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(olds.entries)) for (const e of olds.entries as EntryOutput[]) out.set(aliasKey(e.alias), e.sha256Fingerprint);
  return out;
}

function sameSet(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/**
 * Outputs: the declared inputs, then what the store holds for them. storePassword stays under its
 * own name only (the engine re-marks it secret; read and delete need it).
 */
function outputsFor(inputs: TruststoreInputs, store: Keystore): Props {
  const entries: EntryOutput[] = [];
  for (const c of inputs.certificates) {
    const entry = findEntry(store, c.alias);
    if (entry?.kind !== 'trustedCertificate' || !entry.certificates[0]) continue;
    const cert = Certificate.fromDer(entry.certificates[0]);
    entries.push({ alias: c.alias, sha256Fingerprint: cert.sha256, subject: cert.facts.subject, notAfter: cert.facts.notAfter.toISOString() });
  }
  const declared = new Set(inputs.certificates.map((c) => aliasKey(c.alias)));
  const unmanagedAliases = inputs.exclusive
    ? store.entries.filter((e) => e.kind === 'trustedCertificate' && !declared.has(aliasKey(e.alias))).map((e) => e.alias).sort()
    : [];
  const soonest = entries.map((e) => e.notAfter).sort()[0];
  const outs: Props = {
    keystorePath: inputs.keystorePath,
    ...(inputs.connection ? { connection: inputs.connection } : {}),
    certificates: inputs.certificates.map((c) => ({ alias: c.alias, certificatePem: c.certificatePem })),
    entries,
    soonestNotAfter: soonest ?? null,
    storeType: store.type,
    unmanagedAliases,
  };
  return copyGiven(outs, inputs, ['storePassword', 'exclusive']);
}

/** The input subset of the outputs (read returns it so refresh keeps the stored inputs in step). */
function inputsOf(outs: Props): Props {
  return pickInputs(outs, ['keystorePath', 'connection', 'storePassword', 'certificates', 'exclusive']);
}

// `delete` is a reserved word for a function declaration; the provider calls this name.
export { remove as delete };
