/**
 * The midtrust policies for CrossGuard, over the same rules as `midtrust lint` (provider/rules).
 * This module only builds policy objects; index.ts constructs the PolicyPack, so tests can call
 * `validateResource` directly without starting a policy server.
 */
import type { PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { Certificate } from '../provider/certificate/certificate';
import { parseCertificateInput } from '../provider/certificate/certificateInput';
import { midLayout } from '../provider/mid/midLayout';
import { MIGRATION_STRATEGIES, type MigrationStrategy } from '../provider/mid/migrationStrategy';
import { checkAliasConflicts, checkCertificate, checkDuplicates, type NamedCertificate } from '../provider/rules/certificateRules';
import { checkEndpoints } from '../provider/rules/endpointRules';
import { checkMidSettings, checkUpgradeLoss } from '../provider/rules/midRules';
import { RULES, type RuleId } from '../provider/rules/ruleCatalog';
import { DEFAULT_RULE_OPTIONS, type RuleOptions, type Violation } from '../provider/rules/violation';

export const TYPES = {
  trustedCertificate: 'pulumi-nodejs:dynamic/midtrust:TrustedCertificate',
  truststore: 'pulumi-nodejs:dynamic/midtrust:Truststore',
  migrationStrategy: 'pulumi-nodejs:dynamic/midtrust:TruststoreMigrationStrategy',
  externalTruststore: 'pulumi-nodejs:dynamic/midtrust:ExternalTruststore',
} as const;

const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** Per-policy configuration (`pulumi config` of the pack, or PulumiPolicy enforcement config). */
export const CERTIFICATE_CONFIG: PolicyConfigSchema = {
  properties: {
    expiringDays: { type: 'integer', minimum: 0, default: 30, description: 'warn this many days before expiry' },
    minRsaBits: { type: 'integer', minimum: 512, default: 2048 },
    minEcBits: { type: 'integer', minimum: 160, default: 256 },
  },
};

export const STRATEGY_CONFIG: PolicyConfigSchema = {
  properties: {
    allowedStrategies: { type: 'array', items: { type: 'string', enum: [...MIGRATION_STRATEGIES] }, default: [...MIGRATION_STRATEGIES] },
  },
};

interface CertificateConfig {
  expiringDays?: number;
  minRsaBits?: number;
  minEcBits?: number;
}

function ruleOptions(config: CertificateConfig): RuleOptions {
  return { ...DEFAULT_RULE_OPTIONS, ...config, now: new Date() };
}

/** The declared certificates of a TrustedCertificate or Truststore resource (unknown values skipped). */
export function declaredCertificates(type: string, props: Record<string, unknown>): NamedCertificate[] {
  const one = (alias: unknown, pem: unknown): NamedCertificate[] => {
    if (typeof alias !== 'string' || typeof pem !== 'string' || pem === UNKNOWN || alias === UNKNOWN) return [];
    try {
      return parseCertificateInput(pem, `alias ${alias}`).map((der, i) => ({ alias: i === 0 ? alias : `${alias}-${i + 1}`, certificate: Certificate.fromDer(der) }));
    } catch {
      return []; // the provider's check reports unreadable certificates
    }
  };
  if (type === TYPES.trustedCertificate) return one(props.alias, props.certificatePem);
  if (type === TYPES.truststore && Array.isArray(props.certificates)) {
    return (props.certificates as Array<Record<string, unknown>>).flatMap((c) => one(c?.alias, c?.certificatePem));
  }
  return [];
}

/** A resource policy for one certificate rule (its CrossGuard level follows the rule's default severity). */
function certificatePolicy(rule: RuleId): ResourceValidationPolicy {
  return {
    name: `midtrust-${rule}`,
    description: RULES[rule].summary,
    enforcementLevel: RULES[rule].severity === 'error' ? 'mandatory' : 'advisory',
    configSchema: CERTIFICATE_CONFIG,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      const certs = declaredCertificates(args.type, args.props);
      if (certs.length === 0) return;
      const opts = ruleOptions(args.getConfig<CertificateConfig>());
      const found: Violation[] = [...certs.flatMap((c) => checkCertificate(c, opts)), ...checkDuplicates(certs, opts), ...checkAliasConflicts(certs, opts)];
      for (const v of found.filter((x) => x.rule === rule)) report(`${v.message}. ${v.remediation}`);
    },
  };
}

const CERTIFICATE_RULES: RuleId[] = ['certificate-expired', 'certificate-expiring', 'certificate-not-yet-valid', 'weak-key', 'weak-signature', 'x509-v1', 'trusted-end-entity', 'duplicate-certificate', 'alias-conflict'];

