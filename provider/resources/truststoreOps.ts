import type { dynamic } from '@pulumi/pulumi';
import { Certificate } from '../certificate/certificate';
import { aliasKey, findEntry, type Keystore } from '../keystore/model';
import { claimsFromOutputs, exclusiveAbsences, heldBy, reconcileOwnedEntries, type ClaimMirror, type WantedCertificate } from '../ownership/keystoreClaims';
import { EMPTY_LEDGER, withFound } from '../ownership/ownershipLedger';
import { confirmOnRefresh, type OwnershipOutputs } from './ownershipOutputs';
import {
  asPersonError,
  certificateProblem,
  isUnknown,
  containsUnknown,
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
  type DeclaredTrust,
  type JreIdentity,
  type MigratedCopyHandling,
  type MigratedCopyOutput,
  type UpgradeHandling,
} from './upgradeAwareness';

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
  /** Or midHome (and store): exactly one of them (the schema says so). */
  keystorePath?: string;
  midHome?: string;
  store?: MidStoreChoice;
  storePassword?: string;
  connection?: Connection;
  certificates: DeclaredCertificate[];
  exclusive?: boolean;
  overwrite?: boolean;
  /** What up does with the upgrade's migrated copies (`snc_<alias>`); default adopt. */
  migratedCopies?: MigratedCopyHandling;
  /** Put adopted JDK roots back after the vendor's next cacerts dropped them; default false. */
  restoreVendorDropped?: boolean;
}

