import * as path from 'node:path';
import type { dynamic } from '@pulumi/pulumi';
import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import { withKeystoreLock } from '../host/keystoreMutex';
import type { Host } from '../host/host';
import { connectionChanged, connectionProblems, hostFor, machineOf } from './connectionInput';
import { readKeystore, writeKeystore } from '../keystore/keystoreCodec';
import { sniffKeystoreType } from '../keystore/sniff';
import { storedAlias, type Keystore, type KeystoreType } from '../keystore/model';
import { isInsideMidHome, midLayout, validateMidLayout } from '../mid/midLayout';
import { readExternalTruststore, readSystemProperties, setSystemProperties, TRUSTSTORE_PROPERTIES } from '../mid/wrapperOverride';
import { hostDirname, readLedger, recordLocation } from '../ownership/ledgerFile';
import { reconcileClaims, textValue, type HeldValue, type Ledger } from '../ownership/ownershipLedger';
import { editTextFile, readTextFile } from './lockedTextEdit';
import { asPersonError, isUnknown, keystorePathProblem, newOwnerId, ownerIdOf, passwordOf, samePathSpelling, schemaFailures, type InputFailure, type Props } from './resourceInputs';
import { RESTART_NOTE, runRestartCommand } from './restartCommand';
import { trace } from './sharedBatcher';

/*
 * The logic behind the ExternalTruststore resource (required by name from midtrustProvider.ts in
 * the dynamic-provider host): a truststore outside the MID home, created when missing, and the
 * three -Djavax.net.ssl.trustStore* lines of agent/conf/wrapper-override.conf that point the MID's
 * JVM at it.
 */

const SCHEMA = 'external-truststore.schema.json';

/** The password Java ≤ 17 ships cacerts with; tried on the bundled store when the given one fails. */
const BUNDLED_DEFAULT_PASSWORD = 'changeit';

interface ExternalTruststoreInputs {
  midHome: string;
  truststorePath: string;
  storePassword?: string;
  storeType?: 'PKCS12' | 'JKS';
  seedFromBundled?: boolean;
  restartCommand?: string;
  connection?: unknown;
}

/** `check`: schema, absolute paths, a store outside the MID home, and a password for a new JKS. */
export function check(_olds: Props, news: Props): dynamic.CheckResult {
  const failures: InputFailure[] = schemaFailures(SCHEMA, news);
  const failed = new Set(failures.map((f) => f.property));
  const known = (k: string): k is string => !failed.has(k) && typeof news[k] === 'string' && !isUnknown(news[k]);
  for (const k of ['midHome', 'truststorePath']) {
    if (!known(k)) continue;
    const reason = keystorePathProblem(String(news[k]));
    if (reason) {
      failures.push({ property: k, reason });
      failed.add(k);
    }
  }
  if (known('midHome') && known('truststorePath')) {
    const layout = midLayout(String(news.midHome));
    if (isInsideMidHome(layout, String(news.truststorePath))) {
      failures.push({
        property: 'truststorePath',
        reason: `'${String(news.truststorePath)}' is inside the MID home ${layout.home}; an upgrade replaces the MID install, so put the truststore outside it (e.g. /etc/servicenow/mid-truststore.p12)`,
      });
    }
  }
  if (news.storeType === 'JKS' && news.storePassword === undefined) {
    failures.push({ property: 'storePassword', reason: 'a JKS store needs a storePassword (its integrity check is keyed by it); give one, or use storeType PKCS12' });
  }
  if (!failed.has('connection') && news.connection !== undefined && !isUnknown(news.connection)) failures.push(...connectionProblems(news.connection));
  return { inputs: news, failures };
}

/**
 * `diff` (olds are the previous outputs, whose wired* values are what wrapper-override.conf held):
 * another MID home spelling or machine → replace (create before delete; the ownership record keeps
 * the old delete from removing lines the new resource set); anything the three lines should say
 * but do not → update; other input edits (seedFromBundled, storeType of an existing store,
 * restartCommand, a rotated SSH key) → update without a write.
 */
