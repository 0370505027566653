import * as path from 'node:path';
import type { dynamic } from '@pulumi/pulumi';
import { Certificate } from '../certificate/certificate';
import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import { aliasKey, findEntry } from '../keystore/model';
import { applyPlan } from '../plan/applyPlan';
import { computePlan, shortFingerprint } from '../plan/computePlan';
import type { DesiredState } from '../plan/desiredState';
import {
  asPersonError,
  certificateProblem,
  isUnknown,
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
 * The logic behind the TrustedCertificate resource. The serialized provider (midtrustProvider.ts)
 * `require`s this module in the dynamic-provider host and calls one function per provider method;
 * nothing here is serialized, so it may use any module it likes.
 */

const SCHEMA = 'trusted-certificate.schema.json';

/** The inputs of a TrustedCertificate as the provider receives them (secrets already unwrapped). */
interface TrustedCertificateInputs {
  keystorePath: string;
  storePassword?: string;
  connection?: ConnectionInput;
  alias: string;
  certificatePem: string;
  overwrite?: boolean;
}

/** `check`: one failure per bad property; unknown (preview) values are skipped. */
export function check(_olds: Props, news: Props): dynamic.CheckResult {
  const failures: InputFailure[] = schemaFailures(SCHEMA, news);
  const failed = new Set(failures.map((f) => f.property));
  if (!failed.has('keystorePath') && typeof news.keystorePath === 'string' && !isUnknown(news.keystorePath)) {
    const reason = keystorePathProblem(news.keystorePath);
    if (reason) failures.push({ property: 'keystorePath', reason });
  }
  if (!failed.has('certificatePem') && typeof news.certificatePem === 'string' && !isUnknown(news.certificatePem)) {
    const reason = certificateProblem(news.certificatePem, 'certificatePem');
    if (reason) failures.push({ property: 'certificatePem', reason });
  }
  if (!failed.has('connection') && news.connection !== undefined && !isUnknown(news.connection)) failures.push(...connectionProblems(news.connection));
  return { inputs: news, failures };
}

/**
 * `diff` (olds are the previous outputs):
 * - keystorePath (after path.resolve) or alias (compared as Java does, case-insensitively) changed
 *   → replace. Pulumi creates the new entry before deleting the old one, so trust never has a gap;
 *   only when the new path names the same file (a symlink, another spelling) with the same alias
 *   would the create land on the old entry and the delete then remove it — then deleteBeforeReplace.
 * - the certificate's SHA-256 differs from the fingerprint last seen in the store → update (so PEM
 *   whitespace or CRLF edits are no change, and drift found by refresh shows up as an update).
 * - storePassword or overwrite changed → update (no write unless the entry differs too).
 */
export function diff(_id: string, olds: Props, news: Props): dynamic.DiffResult {
  const replaces: string[] = [];
  const pathChanged = isUnknown(news.keystorePath) || path.resolve(String(olds.keystorePath)) !== path.resolve(String(news.keystorePath));
  if (pathChanged) replaces.push('keystorePath');
  // Another machine holds another store: replace. (Credentials alone changing is an update.)
  const machineChanged = isUnknown(news.connection) || machineOf(olds.connection) !== machineOf(news.connection);
  if (machineChanged) replaces.push('connection');
  const aliasChanged = isUnknown(news.alias) || aliasKey(String(olds.alias)) !== aliasKey(String(news.alias));
  if (aliasChanged) replaces.push('alias');

  let changes = replaces.length > 0;
  if (isUnknown(news.certificatePem)) changes = true;
  else if (fingerprintOf(String(news.certificatePem)) !== recordedFingerprint(olds)) changes = true;
  if (isUnknown(news.storePassword) || (news.storePassword ?? null) !== (olds.storePassword ?? null)) changes = true;
  if (isUnknown(news.overwrite) || Boolean(news.overwrite) !== Boolean(olds.overwrite)) changes = true;

  const deleteBeforeReplace =
    replaces.length > 0 &&
    !isUnknown(news.keystorePath) &&
    !isUnknown(news.alias) &&
    aliasKey(String(olds.alias)) === aliasKey(String(news.alias)) &&
    sameKeystoreFile(String(olds.keystorePath), String(news.keystorePath));
  return { changes, replaces, deleteBeforeReplace };
}

/**
 * `create` with adoption: the alias already holding the same certificate is adopted without a
 * write (`pulumi import` of dynamic resources is broken upstream, so this is how existing trust is
 * taken under management); holding another certificate fails unless `overwrite: true`.
 */
export async function create(props: Props): Promise<dynamic.CreateResult> {
  const inputs = props as unknown as TrustedCertificateInputs;
  const cert = parseOneCertificate(inputs.certificatePem, `alias ${inputs.alias}`);
  const storeType = await putCertificate(inputs, cert, { takeOver: Boolean(inputs.overwrite) });
  return { id: idOf(inputs), outs: outputsFor(inputs, cert, storeType) };
}

/**
 * `read` (pulumi refresh): reports what the store holds. Entry gone (or the store gone) → empty id,
 * so the engine drops the resource and the next `up` creates it again. Another certificate under
 * the alias → its fingerprint and facts in the outputs (certificatePem stays what was declared), so
 * the next diff sees the fingerprint differ and plans an update.
 */
export async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
  const inputs = props as unknown as TrustedCertificateInputs;
  const store = await readStore(inputs.keystorePath, passwordOf(props), inputs.connection);
  const entry = store ? findEntry(store, inputs.alias) : undefined;
  if (!store || !entry || entry.kind !== 'trustedCertificate' || !entry.certificates[0]) return { id: '', props: {} };
  const outs = outputsFor(inputs, Certificate.fromDer(entry.certificates[0]), store.type);
  return { id, props: outs, inputs: inputsOf(outs) };
}

