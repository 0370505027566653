import { Certificate } from '../certificate/certificate';
import type { Keystore } from '../keystore/model';
import { checkAliasConflicts, checkCertificate, checkDuplicates, type NamedCertificate } from './certificateRules';
import { checkMidSettings, checkUpgradeLoss, upgradeCandidates, type MidSettings } from './midRules';
import { DEFAULT_RULE_OPTIONS, SEVERITY_ORDER, type RuleOptions, type Violation } from './violation';

/** What the rules look at: certificates (declared or in a store), and optionally the MID's settings. */
export interface RuleInput {
  readonly certificates: readonly NamedCertificate[];
  readonly mid?: MidSettings;
  /** The incoming JRE's truststore, for upgrade rules (otherwise: private CAs assumed absent from it). */
  readonly incoming?: Keystore;
}

/**
 * Runs every rule; findings sorted by severity (errors first), then alias. Certificates whose
 * alias looks like a JDK vendor root (`[jdk]`, `debian:`) are left out of the upgrade-loss rule
 * when no incoming store is given: the new JRE brings its own copies.
 */
export function runRules(input: RuleInput, options: Partial<RuleOptions> = {}): Violation[] {
  const opts: RuleOptions = { ...DEFAULT_RULE_OPTIONS, now: new Date(), ...options };
  const out: Violation[] = [];
  for (const c of input.certificates) out.push(...checkCertificate(c, opts));
  out.push(...checkDuplicates(input.certificates, opts), ...checkAliasConflicts(input.certificates, opts));
  if (input.mid) {
    out.push(...checkMidSettings(input.mid, opts));
    out.push(...checkUpgradeLoss(upgradeCandidates(input.certificates, input.incoming), input.mid.strategy, opts, input.incoming));
  }
  const byText = collator().compare;
  return out.sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || byText(a.alias ?? '', b.alias ?? '') || byText(a.rule, b.rule));
}

let sharedCollator: Intl.Collator | undefined;
/** The order `localeCompare` gives, from one collator: a report sorts 75,000 findings, and each localeCompare call pays for its own. */
function collator(): Intl.Collator {
  return (sharedCollator ??= new Intl.Collator());
}

/** The trusted certificates of a store, named by alias. */
export function certificatesOfStore(store: Keystore): NamedCertificate[] {
  return store.entries.filter((e) => e.kind === 'trustedCertificate' && e.certificates[0]).map((e) => ({ alias: e.alias, certificate: Certificate.fromDer(e.certificates[0]) }));
}
