import type { Severity } from './violation';

/** Every rule midtrust knows: stable id, default severity and what it is about. */
export const RULES = {
  'certificate-expired': { severity: 'error', summary: 'the certificate has expired' },
  'certificate-expiring': { severity: 'warning', summary: 'the certificate expires within the configured number of days' },
  'certificate-not-yet-valid': { severity: 'error', summary: 'the certificate is not valid yet' },
  'weak-key': { severity: 'error', summary: 'RSA below 2048 bits, EC below 256 bits, or DSA' },
  'weak-signature': { severity: 'warning', summary: 'signed with MD5 or SHA-1 (advisory for self-signed roots, whose signature Java does not check)' },
  'x509-v1': { severity: 'warning', summary: 'an X.509 v1 certificate: no extensions, lost by migrate_non_ca upgrades' },
  'trusted-end-entity': { severity: 'advisory', summary: 'an end-entity (non-CA) certificate trusted directly: breaks at its next renewal' },
  'duplicate-certificate': { severity: 'warning', summary: 'the same certificate under two aliases' },
  'alias-conflict': { severity: 'error', summary: 'one alias declared twice with different certificates' },
  'lost-on-upgrade': { severity: 'error', summary: 'the configured migration strategy drops this certificate at the next upgrade' },
  'do-not-migrate-without-external-truststore': { severity: 'warning', summary: 'do_not_migrate with no external truststore: every custom certificate is lost at upgrade' },
  'external-truststore-inside-mid-home': { severity: 'error', summary: 'the external truststore lives inside the MID install directory, which an upgrade overwrites' },
  'bundled-store-bypassed': { severity: 'warning', summary: "the bundled cacerts is managed, but the MID's JVM reads an external truststore wired in wrapper-override.conf" },
  'plaintext-truststore-password': { severity: 'advisory', summary: 'trustStorePassword is in plain text in wrapper-override.conf' },
  'resurrected-vendor-root': { severity: 'advisory', summary: 'migrate_delta would bring back a root the JDK vendor removed' },
  'disallowed-migration-strategy': { severity: 'error', summary: 'the migration strategy is not one the policy allows' },
  'duplicate-mid-parameter': { severity: 'warning', summary: 'config.xml sets one parameter more than once; the MID uses the last' },
  'endpoint-not-trusted': { severity: 'error', summary: 'a declared endpoint would not be trusted by the JVM with this store (now, after apply or after the upgrade)' },
  'readable-by-everyone': { severity: 'warning', summary: 'a keystore holding private keys, or a directory of keystore backups, that every account can read (POSIX modes; on Windows the MID home\'s ACL decides, which midtrust cannot read)' },
  'endpoint-unreachable': { severity: 'warning', summary: 'a declared endpoint could not be reached, so its trust was not checked' },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type RuleId = keyof typeof RULES;
