import type { Keystore } from '../keystore/model';
import type { DuplicateMidParameter } from '../mid/configXml';
import { isInsideMidHome, type MidLayout } from '../mid/midLayout';
import type { MigrationStrategy } from '../mid/migrationStrategy';
import { ruleForStrategy } from '../mid/upgrade/releaseRules';
import { isVendorAlias, modelUpgrade, type UpgradeResult } from '../mid/upgrade/upgradeModel';
import type { ExternalTruststoreSettings } from '../mid/wrapperOverride';
import { violation, type NamedCertificate } from './certificateRules';
import type { RuleOptions, Violation } from './violation';

/**
 * Which of these certificates the next upgrade drops under `strategy`. Without the incoming
 * store, it is taken as holding none of them (true of private CAs, which is what matters).
 */
export function checkUpgradeLoss(certs: readonly NamedCertificate[], strategy: MigrationStrategy, opts: RuleOptions, incoming?: Keystore): Violation[] {
  const r = modelNextUpgrade(certs, strategy, incoming);
  const out: Violation[] = r.lost.map((l) =>
    violation('lost-on-upgrade', opts, l.alias, l.sha256, `${l.alias} will be lost at the next MID upgrade under ${strategy}: ${l.reason}`, lossRemedy(strategy)),
  );
  for (const e of r.result.filter((x) => x.outcome === 'resurrected')) {
    out.push(violation('resurrected-vendor-root', opts, e.previousAlias ?? e.alias, e.sha256, `${e.previousAlias ?? e.alias} is no longer shipped by the new JRE but migrate_delta would bring it back as ${e.alias}`, 'remove it before the upgrade (state: absent) unless you trust it on purpose'));
  }
  return out;
}

/**
 * The upgrade model (upgrade-preview's) over these certificates under `strategy`: what the next
 * upgrade keeps, migrates and loses. Without the incoming store it is taken as empty, so pass
 * {@link upgradeCandidates} rather than a whole store.
 *
 * @example
 * modelNextUpgrade(upgradeCandidates(certs), 'migrate_non_ca').lost; // the private CAs
 */
export function modelNextUpgrade(certs: readonly NamedCertificate[], strategy: MigrationStrategy, incoming?: Keystore): UpgradeResult {
  const current: Keystore = { type: 'JKS', integrity: 'verified', entries: certs.map((c) => ({ alias: c.alias, kind: 'trustedCertificate' as const, certificates: [c.certificate.der] })) };
  const target: Keystore = incoming ?? { type: 'JKS', integrity: 'verified', entries: [] };
  const { rule, why } = ruleForStrategy(strategy);
  return modelUpgrade(current, target, rule, why);
}

/**
 * The certificates whose fate at upgrade is in question: all of them against a known incoming
 * store; otherwise those that do not look like JDK vendor roots, because the new JRE brings its
 * own copies of those.
 */
export function upgradeCandidates(certs: readonly NamedCertificate[], incoming?: Keystore): readonly NamedCertificate[] {
  return incoming ? certs : certs.filter((c) => !isVendorAlias(c.alias));
}

function lossRemedy(strategy: MigrationStrategy): string {
  return strategy === 'migrate_non_ca'
    ? 'switch to migrate_delta, or keep these CAs in an external truststore outside the MID home, or re-apply midtrust right after the upgrade'
    : 'use migrate_delta or an external truststore outside the MID home, or re-apply midtrust right after the upgrade';
}

/** The MID settings a policy cares about. */
export interface MidSettings {
  readonly layout: MidLayout;
  readonly strategy: MigrationStrategy;
  readonly external: ExternalTruststoreSettings;
  /** Strategies a policy allows (all when undefined). */
  readonly allowedStrategies?: readonly MigrationStrategy[];
  /** Parameters config.xml sets more than once (none when undefined). */
  readonly duplicateParameters?: readonly DuplicateMidParameter[];
  /**
   * The store of this MID that is being managed or audited (resolveMidStore's answer for it), when
   * one is: the bundled cacerts of a MID wired to an external truststore is flagged.
   */
  readonly managed?: { readonly path: string; readonly kind: 'external' | 'jssecacerts' | 'bundled' };
  /** Where wrapper-override.conf wires the external truststore (1-based), for messages. */
  readonly externalLine?: number;
}

/** Rules over a MID's configuration: strategy, external truststore location and password. */
export function checkMidSettings(s: MidSettings, opts: RuleOptions): Violation[] {
  const out: Violation[] = [];
  if (s.allowedStrategies && !s.allowedStrategies.includes(s.strategy)) {
    out.push(violation('disallowed-migration-strategy', opts, null, null, `${s.layout.configXml}: mid.truststore.migration.strategy=${s.strategy} is not allowed by policy (allowed: ${s.allowedStrategies.join(', ')})`, `set it to one of ${s.allowedStrategies.join(', ')}`));
  }
  if (s.strategy === 'do_not_migrate' && !s.external.path) {
    out.push(violation('do-not-migrate-without-external-truststore', opts, null, null, `${s.layout.home}: do_not_migrate without an external truststore — every custom certificate is lost at the next upgrade`, 'configure an external truststore outside the MID home (ExternalTruststore), or use migrate_delta'));
  }
  if (s.external.path && isInsideMidHome(s.layout, s.external.path)) {
    out.push(violation('external-truststore-inside-mid-home', opts, null, null, `the external truststore ${s.external.path} is inside the MID home ${s.layout.home}; an upgrade overwrites it`, 'move it outside the install directory (e.g. /etc/servicenow/mid-truststore.p12 or D:\\MIDTrust\\truststore.p12)'));
  }
  for (const d of s.duplicateParameters ?? []) {
    const where = d.occurrences.map((o) => `line ${o.line}: ${o.value}`).join(', ');
    out.push(violation('duplicate-mid-parameter', opts, null, null, `${s.layout.configXml}: ${d.name} is set ${d.occurrences.length} times (${where}); the MID uses the last one`, `keep one <parameter name="${d.name}"> in config.xml (midtrust's own edits set every occurrence alike)`));
  }
  if (s.managed?.kind === 'bundled' && s.external.path) {
    const where = `${s.layout.wrapperOverride}${s.externalLine ? ` line ${s.externalLine}` : ''}`;
    out.push(
      violation(
        'bundled-store-bypassed',
        opts,
        null,
        null,
        `${s.managed.path} is the bundled cacerts, but the MID's JVM reads the external truststore ${s.external.path} wired in ${where}: what is trusted here does not change what the MID trusts`,
        'manage the store the JVM reads (keystore.midHome without store: bundled, or a resource with midHome), or remove the wiring if the bundled cacerts is meant',
      ),
    );
  }
  if (s.external.password !== undefined) {
    out.push(violation('plaintext-truststore-password', opts, null, null, `${s.layout.wrapperOverride} holds javax.net.ssl.trustStorePassword in plain text`, 'restrict the file to the MID service account, or use a password-less PKCS12 truststore (it holds only public certificates)'));
  }
  return out;
}