/**
 * `update`: the resource owns its alias, so the declared certificate is put there whatever the
 * alias holds now (overwrite only matters when taking an alias over in create). Nothing to change
 * (a password or overwrite edit) → no write.
 */
export async function update(_id: string, _olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const inputs = news as unknown as TrustedCertificateInputs;
  const cert = parseOneCertificate(inputs.certificatePem, `alias ${inputs.alias}`);
  const storeType = await putCertificate(inputs, cert, { takeOver: true });
  return { outs: outputsFor(inputs, cert, storeType) };
}

/**
 * `delete`: removes the resource's own entry — the alias, and only while it still holds the
 * certificate this resource put or adopted there. Already gone, another certificate (someone took
 * the alias over), a key entry, or a missing store: nothing is written and the delete succeeds.
 */
export async function remove(_id: string, props: Props): Promise<void> {
  const inputs = props as unknown as TrustedCertificateInputs;
  const expected = recordedFingerprint(props);
  const target = { path: inputs.keystorePath, password: passwordOf(props) };
  try {
    const outcome = await batcherFor(inputs.connection).submit(target, (current) => {
      const entry = current ? findEntry(current, inputs.alias) : undefined;
      if (!current || !entry || entry.kind !== 'trustedCertificate' || !entry.certificates[0]) return { store: current, result: 'absent' };
      if (sha256Hex(entry.certificates[0]) !== expected) return { store: current, result: 'foreign' };
      const desired = desiredState(inputs.keystorePath, [{ alias: inputs.alias, state: 'absent', source: `alias ${inputs.alias}` }]);
      return { store: applyPlan(current, computePlan(current, desired), desired, { now: new Date() }), result: 'removed' };
    });
    trace(`delete ${inputs.alias}: ${outcome.result}; ${describeOutcome(inputs.keystorePath, outcome)}`);
  } catch (e) {
    throw asPersonError(e, `deleting alias ${inputs.alias} from ${inputs.keystorePath}`);
  }
}

