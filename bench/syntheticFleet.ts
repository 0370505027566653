/**
 * A synthetic MID fleet, in memory, for the report benchmark and the page tests: real signed DER
 * certificates (ECDSA P-256, one shared key so building 1000 of them is fast), keystore models per
 * host, MID settings and a desired state, with drift, gaps, expiring certificates and upgrade
 * losses spread over the hosts by a seeded random source (the same fleet every run).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { explicit, integer, oid, sequence, set, tlv } from '../provider/asn1/derWriter';
import { sha256Hex } from '../provider/certificate/fingerprint';
import type { Keystore, KeystoreEntry } from '../provider/keystore/model';
import { midLayout } from '../provider/mid/midLayout';
import type { MigrationStrategy } from '../provider/mid/migrationStrategy';
import type { DesiredState, PresentCertificate } from '../provider/plan/desiredState';
import type { EndpointVerdictPosture, HostEndpoint } from '../provider/report/posture';
import type { HostObservation } from '../provider/report/postureBuilder';

const DAY = 86_400_000;
const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

/** What a synthetic certificate says about itself. */
export interface SyntheticCertificateSpec {
  readonly commonName: string;
  readonly organization?: string;
  readonly notAfter: Date;
  readonly ca: boolean;
}

let sharedKey: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

function utf8String(s: string): Uint8Array {
  return tlv(0x0c, new Uint8Array(Buffer.from(s, 'utf8')));
}

function generalizedTime(d: Date): Uint8Array {
  const s = `${d.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`;
  return tlv(0x18, new Uint8Array(Buffer.from(s, 'latin1')));
}

/** A self-signed X.509 v3 certificate (subject = issuer), CA or end-entity, as DER. */
export function syntheticCertificate(spec: SyntheticCertificateSpec, serial: number): Uint8Array {
  sharedKey ??= generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = sequence(
    ...(spec.organization ? [set(sequence(oid('2.5.4.10'), utf8String(spec.organization)))] : []),
    set(sequence(oid('2.5.4.3'), utf8String(spec.commonName))),
  );
  const notBefore = new Date(Math.min(spec.notAfter.getTime() - 400 * DAY, Date.now() - 30 * DAY));
  const basicConstraints = sequence(oid('2.5.29.19'), tlv(0x01, Uint8Array.of(0xff)), tlv(0x04, sequence(...(spec.ca ? [tlv(0x01, Uint8Array.of(0xff))] : []))));
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial + 1),
    ECDSA_SHA256,
    name,
    sequence(generalizedTime(notBefore), generalizedTime(spec.notAfter)),
    name,
    new Uint8Array(sharedKey.publicKey.export({ format: 'der', type: 'spki' })),
    explicit(3, sequence(basicConstraints)),
  );
  return sequence(tbs, ECDSA_SHA256, tlv(0x03, Uint8Array.of(0), new Uint8Array(sign('sha256', tbs, sharedKey.privateKey))));
}

/** A small deterministic PRNG (mulberry32): the same fleet on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticFleetOptions {
  readonly hosts: number;
  /** Trusted certificates per host (declared plus private). */
  readonly certificatesPerHost: number;
  /** How many of them the desired state declares. */
  readonly declared: number;
  /** Distinct private certificates the hosts draw from. */
  readonly privatePool: number;
  readonly now: Date;
  readonly seed?: number;
  /** How messy the fleet is; the default is the stress case of the benchmark. */
  readonly rates?: Partial<SyntheticRates>;
  /**
   * Declared endpoints, with verify-like verdicts made up per host (no network): a few not
   * trusted or unreachable; on migrate_non_ca hosts, not trusted after the upgrade. Default none.
   */
  readonly endpoints?: number;
}

