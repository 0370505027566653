import type { dynamic } from '@pulumi/pulumi';
import { Certificate } from '../certificate/certificate';
import { aliasKey, findEntry } from '../keystore/model';
import { claimsFromOutputs, heldBy, reconcileOwnedEntries, type ClaimMirror } from '../ownership/keystoreClaims';
import { EMPTY_LEDGER, withFound } from '../ownership/ownershipLedger';
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
import {
  copiesSeen,
  DEFAULT_MIGRATED_COPY_HANDLING,
  destroyNote,
  jreReplaced,
  jreReplacedNote,
  observeJre,
  vendorIncomingShas,
  wantsAfterUpgrade,
  withoutAliases,
  type JreIdentity,
  type MigratedCopyHandling,
  type MigratedCopyOutput,
  type UpgradeHandling,
} from './upgradeAwareness';

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
  /** What up does with the upgrade's migrated copies (`snc_<alias>`); default adopt. */
  migratedCopies?: MigratedCopyHandling;
  /** Put an adopted JDK root back after the vendor's next cacerts dropped it; default false. */
  restoreVendorDropped?: boolean;
}

/** What one reconcile saw and did, for the outputs. */
interface Reconciled extends OwnershipOutputs {
  storeType: string | undefined;
  adopted: boolean;
  vendorDropped: boolean;
  copies: MigratedCopyOutput[];
  jre: JreIdentity | null;
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
  if (isUnknown(news.migratedCopies) || handlingOf(news) !== handlingOf(olds)) changes = true;
  if (isUnknown(news.restoreVendorDropped) || Boolean(news.restoreVendorDropped) !== Boolean(olds.restoreVendorDropped)) changes = true;
  // Refresh saw the JRE replaced (a MID upgrade): up records the new JRE and handles the migrated copies.
  if (olds.jreReplaced === true) changes = true;
  if (olds.migratedCopiesSeen !== undefined && Array.isArray(olds.migratedCopiesSeen) && (olds.migratedCopiesSeen as MigratedCopyOutput[]).some((c) => c.inStore && (c.state === 'adopted' || c.state === 'removed'))) changes = true;
  if (isUnknown(news.store) || (news.store ?? 'effective') !== (olds.store ?? 'effective')) changes = true;
  if (connectionChanged(olds.connection, news.connection)) changes = true;
  return { changes, replaces, deleteBeforeReplace: false };
}

function handlingOf(props: Props): MigratedCopyHandling {
  return (props.migratedCopies as MigratedCopyHandling | undefined) ?? DEFAULT_MIGRATED_COPY_HANDLING;
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
  const done = await reconcile(inputs, loc, ownerId, cert, undefined, []);
  return { id: idOf(inputs), outs: outputsFor(inputs, ownerId, done.vendorDropped ? undefined : cert, done, loc) };
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
  const declaredSha = fingerprintOf(inputs.certificatePem);
  const adopted = props.adopted === true;
  const [jre, vendorIncoming] = await Promise.all([observeJre(loc.path, inputs.connection), vendorIncomingShas(loc.path, loc.password, inputs.connection)]);
  const declared = declaredSha ? [{ alias: inputs.alias, der: new Uint8Array(), sha256: declaredSha, source: `alias ${inputs.alias}`, adopted }] : [];
  const handling: UpgradeHandling = { migratedCopies: handlingOf(props), restoreVendorDropped: Boolean(inputs.restoreVendorDropped), vendorIncoming };
  const vendorDropped = store !== undefined && wantsAfterUpgrade(store, EMPTY_LEDGER, ownerIdOf(props), declared, handling).vendorDropped.length > 0;
  const copies = copiesSeen(store, [{ alias: inputs.alias, sha256: declaredSha }], handling.migratedCopies, props.migratedCopiesSeen, new Set(vendorDropped ? [aliasKey(inputs.alias)] : []));
  const replaced = jreReplaced(props.jre, jre);
  // The JRE identity stays the one the last up saw until an up records the new one; jreReplaced says it moved.
  const ownerId = ownerIdOf(props);
  const ownership = store ? await confirmOnRefresh({ path: loc.path, password: loc.password }, inputs.connection, ownerId, claimsFromOutputs(props.claims)) : { claims: claimsFromOutputs(props.claims), notes: [] };
  const done: Reconciled = { storeType: store?.type, adopted, vendorDropped, copies, jre: (props.jre as JreIdentity | null | undefined) ?? jre, ...ownership };
  const outs = outputsFor(inputs, ownerId, held, done, loc, typeof props.storePath === 'string' ? props.storePath : undefined, replaced ? jreReplacedNote(loc.path, jre) : undefined);
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
  // Adopted stays adopted while the declared certificate is the one adopted; a new one was put there by midtrust.
  const adopted = olds.adopted === true && fingerprintOf(String(olds.certificatePem)) === cert.sha256;
  const loc = await locateStore(inputs);
  const done = await reconcile(inputs, loc, ownerId, cert, adopted, claimsFromOutputs(olds.claims));
  // The MID's JVM reads another store than the claim was made in (wired since, store: changed):
  // the claim moves, and what was found in the old store is given back there.
  const before = typeof olds.storePath === 'string' && !samePathSpelling(olds.storePath, loc.path) ? await recordedStore(olds) : undefined;
  if (before) await reconcile({ ...inputs, storePassword: passwordOf(olds) }, before, ownerId, undefined, false, []);
  return { outs: outputsFor(inputs, ownerId, done.vendorDropped ? undefined : cert, done, loc) };
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
  await reconcile({ ...inputs, storePassword: passwordOf(props) }, await recordedStore(props), props.ownerId, undefined, false, []);
  if (typeof props.onDestroy === 'string') trace(`destroy ${inputs.alias}: ${props.onDestroy}`);
}

