import { daysUntil, expiryClass } from '../expiryWindow';
import type { FleetPosture, HostPosture } from '../posture';
import { escapeHtml } from './escapeHtml';

/** Filter choices: a row's `data-flags` holds the tokens that apply to it. */
const FLAGS: readonly [string, string][] = [
  ['', 'All hosts'],
  ['action', 'Needs action'],
  ['failed', 'Not reached'],
  ['drift', 'Drifted'],
  ['missing', 'Missing a declared certificate'],
  ['expiring', 'Expired or expiring'],
  ['upgrade', 'Loses certificates at upgrade'],
  ['findings', 'With errors or warnings'],
];

/** Offered only when the desired state declares endpoints. */
const ENDPOINT_FLAG: [string, string] = ['endpoint', 'An endpoint not trusted or unreachable'];

/** 2: needs action now (red); 1: soon (amber); 0: fine. Failed hosts are 3, first of all. */
function rank(h: HostPosture, posture: FleetPosture): number {
  if (!h.reached) return 3;
  const now = new Date(posture.generatedAt);
  const cls = h.soonestExpiry ? expiryClass(new Date(h.soonestExpiry.notAfter), now, posture.expiryWindows) : 'fine';
  const missing = (h.coverage ?? []).some((s) => s === 'missing' || s === 'different');
  if (cls === 'expired' || cls === 'soon' || missing || h.violations.some((v) => v.severity === 'error')) return 2;
  if (cls === 'later' || (h.drift?.changes ?? 0) > 0 || (h.upgrade?.lost.length ?? 0) > 0 || h.violations.some((v) => v.severity === 'warning')) return 1;
  return 0;
}

function flags(h: HostPosture, posture: FleetPosture, r: number): string {
  if (!h.reached) return 'action failed';
  const now = new Date(posture.generatedAt);
  const out: string[] = [];
  if (r > 0) out.push('action');
  if ((h.drift?.changes ?? 0) > 0) out.push('drift');
  if ((h.coverage ?? []).some((s) => s === 'missing' || s === 'different')) out.push('missing');
  if (h.soonestExpiry && expiryClass(new Date(h.soonestExpiry.notAfter), now, posture.expiryWindows) !== 'fine') out.push('expiring');
  if ((h.upgrade?.lost.length ?? 0) > 0) out.push('upgrade');
  if (h.violations.some((v) => v.severity !== 'advisory')) out.push('findings');
  if (h.endpoints?.some((e) => e.trusted !== true || (e.afterUpgrade !== null && e.afterUpgrade.trusted !== true))) out.push('endpoint');
  return out.join(' ');
}

const DASH = '<span class="quiet">—</span>';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** At most `max` lines of a tooltip, then how many more: a host with 150 findings must not weigh 30 KB. */
function tooltip(lines: readonly string[], max = 8): string {
  return escapeHtml(lines.length > max ? [...lines.slice(0, max), `… and ${lines.length - max} more`].join('\n') : lines.join('\n'));
}

/** "lost-on-upgrade (error) × 12" lines, most severe first: what a host's findings are, in a few lines. */
function findingsByRule(h: HostPosture): string[] {
  const byRule = new Map<string, { severity: string; n: number; example: string }>();
  for (const v of h.violations) {
    const r = byRule.get(v.rule);
    if (r) r.n++;
    else byRule.set(v.rule, { severity: v.severity, n: 1, example: v.message });
  }
  // Violations arrive sorted by severity, so the map keeps that order.
  return [...byRule].map(([rule, r]) => (r.n === 1 ? `${r.severity}: ${r.example}` : `${r.severity}: ${rule} × ${r.n} (e.g. ${r.example})`));
}

/**
 * What a host's counts are, in a row of its own under it, across the table: one line naming
 * them, the lists open on click (and always in print) — a tooltip alone cannot be printed,
 * screenshot or reached by keyboard. At most `max` lines a list, then how many more.
 */