export function diff(_id: string, olds: Props, news: Props): dynamic.DiffResult {
  const replaces: string[] = [];
  const wrapperOf = (p: Props): string => midLayout(String(p.midHome)).wrapperOverride;
  if (isUnknown(news.midHome) || !samePathSpelling(wrapperOf(news), wrapperOf(olds))) replaces.push('midHome');
  if (isUnknown(news.connection) || machineOf(olds.connection) !== machineOf(news.connection)) replaces.push('connection');
  const password = passwordOf(news);
  const changes =
    replaces.length > 0 ||
    Object.values(news).some(isUnknown) ||
    news.truststorePath !== olds.wiredTruststorePath ||
    (password ?? null) !== (olds.storePassword ?? null) ||
    (password !== undefined) !== Boolean(olds.passwordWired) ||
    olds.wiredStoreType !== olds.storeFormat ||
    (news.storeType ?? null) !== (olds.storeType ?? null) ||
    seedsFromBundled(news) !== seedsFromBundled(olds) ||
    (news.restartCommand ?? null) !== (olds.restartCommand ?? null) ||
    connectionChanged(olds.connection, news.connection);
  return { changes, replaces, deleteBeforeReplace: false };
}

/** `create`: the store (made when missing, never changed when present), then the wrapper-override.conf lines, claimed for a new owner. */
export async function create(props: Props): Promise<dynamic.CreateResult> {
  const outs = await wire(props as unknown as ExternalTruststoreInputs, newOwnerId(), NOTHING_CREATED);
  return { id: `${outs.wrapperOverridePath}#${String(props.truststorePath)}`, outs };
}

/** `update`: the same as create for the resource's own owner id — both steps are idempotent and only write what differs. */
export async function update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  // What this resource created stays known from its own outputs (the record is never asked which files to remove).
  return { outs: await wire(news as unknown as ExternalTruststoreInputs, ownerIdOf(olds), createdBy(olds, String(news.truststorePath))) };
}

/**
 * `read` (pulumi refresh): what wrapper-override.conf says now. The lines edited or removed by hand
 * show in wiredTruststorePath / wiredStoreType / passwordWired (and the secret storePassword), so
 * the next diff plans an update. The MID home gone → empty id.
 */
export async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
  const inputs = props as unknown as ExternalTruststoreInputs;
  const layout = midLayout(inputs.midHome);
  try {
    if (!(await hostFor(inputs.connection).stat(layout.configXml))) return { id: '', props: {} };
    const wired = readExternalTruststore((await readTextFile(layout.wrapperOverride, inputs.connection)) ?? '');
    const storeFormat = await storeTypeOf(inputs.truststorePath, inputs.connection);
    const createdDirectories = Array.isArray(props.createdDirectories) ? (props.createdDirectories as string[]) : [];
    return { id, props: outputsFor(inputs, ownerIdOf(props), layout.wrapperOverride, wired, storeFormat ?? null, Boolean(props.createdStore), Boolean(props.restarted), createdDirectories) };
  } catch (e) {
    throw asPersonError(e, `external truststore of ${layout.home}`);
  }
}

/**
 * `delete`: lets go of what the resource claimed. Where no other resource still owns it (a renamed
 * successor wired the same store in this deployment), what was found is given back: the earlier
 * javax.net.ssl lines (or none), the file's earlier mode, and — when this resource created them —
 * wrapper-override.conf itself, the truststore file (only while it still holds nothing but what it
 * was created with) and the directories made for it (only when empty).
 */
export async function remove(_id: string, props: Props): Promise<void> {
  const inputs = props as unknown as ExternalTruststoreInputs;
  if (typeof props.ownerId !== 'string') return; // no claim was ever recorded for it
  const layout = midLayout(inputs.midHome);
  try {
    const restores = await claimWiring(inputs, props.ownerId, layout, undefined, new Map());
    await runRestartCommand(inputs.restartCommand, restores.changed, layout.wrapperOverride, inputs.connection);
    await giveBackCreatedFiles(hostFor(inputs.connection), inputs, layout, restores.given, createdBy(props, inputs.truststorePath));
  } catch (e) {
    throw asPersonError(e, `giving back the external truststore settings of ${layout.wrapperOverride}`);
  }
}

