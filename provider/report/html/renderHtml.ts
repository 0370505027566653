import { createHash } from 'node:crypto';
import type { FleetPosture } from '../posture';
import { renderCoverageGrid } from './coverageGrid';
import { renderEndpointGrid } from './endpointGrid';
import { escapeHtml } from './escapeHtml';
import { certificateName, relativeDays, renderTimelineSvg, timelineMarks } from './expiryTimeline';
import { renderHostTable } from './hostTable';
import { PAGE_SCRIPT } from './pageScript';
import { PAGE_STYLE } from './pageStyle';

/** Rows of the "expired or expiring" list before the rest is counted (the JSON has them all). */
const SOON_LIST_MAX = 100;
/** Rows shown before the rest folds away (open on demand). */
const SOON_LIST_SHOWN = 8;
/** Host names shown per certificate in that list. */
const HOLDERS_SHOWN = 4;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * No network at all: nothing but the inline stylesheet and script, each allowed by its hash (no
 * 'unsafe-inline'), no images, fonts, frames, connections or form targets.
 */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${cspHash(PAGE_STYLE)}; script-src ${cspHash(PAGE_SCRIPT)}; base-uri 'none'; form-action 'none'`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

type Tone = 'red' | 'amber' | 'calm' | 'unknown' | '';

function card(key: string, value: string, detail: string, tone: Tone): string {
  return `<div class="card ${tone}"><div class="k">${key}</div><div class="v">${value}</div><div class="d">${detail}</div></div>`;
}

function summaryStrip(p: FleetPosture): string {
  const s = p.summary;
  const { soonDays, laterDays } = p.expiryWindows;
  const cards: string[] = [];
  // What was not measured is never "all fine": with no host reached every measured card says
  // unknown; with some hosts down, a calm card says it speaks for the reached ones only.
  const nothingMeasured = s.reached === 0;
  const partly = s.failed > 0 && !nothingMeasured;
  const measured = (key: string, value: string, detail: string, tone: Tone): string =>
    nothingMeasured
      ? card(key, '?', `<span class="u">unknown — 0 of ${plural(s.hosts, 'host')} reached</span>`, 'unknown')
      : partly && tone === 'calm'
        ? card(key, value, `${detail}<br><span class="u">on the ${s.reached} reached of ${s.hosts}</span>`, '')
        : card(key, value, detail, tone);
  cards.push(card('Hosts reached', `${s.reached}<small> / ${s.hosts}</small>`, s.failed ? `<span class="r">${s.failed} failed</span>` : 'none failed', s.failed ? 'red' : 'calm'));
  if (s.drifted === null) {
    cards.push(measured('Drift', '—', 'no desired-state file', ''));
  } else {
    const missing = s.incomplete ? `<span class="r">${s.incomplete} missing a declared certificate</span>` : 'none missing a declared certificate';
    cards.push(measured('Drifted hosts', String(s.drifted), missing, s.incomplete ? 'red' : s.drifted ? 'amber' : 'calm'));
  }
  const exp = s.expiring;
  const soonTone = s.expired.certificates || exp.withinSoonDays.certificates ? 'red' : exp.withinLaterDays.certificates ? 'amber' : 'calm';
  const expDetail =
    s.expired.certificates || exp.withinSoonDays.certificates
      ? [
          s.expired.certificates ? `<span class="r">${s.expired.certificates} expired</span> on ${plural(s.expired.hosts, 'host')}` : '',
          exp.withinSoonDays.certificates ? `${exp.withinSoonDays.certificates} expiring on ${plural(exp.withinSoonDays.hosts, 'host')}` : '',
        ]
          .filter(Boolean)
          .join('<br>')
      : `nothing expires within ${soonDays} days`;
  cards.push(measured(`Expired or ≤ ${soonDays} days`, String(exp.withinSoonDays.certificates + s.expired.certificates), expDetail, soonTone === 'red' ? 'red' : 'calm'));
  cards.push(
    measured(
      `Expiring ≤ ${laterDays} days`,
      String(exp.withinLaterDays.certificates),
      exp.withinLaterDays.certificates ? `${plural(exp.withinLaterDays.certificates, 'certificate')} on ${plural(exp.withinLaterDays.hosts, 'host')}` : `nothing expires within ${laterDays} days`,
      exp.withinLaterDays.certificates ? 'amber' : 'calm',
    ),
  );
  cards.push(measured('Upgrade risk', String(s.upgradeRisk), s.upgradeRisk ? `${s.upgradeRisk === 1 ? 'host loses' : 'hosts lose'} certificates at the next upgrade` : 'no host loses a certificate', s.upgradeRisk ? 'amber' : 'calm'));
  const v = s.violations;
  cards.push(
    measured(
      'Policy findings',
      String(v.error + v.warning),
      `${v.error ? `<span class="r">${plural(v.error, 'error')}</span>` : '0 errors'} · ${v.warning ? `<span class="a">${plural(v.warning, 'warning')}</span>` : '0 warnings'} · ${v.advisory} advisory${vendorNote(p)}`,
      v.error ? 'red' : v.warning ? 'amber' : 'calm',
    ),
  );
  if (s.endpoints) {
    const e = s.endpoints;
    // Host counts: not trusted now (the value), could not check one, not trusted after the upgrade.
    const extra = [e.notChecked ? `<span class="a">${e.notChecked} unreachable</span>` : '', e.notTrustedAfterUpgrade ? `<span class="a">${e.notTrustedAfterUpgrade} after upgrade</span>` : ''].filter(Boolean);
    const detail = extra.length ? extra.join(' · ') : e.notTrusted ? `<span class="r">refuse${e.notTrusted === 1 ? 's' : ''} a declared endpoint</span>` : 'every host trusts every endpoint';
    const tone = e.notTrusted ? 'red' : extra.length ? 'amber' : 'calm';
    cards.push(measured('Endpoints not trusted', `${e.notTrusted}<small> ${e.notTrusted === 1 ? 'host' : 'hosts'}</small>`, detail, tone));
  }
  return `<section class="summary${cards.length > 6 ? ' c7' : ''}" aria-label="Summary">${cards.join('')}</section>`;
}

/** JDK vendor roots' own findings: said beside the team's, never counted with them. */
function vendorNote(p: FleetPosture): string {
  let n = 0;
  for (const h of p.hosts) n += h.vendorFindings.error + h.vendorFindings.warning + h.vendorFindings.advisory;
  return n ? `<br><span class="u">+ ${n} on JDK vendor roots, as the vendor ships them (not counted)</span>` : '';
}

/** Expired and expiring certificates, soonest first, with the hosts that hold each. */
function soonList(p: FleetPosture): string {
  const marks = timelineMarks(p)
    .filter((m) => m.cls !== 'fine')
    .sort((a, b) => a.days - b.days || b.certificate.hosts - a.certificate.hosts);
  if (marks.length === 0) return `<p class="allgood">Nothing expires within ${p.expiryWindows.laterDays} days.</p>`;
  const holders = new Map<string, string[]>();
  const wanted = new Set(marks.slice(0, SOON_LIST_MAX).map((m) => m.certificate.sha256));
  for (const h of p.hosts) {
    for (const c of h.certificates) {
      if (!wanted.has(c.sha256)) continue;
      const list = holders.get(c.sha256) ?? [];
      if (!list.includes(h.name)) list.push(h.name);
      holders.set(c.sha256, list);
    }
  }
  const rows = marks.slice(0, SOON_LIST_MAX).map((m) => {
    const names = holders.get(m.certificate.sha256) ?? [];
    const shown = names.slice(0, HOLDERS_SHOWN).map(escapeHtml).join(', ');
    const more = names.length > HOLDERS_SHOWN ? ` +${names.length - HOLDERS_SHOWN} more` : '';
    return `<tr><td class="t-${m.cls}">${m.notAfter.toISOString().slice(0, 10)}<span class="sub">${relativeDays(m.days)}</span></td><td>${escapeHtml(certificateName(m.certificate))}${m.certificate.declared ? '' : ' <span class="quiet">(not declared)</span>'}<span class="sub">${escapeHtml(m.certificate.subject ?? '(subject unreadable)')}</span></td><td class="n">${m.certificate.hosts}</td><td>${shown}${more}</td></tr>`;
  });
  const head = '<thead><tr><th scope="col">Not after</th><th scope="col">Certificate</th><th scope="col" class="n">Hosts</th><th scope="col">Held by</th></tr></thead>';
  const first = `<table class="soonlist" id="expiring-table">${head}<tbody>${rows.slice(0, SOON_LIST_SHOWN).join('')}</tbody></table>`;
  const more =
    rows.length > SOON_LIST_SHOWN
      ? `<details class="allgood"><summary>Show ${rows.length - SOON_LIST_SHOWN} more</summary><table class="soonlist">${head}<tbody>${rows.slice(SOON_LIST_SHOWN).join('')}</tbody></table></details>`
      : '';
  const rest = marks.length > SOON_LIST_MAX ? `<p class="allgood">… and ${marks.length - SOON_LIST_MAX} more (all are in the JSON report).</p>` : '';
  return `${first}${more}${rest}`;
}

function sourceLine(p: FleetPosture): string {
  const kind = p.source.kind === 'inventory' ? 'inventory' : p.source.kind === 'midHome' ? 'MID home' : 'keystore';
  const parts = [`Generated ${escapeHtml(p.generatedAt.slice(0, 16).replace('T', ' '))} UTC`, `${kind} <code>${escapeHtml(p.source.path)}</code>`];
  if (p.desiredFile) parts.push(`desired state <code>${escapeHtml(p.desiredFile)}</code>`);
  if (p.incomingStore) parts.push(`next JRE <code>${escapeHtml(p.incomingStore)}</code>`);
  return parts.join(' · ');
}

/**
 * The posture as one self-contained HTML page: works offline and from a CI artifact store, no
 * external anything, a Content-Security-Policy that forbids every network access. Every string
 * from a store, a host or a file is escaped.
 *
 * @example
 * fs.writeFileSync('report.html', renderHtml(posture)); // atomically, in practice
 */
export function renderHtml(posture: FleetPosture): string {
  const p = posture;
  const title = `Trust posture · ${plural(p.summary.hosts, p.source.kind === 'inventory' ? 'MID Server' : 'host')}`;
  const { soonDays, laterDays } = p.expiryWindows;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head><body><main>',
    `<header><h1>${escapeHtml(title)}</h1><p class="meta">${sourceLine(p)}</p></header>`,
    summaryStrip(p),
    '<section id="timeline" aria-labelledby="h-timeline">',
    `<h2 id="h-timeline">Expiry timeline</h2><p class="lead">Declared and private certificates across the fleet (JDK vendor roots left out). A dot per declared or expiring certificate, larger when more hosts hold it; hover a dot or bar for names, dates and hosts.</p>`,
    renderTimelineSvg(p),
    `<p class="legend"><span><i class="l-fine"></i>declared</span><span><i class="l-private"></i>private (not declared), expiring</span><span><i class="l-bar"></i>other private certificates</span><span><i class="l-later"></i>within ${laterDays} days</span><span><i class="l-soon"></i>expired or within ${soonDays} days</span></p>`,
    soonList(p),
    '</section>',
    '<section id="coverage" aria-labelledby="h-coverage">',
    `<h2 id="h-coverage">Coverage</h2><p class="lead">Which hosts trust each declared certificate${p.desiredFile ? ` of <code>${escapeHtml(p.desiredFile)}</code>` : ''}.</p>`,
    renderCoverageGrid(p),
    '</section>',
    ...(p.endpoints.length > 0
      ? [
          '<section id="endpoints" aria-labelledby="h-endpoints">',
          `<h2 id="h-endpoints">Endpoints</h2><p class="lead">Whether each host's JVM trusts each endpoint of <code>${escapeHtml(p.desiredFile ?? '')}</code>, judged as <code>midtrust verify</code> judges it, against the truststore the JVM really uses${p.source.kind === 'inventory' ? ', connecting from the host' : ''}${p.incomingStore ? ', now and after the next upgrade' : ''}. Hover a cell for the details.</p>`,
          renderEndpointGrid(p),
          '</section>',
        ]
      : []),
    '<section id="hosts" aria-labelledby="h-hosts">',
    `<h2 id="h-hosts">Hosts</h2><p class="lead">Most urgent first. Under a host, "Details" opens what its counts are (open in print).</p>`,
    renderHostTable(p),
    '</section>',
    `<footer>${escapeHtml(p.generator)} · report schema v${p.schemaVersion} · the same data as <code>--format json</code> and <code>--format prometheus</code></footer>`,
    '</main>',
    `<script>${PAGE_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