/** Shares of the private pool and of the hosts that carry each kind of problem. */
export interface SyntheticRates {
  /** Private certificates already expired. */
  readonly expired: number;
  /** Private certificates expiring within 90 days. */
  readonly expiring: number;
  /** Private certificates that are CAs (the rest are end-entity certificates, an advisory finding). */
  readonly ca: number;
  /** Hosts missing one declared certificate. */
  readonly gap: number;
  /** Hosts that cannot be read. */
  readonly failed: number;
  /** Hosts on migrate_non_ca (their CAs are lost at upgrade). */
  readonly nonCa: number;
  /** Days until the two declared CAs that expire soonest expire. */
  readonly declaredExpiringDays: readonly [number, number];
}

/** The benchmark's stress case: problems everywhere. */
export const STRESS_RATES: SyntheticRates = { expired: 0.02, expiring: 0.04, ca: 0.3, gap: 0.05, failed: 0.01, nonCa: 0.25, declaredExpiringDays: [21, 64] };

/** A fleet as a screenshot should show it: mostly healthy, a few things to act on. */
export const TYPICAL_RATES: SyntheticRates = { expired: 0, expiring: 0.03, ca: 0.85, gap: 0.06, failed: 0.03, nonCa: 0.08, declaredExpiringDays: [48, 400] };

export interface SyntheticFleet {
  readonly observations: HostObservation[];
  readonly desired: DesiredState;
  /** Hosts to report as failed (name → error). */
  readonly failures: ReadonlyMap<string, string>;
}

/**
 * Builds the fleet. Expiries: declared CAs mostly years away with one within 30 days and one
 * within 90; private certificates from 20 days ago to ten years out. By default (STRESS_RATES)
 * 5% of hosts miss a declared certificate, 1% failed, and a quarter run migrate_non_ca (so their
 * private CAs would be lost at upgrade).
 */
export function syntheticFleet(opts: SyntheticFleetOptions): SyntheticFleet {
  const rnd = random(opts.seed ?? 42);
  const rates: SyntheticRates = { ...STRESS_RATES, ...opts.rates };
  const now = opts.now.getTime();
  let serial = 0;
  const declaredSpecs: { alias: string; der: Uint8Array }[] = [];
  for (let i = 0; i < opts.declared; i++) {
    const days = i === 1 ? rates.declaredExpiringDays[0] : i === 2 ? rates.declaredExpiringDays[1] : 365 * (2 + ((i * 7) % 12)) + i * 13;
    const ca = i % 5 !== 4;
    declaredSpecs.push({
      alias: i === 0 ? 'acme-root' : `acme-${ca ? 'ca' : 'svc'}-${String(i).padStart(2, '0')}`,
      der: syntheticCertificate({ commonName: i === 0 ? 'ACME Root CA' : `ACME ${ca ? 'Issuing CA' : 'Service'} ${i}`, organization: 'ACME Corp', notAfter: new Date(now + days * DAY), ca }, serial++),
    });
  }
  const pool: { alias: string; der: Uint8Array }[] = [];
  for (let i = 0; i < opts.privatePool; i++) {
    const r = rnd();
    const days = r < rates.expired ? -Math.round(rnd() * 20) - 1 : r < rates.expired + rates.expiring ? Math.round(rnd() * 90) : Math.round(90 + rnd() ** 2 * 3560);
    pool.push({
      alias: `endpoint-${String(i).padStart(4, '0')}`,
      der: syntheticCertificate({ commonName: `svc-${i}.corp.example`, organization: 'ACME Corp', notAfter: new Date(now + days * DAY), ca: rnd() < rates.ca }, serial++),
    });
  }
  const declared: PresentCertificate[] = declaredSpecs.map((d) => ({ alias: d.alias, state: 'present', der: d.der, sha256: sha256Hex(d.der), source: 'synthetic' }));
  const desired: DesiredState = {
    sourceFile: 'desired.yaml',
    keystore: { path: '/opt/servicenow/mid/agent/jre/lib/security/cacerts', create: false },
    exclusive: false,
    backup: 0,
    certificates: declared,
  };
  const observations: HostObservation[] = [];
  const failures = new Map<string, string>();
  // A stream of its own, so a fleet with endpoints has the same hosts as one without.
  const endpointRnd = random((opts.seed ?? 42) + 1);
  const targets = Array.from({ length: opts.endpoints ?? 0 }, (_, i) => ['ldaps://ad.corp.example', 'https://instance-proxy.corp.example:8443', 'smtp.corp.example:465', 'https://jira.corp.example', 'ldaps://partner-dir.example.net'][i] ?? `https://svc-${i}.corp.example`);
  for (let h = 0; h < opts.hosts; h++) {
    const name = `mid-${String(h + 1).padStart(3, '0')}.corp.example`;
    if (rnd() < rates.failed) {
      failures.set(name, `ssh mid@${name}:22: connect ETIMEDOUT (after 3 attempts)`);
      continue;
    }
    const entries: KeystoreEntry[] = [];
    const gap = rnd() < rates.gap ? 1 + Math.floor(rnd() * Math.max(1, declaredSpecs.length - 1)) : -1;
    declaredSpecs.forEach((d, i) => {
      if (i !== gap) entries.push({ alias: d.alias, kind: 'trustedCertificate', timestamp: now, certificates: [d.der] });
    });
    const taken = new Set<number>();
    while (entries.length < opts.certificatesPerHost && taken.size < pool.length) {
      const i = Math.floor(rnd() ** 1.5 * pool.length);
      if (taken.has(i)) continue;
      taken.add(i);
      entries.push({ alias: pool[i].alias, kind: 'trustedCertificate', timestamp: now, certificates: [pool[i].der] });
    }
    const store: Keystore = { type: 'JKS', integrity: 'verified', entries };
    const home = '/opt/servicenow/mid';
    const strategy = (rnd() < rates.nonCa ? 'migrate_non_ca' : 'migrate_delta') as MigrationStrategy;
    observations.push({
      name,
      storePath: midLayout(home).cacerts,
      store,
      mid: { layout: midLayout(home), strategy, external: rnd() < 0.1 ? { path: '/etc/servicenow/mid-truststore.p12' } : {} },
      ...(targets.length ? { endpoints: syntheticEndpoints(targets, name, strategy === 'migrate_non_ca', endpointRnd, declared[0]?.sha256 ?? '0'.repeat(64)) } : {}),
    });
  }
  return { observations, desired: targets.length ? { ...desired, endpoints: targets } : desired, failures };
}