/** What the MID home's agent directory belongs to: directories made for the truststore get the same owner, so the MID can read it. */
async function midOwner(host: Host, layout: ReturnType<typeof midLayout>): Promise<{ uid: number; gid: number } | undefined> {
  const st = await host.stat(hostDirname(layout.configXml));
  return st ? { uid: st.uid, gid: st.gid } : undefined;
}

/** What a resource created (its own outputs say so): the truststore file, and directories for it. */
interface Created {
  readonly store: boolean;
  readonly directories: readonly string[];
}
const NOTHING_CREATED: Created = { store: false, directories: [] };

/** What a resource's outputs say it created, for the truststore it declares (another path: nothing). */
function createdBy(outs: Props, truststorePath: string): Created {
  if (outs.truststorePath !== truststorePath) return NOTHING_CREATED;
  const dirs = Array.isArray(outs.createdDirectories) ? (outs.createdDirectories as unknown[]).filter((d): d is string => typeof d === 'string' && isAncestor(d, truststorePath)) : [];
  return { store: outs.createdStore === true, directories: dirs };
}

/** Owner uid of the truststore file and of each directory above it (what a record may only speak of when root or that owner wrote it). */
async function ownersAlong(host: Host, file: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const p = /^[A-Za-z]:[\\/]/.test(file) ? path.win32 : path.posix;
  for (let cur = file; ; cur = p.dirname(cur)) {
    const st = await host.stat(cur).catch(() => undefined);
    if (st) out.set(cur, st.uid);
    if (p.dirname(cur) === cur) break;
  }
  return out;
}

async function wire(inputs: ExternalTruststoreInputs, ownerId: string, before: Created): Promise<Props> {
  const host = hostFor(inputs.connection);
  const layout = midLayout(inputs.midHome);
  try {
    await validateMidLayout(host, layout);
    const password = passwordOf(inputs as unknown as Props);
    // 0755 and the MID's owner: a MID running as its service account must reach its truststore after the restart.
    const madeNow = await host.makeDirectory(hostDirname(inputs.truststorePath), { mode: 0o755, owner: await midOwner(host, layout) });
    const { type, created } = await ensureStore(host, inputs, layout.cacerts, password);
    const uids = await ownersAlong(host, inputs.truststorePath);
    const wiring = await claimWiring(inputs, ownerId, layout, { type, password, createdStore: created, createdDirectories: madeNow }, uids);
    const createdStore = before.store || created || wiring.inherited.store;
    const createdDirectories = [...new Set([...before.directories, ...madeNow, ...wiring.inherited.directories])].sort((a, b) => a.length - b.length);
    const restarted = await runRestartCommand(inputs.restartCommand, wiring.changed || created, layout.wrapperOverride, inputs.connection);
    return outputsFor(inputs, ownerId, layout.wrapperOverride, readExternalTruststore(wiring.text), type, createdStore, restarted, createdDirectories);
  } catch (e) {
    throw asPersonError(e, `external truststore ${inputs.truststorePath} for ${layout.home}`);
  }
}

/**
 * The keys an ExternalTruststore claims in wrapper-override.conf's ownership record. The three
 * javax.net.ssl lines are one key: they only mean something together, so lines someone rewired to
 * their own truststore are kept whole, and what was found is given back whole.
 */
const WIRING_KEY = '#javax.net.ssl';
const FILE_KEY = '#file';
const MODE_KEY = '#mode';
const storeKey = (file: string): string => `#store:${file}`;
const dirKey = (dir: string): string => `#dir:${dir}`;
const PRESENT = textValue('present');
const WIRED_PROPERTIES = [TRUSTSTORE_PROPERTIES.path, TRUSTSTORE_PROPERTIES.password, TRUSTSTORE_PROPERTIES.type] as const;

/** The three lines' values as one ownership value (null when none is set). */
function wiringValue(values: readonly (string | undefined)[]): HeldValue {
  return values.every((v) => v === undefined) ? null : textValue(JSON.stringify(values.map((v) => v ?? null)));
}

/** The three values of a wiring value given back. */
function wiringOf(value: HeldValue): (string | undefined)[] {
  if (value === null) return [undefined, undefined, undefined];
  return (JSON.parse(value.data) as (string | null)[]).map((v) => v ?? undefined);
}

