/**
 * The fleet's trust posture: what `midtrust report` renders as HTML, Prometheus text and JSON.
 * One plain, JSON-ready data model (schema/report.schema.json) so that the three formats cannot
 * disagree: each renderer reads this and nothing else.
 *
 * Every figure in it comes from the engines the other commands use: drift from the plan engine
 * (`computePlan`), findings from the policy rules (`runRules`), upgrade losses from the upgrade
 * model (`modelNextUpgrade`), endpoint verdicts from `midtrust verify`'s engine. The report adds
 * no rule of its own.
 */
import type { PlanAction } from '../plan/plan';
import type { Severity, Violation } from '../rules/violation';

/** Current shape of the JSON; bumped when a field changes meaning or goes away. */
export const POSTURE_SCHEMA_VERSION = 1;

/** Days before expiry that the report highlights: red within `soonDays`, amber within `laterDays`. */
export interface ExpiryWindows {
  readonly soonDays: number;
  readonly laterDays: number;
}

export const DEFAULT_EXPIRY_WINDOWS: ExpiryWindows = { soonDays: 30, laterDays: 90 };

/** Where the hosts came from. */
export interface PostureSource {
  readonly kind: 'inventory' | 'midHome' | 'keystore';
  /** The inventory file, MID home or keystore as given. */
  readonly path: string;
}

/** A certificate the desired-state file declares present (a chain yields one per certificate). */
export interface DeclaredCertificate {
  readonly alias: string;
  readonly sha256: string;
}

/**
 * One distinct certificate (by SHA-256) held by at least one reached host. Only *tracked*
 * certificates are listed: declared ones and private ones; the JDK vendor's roots are counted per
 * host but not tracked (they come and go with the JRE).
 */
export interface PostureCertificate {
  readonly sha256: string;
  /** The aliases it is stored under across the fleet, sorted. */
  readonly aliases: readonly string[];
  /** As keytool prints it; null when the certificate cannot be parsed. */
  readonly subject: string | null;
  readonly issuer: string | null;
  /** ISO 8601; null when unreadable. */
  readonly notAfter: string | null;
  readonly isCa: boolean | null;
  /** Declared in the desired-state file. */
  readonly declared: boolean;
  /** How many reached hosts hold it. */
  readonly hosts: number;
}

/** How a host stands with one declared certificate. */
export type CoverageState =
  /** the alias holds the declared certificate */
  | 'present'
  /** the certificate is trusted, under another alias (Java trusts it; plan would still add the alias) */
  | 'otherAlias'
  /** the alias holds another certificate, and the declared one is not trusted */
  | 'different'
  /** not trusted at all */
  | 'missing';

/** A host's trusted certificate that the report tracks (see PostureCertificate). */
export interface HostCertificate {
  readonly alias: string;
  readonly sha256: string;
}

/** What the next MID upgrade does to a host's custom certificates (the upgrade-preview model). */
export interface HostUpgrade {
  /** `delta`, `non_ca` or `none`, as upgrade-preview names the rule. */
  readonly rule: string;
  readonly why: string;
  readonly lost: readonly { readonly alias: string; readonly sha256: string; readonly reason: string }[];
}

/** One host: reached with its facts, or failed with the reason. */
export interface HostPosture {
  readonly name: string;
  readonly reached: boolean;
  /** Why the host could not be read (null when reached). */
  readonly error: string | null;
  /** The store read; `why` (MID homes): which of the MID's stores and why ("external truststore wired in … line 7"). */
  readonly store: { readonly path: string; readonly type: string; readonly integrity: string; readonly entries: number; readonly why?: string } | null;
  /** Tracked trusted certificates, sorted by alias. */
  readonly certificates: readonly HostCertificate[];
  /** Trusted certificates the report does not track (JDK vendor roots). */
  readonly vendorCertificates: number;
  /** The tracked certificate that expires first (null when none, or not reached). */
  readonly soonestExpiry: { readonly alias: string; readonly sha256: string; readonly notAfter: string } | null;
  /** Pending changes against the desired-state file: the plan's actions other than `unchanged`. Null without -f. */
  readonly drift: { readonly changes: number; readonly actions: readonly PlanAction[] } | null;
  /** One state per declared certificate, in `FleetPosture.declared` order. Null without -f or when not reached. */
  readonly coverage: readonly CoverageState[] | null;
  /** MID settings (null for a plain keystore). */
  readonly mid: { readonly home: string; readonly strategy: string; readonly externalTruststore: string | null } | null;
  readonly upgrade: HostUpgrade | null;
  /** Policy findings, as `midtrust audit` reports them. */
  readonly violations: readonly Violation[];
  /**
   * The declared endpoints (`endpoints:` of the desired-state file), one per target in
   * `FleetPosture.endpoints` order, each judged by `midtrust verify`'s engine against the store
   * this host's JVM really uses. Null without declared endpoints, or when the host was not reached.
   */
  readonly endpoints: readonly HostEndpoint[] | null;
}

