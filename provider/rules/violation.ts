/** How bad a finding is. `--fail-on` and CrossGuard enforcement levels map onto these. */
export type Severity = 'advisory' | 'warning' | 'error';

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { advisory: 0, warning: 1, error: 2 };

/** One finding, in the `{violations: [...]}` JSON contract of lint and audit. */
export interface Violation {
  /** Stable id, e.g. `certificate-expired`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly alias: string | null;
  readonly sha256: string | null;
  readonly message: string;
  readonly remediation: string;
}

/** Thresholds and choices a policy configuration can change. */
export interface RuleOptions {
  /** "Now" for expiry checks (injectable for tests). */
  readonly now: Date;
  /** Warn this many days before expiry (default 30). */
  readonly expiringDays: number;
  readonly minRsaBits: number;
  readonly minEcBits: number;
  /** Severity overrides per rule id (CrossGuard config, `--severity rule=level`). */
  readonly severities?: Readonly<Record<string, Severity>>;
}

export const DEFAULT_RULE_OPTIONS: Omit<RuleOptions, 'now'> = { expiringDays: 30, minRsaBits: 2048, minEcBits: 256 };

/** Whether a violation reaches a threshold (`--fail-on warning` fails on warnings and errors). */
export function reaches(v: Violation, threshold: Severity): boolean {
  return SEVERITY_ORDER[v.severity] >= SEVERITY_ORDER[threshold];
}
