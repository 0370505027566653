import type { FleetPosture } from './posture';

/** One metric family: name, HELP text and its samples. */
interface Family {
  readonly name: string;
  readonly help: string;
  readonly samples: { readonly labels: Readonly<Record<string, string>>; readonly value: number }[];
}

/**
 * A label value as the text exposition format wants it: backslash, double quote and line feed
 * escaped. Other characters (any UTF-8) pass as they are.
 *
 * @example
 * escapeLabelValue('CN="x"\\y'); // 'CN=\\"x\\"\\\\y'
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

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
  const certificateFacts = new Map(posture.certificates.map((c) => [c.sha256, c]));
  const families: Family[] = [
    {
      name: 'midtrust_report_timestamp_seconds',
      help: 'When midtrust generated this report (Unix time); alert when it gets old.',
      samples: [{ labels: {}, value: seconds(posture.generatedAt) }],
    },
    {
      name: 'midtrust_host_up',
      help: "Whether midtrust could read the host's truststore (1) or not (0).",
      samples: posture.hosts.map((h) => ({ labels: { host: h.name }, value: h.reached ? 1 : 0 })),
    },
    {
      name: 'midtrust_store_entries',
      help: "Entries in the host's truststore (trusted certificates and keys).",
      samples: reached.map((h) => ({ labels: { host: h.name }, value: h.store?.entries ?? 0 })),
    },
    {
      name: 'midtrust_certificate_not_after_timestamp_seconds',
      help: 'Expiry (notAfter, Unix time) of each declared or private trusted certificate on each host; JDK vendor roots are not listed.',
      samples: reached.flatMap((h) => {
        const seen = new Set<string>();
        return h.certificates.flatMap((c) => {
          const facts = certificateFacts.get(c.sha256);
          const key = `${c.alias}\u0000${c.sha256}`;
          if (!facts?.notAfter || seen.has(key)) return [];
          seen.add(key);
          return [{ labels: { host: h.name, alias: c.alias, sha256: c.sha256, subject: facts.subject ?? '' }, value: seconds(facts.notAfter) }];
        });
      }),
    },
    {
      name: 'midtrust_store_drift',
      help: 'Changes `midtrust apply` would make to match the desired-state file (0: in sync).',
      samples: reached.filter((h) => h.drift).map((h) => ({ labels: { host: h.name }, value: h.drift?.changes ?? 0 })),
    },
    {
      name: 'midtrust_declared_certificates_missing',
      help: 'Declared certificates the host does not trust at all (under any alias).',
      samples: reached.filter((h) => h.coverage).map((h) => ({ labels: { host: h.name }, value: (h.coverage ?? []).filter((s) => s === 'missing' || s === 'different').length })),
    },
    {
      name: 'midtrust_upgrade_lost_certificates',
      help: 'Certificates the next MID upgrade would lose under the configured migration strategy.',
      samples: reached.filter((h) => h.upgrade).map((h) => ({ labels: { host: h.name }, value: h.upgrade?.lost.length ?? 0 })),
    },
    {
      name: 'midtrust_policy_violations',
      help: 'Policy findings (the rules of midtrust lint/audit) by severity.',
      samples: reached.flatMap((h) =>
        (['error', 'warning', 'advisory'] as const).map((severity) => ({ labels: { host: h.name, severity }, value: h.violations.filter((v) => v.severity === severity).length })),
      ),
    },
  ];
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
      out.push(`${f.name}${labels.length ? `{${labels.join(',')}}` : ''} ${s.value}`);
    }
  }
  return `${out.join('\n')}\n`;
}
