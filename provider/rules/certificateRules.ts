import type { Certificate } from '../certificate/certificate';
import { RULES, type RuleId } from './ruleCatalog';
import type { RuleOptions, Severity, Violation } from './violation';

/** A certificate under a name: what the per-certificate rules look at. */
export interface NamedCertificate {
  readonly alias: string;
  readonly certificate: Certificate;
}

const DAY = 24 * 3600 * 1000;

/** Builds a violation with the rule's (possibly overridden) severity. */
export function violation(rule: RuleId, opts: Pick<RuleOptions, 'severities'>, alias: string | null, sha256: string | null, message: string, remediation: string, severity?: Severity): Violation {
  return { rule, severity: opts.severities?.[rule] ?? severity ?? RULES[rule].severity, alias, sha256, message, remediation };
}

/**
 * Rules about one certificate: validity dates, key strength, signature, version, CA-ness.
 * A certificate the parser cannot read yields no findings here (the plan already rejects it).
 */
export function checkCertificate({ alias, certificate }: NamedCertificate, opts: RuleOptions): Violation[] {
  let f;
  try {
    f = certificate.facts;
  } catch {
    return [];
  }
  const out: Violation[] = [];
  const sha = certificate.sha256;
  const who = `${alias} (${f.subjectCommonName ?? f.subject}, sha256 ${sha.slice(0, 12)}…)`;
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  const now = opts.now.getTime();
  if (f.notAfter.getTime() < now) {
    out.push(violation('certificate-expired', opts, alias, sha, `${who} expired on ${day(f.notAfter)}`, 'replace it with the renewed certificate from its CA, or remove it (state: absent)'));
  } else if (f.notAfter.getTime() < now + opts.expiringDays * DAY) {
    const days = Math.ceil((f.notAfter.getTime() - now) / DAY);
    out.push(violation('certificate-expiring', opts, alias, sha, `${who} expires on ${day(f.notAfter)} (in ${days} day${days === 1 ? '' : 's'})`, 'get the renewed certificate now and declare it before this one expires'));
  }
  if (f.notBefore.getTime() > now) {
    out.push(violation('certificate-not-yet-valid', opts, alias, sha, `${who} is not valid before ${day(f.notBefore)}`, 'check the certificate (and the clock of the machine that issued it); Java rejects it until then'));
  }
  const weakKey =
    f.keyAlgorithm === 'DSA'
      ? 'a DSA key (deprecated, disabled for TLS by current JDKs)'
      : (f.keyAlgorithm === 'RSA' || f.keyAlgorithm === 'RSASSA-PSS') && f.keySize !== undefined && f.keySize < opts.minRsaBits
        ? `a ${f.keySize}-bit RSA key (minimum ${opts.minRsaBits})`
        : f.keyAlgorithm === 'EC' && f.keySize !== undefined && f.keySize < opts.minEcBits
          ? `a ${f.keySize}-bit EC key (minimum ${opts.minEcBits})`
          : undefined;
  if (weakKey) out.push(violation('weak-key', opts, alias, sha, `${who} has ${weakKey}`, 'ask the CA for a certificate with a stronger key (RSA ≥ 2048 or EC P-256 and up)'));
  if (/^(MD2|MD5|SHA1)with/i.test(f.signatureAlgorithm)) {
    // Java does not verify a trust anchor's own signature, so a SHA-1 self-signed root is only advisory.
    const root = f.selfIssued && certificate.selfSigned;
    out.push(
      violation(
        'weak-signature',
        opts,
        alias,
        sha,
        `${who} is signed with ${f.signatureAlgorithm}${root ? ' (a self-signed root: Java does not check its own signature, but tools and auditors will flag it)' : ''}`,
        root ? 'plan to move to a root signed with SHA-256 or better' : 'have it re-issued with a SHA-256 (or better) signature; current JDKs reject SHA-1 in TLS chains',
        root ? 'advisory' : undefined,
      ),
    );
  }
  if (f.version === 1) {
    out.push(violation('x509-v1', opts, alias, sha, `${who} is an X.509 v1 certificate (no extensions, so no CA flag)`, 'replace it with a v3 certificate; migrate_non_ca upgrades drop v1 certificates'));
  }
  if (!f.isCa) {
    out.push(
      violation('trusted-end-entity', opts, alias, sha, `${who} is an end-entity certificate (${f.basicConstraints === 'absent' ? 'no Basic Constraints' : 'CA:FALSE'}) trusted directly`, 'trust the CA that issued it instead, so renewals keep working'),
    );
  }
  return out;
}

/** The same certificate under two or more aliases (one finding per extra alias). */
export function checkDuplicates(certs: readonly NamedCertificate[], opts: RuleOptions): Violation[] {
  const bySha = new Map<string, string[]>();
  for (const c of certs) bySha.set(c.certificate.sha256, [...(bySha.get(c.certificate.sha256) ?? []), c.alias]);
  const out: Violation[] = [];
  for (const [sha, aliases] of bySha) {
    if (aliases.length < 2) continue;
    for (const extra of aliases.slice(1)) {
      out.push(violation('duplicate-certificate', opts, extra, sha, `${extra} holds the same certificate (sha256 ${sha.slice(0, 12)}…) as ${aliases[0]}`, `keep one alias: remove ${extra} (state: absent) or ${aliases[0]}`));
    }
  }
  return out;
}

/** One alias (case-insensitively, as Java compares) declared with two different certificates. */
export function checkAliasConflicts(certs: readonly NamedCertificate[], opts: RuleOptions): Violation[] {
  const seen = new Map<string, NamedCertificate>();
  const out: Violation[] = [];
  for (const c of certs) {
    const key = c.alias.toLowerCase();
    const prior = seen.get(key);
    if (!prior) {
      seen.set(key, c);
    } else if (prior.certificate.sha256 !== c.certificate.sha256) {
      out.push(violation('alias-conflict', opts, c.alias, c.certificate.sha256, `alias ${c.alias} is declared twice with different certificates (sha256 ${prior.certificate.sha256.slice(0, 12)}… and ${c.certificate.sha256.slice(0, 12)}…)`, 'keep one declaration; aliases are case-insensitive in Java keystores'));
    }
  }
  return out;
}
