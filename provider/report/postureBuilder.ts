import { Certificate } from '../certificate/certificate';
import { aliasKey, type Keystore } from '../keystore/model';
import { describeCopy, migratedCopiesOf } from '../mid/upgrade/migratedCopies';
import { isVendorAlias } from '../mid/upgrade/upgradeModel';
import { computePlan } from '../plan/computePlan';
import type { DesiredState, PresentCertificate } from '../plan/desiredState';
import type { PlanAction } from '../plan/plan';
import type { NamedCertificate } from '../rules/certificateRules';
import type { EndpointCheck } from '../rules/endpointRules';
import { modelNextUpgrade, upgradeCandidates, type MidSettings } from '../rules/midRules';
import { judgeRules, type CertificateFindingsMemo } from '../rules/runRules';
import type { Severity } from '../rules/violation';
import { expiryClass } from './expiryWindow';
import {
  DEFAULT_EXPIRY_WINDOWS,
  POSTURE_SCHEMA_VERSION,
  type CoverageState,
  type DeclaredCertificate,
  type EndpointVerdictPosture,
  type ExpiryWindows,
  type FleetPosture,
  type HostEndpoint,
  type HostPosture,
  type PostureCertificate,
  type PostureSource,
  type PostureSummary,
} from './posture';

/** What a gatherer read from one host: its store (already decoded) and, for a MID, its settings. */
export interface HostObservation {
  readonly name: string;
  /** The keystore file on that host. */
  readonly storePath: string;
  /** For a MID home: which of its stores `storePath` is, and why (resolveMidStore). */
  readonly storeSource?: { readonly kind: 'external' | 'jssecacerts' | 'bundled'; readonly why: string };
  readonly store: Keystore;
  readonly mid?: MidSettings;
  /**
   * The declared endpoints judged for this host (by the gatherer, with `midtrust verify`'s
   * engine: the network is the gatherer's business), in `desired.endpoints` order.
   */
  readonly endpoints?: readonly HostEndpoint[];
}

/** What every host is measured against. */
export interface PostureContext {
  readonly source: PostureSource;
  /** "midtrust 0.1.0". */
  readonly generator: string;
  /** The "today" of every expiry figure. */
  readonly now: Date;
  /** From -f: drift and coverage are measured against it (its keystore path is each host's store). */
  readonly desired?: DesiredState;
  /** The desired-state file as the user named it (default: its resolved path). */
  readonly desiredFile?: string;
  /** From --incoming: the next upgrade's JRE truststore (`path` as the user named it). */
  readonly incoming?: { readonly path: string; readonly store: Keystore };
  readonly windows?: ExpiryWindows;
}

/**
 * Turns host observations into a {@link FleetPosture}: pure, no I/O. Each host is measured by the
 * engines the other commands use — the plan engine for drift and coverage, the policy rules for
 * findings (the expiring window is `windows.soonDays`), the upgrade model for losses.
 *
 * Certificates are shared across hosts by SHA-256, so a CA held by 500 hosts is parsed once.
 *
 * @example
 * const builder = new PostureBuilder({ source, generator: 'midtrust 0.1.0', now: new Date() });
 * const hosts = [builder.observe({ name: 'mid-1', storePath, store, mid }), builder.failed('mid-2', 'connection refused')];
 * const posture = builder.build(hosts);
 */
export class PostureBuilder {
  readonly #context: PostureContext;
  readonly #windows: ExpiryWindows;
  readonly #declared: readonly PresentCertificate[];
  readonly #declaredOnce: readonly DeclaredCertificate[];
  readonly #declaredShas: ReadonlySet<string>;
  readonly #incomingShas?: ReadonlySet<string>;
  /** One Certificate per distinct certificate, so facts are parsed once for the whole fleet. */
  readonly #bySha = new Map<string, Certificate>();
  /** Distinct DER arrays by a cheap content key (length + signature tail), confirmed byte by byte. */
  readonly #byContent = new Map<number, Uint8Array[]>();
  /** Per-certificate findings, the same on every host that holds the certificate under the same alias. */
  readonly #findings: CertificateFindingsMemo = new WeakMap();

  constructor(context: PostureContext) {
    this.#context = context;
    this.#windows = context.windows ?? DEFAULT_EXPIRY_WINDOWS;
    this.#declared = (context.desired?.certificates ?? []).filter((c): c is PresentCertificate => c.state === 'present');
    this.#declaredShas = new Set(this.#declared.map((c) => c.sha256));
    this.#declaredOnce = declaredOnce(this.#declared);
    if (context.incoming) {
      this.#incomingShas = new Set(context.incoming.store.entries.filter((e) => e.kind === 'trustedCertificate' && e.certificates[0]).map((e) => this.#certificate(e.certificates[0]).sha256));
    }
  }

