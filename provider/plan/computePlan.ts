import { parseCertificateFacts } from '../certificate/certificateFacts';
import { sha256Hex } from '../certificate/fingerprint';
import { MidtrustError } from '../errors';
import { aliasKey, type Keystore, type KeystoreEntry } from '../keystore/model';
import type { DesiredCertificate, DesiredState, PresentCertificate } from './desiredState';
import type { Plan, PlanAction } from './plan';

/** Options of `computePlan`. */
export interface ComputePlanOptions {
  /** When given, declared certificates that are expired or not yet valid at this time get a note. */
  readonly now?: Date;
}

/**
 * "ab12cd34ef56…": enough of a fingerprint to tell two certificates apart in a message.
 *
 * @example
 * shortFingerprint('ab12cd34ef56' + '0'.repeat(52)) // 'ab12cd34ef56…'
 */
export function shortFingerprint(sha256: string): string {
  return `${sha256.slice(0, 12)}…`;
}

/**
 * Compares a store with the desired state; pure, deterministic, no I/O. Identity is alias +
 * SHA-256 of the DER; aliases are looked up as Java does (`findEntry`: JKS/JCEKS lowercase,
 * PKCS12 case-insensitive). Per declared entry: `add`, `unchanged`, `replace` or `remove`;
 * with `exclusive`, undeclared *trusted certificates* are removed — key entries never are.
 * A declared alias that holds a private or secret key, and one alias declared twice with
 * different certificates, are INVALID_INPUT (all such problems in one error).
 * A certificate already trusted under another alias is still added under the declared one (Java
 * trusts by certificate, so it is harmless) and the plan carries a note naming the other alias.
 * Order: declared entries in declaration order, then exclusive removals sorted by alias.
 *
 * @param store the current store, or undefined when the file does not exist (needs keystore.create)
 * @example
 * const plan = computePlan(readKeystore(bytes, { password }), desired);
 * plan.changes // 0 when the store already matches
 */
