/** Small in-memory fleets for the report tests: real DER certificates, keystore models, MID settings. */
import { syntheticCertificate } from '../../bench/syntheticFleet';
import { sha256Hex } from '../../provider/certificate/fingerprint';
import type { Keystore, KeystoreEntry } from '../../provider/keystore/model';
import { midLayout } from '../../provider/mid/midLayout';
import type { MigrationStrategy } from '../../provider/mid/migrationStrategy';
import type { DesiredState, PresentCertificate } from '../../provider/plan/desiredState';
import type { EndpointVerdictPosture } from '../../provider/report/posture';
import type { MidSettings } from '../../provider/rules/midRules';

export const NOW = new Date('2025-06-01T08:00:00Z');
const DAY = 86_400_000;
let serial = 1000;

/** A certificate expiring `days` from NOW. */
export function cert(commonName: string, days: number, ca = true): Uint8Array {
  return syntheticCertificate({ commonName, organization: 'ACME Corp', notAfter: new Date(NOW.getTime() + days * DAY), ca }, serial++);
}

/** A JKS model holding these trusted certificates. */
export function store(entries: [alias: string, der: Uint8Array][]): Keystore {
  return { type: 'JKS', integrity: 'verified', entries: entries.map(([alias, der]): KeystoreEntry => ({ alias, kind: 'trustedCertificate', timestamp: NOW.getTime(), certificates: [der] })) };
}

/** A desired state declaring these certificates present. */
export function desired(entries: [alias: string, der: Uint8Array][]): DesiredState {
  return {
    sourceFile: '/srv/desired.yaml',
    keystore: { path: '/opt/servicenow/mid/agent/jre/lib/security/cacerts', create: false },
    exclusive: false,
    backup: 0,
    certificates: entries.map(([alias, der]): PresentCertificate => ({ alias, state: 'present', der, sha256: sha256Hex(der), source: `${alias}.pem` })),
  };
}

/** MID settings of a home with this strategy (and optionally an external truststore). */
export function mid(strategy: MigrationStrategy, external?: string): MidSettings {
  return { layout: midLayout('/opt/servicenow/mid'), strategy, external: external ? { path: external } : {} };
}

export const CACERTS = midLayout('/opt/servicenow/mid').cacerts;

/** A verdict as the gatherer keeps it: trusted (anchored at acme-root), not trusted, or none (null, with an error). */
export function endpoint(trusted: boolean | null, more: Partial<EndpointVerdictPosture> = {}): EndpointVerdictPosture {
  return {
    trusted,
    anchor: trusted ? { alias: 'acme-root', sha256: 'ab'.repeat(32) } : null,
    problems: [],
    suggest: [],
    error: trusted === null ? 'unreachable' : null,
    store: 'cacerts',
    ...more,
  };
}