/** What one reconcile (or refresh) saw, for the outputs beyond the store itself. */
interface UpgradeSeen {
  adoptedAliases: string[];
  vendorDroppedAliases: string[];
  copies: MigratedCopyOutput[];
  jre: JreIdentity | null;
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
  for (const property of ['keystorePath', 'midHome']) {
    const value = news[property];
    if (failed.has(property) || typeof value !== 'string' || isUnknown(value)) continue;
    const reason = keystorePathProblem(value);
    if (reason) failures.push({ property, reason });
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
  if (news.exclusive === true && news.migratedCopies === 'keep') {
    failures.push({ property: 'migratedCopies', reason: 'keep contradicts exclusive: true (an exclusive store trusts only what is declared, so the migrated copies are removed and given back on destroy); drop one of them' });
  }
  if (!failed.has('connection') && news.connection !== undefined && !isUnknown(news.connection)) failures.push(...connectionProblems(news.connection));
  return { inputs: news, failures };
}

/**
 * `diff` (olds are the previous outputs):
 * - keystorePath or midHome (another spelling) or the machine changed → replace, create before delete (the
 *   ownership record keeps the old delete from removing what the new resource claimed).
 * - the declared (alias, SHA-256) set differs from what the store held at the last create/update/
 *   refresh (`entries`) → update. PEM formatting is no change; alias case is no change.
 * - exclusive, overwrite, storePassword or any connection detail changed, or an exclusive store
 *   gained undeclared entries (seen by refresh in `unmanagedAliases`), or store (effective/
 *   bundled) changed → update. Which store a midHome names is never looked up here (see
 *   TrustedCertificate): previews are decided on inputs.
 */
export function diff(_id: string, olds: Props, news: Props): dynamic.DiffResult {
  const replaces: string[] = [];
  replaces.push(...storeNameChanged(olds, news));
  if (isUnknown(news.connection) || machineOf(olds.connection) !== machineOf(news.connection)) replaces.push('connection');
  let changes = replaces.length > 0;
  if (containsUnknown(news.certificates) || !sameSet(declaredFingerprints(news.certificates), recordedFingerprints(olds))) changes = true;
  if (isUnknown(news.exclusive) || Boolean(news.exclusive) !== Boolean(olds.exclusive)) changes = true;
  if (isUnknown(news.overwrite) || Boolean(news.overwrite) !== Boolean(olds.overwrite)) changes = true;
  if (isUnknown(news.store) || (news.store ?? 'effective') !== (olds.store ?? 'effective')) changes = true;
  if (Boolean(news.exclusive) && Array.isArray(olds.unmanagedAliases) && olds.unmanagedAliases.length > 0) changes = true;
  if (isUnknown(news.migratedCopies) || handlingOf(news) !== handlingOf(olds)) changes = true;
  if (isUnknown(news.restoreVendorDropped) || Boolean(news.restoreVendorDropped) !== Boolean(olds.restoreVendorDropped)) changes = true;
  // Refresh saw the JRE replaced (a MID upgrade), or copies the next up adopts or removes.
  if (olds.jreReplaced === true) changes = true;
  if (Array.isArray(olds.migratedCopiesSeen) && (olds.migratedCopiesSeen as MigratedCopyOutput[]).some((c) => c.inStore && (c.state === 'adopted' || c.state === 'removed'))) changes = true;
  if (isUnknown(news.storePassword) || (news.storePassword ?? null) !== (olds.storePassword ?? null)) changes = true;
  if (connectionChanged(olds.connection, news.connection)) changes = true;
  return { changes, replaces, deleteBeforeReplace: false };
}

/**
 * `create`: claims every declared alias for a new owner id (identical entries adopted without a
 * write; an alias holding another certificate refused unless `overwrite: true`) and, with
 * exclusive, every undeclared trusted certificate (removed, and given back by destroy). One write,
 * none when nothing changes.
 */
export async function create(props: Props): Promise<dynamic.CreateResult> {
  const inputs = props as unknown as TruststoreInputs;
  const ownerId = newOwnerId();
  return { id: inputs.keystorePath ?? String(inputs.midHome), outs: await reconcile(inputs, await locateStore(inputs), ownerId, declared(inputs), undefined, []) };
}

/**
 * `update`: the declaration reconciled with what this resource owns — aliases dropped from the
 * list (or freed by exclusive, once exclusive is off) are given back as they were found, the
 * declared ones put in place. One write.
 */
export async function update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const inputs = news as unknown as TruststoreInputs;
  const ownerId = ownerIdOf(olds);
  const loc = await locateStore(inputs);
  const outs = await reconcile(inputs, loc, ownerId, declared(inputs), stillAdopted(olds, inputs), claimsFromOutputs(olds.claims));
  // The MID's JVM reads another store than the claims were made in: they move, and the old store gets back what was found there.
  if (typeof olds.storePath === 'string' && !samePathSpelling(olds.storePath, loc.path)) {
    await reconcile({ ...inputs, exclusive: Boolean(olds.exclusive), storePassword: passwordOf(olds) }, await recordedStore(olds), ownerId, undefined, undefined, []);
  }
  return { outs };
}

/**
 * The aliases still adopted at an update: adopted before and declaring the same certificate.
 * Newly declared aliases are found out in the change (they hold the declared certificate already).
 */
function stillAdopted(olds: Props, inputs: TruststoreInputs): { adopted: Set<string>; known: Set<string> } {
  const before = new Set(Array.isArray(olds.adoptedAliases) ? (olds.adoptedAliases as string[]).map(aliasKey) : []);
  const oldShas = declaredFingerprints(olds.certificates);
  const newShas = declaredFingerprints(inputs.certificates);
  const adopted = new Set([...before].filter((k) => oldShas.get(k) !== undefined && oldShas.get(k) === newShas.get(k)));
  return { adopted, known: new Set(oldShas.keys()) };
}

/**
 * `read` (pulumi refresh): `entries` lists what each declared alias really holds (missing ones — or
 * all, when the store itself is gone — left out), and with exclusive `unmanagedAliases` lists
 * trusted certificates that appeared undeclared; the declared inputs are returned unchanged, so the
 * next diff plans an update. The resource stays in the state to keep its claims (see TrustedCertificate).
 */