/** seedFromBundled with its default (true): an empty truststore makes the JVM fail every handshake. */
function seedsFromBundled(props: { seedFromBundled?: unknown }): boolean {
  return props.seedFromBundled !== false;
}

/** True when `dir` is a directory above `file` (in the host's own path syntax). */
function isAncestor(dir: string, file: string): boolean {
  const sep = /^[A-Za-z]:[\\/]/.test(file) ? '\\' : '/';
  return file.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}

/** What the resource wants wired (undefined: nothing — a delete). */
interface Wiring {
  readonly type: string;
  readonly password: string | undefined;
  readonly createdStore: boolean;
  readonly createdDirectories: readonly string[];
}

/**
 * One locked edit of wrapper-override.conf and its ownership record: the three javax.net.ssl lines,
 * the file's mode (0600 while it holds a password), the file itself, and the truststore file and
 * directories this resource created — claimed for `ownerId` (wiring given) or let go of (undefined).
 */
async function claimWiring(
  inputs: ExternalTruststoreInputs,
  ownerId: string,
  layout: ReturnType<typeof midLayout>,
  wiring: Wiring | undefined,
  uids: ReadonlyMap<string, number>,
): Promise<{ changed: boolean; text: string; given: ReadonlyMap<string, HeldValue>; inherited: Created }> {
  let given: ReadonlyMap<string, HeldValue> = new Map();
  let inherited: Created = NOTHING_CREATED;
  const { changed, text } = await editTextFile(
    layout.wrapperOverride,
    (now) => {
      const wired = readSystemProperties(now.text ?? '');
      const currentOf = (key: string): HeldValue => {
        if (key === WIRING_KEY) return wiringValue(WIRED_PROPERTIES.map((p) => wired.get(p)?.value));
        if (key === FILE_KEY) return now.text === undefined ? null : PRESENT;
        if (key === MODE_KEY) return now.mode === undefined ? null : textValue(now.mode.toString(8));
        if (key.startsWith('#store:')) return wiring?.createdStore && key === storeKey(inputs.truststorePath) ? null : PRESENT;
        if (key.startsWith('#dir:')) return wiring?.createdDirectories.includes(key.slice('#dir:'.length)) ? null : PRESENT;
        return null;
      };
      const wanted = new Map<string, HeldValue>();
      const want = wiring ? [inputs.truststorePath, wiring.password, wiring.type] : undefined;
      if (wiring && want) {
        wanted.set(FILE_KEY, PRESENT);
        wanted.set(WIRING_KEY, wiringValue(want));
        // The product's format puts the password in plain text: then only the file's owner may read it.
        if (wiring.password !== undefined) wanted.set(MODE_KEY, textValue('600'));
        wanted.set(storeKey(inputs.truststorePath), PRESENT);
        for (const d of wiring.createdDirectories) wanted.set(dirKey(d), PRESENT);
        // Directories made earlier for this store (by this resource or one it succeeds) stay claimed.
        for (const key of Object.keys(now.ledger.records)) if (key.startsWith('#dir:') && isAncestor(key.slice('#dir:'.length), inputs.truststorePath)) wanted.set(key, PRESENT);
      }
      const r = reconcileClaims(now.ledger, ownerId, wanted, currentOf);
      given = r.restores;
      if (wiring) inherited = inheritedCreations(r.ledger, inputs.truststorePath, now.recordUid, uids);
      const back = r.restores.get(WIRING_KEY);
      const lines = want ?? (back !== undefined ? wiringOf(back) : undefined);
      let newText = now.text;
      if (lines) newText = setSystemProperties(now.text ?? '', Object.fromEntries(WIRED_PROPERTIES.map((p, i) => [p, lines[i]])));
      if (r.restores.get(FILE_KEY) === null && (newText ?? '').trim() === '') {
        // The file was not there before and nobody else added lines to it since: remove it.
        return { text: undefined, ledger: r.ledger, removeFile: true };
      }
      const modeBack = r.restores.get(MODE_KEY);
      const mode = wanted.has(MODE_KEY) ? 0o600 : modeBack ? parseInt(modeBack.data, 8) : undefined;
      return { text: newText, ledger: r.ledger, ...(mode !== undefined ? { mode } : {}) };
    },
    // 0600 for a new file: it may hold the store password in plain text (the product's format).
    { newFileMode: wiring?.password !== undefined ? 0o600 : 0o644, connection: inputs.connection },
  );
  return { changed, text, given, inherited };
}

