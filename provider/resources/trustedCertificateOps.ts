import type { dynamic } from '@pulumi/pulumi';
import { Certificate } from '../certificate/certificate';
import { aliasKey, findEntry } from '../keystore/model';
import { claimsFromOutputs, reconcileOwnedEntries, type ClaimMirror, type WantedEntries } from '../ownership/keystoreClaims';
import { confirmOnRefresh, type OwnershipOutputs } from './ownershipOutputs';
import {
  asPersonError,
  certificateProblem,
  isUnknown,
  keystorePathProblem,
  missingStore,
  newOwnerId,
  ownerIdOf,
  parseOneCertificate,
  passwordOf,
  samePathSpelling,
  schemaFailures,
  type InputFailure,
  type Props,
} from './resourceInputs';
import { trace } from './sharedBatcher';
import { copyGiven, locateStore, pickInputs, readStore, recordedStore, storeNameChanged, storeOutputs, type StoreLocation } from './storeAccess';
import type { MidStoreChoice } from '../mid/effectiveStore';
import { batcherFor, connectionChanged, connectionProblems, machineOf, type Connection } from './connectionInput';

/*
 * The logic behind the TrustedCertificate resource. The serialized provider (midtrustProvider.ts)
 * `require`s this module in the dynamic-provider host and calls one function per provider method;
 * nothing here is serialized, so it may use any module it likes.
 */

const SCHEMA = 'trusted-certificate.schema.json';

/** The inputs of a TrustedCertificate as the provider receives them (secrets already unwrapped). */
interface TrustedCertificateInputs {
  /** Or midHome (and store): exactly one of them (the schema says so). */
  keystorePath?: string;
  midHome?: string;
  store?: MidStoreChoice;
  storePassword?: string;
  connection?: Connection;
  alias: string;
  certificatePem: string;
  overwrite?: boolean;
}

/** `check`: one failure per bad property; unknown (preview) values are skipped. */
export function check(_olds: Props, news: Props): dynamic.CheckResult {
  const failures: InputFailure[] = schemaFailures(SCHEMA, news);
  const failed = new Set(failures.map((f) => f.property));
  for (const property of ['keystorePath', 'midHome']) {
    const value = news[property];
    if (failed.has(property) || typeof value !== 'string' || isUnknown(value)) continue;
    const reason = keystorePathProblem(value);
    if (reason) failures.push({ property, reason });
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
 * - keystorePath or midHome (another spelling) or alias (compared as Java does,
 *   case-insensitively) or the machine changed → replace, create before delete: the ownership record beside the store makes
 *   the old resource's delete keep an entry the new one claimed, even when both name one file.
 * - the certificate's SHA-256 differs from the fingerprint last seen in the store → update (so PEM
 *   whitespace or CRLF edits are no change, and drift found by refresh shows up as an update).
 * - storePassword, overwrite, store (effective/bundled) or any connection detail (a rotated key)
 *   changed → update, which writes nothing unless the entry differs too.
 * Which store a midHome names is never looked up here: the diff is on inputs, so a preview is the
 * same whether or not the program's ExternalTruststore has wired the store yet.
 */
export function diff(_id: string, olds: Props, news: Props): dynamic.DiffResult {
  const replaces: string[] = [];
  replaces.push(...storeNameChanged(olds, news));
  if (isUnknown(news.connection) || machineOf(olds.connection) !== machineOf(news.connection)) replaces.push('connection');
  if (isUnknown(news.alias) || aliasKey(String(olds.alias)) !== aliasKey(String(news.alias))) replaces.push('alias');

  let changes = replaces.length > 0;
  if (isUnknown(news.certificatePem)) changes = true;
  else if (fingerprintOf(String(news.certificatePem)) !== recordedFingerprint(olds)) changes = true;
  if (isUnknown(news.storePassword) || (news.storePassword ?? null) !== (olds.storePassword ?? null)) changes = true;
  if (isUnknown(news.overwrite) || Boolean(news.overwrite) !== Boolean(olds.overwrite)) changes = true;
  if (isUnknown(news.store) || (news.store ?? 'effective') !== (olds.store ?? 'effective')) changes = true;
  if (connectionChanged(olds.connection, news.connection)) changes = true;
  return { changes, replaces, deleteBeforeReplace: false };
}

/**
 * `create`: claims the alias for a new owner id. The alias already holding the same certificate is
 * adopted without a write (`pulumi import` of dynamic resources is broken upstream, so this is how
 * existing trust is taken under management) and destroy leaves it there; holding another
 * certificate fails unless `overwrite: true`, and then destroy puts the previous one back.
 */
export async function create(props: Props): Promise<dynamic.CreateResult> {
  const inputs = props as unknown as TrustedCertificateInputs;
  const ownerId = newOwnerId();
  const cert = parseOneCertificate(inputs.certificatePem, `alias ${inputs.alias}`);
  const loc = await locateStore(inputs);
  const done = await reconcile(inputs, loc, ownerId, cert, []);
  return { id: idOf(inputs), outs: outputsFor(inputs, ownerId, cert, done.storeType, loc, done) };
}

/**
 * `read` (pulumi refresh): reports what the store holds. Another certificate under the alias → its
 * fingerprint and facts in the outputs; the entry (or the whole store) gone → the fingerprint and
 * facts become null. Either way certificatePem stays what was declared, so the next diff sees the
 * fingerprint differ and plans an update that puts it back. The resource stays in the state on
 * purpose: it keeps its claim in the store's ownership record, so a later destroy still gives back
 * exactly what it found.
 */
export async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
  const inputs = props as unknown as TrustedCertificateInputs;
  // A midHome: the store its JVM reads now (an upgrade or a new wiring may have changed it).
  const loc = await locateStore({ ...inputs, storePassword: passwordOf(props) });
  const store = await readStore(loc.path, loc.password, inputs.connection);
  const entry = store ? findEntry(store, inputs.alias) : undefined;
  const held = entry?.kind === 'trustedCertificate' && entry.certificates[0] ? Certificate.fromDer(entry.certificates[0]) : undefined;
  const ownerId = ownerIdOf(props);
  const ownership = store ? await confirmOnRefresh({ path: loc.path, password: loc.password }, inputs.connection, ownerId, claimsFromOutputs(props.claims)) : { claims: claimsFromOutputs(props.claims), notes: [] };
  const outs = outputsFor(inputs, ownerId, held, store?.type, loc, ownership, typeof props.storePath === 'string' ? props.storePath : undefined);
  return { id, props: outs, inputs: inputsOf(outs) };
}