export async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
  const inputs = props as unknown as TruststoreInputs;
  // A midHome: the store its JVM reads now (an upgrade or a new wiring may have changed it).
  const loc = await locateStore({ ...inputs, storePassword: passwordOf(props) });
  const store = await readStore(loc.path, loc.password, inputs.connection);
  const [jre, vendorIncoming] = await Promise.all([observeJre(loc.path, inputs.connection), vendorIncomingShas(loc.path, loc.password, inputs.connection)]);
  const adopted = new Set(Array.isArray(props.adoptedAliases) ? (props.adoptedAliases as string[]).map(aliasKey) : []);
  const shas = declaredFingerprints(inputs.certificates);
  const declaredTrust: DeclaredTrust[] = inputs.certificates.map((c, i) => ({ alias: c.alias, der: new Uint8Array(), sha256: shas.get(aliasKey(c.alias)) ?? '?', source: `certificates[${i}]`, adopted: adopted.has(aliasKey(c.alias)) }));
  const handling: UpgradeHandling = { migratedCopies: handlingOf(props), restoreVendorDropped: Boolean(inputs.restoreVendorDropped), vendorIncoming };
  const vendorDroppedAliases = store ? [...wantsAfterUpgrade(store, EMPTY_LEDGER, ownerIdOf(props), declaredTrust, handling).vendorDropped] : [];
  const copies = copiesSeen(store, declaredTrust, handling.migratedCopies, props.migratedCopiesSeen, new Set(vendorDroppedAliases.map(aliasKey)));
  const replaced = jreReplaced(props.jre, jre);
  const seen: UpgradeSeen = { adoptedAliases: [...adopted], vendorDroppedAliases, copies, jre: (props.jre as JreIdentity | null | undefined) ?? jre };
  const ownerId = ownerIdOf(props);
  const ownership = store ? await confirmOnRefresh({ path: loc.path, password: loc.password }, inputs.connection, ownerId, claimsFromOutputs(props.claims)) : { claims: claimsFromOutputs(props.claims), notes: [] };
  const outs = outputsFor(inputs, ownerId, store, loc, typeof props.storePath === 'string' ? props.storePath : undefined, seen, ownership, replaced ? jreReplacedNote(loc.path, jre) : undefined);
  return { id, props: outs, inputs: inputsOf(outs) };
}

/**
 * `delete`: lets go of every alias this resource owns; where it was the last owner, what was found
 * is given back (free aliases removed, taken-over or exclusive-removed certificates put back,
 * adopted entries left). Nothing else is touched.
 */
export async function remove(_id: string, props: Props): Promise<void> {
  const inputs = props as unknown as TruststoreInputs;
  if (typeof props.ownerId !== 'string') return; // no claim was ever recorded for it: nothing is ours to give back
  // Given back where the claims were made (storePath), not wherever the MID's JVM reads now.
  const loc = await recordedStore(props);
  await reconcile({ ...inputs, storePassword: passwordOf(props) }, loc, props.ownerId, undefined, undefined, []);
  if (typeof props.onDestroy === 'string') trace(`destroy truststore ${loc.path}: ${props.onDestroy}`);
}

/** The declared certificates, parsed (check already explained any that do not parse). */
function declared(inputs: TruststoreInputs): WantedCertificate[] {
  return inputs.certificates.map((c, i) => {
    const cert = parseOneCertificate(c.certificatePem, `certificates[${i}] (alias ${c.alias})`);
    return { alias: c.alias, der: cert.der, sha256: cert.sha256, source: `certificates[${i}]` };
  });
}

/**
 * One coalesced read-modify-write of the store and its ownership record: what `ownerId` owns
 * reconciled with `wanted` (undefined: delete, so nothing is wanted), after a MID upgrade with
 * the migrated copies and vendor-dropped roots handled as upgradeAwareness.ts decides (one rule
 * with TrustedCertificate). `adoption`: what the outputs say was adopted (update), undefined at
 * create. Returns the outputs.
 */
