import type { EndpointVerdictPosture, FleetPosture, HostEndpoint, HostPosture } from '../posture';
import { escapeHtml } from './escapeHtml';

/** Up to this many hosts every row is drawn; above it, hosts where all is well are one line. */
const ALL_ROWS_UP_TO = 40;
/** Rows of the "why" list (one per endpoint, verdict and reason) before the rest is counted. */
const WHY_ROWS_MAX = 50;
/** Host names shown per row of the "why" list. */
const HOLDERS_SHOWN = 4;

type Standing = 'yes' | 'no' | 'unknown';

function standing(v: EndpointVerdictPosture): Standing {
  return v.trusted === null ? 'unknown' : v.trusted ? 'yes' : 'no';
}

/** What the cell says when there is no verdict: the store could not be judged, or the endpoint not reached. */
function unknownWord(v: EndpointVerdictPosture): string {
  return v.store === null ? 'not checked' : 'unreachable';
}

/** A host needs a look when an endpoint is not trusted or not checked, now or after the upgrade. */
function troubled(h: HostPosture): number {
  let n = 0;
  for (const e of h.endpoints ?? []) {
    if (e.trusted !== true) n += e.trusted === false ? 100 : 10;
    else if (e.afterUpgrade && e.afterUpgrade.trusted !== true) n += 1;
  }
  return n;
}

/** The verdict in plain words, for a tooltip and the "why" list: what is wrong and the fix. */
function verdictLines(v: EndpointVerdictPosture): string[] {
  if (v.trusted === null) return [v.error ?? 'no verdict'];
  if (v.trusted) return [`trusted${v.anchor ? ` — anchored at ${v.anchor.alias}` : ''}`];
  return [...v.problems.map((p) => p.message), ...v.suggest.map((s) => `Fix: ${s.reason}: ${s.subject}${s.sha256 ? ` (sha256 ${s.sha256})` : ''}`)];
}

function verdictWord(v: EndpointVerdictPosture): string {
  return v.trusted === null ? unknownWord(v) : v.trusted ? 'trusted' : 'NOT TRUSTED';
}

/** The store a host's endpoints were judged against (said once, on the host's name, when they share it). */
function hostStore(h: HostPosture): string | null {
  const stores = new Set((h.endpoints ?? []).map((e) => e.store).filter((s): s is string => s !== null));
  return stores.size === 1 ? [...stores][0] : null;
}

function cellTitle(e: HostEndpoint, sharedStore: string | null): string {
  const lines = [`${e.target}: ${verdictWord(e)} now`, ...(e.trusted ? [] : verdictLines(e))];
  if (e.trusted && e.anchor) lines.push(`anchored at ${e.anchor.alias}`);
  if (e.store && e.store !== sharedStore) lines.push(`store: ${e.store}`);
  if (e.afterUpgrade) {
    lines.push(standing(e.afterUpgrade) === standing(e) ? 'after the next upgrade: the same' : `after the next upgrade: ${verdictWord(e.afterUpgrade)}`);
    if (standing(e.afterUpgrade) !== standing(e) && !e.afterUpgrade.trusted) lines.push(...verdictLines(e.afterUpgrade));
  }
  return escapeHtml(lines.join('\n'));
}

const GLYPH: Readonly<Record<Standing, string>> = { yes: '✓', no: '✕', unknown: '?' };

function cell(e: HostEndpoint, sharedStore: string | null): string {
  const now = standing(e);
  const word = now === 'yes' ? '' : ` ${now === 'no' ? 'not trusted' : unknownWord(e)}`;
  let after = '';
  if (e.afterUpgrade && standing(e.afterUpgrade) !== now) {
    const a = standing(e.afterUpgrade);
    after = `<span class="after a-${a}">→ ${GLYPH[a]} after upgrade</span>`;
  }
  return `<td class="e-${now}" title="${cellTitle(e, sharedStore)}">${GLYPH[now]}${word}${after}</td>`;
}

/** One row of the "why" list: an endpoint, a verdict, the reason, and the hosts it holds for. */
interface WhyRow {
  readonly target: string;
  readonly when: 'now' | 'after the upgrade';
  readonly standing: Standing;
  /** The first host's verdict (the reason is the same on every host of the row, but for an unreachable endpoint's error text). */
  readonly verdict: EndpointVerdictPosture;
  readonly hosts: string[];
}

/**
 * Every endpoint that is not trusted, not checked, or broken by the upgrade, grouped by what is
 * wrong — the same root missing on 300 hosts is one row — most serious first. An endpoint no host
 * could reach is one row too: each host's error names its own SSH connection, so the row shows
 * the first one as an example.
 */