/**
 * `update`: puts the declared certificate under the alias this resource owns (drift repaired, a new
 * certificate rolled out); a credentials or password edit alone writes nothing.
 */
export async function update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const inputs = news as unknown as TrustedCertificateInputs;
  const ownerId = ownerIdOf(olds);
  const cert = parseOneCertificate(inputs.certificatePem, `alias ${inputs.alias}`);
  const loc = await locateStore(inputs);
  const done = await reconcile(inputs, loc, ownerId, cert, claimsFromOutputs(olds.claims));
  // The MID's JVM reads another store than the claim was made in (wired since, store: changed):
  // the claim moves, and what was found in the old store is given back there.
  const before = typeof olds.storePath === 'string' && !samePathSpelling(olds.storePath, loc.path) ? await recordedStore(olds) : undefined;
  if (before) await reconcile({ ...inputs, storePassword: passwordOf(olds) }, before, ownerId, undefined, []);
  return { outs: outputsFor(inputs, ownerId, cert, done.storeType, loc, done) };
}

/**
 * `delete`: lets go of the alias. When no other resource owns it (a renamed or moved successor
 * claims it in the same deployment), what the first owner found is given back: the alias removed
 * when it was free, the previous certificate put back when it was taken over, nothing when the
 * entry was adopted. An entry changed by hand since, a missing store or record: nothing is written.
 */
export async function remove(_id: string, props: Props): Promise<void> {
  const inputs = props as unknown as TrustedCertificateInputs;
  if (typeof props.ownerId !== 'string') return; // no claim was ever recorded for it: nothing is ours to give back
  // Given back where the claim was made (storePath), not wherever the MID's JVM reads now.
  await reconcile({ ...inputs, storePassword: passwordOf(props) }, await recordedStore(props), props.ownerId, undefined, []);
}

