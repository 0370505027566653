import { Certificate } from '../certificate/certificate';
import type { Keystore } from '../keystore/model';
import { isVendorRoot } from '../mid/upgrade/upgradeModel';
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
  /**
   * The JDK vendor's baseline: SHA-256 fingerprints of the cacerts of the JDK release the store
   * came from. A certificate in it is the vendor's; without it, vendor aliases (`… [jdk]`,
   * `debian:…`) are the clue.
   */
  readonly vendorBaseline?: ReadonlySet<string>;
  /** Every certificate is the team's own declaration (lint, the policy pack): none is a vendor root. */
  readonly declared?: boolean;
}

/**
 * Findings in two parts: about what the team declared or added (these fail `lint`/`audit`), and
 * about the JDK vendor's own roots as the vendor ships them (expired or SHA-1 roots of a stock
 * cacerts: reported apart, never failing by default — the next JRE update is their fix).
 */
export interface RuleFindings {
  readonly team: Violation[];
  readonly vendor: Violation[];
}

/**
 * Findings of the per-certificate rules, remembered by certificate and alias, for callers that
 * run the rules over many stores holding the same certificates (a fleet report: one CA, 500
 * hosts). Valid for one set of rule options only: create one per run.
 */
export type CertificateFindingsMemo = WeakMap<Certificate, Map<string, Violation[]>>;

/**
 * The team's findings (see {@link judgeRules}); sorted by severity (errors first), then alias.
 * JDK vendor roots (in `vendorBaseline`, else named `… [jdk]`, `debian:…`) are judged apart, and
 * left out of the upgrade-loss rule when no incoming store is given: the new JRE brings its own copies.
 */
export function runRules(input: RuleInput, options: Partial<RuleOptions> = {}, memo?: CertificateFindingsMemo): Violation[] {
  return judgeRules(input, options, memo).team;
}

/**
 * Every rule, with the findings split as {@link RuleFindings} says: the per-certificate rules
 * judge the team's certificates as team findings and the vendor's roots as vendor findings; the
 * upgrade rule never counts a root the vendor removed as lost (see `vendorRemovedRoot`).
 *
 * @example
 * const { team, vendor } = judgeRules({ certificates: certificatesOfStore(stockCacerts) });
 * team;   // []: nothing the team added
 * vendor; // the expired and SHA-1 roots the JDK ships
 */
export function judgeRules(input: RuleInput, options: Partial<RuleOptions> = {}, memo?: CertificateFindingsMemo): RuleFindings {
  const opts: RuleOptions = { ...DEFAULT_RULE_OPTIONS, now: new Date(), ...options };
  const baseline = input.vendorBaseline;
  const isVendor = (c: NamedCertificate): boolean => !input.declared && isVendorRoot(c.alias, c.certificate.sha256, baseline);
  const out: Violation[] = [];
  const vendor: Violation[] = [];
  for (const c of input.certificates) (isVendor(c) ? vendor : out).push(...(memo ? remembered(memo, c, opts) : checkCertificate(c, opts)));
  out.push(...checkDuplicates(input.certificates, opts), ...checkAliasConflicts(input.certificates, opts));
  if (input.mid) {
    out.push(...checkMidSettings(input.mid, opts));
    const candidates = input.declared ? input.certificates : upgradeCandidates(input.certificates, input.incoming, baseline);
    out.push(...checkUpgradeLoss(candidates, input.mid.strategy, opts, input.incoming, input.declared ? new Set() : baseline));
  }
  if (input.endpoints) out.push(...checkEndpoints(input.endpoints, opts));
  if (input.exposures) out.push(...checkFileExposures(input.exposures, opts));
  return { team: out.sort(bySeverity), vendor: vendor.sort(bySeverity) };
}

function bySeverity(a: Violation, b: Violation): number {
  return SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || byCodeUnits(a.alias ?? '', b.alias ?? '') || byCodeUnits(a.rule, b.rule);
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

/** The SHA-256 fingerprints of a store's trusted certificates: a vendor baseline for {@link RuleInput}. */
export function fingerprintsOfStore(store: Keystore): Set<string> {
  return new Set(certificatesOfStore(store).map((c) => c.certificate.sha256));
}

/** The trusted certificates of a store, named by alias. */
export function certificatesOfStore(store: Keystore): NamedCertificate[] {
  return store.entries.filter((e) => e.kind === 'trustedCertificate' && e.certificates[0]).map((e) => ({ alias: e.alias, certificate: Certificate.fromDer(e.certificates[0]) }));
}