/**
 * One coalesced read-modify-write of the store and its ownership record: claim `cert` under the
 * alias for `ownerId`, or (cert undefined) release it. After a MID upgrade the migrated copies and
 * vendor-dropped roots are handled as upgradeAwareness.ts decides (one rule with Truststore).
 * `adopted`: known from the outputs (update), or undefined to find out now (create: the alias
 * already holds the declared certificate). `mine` is the claim the resource's outputs remember
 * (update): taken back first where the record lost it.
 */
async function reconcile(inputs: TrustedCertificateInputs, loc: StoreLocation, ownerId: string, cert: Certificate | undefined, adopted: boolean | undefined, mine: readonly ClaimMirror[]): Promise<Reconciled> {
  const keystorePath = loc.path;
  const target = { path: keystorePath, password: loc.password, ownership: true };
  const [jre, vendorIncoming] = cert
    ? await Promise.all([observeJre(keystorePath, inputs.connection), vendorIncomingShas(keystorePath, loc.password, inputs.connection)])
    : [null, undefined];
  const handling: UpgradeHandling = { migratedCopies: handlingOf(inputs as unknown as Props), restoreVendorDropped: Boolean(inputs.restoreVendorDropped), vendorIncoming };
  try {
    const outcome = await batcherFor(inputs.connection).submit<Reconciled>(target, (current, ledger, ownership) => {
      if (!current) {
        if (cert) throw missingStore();
        return { store: current, result: { storeType: undefined, adopted: false, vendorDropped: false, copies: [], jre, claims: [], notes: [] } };
      }
      // Adopted: the outputs say so, or (create) the alias holds the declared certificate now, or the ownership record found it there.
      const found = cert ? heldBy(findEntry(current, inputs.alias))?.digest === cert.sha256 : false;
      const recorded = cert ? ledger.records[aliasKey(inputs.alias)]?.found?.digest === cert.sha256 : false;
      const wasAdopted = (adopted ?? found) || recorded;
      const declared = cert ? [{ alias: inputs.alias, der: cert.der, sha256: cert.sha256, source: `alias ${inputs.alias}`, adopted: wasAdopted }] : [];
      const wants = wantsAfterUpgrade(current, ledger, ownerId, declared, handling);
      const next = reconcileOwnedEntries(current, ledger, ownerId, wants.wanted, { keystorePath, overwrite: Boolean(inputs.overwrite), now: new Date(), mine });
      const store = withoutAliases(next.store, wants.removeUnclaimed);
      return {
        store,
        ledger: wants.vendorRestored.reduce((l, alias) => withFound(l, aliasKey(alias), null), next.ledger),
        result: { storeType: current.type, adopted: wasAdopted, vendorDropped: wants.vendorDropped.length > 0, copies: [...wants.copies], jre, claims: next.claims, notes: [...ownership.notes, ...next.notes] },
      };
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
  // Deliberately not put back (a JDK root the vendor dropped): the declaration is what was seen, not drift.
  if (olds.vendorDropped === true && typeof olds.certificatePem === 'string') return fingerprintOf(olds.certificatePem);
  if (olds.sha256Fingerprint === null) return undefined; // refresh found the entry gone: any declaration differs
  return typeof olds.certificatePem === 'string' ? fingerprintOf(olds.certificatePem) : undefined;
}

/**
 * The outputs: the inputs as declared plus what the store holds. storePassword is kept only under
 * its own name (the engine re-marks it secret; delete and read need it) and copied nowhere else.
 */
function outputsFor(
  inputs: TrustedCertificateInputs,
  ownerId: string,
  cert: Certificate | undefined,
  done: Reconciled,
  loc: StoreLocation,
  claimedIn?: string,
  jreNote?: string,
): Props {
  const facts = cert?.facts;
  const copies = done.copies;
  const trustedAs = [...(cert && cert.sha256 === fingerprintOf(inputs.certificatePem) ? [inputs.alias] : []), ...copies.filter((c) => c.inStore && c.sameCertificate).map((c) => c.alias)];
  const notes = [
    ...(jreNote ? [jreNote] : []),
    ...(done.vendorDropped ? [`${inputs.alias} is a JDK root this resource adopted and the vendor's next cacerts dropped (removed or distrusted): not put back — set restoreVendorDropped: true to trust it again`] : []),
    ...(!cert && !done.vendorDropped ? [copies.some((c) => c.inStore && c.sameCertificate) ? `${inputs.alias} is missing under its alias` : `${inputs.alias} is missing`] : []),
    ...copies.map((c) => `${c.of}: ${c.note}`),
  ];
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
    storeType: done.storeType ?? null,
    ownerId,
    trustedAs,
    migratedCopiesSeen: copies,
    adopted: done.adopted,
    vendorDropped: done.vendorDropped,
    jre: done.jre,
    jreReplaced: jreNote !== undefined,
    upgradeNote: notes.length ? notes.join('; ') : null,
    onDestroy: destroyNote(copies, done.vendorDropped ? [inputs.alias] : []),
    claims: done.claims,
    ownershipNotes: done.notes,
  };
  return copyGiven(outs, inputs, ['storePassword', 'overwrite', 'migratedCopies', 'restoreVendorDropped']);
}

/** The input subset of the outputs (read returns it so refresh keeps the stored inputs in step). */
function inputsOf(outs: Props): Props {
  return pickInputs(outs, ['keystorePath', 'midHome', 'store', 'connection', 'storePassword', 'alias', 'certificatePem', 'overwrite', 'migratedCopies', 'restoreVendorDropped']);
}

// `delete` is a reserved word for a function declaration; the provider calls this name.
export { remove as delete };