function whyRows(hosts: readonly HostPosture[]): WhyRow[] {
  const rows = new Map<string, WhyRow>();
  const add = (h: HostPosture, target: string, when: WhyRow['when'], v: EndpointVerdictPosture): void => {
    const key = JSON.stringify([target, when, standing(v), v.trusted === null ? v.store === null : verdictLines(v)]);
    const row = rows.get(key);
    if (row) row.hosts.push(h.name);
    else rows.set(key, { target, when, standing: standing(v), verdict: v, hosts: [h.name] });
  };
  for (const h of hosts) {
    for (const e of h.endpoints ?? []) {
      if (e.trusted !== true) add(h, e.target, 'now', e);
      else if (e.afterUpgrade && e.afterUpgrade.trusted !== true) add(h, e.target, 'after the upgrade', e.afterUpgrade);
    }
  }
  const weight = (r: WhyRow): number => (r.when === 'now' ? 0 : 2) + (r.standing === 'no' ? 0 : 1);
  return [...rows.values()].sort((a, b) => weight(a) - weight(b) || b.hosts.length - a.hosts.length || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}

function whyTable(rows: readonly WhyRow[]): string {
  if (rows.length === 0) return '';
  const body = rows.slice(0, WHY_ROWS_MAX).map((r) => {
    const label = r.standing === 'no' ? `not trusted ${r.when}` : `${unknownWord(r.verdict)}${r.when === 'now' ? '' : ` ${r.when}`}`;
    const tone = r.standing === 'no' && r.when === 'now' ? 'e-no' : 'e-unknown';
    const shown = r.hosts.slice(0, HOLDERS_SHOWN).map((n) => `<span class="nw">${escapeHtml(n)}</span>`).join(', ');
    const more = r.hosts.length > HOLDERS_SHOWN ? ` +${r.hosts.length - HOLDERS_SHOWN} more` : '';
    const v = r.verdict;
    const why =
      v.trusted === null
        ? `<p>${r.hosts.length > 1 ? `On ${escapeHtml(r.hosts[0])}: ` : ''}${escapeHtml(v.error ?? 'no verdict')}</p>`
        : `${v.problems.map((p) => `<p><code>${escapeHtml(p.code)}</code> ${escapeHtml(p.message)}</p>`).join('')}${v.suggest
            .map((s) => `<p class="fix">Fix: ${escapeHtml(s.reason)}: ${escapeHtml(s.subject)}${s.sha256 ? `<span class="sub mono">sha256 ${escapeHtml(s.sha256)}</span>` : ''}</p>`)
            .join('')}`;
    return `<tr><td class="target"><code>${escapeHtml(r.target)}</code></td><td><span class="verdict ${tone}">${escapeHtml(label)}</span></td><td class="n">${r.hosts.length}<span class="sub">${shown}${more}</span></td><td class="why">${why}</td></tr>`;
  });
  const rest = rows.length > WHY_ROWS_MAX ? `<p class="allgood">… and ${rows.length - WHY_ROWS_MAX} more (all are in the JSON report).</p>` : '';
  return `<table class="whylist" id="endpoint-why"><thead><tr><th scope="col">Endpoint</th><th scope="col">Verdict</th><th scope="col" class="n">Hosts</th><th scope="col">Why, and the fix</th></tr></thead><tbody>${body.join('')}</tbody></table>${rest}`;
}

/**
 * Hosts × declared endpoints: whether each host's JVM trusts each endpoint (verify's verdict
 * against the store it really uses), and after the next upgrade when that was modelled. Hosts
 * with a problem come first; an untrusted endpoint is red, one that could not be checked amber,
 * with glyphs and words so it reads in black and white. Below, every problem in plain words with
 * its fix — the tooltips' content, readable without a mouse or JavaScript.
 */
export function renderEndpointGrid(posture: FleetPosture): string {
  const reached = posture.hosts.filter((h) => h.reached && h.endpoints);
  const failed = posture.hosts.filter((h) => !h.reached);
  const withProblems = reached.filter((h) => troubled(h) > 0).sort((a, b) => troubled(b) - troubled(a));
  const fine = reached.filter((h) => troubled(h) === 0);
  const rows = posture.hosts.length <= ALL_ROWS_UP_TO ? [...withProblems, ...fine] : withProblems;
  const afterModelled = reached.some((h) => h.endpoints?.some((e) => e.afterUpgrade !== null));
  const out: string[] = [];
  out.push(
    `<p class="legend"><span><b class="e-yes">✓</b> trusted</span><span><b class="e-no">✕</b> not trusted</span><span><b class="e-unknown">?</b> unreachable from the host (no verdict)</span>${afterModelled ? '<span><b class="a-no">→ ✕</b> changes at the next upgrade</span>' : ''}</p>`,
  );
  if (rows.length > 0) {
    out.push('<div class="gridwrap"><table class="egrid" id="endpoint-grid"><thead><tr><th class="host" scope="col">Host</th>');
    for (const t of posture.endpoints) out.push(`<th scope="col"><code>${escapeHtml(t)}</code></th>`);
    out.push('</tr></thead><tbody>');
    for (const h of rows) {
      const store = hostStore(h);
      out.push(`<tr><th class="host" scope="row"${store ? ` title="${escapeHtml(`judged against ${store}`)}"` : ''}>${escapeHtml(h.name)}</th>`);
      for (const e of h.endpoints ?? []) out.push(cell(e, store));
      out.push('</tr>');
    }
    out.push('</tbody></table></div>');
  }
  if (rows.length < reached.length) {
    out.push(
      `<details class="allgood"><summary>${withProblems.length === 0 ? 'All' : 'The other'} ${fine.length} reached host${fine.length === 1 ? '' : 's'} trust every declared endpoint${afterModelled ? ', now and after the upgrade' : ''}</summary><p>${fine.map((h) => escapeHtml(h.name)).join(', ')}</p></details>`,
    );
  }
  out.push(whyTable(whyRows(reached)));
  if (withProblems.length === 0 && reached.length > 0) out.push(`<p class="allgood">Every reached host trusts every declared endpoint${afterModelled ? ', now and after the next upgrade' : ''}.</p>`);
  if (failed.length > 0) out.push(`<p class="allgood"><span class="t-soon">Not reached</span> (endpoints not checked): ${failed.map((h) => escapeHtml(h.name)).join(', ')}</p>`);
  return out.join('');
}