/**
 * `midtrust verify`'s verdict on one endpoint against one state of a host's truststore, in short:
 * the verdict, the anchor, what is wrong and the fix — or, when no verdict could be made, why.
 */
export interface EndpointVerdictPosture {
  /** The JVM's verdict; null when there is none (unreachable, failed handshake, unreadable store: see `error`). */
  readonly trusted: boolean | null;
  /** The trusted entry the path ends at, when trusted. */
  readonly anchor: { readonly alias: string; readonly sha256: string } | null;
  /** What is wrong (empty when trusted), with verify's problem codes. */
  readonly problems: readonly { readonly code: string; readonly message: string }[];
  /** The fix: which certificate to add, or what the server must send. */
  readonly suggest: readonly { readonly subject: string; readonly sha256?: string; readonly reason: string }[];
  /** Why there is no verdict (null when there is one). */
  readonly error: string | null;
  /** The store judged, in which state (`… (external truststore wired in … line N)`); null when it could not be read. */
  readonly store: string | null;
}

/** One declared endpoint on one host: now, and after the next upgrade when `--incoming` was given. */
export interface HostEndpoint extends EndpointVerdictPosture {
  /** As declared: `ldaps://ad.example.com`, `proxy:8443`. */
  readonly target: string;
  /** Against the store as the next MID upgrade leaves it (MID hosts, with --incoming); else null. */
  readonly afterUpgrade: EndpointVerdictPosture | null;
}

/** Distinct certificates, and how many hosts hold at least one of them. */
export interface CertificateCount {
  readonly certificates: number;
  readonly hosts: number;
}

/** The strip at the top of the page, and the fleet-wide metrics. */
export interface PostureSummary {
  readonly hosts: number;
  readonly reached: number;
  readonly failed: number;
  /** Hosts with pending changes (null without a desired-state file). */
  readonly drifted: number | null;
  /** Hosts missing at least one declared certificate (null without a desired-state file). */
  readonly incomplete: number | null;
  /** Distinct tracked certificates already expired, and on how many reached hosts. */
  readonly expired: CertificateCount;
  /** Not expired yet, but within `soonDays`; within `laterDays` (which includes the former). */
  readonly expiring: { readonly withinSoonDays: CertificateCount; readonly withinLaterDays: CertificateCount };
  /** Hosts whose next upgrade loses at least one certificate. */
  readonly upgradeRisk: number;
  /** Findings by severity across reached hosts. */
  readonly violations: Readonly<Record<Severity, number>>;
  /** Hosts by how their declared endpoints stand (null when the desired state declares none). */
  readonly endpoints: {
    /** Hosts that do not trust at least one declared endpoint now. */
    readonly notTrusted: number;
    /** Hosts where at least one declared endpoint could not be checked (unreachable from there). */
    readonly notChecked: number;
    /** Hosts that would not trust at least one after the next upgrade (null without --incoming). */
    readonly notTrustedAfterUpgrade: number | null;
  } | null;
}

/** The whole report. */
export interface FleetPosture {
  readonly schemaVersion: typeof POSTURE_SCHEMA_VERSION;
  /** ISO 8601: the "today" of every expiry figure. */
  readonly generatedAt: string;
  /** "midtrust <version>". */
  readonly generator: string;
  readonly source: PostureSource;
  readonly desiredFile: string | null;
  readonly incomingStore: string | null;
  readonly expiryWindows: ExpiryWindows;
  readonly declared: readonly DeclaredCertificate[];
  /** Endpoints the desired-state file declares (`endpoints:`), in file order; each host's `endpoints` follows it. */
  readonly endpoints: readonly string[];
  /** Sorted by notAfter (unreadable last), then SHA-256. */
  readonly certificates: readonly PostureCertificate[];
  /** In the order the hosts were given (inventory order). */
  readonly hosts: readonly HostPosture[];
  readonly summary: PostureSummary;
}