export function computePlan(store: Keystore | undefined, desired: DesiredState, options: ComputePlanOptions = {}): Plan {
  const keystorePath = desired.keystore.path;
  if (!store && !desired.keystore.create) {
    const { midHome } = desired.keystore;
    // A MID's cacerts is never created: a missing one means keystore.midHome is not a MID home.
    if (midHome !== undefined) {
      throw new MidtrustError('NOT_FOUND', `${keystorePath} does not exist: ${midHome} does not look like a MID Server home; keystore.midHome must be the directory that contains agent/ (${desired.sourceFile})`);
    }
    throw new MidtrustError('NOT_FOUND', `${keystorePath} does not exist; check the path, or set keystore.create: true (with keystore.type) to create it`);
  }
  const storeType = store?.type ?? desired.keystore.type ?? 'PKCS12';
  const problems: string[] = [];
  const notes: string[] = [];
  if (store && desired.keystore.type && desired.keystore.type !== store.type) {
    notes.push(`keystore.type ${desired.keystore.type} applies only when the store is created; ${keystorePath} is ${store.type} and stays ${store.type}`);
  }

  // Aliases fold as the JDK that reads the store folds them (javaAliasCase.ts).
  const javaVersion = store?.javaVersion ?? desired.keystore.javaVersion;
  const keyOf = (alias: string): string => aliasKey(alias, javaVersion);
  const declared = dedupe(desired.certificates, problems, keyOf);
  const declaredKeys = new Set(declared.map((d) => keyOf(d.alias)));
  const shaOf = entrySha256;
  // Trusted entries nobody declared: candidates for the "already trusted as" note and for exclusive.
  const unmanaged = (store?.entries ?? []).filter((e) => e.kind === 'trustedCertificate' && !declaredKeys.has(keyOf(e.alias)));
  // Equal certificates have equal lengths: candidates for "also trusted as" by DER length, so each
  // declared certificate looks at a handful of entries, not at the whole store.
  const unmanagedByLength = new Map<number, KeystoreEntry[]>();
  for (const e of unmanaged) {
    const n = e.certificates[0]?.length;
    if (n === undefined) continue;
    const list = unmanagedByLength.get(n);
    if (list) list.push(e);
    else unmanagedByLength.set(n, [e]);
  }

  // Java's lookup (findEntry: an entry stored under exactly the lowercased alias, else the first
  // whose lowercased alias matches), indexed once: a batch of a thousand changes, or a thousand
  // declared certificates, plans in linear time.
  const byStored = new Map<string, KeystoreEntry>();
  const byFolded = new Map<string, KeystoreEntry>();
  for (const e of store?.entries ?? []) {
    if (!byStored.has(e.alias)) byStored.set(e.alias, e);
    const key = keyOf(e.alias);
    if (!byFolded.has(key)) byFolded.set(key, e);
  }
  const lookup = (alias: string): KeystoreEntry | undefined => {
    const key = keyOf(alias);
    return byStored.get(key) ?? byFolded.get(key);
  };
  const actions: PlanAction[] = [];
  const validity: ValidityCache = new Map();
  for (const d of declared) {
    const existing = lookup(d.alias);
    if (existing && existing.kind !== 'trustedCertificate') {
      const what = existing.kind === 'privateKey' ? 'a private key' : 'a secret key';
      problems.push(
        `alias ${d.alias} (${d.source}): ${keystorePath} holds ${what} entry '${existing.alias}' under this alias; midtrust never replaces or deletes key entries — choose another alias`,
      );
      continue;
    }
    if (d.state === 'absent') {
      if (!existing) actions.push({ action: 'unchanged', alias: d.alias, reason: 'already absent', source: d.source });
      else actions.push({ action: 'remove', alias: existing.alias, sha256: shaOf(existing), reason: 'declared absent', source: d.source });
      continue;
    }
    notes.push(...certificateNotes(d, unmanagedByLength.get(d.der.length) ?? [], shaOf, desired.exclusive, options.now, validity));
    if (!existing) {
      actions.push({ action: 'add', alias: d.alias, sha256: d.sha256, reason: 'not in the store', source: d.source });
      continue;
    }
    const previous = shaOf(existing);
    if (previous === d.sha256) {
      actions.push({ action: 'unchanged', alias: d.alias, sha256: d.sha256, reason: 'already trusted', source: d.source });
    } else {
      actions.push({
        action: 'replace',
        alias: existing.alias,
        sha256: d.sha256,
        ...(previous ? { previousSha256: previous } : {}),
        reason: `the alias holds another certificate (sha256 ${previous ? shortFingerprint(previous) : 'none'} → ${shortFingerprint(d.sha256)})`,
        source: d.source,
      });
    }
  }
  if (problems.length > 0) {
    throw new MidtrustError('INVALID_INPUT', `cannot plan ${keystorePath}:\n  ${problems.join('\n  ')}`);
  }
  notes.push(...sharedCertificateNotes(declared));

  if (desired.exclusive) {
    // Code-unit order, not localeCompare: the same plan on every machine.
    const byAlias = (a: KeystoreEntry, b: KeystoreEntry): number => cmp(keyOf(a.alias), keyOf(b.alias)) || cmp(a.alias, b.alias);
    for (const e of [...unmanaged].sort(byAlias)) {
      actions.push({ action: 'remove', alias: e.alias, sha256: shaOf(e), reason: 'not declared (exclusive: true)' });
    }
  }
  const changes = actions.filter((a) => a.action !== 'unchanged').length + (store ? 0 : 1);
  const source = desired.keystore.source;
  if (source?.notes) notes.push(...source.notes);
  const storeSource = source ? { store: { kind: source.kind, path: source.path, why: source.why, ...(source.bypassed ? { bypassed: source.bypassed } : {}) } } : {};
  return { keystorePath, storeType, ...storeSource, ...(store ? {} : { createStore: { type: storeType } }), actions, notes, changes };
}

/**
 * SHA-256 of an entry's (first) certificate, remembered per entry object: entries are immutable and
 * a store's untouched entries stay the same objects from one plan to the next, so a batch of a
 * thousand Pulumi changes to one store hashes each entry once instead of once per change
 * (measured: that made `pulumi up` of 1,000 TrustedCertificate quadratic).
 */
