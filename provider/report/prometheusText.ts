import type { FleetPosture, HostPosture } from './posture';

/**
 * A label value as the text exposition format wants it: backslash, double quote and line feed
 * escaped. Other characters (any UTF-8) pass as they are.
 *
 * @example
 * escapeLabelValue('CN="x"\\y'); // 'CN=\\"x\\"\\\\y'
 */
export function escapeLabelValue(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : value;
}

const NEEDS_ESCAPE = /[\\"\n]/;

function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function seconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/**
 * The posture as Prometheus text exposition (version 0.0.4) for node_exporter's textfile
 * collector: every family with HELP and TYPE lines, samples of a family together, no timestamps
 * (the collector adds none either). A failed host has `midtrust_host_up 0` and nothing else.
 *
 * @example
 * fs.writeFileSync('/var/lib/node_exporter/textfile/midtrust.prom', renderPrometheus(posture)); // atomically, in practice
 */
export function renderPrometheus(posture: FleetPosture): string {
  const reached = posture.hosts.filter((h) => h.reached);
  // Escaped once: a CA held by 500 hosts appears in 500 samples.
  const hostLabel = new Map(posture.hosts.map((h) => [h, `host="${escapeLabelValue(h.name)}"`]));
  const certificateLabels = new Map(
    posture.certificates.filter((c) => c.notAfter !== null).map((c) => [c.sha256, { labels: `sha256="${c.sha256}",subject="${escapeLabelValue(c.subject ?? '')}"`, value: seconds(c.notAfter as string) }]),
  );
  const out: string[] = [];
  const family = (name: string, help: string): void => {
    out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} gauge`);
  };
  family('midtrust_report_timestamp_seconds', 'When midtrust generated this report (Unix time); alert when it gets old.');
  out.push(`midtrust_report_timestamp_seconds ${seconds(posture.generatedAt)}`);
  family('midtrust_host_up', "Whether midtrust could read the host's truststore (1) or not (0).");
  for (const h of posture.hosts) out.push(`midtrust_host_up{${hostLabel.get(h)}} ${h.reached ? 1 : 0}`);
  family('midtrust_store_entries', "Entries in the host's truststore (trusted certificates and keys).");
  for (const h of reached) out.push(`midtrust_store_entries{${hostLabel.get(h)}} ${h.store?.entries ?? 0}`);
  family('midtrust_certificate_not_after_timestamp_seconds', 'Expiry (notAfter, Unix time) of each declared or private trusted certificate on each host; JDK vendor roots are not listed.');
  for (const h of reached) {
    const seen = new Set<string>();
    for (const c of h.certificates) {
      const cert = certificateLabels.get(c.sha256);
      const key = `${c.alias}\u0000${c.sha256}`;
      if (!cert || seen.has(key)) continue;
      seen.add(key);
      out.push(`midtrust_certificate_not_after_timestamp_seconds{${hostLabel.get(h)},alias="${escapeLabelValue(c.alias)}",${cert.labels}} ${cert.value}`);
    }
  }
  family('midtrust_store_drift', 'Changes `midtrust apply` would make to match the desired-state file (0: in sync).');
  for (const h of reached) if (h.drift) out.push(`midtrust_store_drift{${hostLabel.get(h)}} ${h.drift.changes}`);
  family('midtrust_declared_certificates_missing', 'Declared certificates the host does not trust at all (under any alias).');
  for (const h of reached) if (h.coverage) out.push(`midtrust_declared_certificates_missing{${hostLabel.get(h)}} ${h.coverage.filter((s) => s === 'missing' || s === 'different').length}`);
  family('midtrust_upgrade_lost_certificates', 'Certificates the next MID upgrade would lose under the configured migration strategy.');
  for (const h of reached) if (h.upgrade) out.push(`midtrust_upgrade_lost_certificates{${hostLabel.get(h)}} ${h.upgrade.lost.length}`);
  family('midtrust_policy_violations', 'Policy findings (the rules of midtrust lint/audit) by severity.');
  for (const h of reached) {
    const n = { error: 0, warning: 0, advisory: 0 };
    for (const v of h.violations) n[v.severity]++;
    for (const severity of ['error', 'warning', 'advisory'] as const) out.push(`midtrust_policy_violations{${hostLabel.get(h)},severity="${severity}"} ${n[severity]}`);
  }
  if (posture.endpoints.length > 0) out.push(...endpointFamilies(reached, hostLabel));
  return `${out.join('\n')}\n`;
}

/**
 * Declared endpoints (only when the desired state declares some): whether a verdict was made,
 * and the verdict — an endpoint that could not be checked has `checked 0` and no `trusted`
 * sample at all, so it is never counted as trusted or as untrusted.
 */
function endpointFamilies(reached: readonly HostPosture[], hostLabel: ReadonlyMap<HostPosture, string>): string[] {
  const out: string[] = [];
  const rows = reached.flatMap((h) => (h.endpoints ?? []).map((e) => ({ e, labels: `${hostLabel.get(h)},target="${escapeLabelValue(e.target)}"` })));
  const section = (name: string, help: string, lines: string[]): void => {
    out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} gauge`, ...lines);
  };
  section(
    'midtrust_endpoint_checked',
    'Whether midtrust could connect to the declared endpoint from the host and judge it (1) or not (0: unreachable, failed handshake, unreadable store).',
    rows.map(({ e, labels }) => `midtrust_endpoint_checked{${labels}} ${e.trusted === null ? 0 : 1}`),
  );
  section(
    'midtrust_endpoint_trusted',
    "Whether the host's JVM trusts the declared endpoint with the truststore it uses now (1) or not (0), as midtrust verify judges it; no sample when it could not be checked.",
    rows.filter(({ e }) => e.trusted !== null).map(({ e, labels }) => `midtrust_endpoint_trusted{${labels}} ${e.trusted ? 1 : 0}`),
  );
  const after = rows.filter(({ e }) => e.afterUpgrade && e.afterUpgrade.trusted !== null);
  if (rows.some(({ e }) => e.afterUpgrade !== null)) {
    section(
      'midtrust_endpoint_trusted_after_upgrade',
      'Whether the host would still trust the declared endpoint after the next MID upgrade (1) or not (0), with the truststore the migration strategy leaves.',
      after.map(({ e, labels }) => `midtrust_endpoint_trusted_after_upgrade{${labels}} ${e.afterUpgrade?.trusted ? 1 : 0}`),
    );
  }
  return out;
}
