import { Certificate } from '../certificate/certificate';
import type { Keystore } from '../keystore/model';
import { checkAliasConflicts, checkCertificate, checkDuplicates, type NamedCertificate } from './certificateRules';
import { checkEndpoints, type EndpointCheck } from './endpointRules';
import { checkFileExposures, type FileExposure } from './fileExposureRules';
import { checkMidSettings, checkUpgradeLoss, upgradeCandidates, type MidSettings } from './midRules';
import { DEFAULT_RULE_OPTIONS, SEVERITY_ORDER, type RuleOptions, type Violation } from './violation';

/** What the rules look at: certificates (declared or in a store), and optionally the MID's settings. */
export interface RuleInput {
  readonly certificates: readonly NamedCertificate[];
  readonly mid?: MidSettings;
  /** The incoming JRE's truststore, for upgrade rules (otherwise: private CAs assumed absent from it). */
  readonly incoming?: Keystore;
  /** Endpoints already judged by provider/verify (the rule itself does no network). */
  readonly endpoints?: readonly EndpointCheck[];
  /** Files and directories every account can read (provider/host/fileExposure.ts). */
  readonly exposures?: readonly FileExposure[];
}

/**
 * Findings of the per-certificate rules, remembered by certificate and alias, for callers that
 * run the rules over many stores holding the same certificates (a fleet report: one CA, 500
 * hosts). Valid for one set of rule options only: create one per run.
 */
export type CertificateFindingsMemo = WeakMap<Certificate, Map<string, Violation[]>>;

/**
 * Runs every rule; findings sorted by severity (errors first), then alias. Certificates whose
 * alias looks like a JDK vendor root (`[jdk]`, `debian:`) are left out of the upgrade-loss rule
 * when no incoming store is given: the new JRE brings its own copies.
 */
export function runRules(input: RuleInput, options: Partial<RuleOptions> = {}, memo?: CertificateFindingsMemo): Violation[] {
  const opts: RuleOptions = { ...DEFAULT_RULE_OPTIONS, now: new Date(), ...options };
  const out: Violation[] = [];
  for (const c of input.certificates) out.push(...(memo ? remembered(memo, c, opts) : checkCertificate(c, opts)));
  out.push(...checkDuplicates(input.certificates, opts), ...checkAliasConflicts(input.certificates, opts));
  if (input.mid) {
    out.push(...checkMidSettings(input.mid, opts));
    out.push(...checkUpgradeLoss(upgradeCandidates(input.certificates, input.incoming), input.mid.strategy, opts, input.incoming));
  }
  if (input.endpoints) out.push(...checkEndpoints(input.endpoints, opts));
  if (input.exposures) out.push(...checkFileExposures(input.exposures, opts));
  return out.sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || byCodeUnits(a.alias ?? '', b.alias ?? '') || byCodeUnits(a.rule, b.rule));
}

/**
 * Code-unit order, as the plan sorts: the same findings in the same order on every machine
 * whatever its locale, and cheap enough for a report that sorts 75,000 of them.
 */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function remembered(memo: CertificateFindingsMemo, c: NamedCertificate, opts: RuleOptions): Violation[] {
  let byAlias = memo.get(c.certificate);
  if (!byAlias) memo.set(c.certificate, (byAlias = new Map()));
  let found = byAlias.get(c.alias);
  if (!found) byAlias.set(c.alias, (found = checkCertificate(c, opts)));
  return found;
}

/** The trusted certificates of a store, named by alias. */
export function certificatesOfStore(store: Keystore): NamedCertificate[] {
  return store.entries.filter((e) => e.kind === 'trustedCertificate' && e.certificates[0]).map((e) => ({ alias: e.alias, certificate: Certificate.fromDer(e.certificates[0]) }));
}