/**
 * One coalesced read-modify-write of the store and its ownership record: claim `cert` under the
 * alias for `ownerId`, or (cert undefined) release it. `mine` is the claim the resource's outputs
 * remember (update): taken back first where the record lost it. Returns the store type and the
 * claim as the outputs show it.
 */
async function reconcile(inputs: TrustedCertificateInputs, loc: StoreLocation, ownerId: string, cert: Certificate | undefined, mine: readonly ClaimMirror[]): Promise<OwnershipOutputs & { storeType: string | undefined }> {
  const keystorePath = loc.path;
  const target = { path: keystorePath, password: loc.password, ownership: true };
  const key = aliasKey(inputs.alias);
  const wanted: WantedEntries = cert ? new Map([[key, { alias: inputs.alias, der: cert.der, sha256: cert.sha256, source: `alias ${inputs.alias}` }]]) : new Map();
  try {
    const outcome = await batcherFor(inputs.connection).submit<OwnershipOutputs & { storeType: string | undefined }>(target, (current, ledger, ownership) => {
      if (!current) {
        if (cert) throw missingStore();
        return { store: current, result: { storeType: undefined, claims: [], notes: [] } }; // store gone: nothing left to give back
      }
      const next = reconcileOwnedEntries(current, ledger, ownerId, wanted, { keystorePath, overwrite: Boolean(inputs.overwrite), now: new Date(), mine });
      return { store: next.store, ledger: next.ledger, result: { storeType: current.type, claims: next.claims, notes: [...ownership.notes, ...next.notes] } };
    });
    trace(`${cert ? 'claim' : 'release'} ${inputs.alias}: ${describeOutcome(keystorePath, outcome)}`);
    for (const note of outcome.result.notes) trace(`note: ${note}`);
    return outcome.result;
  } catch (e) {
    const which = loc.why ? `${keystorePath} (${loc.why})` : keystorePath;
    throw asPersonError(e, cert ? `alias ${inputs.alias} in ${which}` : `deleting alias ${inputs.alias} from ${which}`);
  }
}

function describeOutcome(keystorePath: string, outcome: { written: boolean; batchSize: number }): string {
  return `${outcome.written ? 'wrote' : 'did not write'} ${keystorePath} (batch of ${outcome.batchSize})`;
}

/** Ids name the entry: `<keystorePath or midHome>#<alias>` (informational; the provider works from the properties). */
function idOf(inputs: TrustedCertificateInputs): string {
  return `${inputs.keystorePath ?? inputs.midHome}#${inputs.alias}`;
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
  if (olds.sha256Fingerprint === null) return undefined; // refresh found the entry gone: any declaration differs
  return typeof olds.certificatePem === 'string' ? fingerprintOf(olds.certificatePem) : undefined;
}

/**
 * The outputs: the inputs as declared plus what the store holds. storePassword is kept only under
 * its own name (the engine re-marks it secret; delete and read need it) and copied nowhere else.
 */
function outputsFor(inputs: TrustedCertificateInputs, ownerId: string, cert: Certificate | undefined, storeType: string | undefined, loc: StoreLocation, ownership: OwnershipOutputs, claimedIn?: string): Props {
  const facts = cert?.facts;
  const outs: Props = {
    ...(inputs.keystorePath !== undefined ? { keystorePath: inputs.keystorePath } : {}),
    ...storeOutputs(inputs, loc, claimedIn),
    ...(inputs.connection ? { connection: inputs.connection } : {}),
    alias: inputs.alias,
    certificatePem: inputs.certificatePem,
    sha256Fingerprint: cert?.sha256 ?? null,
    subject: facts?.subject ?? null,
    issuer: facts?.issuer ?? null,
    notAfter: facts?.notAfter.toISOString() ?? null,
    isCa: facts?.isCa ?? null,
    storeType: storeType ?? null,
    ownerId,
    claims: ownership.claims,
    ownershipNotes: ownership.notes,
  };
  return copyGiven(outs, inputs, ['storePassword', 'overwrite']);
}

/** The input subset of the outputs (read returns it so refresh keeps the stored inputs in step). */
function inputsOf(outs: Props): Props {
  return pickInputs(outs, ['keystorePath', 'midHome', 'store', 'connection', 'storePassword', 'alias', 'certificatePem', 'overwrite']);
}

// `delete` is a reserved word for a function declaration; the provider calls this name.
export { remove as delete };