function strategyOf(props: Record<string, unknown>): MigrationStrategy | undefined {
  return (MIGRATION_STRATEGIES as readonly unknown[]).includes(props.strategy) ? (props.strategy as MigrationStrategy) : undefined;
}

/** Strategies outside the allowed list are refused. */
export const allowedStrategyPolicy: ResourceValidationPolicy = {
  name: 'midtrust-disallowed-migration-strategy',
  description: RULES['disallowed-migration-strategy'].summary,
  enforcementLevel: 'mandatory',
  configSchema: STRATEGY_CONFIG,
  validateResource: (args, report) => {
    if (args.type !== TYPES.migrationStrategy) return;
    const strategy = strategyOf(args.props);
    const allowed = args.getConfig<{ allowedStrategies?: MigrationStrategy[] }>().allowedStrategies ?? [...MIGRATION_STRATEGIES];
    if (strategy && !allowed.includes(strategy)) report(`mid.truststore.migration.strategy=${strategy} is not allowed (allowed: ${allowed.join(', ')})`);
  },
};

/** An external truststore inside the MID home is overwritten by the next upgrade. */
export const externalInsideHomePolicy: ResourceValidationPolicy = {
  name: 'midtrust-external-truststore-inside-mid-home',
  description: RULES['external-truststore-inside-mid-home'].summary,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== TYPES.externalTruststore) return;
    const { midHome, truststorePath } = args.props as { midHome?: string; truststorePath?: string };
    if (typeof midHome !== 'string' || typeof truststorePath !== 'string' || midHome === UNKNOWN || truststorePath === UNKNOWN) return;
    for (const v of checkMidSettings({ layout: midLayout(midHome), strategy: 'migrate_delta', external: { path: truststorePath } }, ruleOptions({}))) {
      if (v.rule === 'external-truststore-inside-mid-home') report(`${v.message}. ${v.remediation}`);
    }
  },
};

/**
 * Across the stack: certificates declared for a MID's cacerts that its declared migration
 * strategy will drop at the next upgrade, and do_not_migrate without an external truststore.
 */
export const upgradeLossPolicy: StackValidationPolicy = {
  name: 'midtrust-lost-on-upgrade',
  description: RULES['lost-on-upgrade'].summary,
  enforcementLevel: 'mandatory',
  validateStack: (args: StackValidationArgs, report) => {
    const opts = ruleOptions({});
    for (const s of args.resources.filter((r) => r.type === TYPES.migrationStrategy)) {
      const strategy = strategyOf(s.props);
      const midHome = s.props.midHome;
      if (!strategy || typeof midHome !== 'string') continue;
      const layout = midLayout(midHome);
      const hasExternal = args.resources.some((r) => r.type === TYPES.externalTruststore && sameMidHome(r.props.midHome, midHome));
      // The bundled cacerts is what an upgrade replaces: by path, or by midHome when it is the store the JVM reads (or store: bundled).
      const certs = args.resources
        .filter((r) => (r.type === TYPES.trustedCertificate || r.type === TYPES.truststore) && (r.props.keystorePath === layout.cacerts || (sameMidHome(r.props.midHome, midHome) && (r.props.store === 'bundled' || !hasExternal))))
        .flatMap((r) => declaredCertificates(r.type, r.props));
      for (const v of checkUpgradeLoss(certs, strategy, opts)) {
        if (v.rule === 'lost-on-upgrade') report(`${v.message}. ${v.remediation}`, s.urn);
      }
      if (strategy === 'do_not_migrate' && !hasExternal) {
        report(`${midHome}: do_not_migrate without an ExternalTruststore — every custom certificate is lost at the next upgrade`, s.urn);
      }
    }
  },
};

/** Two spellings of one MID home (`…/agent` and the home are one; Windows paths case-insensitive); false for unknown values. */
function sameMidHome(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a === UNKNOWN || b === UNKNOWN) return false;
  const home = (v: string): string => {
    const l = midLayout(v);
    return l.platform === 'win32' ? l.home.toLowerCase() : l.home;
  };
  return home(a) === home(b);
}

/**
 * Across the stack: a TrustedCertificate or Truststore that manages the bundled cacerts
 * (`store: bundled`, or its keystorePath) of a MID whose ExternalTruststore in the same stack
 * wires another store for its JVM — the same rule as lint/audit (bundled-store-bypassed).
 */