async function reconcile(
  inputs: TruststoreInputs,
  loc: StoreLocation,
  ownerId: string,
  wanted: WantedCertificate[] | undefined,
  adoption: { adopted: Set<string>; known: Set<string> } | undefined,
  mine: readonly ClaimMirror[],
): Promise<Props> {
  const keystorePath = loc.path;
  const target = { path: keystorePath, password: loc.password, ownership: true };
  const [jre, vendorIncoming] = wanted
    ? await Promise.all([observeJre(keystorePath, inputs.connection), vendorIncomingShas(keystorePath, loc.password, inputs.connection)])
    : [null, undefined];
  const handling: UpgradeHandling = { migratedCopies: handlingOf(inputs as unknown as Props), restoreVendorDropped: Boolean(inputs.restoreVendorDropped), vendorIncoming };
  try {
    const outcome = await batcherFor(inputs.connection).submit<{ store: Keystore; seen: UpgradeSeen; ownership: OwnershipOutputs } | undefined>(target, (current, ledger, ownership) => {
      if (!current) {
        if (wanted) throw missingStore();
        return { store: current, result: undefined }; // store gone: nothing left to give back
      }
      // Adopted: found holding the declared certificate when first declared (create, or a new alias at update).
      const adoptedNow = (w: WantedCertificate): boolean =>
        (adoption && adoption.known.has(aliasKey(w.alias)) ? adoption.adopted.has(aliasKey(w.alias)) : heldBy(findEntry(current, w.alias))?.digest === w.sha256) ||
        ledger.records[aliasKey(w.alias)]?.found?.digest === w.sha256;
      const declaredTrust: DeclaredTrust[] = (wanted ?? []).map((w) => ({ ...w, adopted: adoptedNow(w) }));
      const wants = wantsAfterUpgrade(current, ledger, ownerId, declaredTrust, handling);
      const want = wants.wanted;
      if (wanted && inputs.exclusive) {
        const declaredKeys = new Set([...want.keys(), ...wants.vendorDropped.map(aliasKey)]);
        const unclaimed = new Set(wants.removeUnclaimed.map(aliasKey));
        for (const [key, absent] of exclusiveAbsences(current, ledger, ownerId, declaredKeys)) if (!want.has(key) && !unclaimed.has(key)) want.set(key, absent);
      }
      const next = reconcileOwnedEntries(current, ledger, ownerId, want, { keystorePath, overwrite: Boolean(inputs.overwrite), now: new Date(), mine });
      const store = withoutAliases(next.store, wants.removeUnclaimed);
      const seen: UpgradeSeen = { adoptedAliases: declaredTrust.filter((d) => d.adopted).map((d) => d.alias), vendorDroppedAliases: [...wants.vendorDropped], copies: [...wants.copies], jre };
      return { store, ledger: wants.vendorRestored.reduce((l, alias) => withFound(l, aliasKey(alias), null), next.ledger), result: { store, seen, ownership: { claims: next.claims, notes: [...ownership.notes, ...next.notes] } } };
    });
    trace(`truststore ${wanted ? 'claim' : 'release'}: ${outcome.written ? 'wrote' : 'did not write'} ${keystorePath} (batch of ${outcome.batchSize})`);
    for (const note of outcome.result?.ownership.notes ?? []) trace(`note: ${note}`);
    // The store as this change left it; later changes in the same batch touch other aliases only.
    return outcome.result ? outputsFor(inputs, ownerId, outcome.result.store, loc, undefined, outcome.result.seen, outcome.result.ownership) : {};
  } catch (e) {
    const which = loc.why ? `${keystorePath} (${loc.why})` : keystorePath;
    throw asPersonError(e, wanted ? which : `deleting the truststore entries from ${which}`);
  }
}

function handlingOf(props: Props): MigratedCopyHandling {
  return (props.migratedCopies as MigratedCopyHandling | undefined) ?? DEFAULT_MIGRATED_COPY_HANDLING;
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
  // Deliberately not put back (JDK roots the vendor dropped): what was declared is what was seen, not drift.
  if (Array.isArray(olds.vendorDroppedAliases)) {
    const declaredThen = declaredFingerprints(olds.certificates);
    for (const a of olds.vendorDroppedAliases as string[]) if (declaredThen.has(aliasKey(a))) out.set(aliasKey(a), declaredThen.get(aliasKey(a))!);
  }
  return out;
}