const entryHashes = new WeakMap<KeystoreEntry, string | undefined>();
function entrySha256(e: KeystoreEntry): string | undefined {
  if (entryHashes.has(e)) return entryHashes.get(e);
  const sha = e.certificates[0] ? sha256Hex(e.certificates[0]) : undefined;
  entryHashes.set(e, sha);
  return sha;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Validity dates by SHA-256: one plan parses each certificate once however many aliases declare it. */
type ValidityCache = Map<string, { notBefore: Date; notAfter: Date } | null>;

/**
 * The validity dates of a declared certificate, or undefined when the parser cannot read them
 * (parseCertificateInput already accepted it as a certificate; a note is not worth failing for).
 */
function validityOf(d: PresentCertificate, cache: ValidityCache): { notBefore: Date; notAfter: Date } | undefined {
  let v = cache.get(d.sha256);
  if (v === undefined) {
    try {
      const f = parseCertificateFacts(d.der);
      v = { notBefore: f.notBefore, notAfter: f.notAfter };
    } catch {
      v = null;
    }
    cache.set(d.sha256, v);
  }
  return v ?? undefined;
}

/** Notes about one declared certificate: trusted under an undeclared alias too (`sameLength`: the undeclared entries whose DER is as long); outside its validity. */
function certificateNotes(
  d: PresentCertificate,
  sameLength: readonly KeystoreEntry[],
  shaOf: (e: KeystoreEntry) => string | undefined,
  exclusive: boolean,
  now: Date | undefined,
  validity: ValidityCache,
): string[] {
  const notes: string[] = [];
  const others = sameLength
    .filter((e) => shaOf(e) === d.sha256)
    .map((e) => e.alias)
    .sort(cmp);
  if (others.length > 0) {
    const list = others.join(', ');
    notes.push(
      exclusive
        ? `${d.alias}: the same certificate (sha256 ${shortFingerprint(d.sha256)}) is also trusted as ${list}, which exclusive: true removes; it stays trusted as ${d.alias}`
        : `${d.alias}: the same certificate (sha256 ${shortFingerprint(d.sha256)}) is also trusted as ${list}; both aliases will trust it (declare ${others[0]} with state: absent if the old alias is obsolete)`,
    );
  }
  if (now) {
    const facts = validityOf(d, validity);
    if (facts && facts.notAfter.getTime() < now.getTime()) notes.push(`${d.alias}: the certificate expired on ${facts.notAfter.toISOString()}`);
    else if (facts && facts.notBefore.getTime() > now.getTime()) notes.push(`${d.alias}: the certificate is not valid before ${facts.notBefore.toISOString()}`);
  }
  return notes;
}

/** How many aliases a note names before it says "and N more". */
const NOTE_ALIASES = 10;

/** One certificate declared under several aliases (often a root repeated in two chain files). */
function sharedCertificateNotes(declared: readonly DesiredCertificate[]): string[] {
  const bySha = new Map<string, string[]>();
  for (const d of declared) {
    if (d.state !== 'present') continue;
    const aliases = bySha.get(d.sha256);
    if (aliases) aliases.push(d.alias);
    else bySha.set(d.sha256, [d.alias]);
  }
  const notes: string[] = [];
  for (const [sha, aliases] of bySha) {
    if (aliases.length < 2) continue;
    const named = aliases.length > NOTE_ALIASES ? `${aliases.slice(0, NOTE_ALIASES).join(', ')} and ${aliases.length - NOTE_ALIASES} more aliases` : aliases.join(', ');
    notes.push(`${named} declare the same certificate (sha256 ${shortFingerprint(sha)}); each alias gets its own entry`);
  }
  return notes;
}

/** The same alias declared twice (case-insensitively): fine when identical, a problem when it disagrees. */
function dedupe(certificates: readonly DesiredCertificate[], problems: string[], keyOf: (alias: string) => string): DesiredCertificate[] {
  const seen = new Map<string, DesiredCertificate>();
  const out: DesiredCertificate[] = [];
  for (const d of certificates) {
    const key = keyOf(d.alias);
    const prior = seen.get(key);
    if (!prior) {
      seen.set(key, d);
      out.push(d);
      continue;
    }
    if (prior.state !== d.state) {
      problems.push(`alias ${prior.alias} is declared both present (${prior.state === 'present' ? prior.source : d.source}) and absent (${prior.state === 'absent' ? prior.source : d.source}); keep one`);
    } else if (prior.state === 'present' && prior.sha256 !== (d as PresentCertificate).sha256) {
      problems.push(
        `alias ${prior.alias} is declared twice with different certificates (${prior.alias}: ${prior.source}; ${d.alias}: ${d.source}); aliases are compared case-insensitively, and a chain file also declares <alias>-2, <alias>-3, … — rename one`,
      );
    }
  }
  return out;
}