/** Made-up verdicts (the network is not the benchmark's subject): 4% not trusted, 2% unreachable; after the upgrade, the ACME endpoints break where the root is lost. */
function syntheticEndpoints(targets: readonly string[], host: string, losesRoot: boolean, rnd: () => number, rootSha: string): HostEndpoint[] {
  const store = '/opt/servicenow/mid/agent/jre/lib/security/cacerts';
  const trusted: EndpointVerdictPosture = { trusted: true, anchor: { alias: 'acme-root', sha256: rootSha }, problems: [], suggest: [], error: null, store };
  const refused = (subject: string, where: string): EndpointVerdictPosture => ({
    trusted: false,
    anchor: null,
    problems: [{ code: 'ROOT_NOT_TRUSTED', message: `the chain the server sends ends at CN=${subject} Issuing CA, issued by CN=${subject} Root CA, which the store does not trust` }],
    suggest: [{ subject: `CN=${subject} Root CA`, reason: 'add this root CA (servers usually do not send their root; get it from the CA)' }],
    error: null,
    store: where,
  });
  return targets.map((target, i) => {
    const r = rnd();
    // Even endpoints chain to ACME Root CA (declared: lost with it at a migrate_non_ca upgrade);
    // a refusal now is always a partner's CA that no host trusts.
    const acme = i % 2 === 0;
    if (r < 0.02) {
      const none: EndpointVerdictPosture = { trusted: null, anchor: null, problems: [], suggest: [], error: `ssh mid@${host}:22: the MID host cannot connect to ${target.replace(/^\w+:\/\//, '')} (Connection refused)`, store };
      return { target, ...none, afterUpgrade: none };
    }
    const now = r < 0.06 ? refused('Partner', store) : trusted;
    const after = losesRoot && acme && now.trusted ? refused('ACME', `${store} as it will be after the upgrade`) : now;
    return { target, ...now, afterUpgrade: after };
  });
}