export const bundledStoreBypassedPolicy: StackValidationPolicy = {
  name: 'midtrust-bundled-store-bypassed',
  description: RULES['bundled-store-bypassed'].summary,
  enforcementLevel: 'advisory', // store: bundled is an explicit choice: told, not refused
  validateStack: (args: StackValidationArgs, report) => {
    const opts = ruleOptions({});
    for (const ext of args.resources.filter((r) => r.type === TYPES.externalTruststore)) {
      const { midHome, truststorePath } = ext.props as { midHome?: unknown; truststorePath?: unknown };
      if (typeof midHome !== 'string' || typeof truststorePath !== 'string' || midHome === UNKNOWN || truststorePath === UNKNOWN) continue;
      const layout = midLayout(midHome);
      for (const r of args.resources.filter((x) => x.type === TYPES.trustedCertificate || x.type === TYPES.truststore)) {
        const bundled = r.props.keystorePath === layout.cacerts || (sameMidHome(r.props.midHome, midHome) && r.props.store === 'bundled');
        if (!bundled) continue;
        const settings = { layout, strategy: 'migrate_delta' as const, external: { path: truststorePath }, managed: { path: layout.cacerts, kind: 'bundled' as const } };
        for (const v of checkMidSettings(settings, opts)) if (v.rule === 'bundled-store-bypassed') report(`${v.message}. ${v.remediation}`, r.urn);
      }
    }
  },
};

/** Configuration of the endpoint policy: which endpoints must be trusted, by which keystore. */
export const ENDPOINT_CONFIG: PolicyConfigSchema = {
  properties: {
    endpoints: {
      type: 'array',
      default: [],
      description: 'endpoints the MIDs must trust: host:port, https://…, ldaps://…, ldap://… (StartTLS); keystorePath limits one to that store',
      items: { type: 'object', required: ['target'], properties: { target: { type: 'string' }, keystorePath: { type: 'string' } } },
    },
    timeoutSeconds: { type: 'integer', minimum: 1, default: 10 },
  },
};

interface EndpointConfig {
  endpoints?: Array<{ target: string; keystorePath?: string }>;
  timeoutSeconds?: number;
}

/**
 * Across the stack: each configured endpoint is connected to at preview time and judged as the
 * JVM would with the certificates the stack declares for each keystore — the same rule as
 * `midtrust lint` and `plan`. Entries already in a store (the JDK's roots) are not known at
 * preview, so a store that is not `exclusive` may trust more: advisory by default.
 */
export const endpointTrustPolicy: StackValidationPolicy = {
  name: 'midtrust-endpoint-not-trusted',
  description: RULES['endpoint-not-trusted'].summary,
  enforcementLevel: 'advisory',
  configSchema: ENDPOINT_CONFIG,
  validateStack: async (args: StackValidationArgs, report) => {
    const config = args.getConfig<EndpointConfig>();
    if (!config.endpoints?.length) return;
    const { fetchEndpoints, endpointChecks } = await import('../provider/verify/endpointChecks');
    const { defaultJdkTrustPolicy } = await import('../provider/verify/jdkTrustPolicy');
    const stores = new Map<string, { certs: NamedCertificate[]; exclusive: boolean; urn: string }>();
    for (const r of args.resources.filter((x) => x.type === TYPES.trustedCertificate || x.type === TYPES.truststore)) {
      const keystorePath = r.props.keystorePath;
      if (typeof keystorePath !== 'string' || keystorePath === UNKNOWN) continue;
      const entry = stores.get(keystorePath) ?? { certs: [], exclusive: false, urn: r.urn };
      entry.certs.push(...declaredCertificates(r.type, r.props));
      entry.exclusive ||= r.type === TYPES.truststore && r.props.exclusive === true;
      stores.set(keystorePath, entry);
    }
    const fetched = await fetchEndpoints(config.endpoints.map((e) => e.target), { timeoutMs: (config.timeoutSeconds ?? 10) * 1000 });
    const policy = defaultJdkTrustPolicy();
    config.endpoints.forEach((e, i) => {
      for (const [keystorePath, s] of stores) {
        if (e.keystorePath !== undefined && e.keystorePath !== keystorePath) continue;
        const judged = {
          label: `${s.exclusive ? 'the certificates' : 'the certificates this stack declares (the store may hold more)'} for ${keystorePath}`,
          store: { type: 'PKCS12' as const, integrity: 'none' as const, entries: s.certs.map((c) => ({ alias: c.alias, kind: 'trustedCertificate' as const, certificates: [c.certificate.der] })) },
        };
        for (const v of checkEndpoints(endpointChecks([fetched[i]], judged, policy, 'after this update'), ruleOptions({}))) report(`${v.message}. ${v.remediation}`, s.urn);
      }
    });
  },
};

/** Every midtrust policy, in the order the pack lists them. */
export const midtrustPolicies: Array<ResourceValidationPolicy | StackValidationPolicy> = [
  ...CERTIFICATE_RULES.map(certificatePolicy),
  allowedStrategyPolicy,
  externalInsideHomePolicy,
  upgradeLossPolicy,
  bundledStoreBypassedPolicy,
  endpointTrustPolicy,
];
