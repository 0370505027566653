import { daysUntil, expiryClass, type ExpiryClass } from '../expiryWindow';
import type { FleetPosture, PostureCertificate } from '../posture';
import { escapeHtml } from './escapeHtml';

/** One distinct certificate on the time axis. */
export interface TimelineMark {
  readonly certificate: PostureCertificate;
  readonly notAfter: Date;
  /** Days from the report's "today" (negative: expired). */
  readonly days: number;
  readonly cls: ExpiryClass;
}

/** The drawing's geometry (viewBox units; the SVG scales to the page width). */
const W = 1200;
const H = 250;
const AXIS_Y = 196;
/** The expired band sits left of today. */
const EXPIRED_LEFT = 16;
const TODAY_X = 118;
const RIGHT = W - 24;
/** Marks closer than this share a column and stack. */
const COLUMN_PX = 12;
const STACK_STEP = 15;
/** Dots per column before the rest is summed up as "+k". */
const MAX_STACK = 5;
/** Tallest bar of private certificates (the zone above the axis is 112 high). */
const BAR_MAX = 96;
const LANES = [20, 36, 52, 68];
const CHAR_PX = 6.3;
/** The axis reaches at least two years, at most forty (later expiries sit at the right edge). */
const MIN_SPAN_DAYS = 730;
const MAX_SPAN_DAYS = 14_610;

/**
 * x of an expiry `days` from today. Compressed (log) so that the next 90 days — the ones that need
 * action — get a third of the width while a ten-year root still fits on the same axis.
 */
function scale(spanDays: number): (days: number) => number {
  const k = Math.log1p(spanDays / 30);
  return (days: number): number => {
    if (days < 0) {
      // Expired: within the band, the longer ago the further left.
      const f = Math.min(1, Math.log1p(-days / 30) / Math.log1p(365 / 30));
      return TODAY_X - 14 - f * (TODAY_X - 14 - EXPIRED_LEFT - 8);
    }
    return TODAY_X + (Math.log1p(Math.min(days, spanDays) / 30) / k) * (RIGHT - TODAY_X);
  };
}

/** The tracked certificates with a readable expiry, as marks. */
export function timelineMarks(posture: FleetPosture): TimelineMark[] {
  const now = new Date(posture.generatedAt);
  return posture.certificates
    .filter((c) => c.notAfter !== null && c.hosts > 0)
    .map((c) => {
      const notAfter = new Date(c.notAfter as string);
      return { certificate: c, notAfter, days: daysUntil(notAfter, now), cls: expiryClass(notAfter, now, posture.expiryWindows) };
    });
}

/** "acme-root", or "acme-root (+2 aliases)". */
export function certificateName(c: PostureCertificate): string {
  const first = c.aliases[0] ?? c.sha256.slice(0, 12);
  return c.aliases.length > 1 ? `${first} (+${c.aliases.length - 1} alias${c.aliases.length > 2 ? 'es' : ''})` : first;
}

/** "in 12 days", "today", "3 days ago". */
export function relativeDays(days: number): string {
  if (days === 0) return 'today';
  const n = Math.abs(days);
  return days > 0 ? `in ${n} day${n === 1 ? '' : 's'}` : `${n} day${n === 1 ? '' : 's'} ago`;
}

function hostsText(n: number): string {
  return `${n} host${n === 1 ? '' : 's'}`;
}

function markTitle(m: TimelineMark): string {
  const c = m.certificate;
  return [
    certificateName(c),
    c.subject ?? '(subject unreadable)',
    `${m.days < 0 ? 'expired' : 'expires'} ${m.notAfter.toISOString().slice(0, 10)} (${relativeDays(m.days)})`,
    `on ${hostsText(c.hosts)}${c.declared ? ' · declared' : ' · not declared'}`,
    `sha256 ${c.sha256}`,
  ].join('\n');
}

const round = (n: number): string => String(Math.round(n * 10) / 10);

/**
 * The expiry timeline as inline SVG: the expired band, today, the soon/later marks (30 and 90
 * days by default) and one dot per declared or expiring certificate, sized by how many hosts hold
 * it. Dots that fall together stack; beyond five per column the rest is summed as "+k" (its
 * tooltip names them). The other private certificates of a column are one bar, so 500 hosts ×
 * 150 certificates stay a bounded, quiet drawing. Labels name the certificates
 * that need action first, then the most widely held ones, as far as free label lanes allow.
 * Every dot's `<title>` names its certificate and how many hosts hold it.
 */
