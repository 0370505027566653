import * as path from 'node:path';
import type { dynamic } from '@pulumi/pulumi';
import { MidtrustError } from '../errors';
import { withKeystoreLock } from '../host/keystoreMutex';
import type { Host } from '../host/host';
import { connectionProblems, hostFor, machineOf } from './connectionInput';
import { readKeystore, writeKeystore } from '../keystore/keystoreCodec';
import { sniffKeystoreType } from '../keystore/sniff';
import { storedAlias, type Keystore, type KeystoreType } from '../keystore/model';
import { isInsideMidHome, midLayout, validateMidLayout } from '../mid/midLayout';
import { readExternalTruststore, setSystemProperties, TRUSTSTORE_PROPERTIES } from '../mid/wrapperOverride';
import { editTextFile, readTextFile } from './lockedTextEdit';
import { asPersonError, isUnknown, keystorePathProblem, passwordOf, sameKeystoreFile, schemaFailures, type InputFailure, type Props } from './resourceInputs';
import { RESTART_NOTE, runRestartCommand } from './restartCommand';

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
 * another MID home → replace; anything the three lines should say but do not → update; other
 * input edits (seedFromBundled, storeType of an existing store, restartCommand) → update without a write.
 */
export function diff(_id: string, olds: Props, news: Props): dynamic.DiffResult {
  const replaces: string[] = [];
  const wrapperOf = (p: Props): string => midLayout(String(p.midHome)).wrapperOverride;
  if (isUnknown(news.midHome) || wrapperOf(news) !== wrapperOf(olds)) replaces.push('midHome');
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
    Boolean(news.seedFromBundled) !== Boolean(olds.seedFromBundled) ||
    (news.restartCommand ?? null) !== (olds.restartCommand ?? null);
  const deleteBeforeReplace = replaces.length > 0 && !isUnknown(news.midHome) && sameKeystoreFile(wrapperOf(olds), wrapperOf(news));
  return { changes, replaces, deleteBeforeReplace };
}

/** `create`: the store (made when missing, never changed when present), then the wrapper-override.conf lines. */
export async function create(props: Props): Promise<dynamic.CreateResult> {
  const outs = await wire(props as unknown as ExternalTruststoreInputs);
  return { id: `${outs.wrapperOverridePath}#${String(props.truststorePath)}`, outs };
}

/** `update`: the same as create — both steps are idempotent and only write what differs. */
export async function update(_id: string, _olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  return { outs: await wire(news as unknown as ExternalTruststoreInputs) };
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
    return { id, props: outputsFor(inputs, layout.wrapperOverride, wired, storeFormat ?? null, Boolean(props.createdStore), Boolean(props.restarted)) };
  } catch (e) {
    throw asPersonError(e, `external truststore of ${layout.home}`);
  }
}

/**
 * `delete`: removes the three lines while they still point at this resource's truststore (someone
 * who rewired the MID since keeps their lines). The store file is left in place: it may hold trust
 * other resources or people added, and deleting trust is not undoable.
 */
export async function remove(_id: string, props: Props): Promise<void> {
  const inputs = props as unknown as ExternalTruststoreInputs;
  const layout = midLayout(inputs.midHome);
  try {
    const { changed } = await editTextFile(layout.wrapperOverride, (text) => {
      // No wrapper-override.conf (or MID home): nothing wired, nothing to remove or create.
      if (text === undefined || readExternalTruststore(text).path !== inputs.truststorePath) return text;
      return setSystemProperties(text, { [TRUSTSTORE_PROPERTIES.path]: undefined, [TRUSTSTORE_PROPERTIES.password]: undefined, [TRUSTSTORE_PROPERTIES.type]: undefined });
    }, { connection: inputs.connection });
    await runRestartCommand(inputs.restartCommand, changed, layout.wrapperOverride, inputs.connection);
  } catch (e) {
    throw asPersonError(e, `removing the external truststore lines from ${layout.wrapperOverride}`);
  }
}

async function wire(inputs: ExternalTruststoreInputs): Promise<Props> {
  const host = hostFor(inputs.connection);
  const layout = midLayout(inputs.midHome);
  try {
    await validateMidLayout(host, layout);
    const password = passwordOf(inputs as unknown as Props);
    const { type, created } = await ensureStore(host, inputs, layout.cacerts, password);
    const values = {
      [TRUSTSTORE_PROPERTIES.path]: inputs.truststorePath,
      [TRUSTSTORE_PROPERTIES.password]: password,
      [TRUSTSTORE_PROPERTIES.type]: type,
    };
    // 0600 for a new file: it may hold the store password in plain text (the product's format).
    const { changed, text } = await editTextFile(layout.wrapperOverride, (t) => setSystemProperties(t ?? '', values), { newFileMode: 0o600, connection: inputs.connection });
    const restarted = await runRestartCommand(inputs.restartCommand, changed || created, layout.wrapperOverride, inputs.connection);
    return outputsFor(inputs, layout.wrapperOverride, readExternalTruststore(text), type, created, restarted);
  } catch (e) {
    throw asPersonError(e, `external truststore ${inputs.truststorePath} for ${layout.home}`);
  }
}

/**
 * The store's type, creating the store first when it does not exist. An existing store is only
 * read (which checks the password), never rewritten: its content is not this resource's to manage.
 */
async function ensureStore(host: Host, inputs: ExternalTruststoreInputs, bundled: string, password: string | undefined): Promise<{ type: KeystoreType; created: boolean }> {
  const file = inputs.truststorePath;
  // The lock file lives beside the store, so its directory must exist before the lock is taken.
  await host.makeDirectory(path.dirname(file));
  return withKeystoreLock(host, file, async () => {
    if (await host.stat(file)) return { type: readKeystore(await host.readFile(file), { password }).type, created: false };
    const type: KeystoreType = inputs.storeType ?? 'PKCS12';
    const entries = inputs.seedFromBundled ? (await bundledTrustedCertificates(host, bundled, password)).map((e) => ({ ...e, alias: storedAlias(type, e.alias) })) : [];
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
  wrapperOverride: string,
  wired: { path?: string; password?: string; type?: string },
  storeFormat: string | null,
  createdStore: boolean,
  restarted: boolean,
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
    restartRequired: true,
    note: RESTART_NOTE,
    restarted,
  };
  if (typeof inputs.storePassword === 'string' && wired.password !== undefined) outs.storePassword = wired.password;
  if (inputs.storeType !== undefined && inputs.storeType !== null) outs.storeType = inputs.storeType;
  if (inputs.seedFromBundled !== undefined && inputs.seedFromBundled !== null) outs.seedFromBundled = inputs.seedFromBundled;
  if (typeof inputs.restartCommand === 'string') outs.restartCommand = inputs.restartCommand;
  return outs;
}

// `delete` is a reserved word for a function declaration; the provider calls this name.
export { remove as delete };