  /** Measures one reached host. Throws (like `plan`) when the desired state cannot be planned against its store. */
  observe(obs: HostObservation): HostPosture {
    const ctx = this.#context;
    const store = this.#shareCertificates(obs.store);
    const named: NamedCertificate[] = store.entries
      .filter((e) => e.kind === 'trustedCertificate' && e.certificates[0])
      .map((e) => ({ alias: e.alias, certificate: this.#certificate(e.certificates[0]) }));
    const plan = ctx.desired ? computePlan(store, { ...ctx.desired, keystore: { ...ctx.desired.keystore, path: obs.storePath } }) : undefined;
    const endpoints = obs.endpoints ? endpointRuleInput(obs.endpoints) : undefined;
    // The report's vendor roots are those it does not track (below): declared ones are never the vendor's.
    const team = named.filter((c) => !this.#isVendor(c));
    const vendorRoots = named.filter((c) => this.#isVendor(c));
    const vendorBaseline = new Set(vendorRoots.map((c) => c.certificate.sha256));
    const findings = judgeRules({ certificates: named, mid: obs.mid, incoming: ctx.incoming?.store, endpoints, vendorBaseline }, { now: ctx.now, expiringDays: this.#windows.soonDays }, this.#findings);
    const vendorFindings = { error: 0, warning: 0, advisory: 0 };
    for (const v of findings.vendor) vendorFindings[v.severity]++;
    // An upgrade replaces the bundled JRE only: a wired external truststore comes through it unchanged.
    const upgrade = obs.mid && obs.storeSource?.kind !== 'external' ? modelNextUpgrade(upgradeCandidates(named, ctx.incoming?.store, vendorBaseline), obs.mid.strategy, ctx.incoming?.store, vendorBaseline) : undefined;
    return {
      name: obs.name,
      reached: true,
      error: null,
      store: { path: obs.storePath, type: obs.store.type, integrity: obs.store.integrity, entries: obs.store.entries.length, ...(obs.storeSource ? { why: obs.storeSource.why } : {}) },
      certificates: team.map((c) => ({ alias: c.alias, sha256: c.certificate.sha256 })).sort((a, b) => compare(a.alias, b.alias) || compare(a.sha256, b.sha256)),
      vendorCertificates: vendorRoots.length,
      soonestExpiry: soonest(team),
      drift: plan ? { changes: plan.changes, actions: plan.actions.filter((a) => a.action !== 'unchanged').map((a) => withMigratedCopy(a, store)) } : null,
      coverage: plan ? this.#coverage(plan.actions, new Set(named.map((c) => c.certificate.sha256))) : null,
      mid: obs.mid ? { home: obs.mid.layout.home, strategy: obs.mid.strategy, externalTruststore: obs.mid.external.path ?? null } : null,
      upgrade: upgrade ? { rule: upgrade.rule, why: upgrade.why, lost: upgrade.lost.map((l) => ({ alias: l.alias, sha256: l.sha256, reason: l.reason })) } : null,
      violations: findings.team,
      vendorFindings,
      endpoints: obs.endpoints ?? null,
    };
  }

  /** A host that could not be read: it shows as failed in every format. */
  failed(name: string, error: string): HostPosture {
    return {
      name,
      reached: false,
      error,
      store: null,
      certificates: [],
      vendorCertificates: 0,
      soonestExpiry: null,
      drift: null,
      coverage: null,
      mid: null,
      upgrade: null,
      violations: [],
      vendorFindings: { error: 0, warning: 0, advisory: 0 },
      endpoints: null,
    };
  }

  /** The whole report over these hosts (in the order given). */
  build(hosts: readonly HostPosture[]): FleetPosture {
    const ctx = this.#context;
    const certificates = this.#fleetCertificates(hosts);
    return {
      schemaVersion: POSTURE_SCHEMA_VERSION,
      generatedAt: ctx.now.toISOString(),
      generator: ctx.generator,
      source: ctx.source,
      desiredFile: ctx.desired ? (ctx.desiredFile ?? ctx.desired.sourceFile) : null,
      incomingStore: ctx.incoming?.path ?? null,
      expiryWindows: this.#windows,
      declared: this.#declaredOnce,
      endpoints: ctx.desired?.endpoints ?? [],
      certificates,
      hosts,
      summary: summarize(hosts, certificates, ctx.desired, ctx.now, this.#windows),
    };
  }

  #certificate(der: Uint8Array): Certificate {
    const c = Certificate.fromDer(der);
    if (!this.#bySha.has(c.sha256)) this.#bySha.set(c.sha256, c);
    return c;
  }

  /**
   * The store with every trusted certificate's bytes replaced by the one array already seen with
   * the same content, so the plan, the rules and the upgrade model (which all memoize by array)
   * hash and parse a CA held by 500 hosts once, not 500 times.
   */
  #shareCertificates(store: Keystore): Keystore {
    return {
      ...store,
      entries: store.entries.map((e) => (e.kind === 'trustedCertificate' && e.certificates[0] ? { ...e, certificates: [this.#shared(e.certificates[0]), ...e.certificates.slice(1)] } : e)),
    };
  }

  #shared(der: Uint8Array): Uint8Array {
    const key = contentKey(der);
    const same = this.#byContent.get(key);
    const found = same?.find((d) => Buffer.compare(der, d) === 0);
    if (found) return found;
    if (same) same.push(der);
    else this.#byContent.set(key, [der]);
    return der;
  }

  /** A JDK vendor root: named like one, or shipped in the incoming JRE's store; never a declared one. */
  #isVendor(c: NamedCertificate): boolean {
    const sha = c.certificate.sha256;
    if (this.#declaredShas.has(sha)) return false;
    return isVendorAlias(c.alias) || (this.#incomingShas?.has(sha) ?? false);
  }

  /** The plan's verdict per declared alias, softened when the certificate is trusted under another alias. */
  #coverage(actions: readonly { action: string; alias: string }[], held: ReadonlySet<string>): CoverageState[] {
    const byAlias = new Map(actions.map((a) => [aliasKey(a.alias), a.action]));
    return this.#declaredOnce.map((d): CoverageState => {
      const action = byAlias.get(aliasKey(d.alias));
      if (action === 'unchanged') return 'present';
      if (held.has(d.sha256)) return 'otherAlias';
      return action === 'replace' ? 'different' : 'missing';
    });
  }

  #fleetCertificates(hosts: readonly HostPosture[]): PostureCertificate[] {
    const agg = new Map<string, { aliases: Set<string>; hosts: number }>();
    for (const h of hosts) {
      const seenHere = new Set<string>();
      for (const c of h.certificates) {
        let a = agg.get(c.sha256);
        if (!a) agg.set(c.sha256, (a = { aliases: new Set(), hosts: 0 }));
        a.aliases.add(c.alias);
        if (!seenHere.has(c.sha256)) {
          seenHere.add(c.sha256);
          a.hosts++;
        }
      }
    }
    const out: PostureCertificate[] = [];
    for (const [sha, a] of agg) {
      const facts = factsOf(this.#bySha.get(sha));
      out.push({
        sha256: sha,
        aliases: [...a.aliases].sort(compare),
        subject: facts?.subject ?? null,
        issuer: facts?.issuer ?? null,
        notAfter: facts ? facts.notAfter.toISOString() : null,
        isCa: facts?.isCa ?? null,
        declared: this.#declaredShas.has(sha),
        hosts: a.hosts,
      });
    }
    // ISO strings of one format sort as dates do.
    return out.sort((x, y) => (x.notAfter === y.notAfter ? 0 : x.notAfter === null ? 1 : y.notAfter === null ? -1 : compare(x.notAfter, y.notAfter)) || compare(x.sha256, y.sha256));
  }
}

/** Declared certificates once each (an alias declared twice identically counts once), in file order. */
function declaredOnce(declared: readonly PresentCertificate[]): DeclaredCertificate[] {
  const seen = new Set<string>();
  const out: DeclaredCertificate[] = [];
  for (const d of declared) {
    if (seen.has(aliasKey(d.alias))) continue;
    seen.add(aliasKey(d.alias));
    out.push({ alias: d.alias, sha256: d.sha256 });
  }
  return out;
}

/**
 * A cheap key for a certificate's bytes: FNV-1a over its length and last 32 bytes (the signature,
 * which differs between any two certificates). Equal keys are confirmed byte by byte.
 */
function contentKey(der: Uint8Array): number {
  let h = 0x811c9dc5 ^ der.length;
  for (let i = Math.max(0, der.length - 32); i < der.length; i++) h = Math.imul(h ^ der[i], 0x01000193);
  return h >>> 0;
}

function factsOf(c: Certificate | undefined): Certificate['facts'] | undefined {
  try {
    return c?.facts;
  } catch {
    return undefined; // listed by fingerprint, as `ls` does
  }
}

function soonest(certs: readonly NamedCertificate[]): HostPosture['soonestExpiry'] {
  let best: { alias: string; sha256: string; at: Date } | undefined;
  for (const c of certs) {
    const at = factsOf(c.certificate)?.notAfter;
    if (at && (!best || at < best.at)) best = { alias: c.alias, sha256: c.certificate.sha256, at };
  }
  return best ? { alias: best.alias, sha256: best.sha256, notAfter: best.at.toISOString() } : null;
}

/** Code-unit order: the same report on every machine, whatever its locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The endpoint verdicts as the endpoint rule's input: every endpoint now (no verdict is
 * `endpoint-unreachable`), and after the upgrade only where it changes things — trusted now and
 * not after, or not checkable after — so an endpoint untrusted now and after is one finding, not two.
 */
function endpointRuleInput(endpoints: readonly HostEndpoint[]): EndpointCheck[] {
  const out: EndpointCheck[] = [];
  for (const e of endpoints) {
    out.push(asEndpointCheck(e.target, 'now', e));
    if (e.trusted === true && e.afterUpgrade && e.afterUpgrade.trusted !== true) out.push(asEndpointCheck(e.target, 'after the upgrade', e.afterUpgrade));
  }
  return out;
}

function asEndpointCheck(target: string, when: string, v: EndpointVerdictPosture): EndpointCheck {
  return {
    target,
    when,
    ...(v.store !== null ? { store: v.store } : {}),
    ...(v.trusted === null ? { error: v.error ?? 'no verdict' } : { verdict: { trusted: v.trusted, problems: v.problems, suggest: v.suggest } }),
  };
}

function summarize(hosts: readonly HostPosture[], certificates: readonly PostureCertificate[], desired: DesiredState | undefined, now: Date, windows: ExpiryWindows): PostureSummary {
  const withDesired = desired !== undefined;
  const reached = hosts.filter((h) => h.reached);
  const violations: Record<Severity, number> = { error: 0, warning: 0, advisory: 0 };
  for (const h of reached) for (const v of h.violations) violations[v.severity]++;
  const classOf = new Map(certificates.map((c) => [c.sha256, c.notAfter ? expiryClass(new Date(c.notAfter), now, windows) : 'fine']));
  const window = (...classes: string[]): { certificates: number; hosts: number } => ({
    certificates: certificates.filter((c) => classes.includes(classOf.get(c.sha256) ?? '')).length,
    hosts: reached.filter((h) => h.certificates.some((c) => classes.includes(classOf.get(c.sha256) ?? ''))).length,
  });
  return {
    hosts: hosts.length,
    reached: reached.length,
    failed: hosts.length - reached.length,
    drifted: withDesired ? reached.filter((h) => (h.drift?.changes ?? 0) > 0).length : null,
    incomplete: withDesired ? reached.filter((h) => h.coverage?.some((s) => s === 'missing' || s === 'different')).length : null,
    expired: window('expired'),
    expiring: { withinSoonDays: window('soon'), withinLaterDays: window('soon', 'later') },
    upgradeRisk: reached.filter((h) => (h.upgrade?.lost.length ?? 0) > 0).length,
    violations,
    endpoints: desired?.endpoints?.length ? summarizeEndpoints(reached) : null,
  };
}

function summarizeEndpoints(reached: readonly HostPosture[]): PostureSummary['endpoints'] {
  const hostsWhere = (test: (e: HostEndpoint) => boolean): number => reached.filter((h) => h.endpoints?.some(test)).length;
  const afterComputed = reached.some((h) => h.endpoints?.some((e) => e.afterUpgrade !== null));
  return {
    notTrusted: hostsWhere((e) => e.trusted === false),
    notChecked: hostsWhere((e) => e.trusted === null),
    notTrustedAfterUpgrade: afterComputed ? hostsWhere((e) => e.afterUpgrade?.trusted === false) : null,
  };
}

/**
 * A missing declared certificate that an upgrade kept as its migrated copy (`snc_<alias>`): the
 * drift says where it is trusted now — the same model as the resources' refresh.
 */
function withMigratedCopy(a: PlanAction, store: Keystore): PlanAction {
  if (a.action !== 'add' || a.sha256 === undefined) return a;
  const copy = migratedCopiesOf(store, a.alias, a.sha256).find((c) => c.sameCertificate);
  return copy ? { ...a, reason: `${a.reason}; ${describeCopy(copy)}` } : a;
}