function sameSet(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/**
 * Outputs: the declared inputs, then what the store holds for them. storePassword stays under its
 * own name only (the engine re-marks it secret; read and delete need it).
 */
function outputsFor(inputs: TruststoreInputs, ownerId: string, store: Keystore | undefined, loc: StoreLocation, claimedIn: string | undefined, seen: UpgradeSeen, ownership: OwnershipOutputs, jreNote?: string): Props {
  const entries: EntryOutput[] = [];
  for (const c of inputs.certificates) {
    const entry = store ? findEntry(store, c.alias) : undefined;
    if (entry?.kind !== 'trustedCertificate' || !entry.certificates[0]) continue;
    const cert = Certificate.fromDer(entry.certificates[0]);
    entries.push({ alias: c.alias, sha256Fingerprint: cert.sha256, subject: cert.facts.subject, notAfter: cert.facts.notAfter.toISOString() });
  }
  const declared = new Set(inputs.certificates.map((c) => aliasKey(c.alias)));
  const unmanagedAliases = inputs.exclusive && store
    ? store.entries.filter((e) => e.kind === 'trustedCertificate' && !declared.has(aliasKey(e.alias))).map((e) => e.alias).sort()
    : [];
  const soonest = entries.map((e) => e.notAfter).sort()[0];
  const outs: Props = {
    ...(inputs.keystorePath !== undefined ? { keystorePath: inputs.keystorePath } : {}),
    ...storeOutputs(inputs, loc, claimedIn),
    ...(inputs.connection ? { connection: inputs.connection } : {}),
    certificates: inputs.certificates.map((c) => ({ alias: c.alias, certificatePem: c.certificatePem })),
    entries,
    soonestNotAfter: soonest ?? null,
    storeType: store?.type ?? null,
    unmanagedAliases,
    ownerId,
    migratedCopiesSeen: seen.copies,
    adoptedAliases: seen.adoptedAliases,
    vendorDroppedAliases: seen.vendorDroppedAliases,
    jre: seen.jre,
    jreReplaced: jreNote !== undefined,
    upgradeNote: upgradeNoteOf(inputs, entries, seen, jreNote),
    onDestroy: destroyNote(seen.copies, seen.vendorDroppedAliases),
    claims: ownership.claims,
    ownershipNotes: ownership.notes,
  };
  return copyGiven(outs, inputs, ['storePassword', 'exclusive', 'overwrite', 'migratedCopies', 'restoreVendorDropped']);
}

/** The upgrade's traces for people: JRE replaced, aliases missing or trusted only as a migrated copy, vendor-dropped roots. */
function upgradeNoteOf(inputs: TruststoreInputs, entries: EntryOutput[], seen: UpgradeSeen, jreNote: string | undefined): string | null {
  const present = new Set(entries.map((e) => aliasKey(e.alias)));
  const dropped = new Set(seen.vendorDroppedAliases.map(aliasKey));
  const notes = [
    ...(jreNote ? [jreNote] : []),
    ...seen.vendorDroppedAliases.map((a) => `${a} is a JDK root this resource adopted and the vendor's next cacerts dropped (removed or distrusted): not put back — set restoreVendorDropped: true to trust it again`),
    ...inputs.certificates.filter((c) => !present.has(aliasKey(c.alias)) && !dropped.has(aliasKey(c.alias)) && !seen.copies.some((k) => k.inStore && k.sameCertificate && aliasKey(k.of) === aliasKey(c.alias))).map((c) => `${c.alias} is missing`),
    ...seen.copies.map((c) => `${c.of}: ${c.note}`),
  ];
  return notes.length ? notes.join('; ') : null;
}

/** The input subset of the outputs (read returns it so refresh keeps the stored inputs in step). */
function inputsOf(outs: Props): Props {
  return pickInputs(outs, ['keystorePath', 'midHome', 'store', 'connection', 'storePassword', 'certificates', 'exclusive', 'overwrite', 'migratedCopies', 'restoreVendorDropped']);
}

// `delete` is a reserved word for a function declaration; the provider calls this name.
export { remove as delete };