/**
 * What a predecessor of this resource created for the same truststore (a renamed resource's
 * successor is created before the old one is deleted, and takes over what it made): read from the
 * record of wrapper-override.conf — but only about files the record's writer could remove itself
 * (root, or the account owning that file or directory): the MID's account, which owns the MID home
 * and so can write that record, is never believed about an administrator's store elsewhere.
 */
function inheritedCreations(ledger: Ledger, truststorePath: string, recordUid: number | undefined, uids: ReadonlyMap<string, number>): Created {
  if (recordUid === undefined) return NOTHING_CREATED;
  const believed = (file: string): boolean => recordUid === 0 || uids.get(file) === recordUid;
  const madeByOwners = (key: string): boolean => Object.prototype.hasOwnProperty.call(ledger.records, key) && ledger.records[key].found === null;
  const store = madeByOwners(storeKey(truststorePath)) && believed(truststorePath);
  const directories = Object.keys(ledger.records)
    .filter((k) => k.startsWith('#dir:') && madeByOwners(k))
    .map((k) => k.slice('#dir:'.length))
    .filter((d) => isAncestor(d, truststorePath) && believed(d));
  return { store, directories };
}

/**
 * After the wiring was given back: removes what this resource's own outputs say it created — the
 * truststore file it declares, only when it was the last owner of that claim, no resource claims
 * anything in the store and it holds nothing but what it was seeded with — and its directories,
 * innermost first, only when empty. No record names a file to remove: a record lost or refused
 * leaves everything in place.
 */
async function giveBackCreatedFiles(host: Host, inputs: ExternalTruststoreInputs, layout: ReturnType<typeof midLayout>, given: ReadonlyMap<string, HeldValue>, created: Created): Promise<void> {
  const file = inputs.truststorePath;
  if (created.store && given.get(storeKey(file)) === null) {
    await withKeystoreLock(host, file, async () => {
      if (!(await host.stat(file))) return;
      const claims = await readLedger(host, await recordLocation(host, file));
      if (Object.keys(claims.ledger.records).length > 0 || claims.status === 'refused') {
        trace(`external truststore ${file} kept: other resources still claim entries in it`);
        return;
      }
      const store = readKeystore(await host.readFile(file), { password: passwordOf(inputs as unknown as Props) });
      // The bundled cacerts may be gone or changed (an upgrade): then nothing counts as seeded and the store is kept.
      const seeded = new Set(seedsFromBundled(inputs) ? await bundledFingerprints(host, layout.cacerts, passwordOf(inputs as unknown as Props)).catch(() => []) : []);
      const extra = store.entries.filter((e) => e.kind !== 'trustedCertificate' || !e.certificates[0] || !seeded.has(sha256Hex(e.certificates[0])));
      if (extra.length > 0) {
        trace(`external truststore ${file} kept: it holds ${extra.length} entries it was not created with`);
        return;
      }
      await host.removeFile(file);
    });
  }
  const dirs = created.directories.filter((d) => given.get(dirKey(d)) === null);
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await host.removeEmptyDirectory(d);
}

/**
 * The store's type, creating the store first when it does not exist. An existing store is only
 * read (which checks the password), never rewritten: its content is not this resource's to manage.
 */
async function ensureStore(host: Host, inputs: ExternalTruststoreInputs, bundled: string, password: string | undefined): Promise<{ type: KeystoreType; created: boolean }> {
  const file = inputs.truststorePath;
  return withKeystoreLock(host, file, async () => {
    if (await host.stat(file)) return { type: readKeystore(await host.readFile(file), { password }).type, created: false };
    const type: KeystoreType = inputs.storeType ?? 'PKCS12';
    const entries = seedsFromBundled(inputs) ? (await bundledTrustedCertificates(host, bundled, password)).map((e) => ({ ...e, alias: storedAlias(type, e.alias) })) : [];
    const store: Keystore = { type, entries, integrity: type === 'PKCS12' && password === undefined ? 'none' : 'verified' };
    const bytes = writeKeystore(store, password);
    await host.writeFileAtomic(file, bytes, {
      mode: 0o644,
      // Never rename into place a store that does not read back with the same certificates.
      verify: (b) => {
        if (readKeystore(b, { password }).entries.length !== entries.length) throw new MidtrustError('CORRUPT', 'the new store did not read back with every certificate');
      },
    });
    return { type, created: true };
  });
}

