import type { CoverageState, FleetPosture, HostPosture } from '../posture';
import { escapeHtml } from './escapeHtml';

/** Up to this many hosts every row is drawn; above it, complete hosts are summed up in one line. */
const ALL_ROWS_UP_TO = 40;

const GLYPH: Readonly<Record<CoverageState, { glyph: string; title: string }>> = {
  present: { glyph: '●', title: 'present' },
  otherAlias: { glyph: '◐', title: 'trusted under another alias' },
  different: { glyph: '≠', title: 'the alias holds another certificate' },
  missing: { glyph: '✕', title: 'missing' },
};

function gaps(h: HostPosture): number {
  return (h.coverage ?? []).filter((s) => s === 'missing' || s === 'different').length;
}

/**
 * Hosts × declared certificates. Hosts with gaps come first (most gaps first) so a host missing
 * a CA stands out; in a large fleet the complete hosts are one line, listed on demand. Glyphs as
 * well as colours, so the grid reads in black and white.
 */
export function renderCoverageGrid(posture: FleetPosture): string {
  if (posture.desiredFile === null) {
    return '<p class="allgood">No desired-state file was given (<code>-f desired.yaml</code>): coverage compares every host with the certificates it declares.</p>';
  }
  if (posture.declared.length === 0) return '<p class="allgood">The desired-state file declares no certificate present.</p>';
  const reached = posture.hosts.filter((h) => h.reached && h.coverage);
  const failed = posture.hosts.filter((h) => !h.reached);
  const withGaps = reached.filter((h) => gaps(h) > 0 || h.coverage?.includes('otherAlias')).sort((a, b) => gaps(b) - gaps(a));
  const complete = reached.filter((h) => !withGaps.includes(h));
  const rows = posture.hosts.length <= ALL_ROWS_UP_TO ? [...withGaps, ...complete] : withGaps;
  const out: string[] = [];
  out.push(
    `<p class="legend"><span><b class="c-present">●</b> present</span><span><b class="c-otherAlias">◐</b> trusted under another alias</span><span><b class="c-different">≠</b> alias holds another certificate</span><span><b class="c-missing">✕</b> missing</span></p>`,
  );
  if (rows.length > 0) {
    const missingPerColumn = posture.declared.map((_, i) => reached.filter((h) => h.coverage?.[i] === 'missing' || h.coverage?.[i] === 'different').length);
    out.push('<div class="gridwrap"><table class="grid" id="coverage-grid"><thead><tr><th class="host" scope="col">Host</th>');
    for (const d of posture.declared) out.push(`<th class="col" scope="col" title="${escapeHtml(`${d.alias}\nsha256 ${d.sha256}`)}"><span>${escapeHtml(d.alias)}</span></th>`);
    out.push('</tr><tr class="gaps"><th class="host" scope="row">hosts without it</th>');
    for (const n of missingPerColumn) out.push(n > 0 ? `<td class="r">${n}</td>` : '<td>0</td>');
    out.push('</tr></thead><tbody>');
    for (const h of rows) {
      out.push(`<tr><th class="host" scope="row">${escapeHtml(h.name)}</th>`);
      for (const s of h.coverage ?? []) out.push(`<td class="c-${s}" title="${GLYPH[s].title}">${GLYPH[s].glyph}</td>`);
      out.push('</tr>');
    }
    out.push('</tbody></table></div>');
  }
  if (rows.length < reached.length) {
    const names = complete.map((h) => escapeHtml(h.name)).join(', ');
    out.push(
      `<details class="allgood"><summary>${withGaps.length === 0 ? 'All' : 'The other'} ${complete.length} reached host${complete.length === 1 ? '' : 's'} hold every declared certificate</summary><p>${names}</p></details>`,
    );
  } else if (withGaps.length === 0 && reached.length > 0) {
    out.push(`<p class="allgood">Every reached host holds every declared certificate.</p>`);
  }
  if (failed.length > 0) {
    out.push(`<p class="allgood"><span class="t-soon">Not reached</span> (coverage unknown): ${failed.map((h) => escapeHtml(h.name)).join(', ')}</p>`);
  }
  return out.join('');
}