export function renderTimelineSvg(posture: FleetPosture): string {
  const marks = timelineMarks(posture);
  const { soonDays, laterDays } = posture.expiryWindows;
  const now = new Date(posture.generatedAt);
  const span = Math.min(MAX_SPAN_DAYS, Math.max(MIN_SPAN_DAYS, ...marks.map((m) => m.days)));
  const x = scale(span);
  const maxHosts = Math.max(1, ...marks.map((m) => m.certificate.hosts));
  const radius = (hosts: number): number => 3.2 + 3.6 * (maxHosts === 1 ? 1 : Math.log(hosts) / Math.log(maxHosts));

  const parts: string[] = [];
  parts.push(`<svg class="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title id="timeline-title">Expiry of ${marks.length} certificate${marks.length === 1 ? '' : 's'} across the fleet</title>`);
  // Zones: expired band, the soon window, the later window.
  parts.push(`<rect class="z-expired" x="${EXPIRED_LEFT}" y="84" width="${TODAY_X - EXPIRED_LEFT}" height="${AXIS_Y - 84}"/>`);
  parts.push(`<rect class="z-soon" x="${TODAY_X}" y="84" width="${round(x(soonDays) - TODAY_X)}" height="${AXIS_Y - 84}"/>`);
  parts.push(`<rect class="z-later" x="${round(x(soonDays))}" y="84" width="${round(x(laterDays) - x(soonDays))}" height="${AXIS_Y - 84}"/>`);
  parts.push(`<line class="axis" x1="${EXPIRED_LEFT}" y1="${AXIS_Y}" x2="${RIGHT}" y2="${AXIS_Y}"/>`);
  parts.push(`<text class="tick-label muted" x="${(EXPIRED_LEFT + TODAY_X) / 2}" y="${AXIS_Y + 16}" text-anchor="middle">expired</text>`);
  const tick = (days: number, label: string, sub: string, cls: string): void => {
    const tx = round(x(days));
    parts.push(`<line class="${cls}" x1="${tx}" y1="84" x2="${tx}" y2="${AXIS_Y + 5}"/>`);
    parts.push(`<text class="tick-label" x="${tx}" y="${AXIS_Y + 16}" text-anchor="middle">${escapeHtml(label)}</text>`);
    if (sub) parts.push(`<text class="tick-sub" x="${tx}" y="${AXIS_Y + 29}" text-anchor="middle">${escapeHtml(sub)}</text>`);
  };
  const dateOf = (days: number): string => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
  tick(0, 'today', dateOf(0), 'today');
  tick(soonDays, `${soonDays} d`, dateOf(soonDays), 'window');
  tick(laterDays, `${laterDays} d`, dateOf(laterDays), 'window');
  for (const years of [1, 2, 5, 10, 20, 30]) {
    const days = Math.round(years * 365.25);
    if (days > span || days <= laterDays * 1.6) continue;
    tick(days, `${years} y`, dateOf(days).slice(0, 7), 'year');
  }
  if (marks.some((m) => m.days > MAX_SPAN_DAYS)) {
    parts.push(`<text class="tick-sub" x="${RIGHT}" y="${AXIS_Y + 42}" text-anchor="end">later expiries at the right edge</text>`);
  }

  // Columns of marks. Declared certificates and those that need action are dots (most urgent,
  // then most widely held, at the bottom of the stack); the other private certificates of a
  // column are one quiet bar whose height grows with their number and whose tooltip names them.
  const columns = new Map<number, TimelineMark[]>();
  for (const m of marks) {
    const col = Math.round(x(m.days) / COLUMN_PX);
    const list = columns.get(col) ?? [];
    list.push(m);
    columns.set(col, list);
  }
  const asDot = (m: TimelineMark): boolean => m.certificate.declared || m.cls !== 'fine';
  const maxRest = Math.max(1, ...[...columns.values()].map((l) => l.filter((m) => !asDot(m)).length));
  const placed: { mark: TimelineMark; cx: number; cy: number; r: number; others: number }[] = [];
  let lastMoreCol = -Infinity;
  let lastMoreRaised = false;
  for (const [col, list] of [...columns].sort((a, b) => a[0] - b[0])) {
    const cx = col * COLUMN_PX;
    const rest = list.filter((m) => !asDot(m)).sort((a, b) => b.certificate.hosts - a.certificate.hosts || a.days - b.days);
    if (rest.length > 0) {
      const h = 6 + (BAR_MAX - 6) * Math.sqrt(rest.length / maxRest);
      const from = rest.reduce((d, m) => (m.notAfter < d ? m.notAfter : d), rest[0].notAfter).toISOString().slice(0, 10);
      const to = rest.reduce((d, m) => (m.notAfter > d ? m.notAfter : d), rest[0].notAfter).toISOString().slice(0, 10);
      const names = rest.slice(0, 12).map((m) => `${certificateName(m.certificate)} · ${m.notAfter.toISOString().slice(0, 10)} · ${hostsText(m.certificate.hosts)}`);
      if (rest.length > 12) names.push(`… and ${rest.length - 12} more`);
      const head = `${rest.length} private certificate${rest.length === 1 ? '' : 's'} expiring ${from === to ? from : `${from} – ${to}`}`;
      parts.push(`<rect class="bar" x="${cx - COLUMN_PX / 2 + 1}" y="${round(AXIS_Y - h)}" width="${COLUMN_PX - 2}" height="${round(h)}" rx="2"><title>${escapeHtml(`${head}:\n${names.join('\n')}`)}</title></rect>`);
    }
    const dots = list.filter(asDot).sort((a, b) => urgency(b) - urgency(a) || b.certificate.hosts - a.certificate.hosts || a.days - b.days);
    const shown = dots.length > MAX_STACK + 1 ? dots.slice(0, MAX_STACK) : dots;
    shown.forEach((m, i) => {
      const r = radius(m.certificate.hosts);
      const cy = AXIS_Y - 10 - i * STACK_STEP;
      // Only the first (most urgent) dot of a column is a label candidate; the label counts the rest.
      if (i === 0) placed.push({ mark: m, cx, cy: AXIS_Y - 10 - (shown.length - 1) * STACK_STEP, r: radius(shown[shown.length - 1].certificate.hosts), others: dots.length - 1 });
      parts.push(`<circle class="mark ${m.cls}${m.certificate.declared ? '' : ' private'}" cx="${cx}" cy="${cy}" r="${round(r)}"><title>${escapeHtml(markTitle(m))}</title></circle>`);
    });
    const more = dots.slice(shown.length);
    if (more.length > 0) {
      const names = more.slice(0, 15).map((m) => `${certificateName(m.certificate)} · ${m.notAfter.toISOString().slice(0, 10)} · ${hostsText(m.certificate.hosts)}`);
      if (more.length > 15) names.push(`… and ${more.length - 15} more`);
      const worst = more.reduce((w, m) => (urgency(m) > urgency(w) ? m : w), more[0]);
      // Neighbouring "+k" counts alternate in height so they never print over each other.
      const raised: boolean = col - lastMoreCol <= 2 && !lastMoreRaised;
      lastMoreCol = col;
      lastMoreRaised = raised;
      parts.push(
        `<text class="more ${worst.cls}" x="${cx}" y="${AXIS_Y - 10 - MAX_STACK * STACK_STEP + 4 - (raised ? 11 : 0)}" text-anchor="middle">+${more.length}<title>${escapeHtml(`${more.length} more certificates here:\n${names.join('\n')}`)}</title></text>`,
      );
    }
  }

  // Labels: certificates that need action first, then the most widely held, into free lanes.
  // A label may neither overlap another in its lane nor sit across a leader line coming down
  // from a higher lane (nor put its own leader through a lower lane's label).
  const lanes: { left: number; right: number }[][] = LANES.map(() => []);
  const leaders: { x: number; lane: number }[] = [];
  const candidates = [...placed].sort((a, b) => urgency(b.mark) - urgency(a.mark) || (urgency(a.mark) > 0 ? a.mark.days - b.mark.days : b.mark.certificate.hosts - a.mark.certificate.hosts));
  let labelled = 0;
  for (const p of candidates) {
    if (urgency(p.mark) === 0 && labelled >= 10) break;
    const text = `${certificateName(p.mark.certificate)} · ${hostsText(p.mark.certificate.hosts)}${p.others ? ` (+${p.others} more here)` : ''}`;
    const width = text.length * CHAR_PX;
    const anchorEnd = p.cx + width > W - 4;
    const left = anchorEnd ? p.cx - width : p.cx - 4;
    const right = anchorEnd ? p.cx + 4 : p.cx + width;
    const free = (lane: number): boolean =>
      lanes[lane].every((s) => s.right + 10 < left || right + 10 < s.left) &&
      lanes.slice(lane + 1).every((ls) => ls.every((s) => p.cx < s.left - 3 || p.cx > s.right + 3)) &&
      leaders.every((l) => l.lane >= lane || l.x < left - 3 || l.x > right + 3);
    const lane = LANES.findIndex((_, i) => free(i));
    if (lane === -1) continue;
    lanes[lane].push({ left, right });
    leaders.push({ x: p.cx, lane });
    labelled++;
    parts.push(`<line class="leader" x1="${p.cx}" y1="${LANES[lane] + 4}" x2="${p.cx}" y2="${round(p.cy - p.r - 1)}"/>`);
    parts.push(`<text class="label ${p.mark.cls}" x="${anchorEnd ? p.cx + 3 : p.cx - 3}" y="${LANES[lane]}" text-anchor="${anchorEnd ? 'end' : 'start'}">${escapeHtml(text)}</text>`);
  }
  if (marks.length === 0) {
    parts.push(`<text class="tick-label muted" x="${W / 2}" y="140" text-anchor="middle">No declared or private certificates on the reached hosts</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** 2: expired or within the soon window; 1: within the later window; 0: fine. */
function urgency(m: TimelineMark): number {
  return m.cls === 'expired' || m.cls === 'soon' ? 2 : m.cls === 'later' ? 1 : 0;
}