/** The trusted-certificate entries of the bundled cacerts, without codec data so the new store encodes them fresh. */
async function bundledTrustedCertificates(host: Host, cacerts: string, password: string | undefined) {
  const bytes = await host.readFile(cacerts);
  const candidates = [...new Set([password, BUNDLED_DEFAULT_PASSWORD])];
  let lastError: unknown;
  for (const pw of candidates) {
    try {
      const store = readKeystore(bytes, { password: pw });
      return store.entries
        .filter((e) => e.kind === 'trustedCertificate' && e.certificates[0])
        .map((e) => ({ alias: e.alias, kind: e.kind, timestamp: e.timestamp, certificates: [e.certificates[0]] }));
    } catch (e) {
      if (!(e instanceof MidtrustError) || e.code !== 'WRONG_PASSWORD') throw asPersonError(e, cacerts);
      lastError = e;
    }
  }
  throw asPersonError(lastError, `${cacerts} (bundled cacerts, tried the store password and 'changeit')`);
}

/** SHA-256 of every trusted certificate of the bundled cacerts (what a seeded store starts with). */
async function bundledFingerprints(host: Host, cacerts: string, password: string | undefined): Promise<string[]> {
  return (await bundledTrustedCertificates(host, cacerts, password)).map((e) => sha256Hex(e.certificates[0]));
}

/** The type of the store file, or undefined when it does not exist. */
async function storeTypeOf(file: string, connection: unknown): Promise<KeystoreType | undefined> {
  const host = hostFor(connection);
  if (!(await host.stat(file))) return undefined;
  return sniffKeystoreType(await host.readFile(file));
}

/**
 * The outputs: the inputs as declared, plus what the store and wrapper-override.conf hold. The
 * password stays under storePassword only (secret; it is the wired value, so drift shows as a diff)
 * and only when one was declared — a password added by hand to a password-less wiring shows as
 * passwordWired alone, never in plain outputs.
 */
function outputsFor(
  inputs: ExternalTruststoreInputs,
  ownerId: string,
  wrapperOverride: string,
  wired: { path?: string; password?: string; type?: string },
  storeFormat: string | null,
  createdStore: boolean,
  restarted: boolean,
  createdDirectories: readonly string[],
): Props {
  const outs: Props = {
    midHome: inputs.midHome,
    ...(inputs.connection ? { connection: inputs.connection } : {}),
    truststorePath: inputs.truststorePath,
    wrapperOverridePath: wrapperOverride,
    wiredTruststorePath: wired.path ?? null,
    wiredStoreType: wired.type ?? null,
    passwordWired: wired.password !== undefined,
    storeFormat,
    createdStore,
    createdDirectories: [...createdDirectories],
    restartRequired: true,
    // Said, not only done: directories made for the MID's account to reach its truststore.
    note: createdDirectories.length
      ? `${RESTART_NOTE} Created ${createdDirectories.join(', ')} (0755, owned like agent/, so the MID's account can read its truststore).`
      : RESTART_NOTE,
    restarted,
    ownerId,
  };
  if (typeof inputs.storePassword === 'string' && wired.password !== undefined) outs.storePassword = wired.password;
  if (inputs.storeType !== undefined && inputs.storeType !== null) outs.storeType = inputs.storeType;
  if (inputs.seedFromBundled !== undefined && inputs.seedFromBundled !== null) outs.seedFromBundled = inputs.seedFromBundled;
  if (typeof inputs.restartCommand === 'string') outs.restartCommand = inputs.restartCommand;
  return outs;
}

// `delete` is a reserved word for a function declaration; the provider calls this name.
export { remove as delete };