function detailRow(h: HostPosture, details: readonly { label: string; lines: readonly string[] }[], max = 12): string {
  const list = (lines: readonly string[]): string => {
    const shown = lines.length > max ? [...lines.slice(0, max), `… and ${lines.length - max} more (all are in the JSON report)`] : lines;
    return `<ul>${shown.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
  };
  const body = details.map((d) => `<h3>${escapeHtml(d.label)}</h3>${list(d.lines)}`).join('');
  return `<tr class="more"><td colspan="8"><details class="why"><summary>Details for ${escapeHtml(h.name)}: ${escapeHtml(details.map((d) => d.label).join(' · '))}</summary>${body}</details></td></tr>`;
}

function listed(items: readonly string[], max = 3): string {
  const head = items.slice(0, max).join(', ');
  return items.length > max ? `${head} +${items.length - max}` : head;
}

function row(h: HostPosture, posture: FleetPosture): string {
  const r = rank(h, posture);
  const cells: string[] = [];
  const details: { label: string; lines: string[] }[] = [];
  // A narrow page breaks a long host name after its dots, not in the middle of a label.
  const name = escapeHtml(h.name).replace(/\./g, '.<wbr>');
  cells.push(h.reached ? `<td class="host">${name}</td>` : `<td class="host">${name}<span class="failed">FAILED</span></td>`);
  if (!h.reached) {
    // Nothing is known about a failed host but why: one cell across the rest of the row.
    cells.push(`<td colspan="7" class="err">${escapeHtml(h.error ?? 'failed')}</td>`);
    return `<tr class="rank2" data-flags="${flags(h, posture, r)}">${cells.join('')}</tr>`;
  }
  if (!h.drift) {
    cells.push(`<td data-v="-1" title="no desired-state file (-f)">${DASH}</td>`);
  } else if (h.drift.changes === 0) {
    cells.push('<td data-v="0" class="t-quiet">in sync</td>');
  } else {
    const what = tooltip(h.drift.actions.map((a) => `${a.action} ${a.alias}: ${a.reason}`));
    const missing = (h.coverage ?? []).filter((s) => s === 'missing' || s === 'different').length;
    const lines = h.drift.actions.map((a) => `${a.action} ${a.alias}: ${a.reason}`);
    details.push({ label: plural(h.drift.changes, 'pending change'), lines });
    cells.push(`<td data-v="${h.drift.changes}" class="drift t-later" title="${what}">${plural(h.drift.changes, 'change')}${missing ? `<span class="sub">${missing} missing</span>` : ''}</td>`);
  }
  cells.push(`<td class="n" data-v="${h.store?.entries ?? 0}" title="${h.vendorCertificates} JDK vendor root${h.vendorCertificates === 1 ? '' : 's'} included">${h.store?.entries ?? 0}</td>`);
  if (h.soonestExpiry) {
    const at = new Date(h.soonestExpiry.notAfter);
    const now = new Date(posture.generatedAt);
    const days = daysUntil(at, now);
    const cls = expiryClass(at, now, posture.expiryWindows);
    const when = days === 0 ? 'today' : days > 0 ? `in ${days} d` : `${-days} d ago`;
    cells.push(`<td data-v="${days}" class="expiry t-${cls === 'fine' ? 'plain' : cls}">${at.toISOString().slice(0, 10)} <span class="${cls === 'fine' ? 'quiet' : ''}">· ${when}</span><span class="sub">${escapeHtml(h.soonestExpiry.alias)}</span></td>`);
  } else {
    cells.push(`<td data-v="99999998">${DASH}</td>`);
  }
  cells.push(h.mid ? `<td><code>${escapeHtml(h.mid.strategy)}</code></td>` : `<td title="not a MID home">${DASH}</td>`);
  cells.push(h.mid?.externalTruststore ? `<td class="path">${escapeHtml(h.mid.externalTruststore)}</td>` : `<td>${h.mid ? '<span class="quiet">none</span>' : DASH}</td>`);
  if (!h.upgrade) {
    cells.push(`<td class="n" data-v="-1">${DASH}</td>`);
  } else if (h.upgrade.lost.length === 0) {
    cells.push('<td class="n t-quiet" data-v="0">none</td>');
  } else {
    const why = tooltip(h.upgrade.lost.map((l) => `${l.alias}: ${l.reason}`));
    const lines = h.upgrade.lost.map((l) => `${l.alias}: ${l.reason}`);
    details.push({ label: `${plural(h.upgrade.lost.length, 'certificate')} lost at the next upgrade`, lines });
    cells.push(`<td class="n t-later" data-v="${h.upgrade.lost.length}" title="${why}">${h.upgrade.lost.length}<span class="sub">${escapeHtml(listed(h.upgrade.lost.map((l) => l.alias), 1))}</span></td>`);
  }
  const count = { error: 0, warning: 0, advisory: 0 };
  for (const v of h.violations) count[v.severity]++;
  const chips = [
    count.error ? `<span class="chip e">${plural(count.error, 'error')}</span>` : '',
    count.warning ? `<span class="chip w">${plural(count.warning, 'warning')}</span>` : '',
    count.advisory ? `<span class="chip a">${count.advisory} advisory</span>` : '',
  ].join('');
  const byRule = findingsByRule(h);
  const vendor = h.vendorFindings.error + h.vendorFindings.warning + h.vendorFindings.advisory;
  const vendorLine = vendor ? `<span class="sub">+ ${vendor} on JDK vendor roots</span>` : '';
  if (byRule.length) details.push({ label: [count.error ? plural(count.error, 'error') : '', count.warning ? plural(count.warning, 'warning') : '', count.advisory ? `${count.advisory} advisory` : ''].filter(Boolean).join(', '), lines: byRule });
  cells.push(`<td class="findings" data-v="${count.error * 1e6 + count.warning * 1e3 + count.advisory}">${chips || '<span class="quiet">none</span>'}${vendorLine}</td>`);
  const main = `<tr class="rank${Math.min(r, 2)}" data-flags="${flags(h, posture, r)}">${cells.join('')}</tr>`;
  return details.length ? `${main}${detailRow(h, details)}` : main;
}

/**
 * The host table: one row per host, most urgent first (not reached, then red, then amber), so it
 * reads without JavaScript; the page script adds sorting by any column and filtering.
 */
export function renderHostTable(posture: FleetPosture): string {
  const order = posture.hosts
    .map((h) => ({ h, r: rank(h, posture) }))
    .sort((a, b) => b.r - a.r || (a.h.name < b.h.name ? -1 : a.h.name > b.h.name ? 1 : 0));
  const head: [string, string, string][] = [
    ['Host', 'text', ''],
    ['Drift', 'num', ''],
    ['Entries', 'num', 'n'],
    ['Soonest expiry', 'num', ''],
    ['Strategy', 'text', ''],
    ['External truststore', 'text', ''],
    ['Upgrade loses', 'num', 'n'],
    ['Findings', 'num', ''],
  ];
  const out: string[] = [];
  out.push(
    `<div class="controls" id="host-controls" hidden><input id="host-query" type="search" placeholder="Filter hosts (name, alias, error…)" aria-label="Filter hosts"><select id="host-flag" aria-label="Show">${(posture.endpoints.length > 0 ? [...FLAGS, ENDPOINT_FLAG] : FLAGS).map(([v, l]) => `<option value="${v}">${l}</option>`).join('')}</select><span class="count" id="host-count"></span></div>`,
  );
  out.push(`<table id="hosts-table"><thead><tr>${head.map(([label, type, cls]) => `<th scope="col" data-type="${type}"${cls ? ` class="${cls}"` : ''}><button type="button">${label}</button></th>`).join('')}</tr></thead><tbody>`);
  for (const { h } of order) out.push(row(h, posture));
  out.push('</tbody></table>');
  return out.join('');
}