/** Puts `cert` under the alias in one coalesced write (none when it is already there); returns the store type. */
async function putCertificate(inputs: TrustedCertificateInputs, cert: Certificate, opts: { takeOver: boolean }): Promise<string> {
  const target = { path: inputs.keystorePath, password: inputs.storePassword };
  try {
    const outcome = await batcherFor(inputs.connection).submit(target, (current) => {
      if (!current) throw missingStore();
      const entry = findEntry(current, inputs.alias);
      const held = entry?.kind === 'trustedCertificate' && entry.certificates[0] ? sha256Hex(entry.certificates[0]) : undefined;
      if (held === cert.sha256) return { store: current, result: { storeType: current.type, action: 'adopted' } };
      if (held !== undefined && !opts.takeOver) throw aliasTaken(inputs, entry!.certificates[0], held);
      const desired = desiredState(inputs.keystorePath, [
        { alias: inputs.alias, state: 'present', der: cert.der, sha256: cert.sha256, source: `alias ${inputs.alias}` },
      ]);
      const plan = computePlan(current, desired);
      return { store: applyPlan(current, plan, desired, { now: new Date() }), result: { storeType: current.type, action: plan.actions[0]?.action ?? 'unchanged' } };
    });
    trace(`put ${inputs.alias}: ${outcome.result.action}; ${describeOutcome(inputs.keystorePath, outcome)}`);
    return outcome.result.storeType;
  } catch (e) {
    throw asPersonError(e, `alias ${inputs.alias} in ${inputs.keystorePath}`);
  }
}

function describeOutcome(keystorePath: string, outcome: { written: boolean; batchSize: number }): string {
  return `${outcome.written ? 'wrote' : 'did not write'} ${keystorePath} (batch of ${outcome.batchSize})`;
}

function aliasTaken(inputs: TrustedCertificateInputs, der: Uint8Array, held: string): MidtrustError {
  let subject = '';
  try {
    subject = `, subject ${Certificate.fromDer(der).facts.subject}`;
  } catch {
    // The facts are only for the message; a certificate we cannot parse still has a fingerprint.
  }
  return new MidtrustError(
    'INVALID_INPUT',
    `the alias already trusts another certificate (sha256 ${shortFingerprint(held)}${subject}); set overwrite: true to take the alias over, or choose another alias`,
  );
}

/** A one-keystore desired state for plan/apply, built from the resource's inputs. */
function desiredState(keystorePath: string, certificates: DesiredState['certificates']): DesiredState {
  return { sourceFile: '<pulumi>', keystore: { path: keystorePath, create: false }, exclusive: false, backup: 0, certificates };
}

/** The store, or undefined when the file does not exist. Reads need no lock: writes are atomic renames. */

/** Ids name the entry: `<keystorePath>#<alias>` (informational; the provider works from the properties). */
function idOf(inputs: TrustedCertificateInputs): string {
  return `${inputs.keystorePath}#${inputs.alias}`;
}

/** SHA-256 of a PEM input, or undefined when it does not parse (then diff reports a change and check/create say why). */
function fingerprintOf(pem: string): string | undefined {
  try {
    return parseOneCertificate(pem, 'certificatePem').sha256;
  } catch {
    return undefined;
  }
}

/** The fingerprint last seen in the store; state from before that output existed falls back to the declared PEM. */
function recordedFingerprint(olds: Props): string | undefined {
  if (typeof olds.sha256Fingerprint === 'string') return olds.sha256Fingerprint;
  return typeof olds.certificatePem === 'string' ? fingerprintOf(olds.certificatePem) : undefined;
}

/**
 * The outputs: the inputs as declared plus what the store holds. storePassword is kept only under
 * its own name (the engine re-marks it secret; delete and read need it) and copied nowhere else.
 */
function outputsFor(inputs: TrustedCertificateInputs, cert: Certificate, storeType: string): Props {
  const facts = cert.facts;
  const outs: Props = {
    keystorePath: inputs.keystorePath,
    ...(inputs.connection ? { connection: inputs.connection } : {}),
    alias: inputs.alias,
    certificatePem: inputs.certificatePem,
    sha256Fingerprint: cert.sha256,
    subject: facts.subject,
    issuer: facts.issuer,
    notAfter: facts.notAfter.toISOString(),
    isCa: facts.isCa,
    storeType,
  };
  return copyGiven(outs, inputs, ['storePassword', 'overwrite']);
}

/** The input subset of the outputs (read returns it so refresh keeps the stored inputs in step). */
function inputsOf(outs: Props): Props {
  return pickInputs(outs, ['keystorePath', 'connection', 'storePassword', 'alias', 'certificatePem', 'overwrite']);
}

// `delete` is a reserved word for a function declaration; the provider calls this name.
export { remove as delete };
