/**
 * The HTML report in a real headless Chromium: no console errors, no network, one row per host
 * with the right cells, sorting and filtering, hostile strings shown as text and never run, a
 * print layout, and a screenshot left in artifacts/report-page.png to look at.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syntheticFleet, TYPICAL_RATES } from '../../bench/syntheticFleet';
import { CONTENT_SECURITY_POLICY, renderHtml } from '../../provider/report/html/renderHtml';
import type { FleetPosture, HostPosture } from '../../provider/report/posture';
import { PostureBuilder } from '../../provider/report/postureBuilder';
import { ARTIFACTS, launchChromium, openFile, type LaunchedChromium, type WatchedPage } from '../helpers/chromium';
import { tempDir } from '../helpers/keytool';
import { needs } from '../helpers/requireTools';
import { CACERTS, NOW, cert, desired as desiredOf, endpoint, mid, store } from './reportFixtures';

const SCRIPT_SUBJECT = '<script>window.__pwned = 1</script>';
const IMG_ALIAS = '<img src=x onerror="window.__pwned = 2">';
const HOST_NAME = 'evil"><svg onload="window.__pwned=3">';

/** 40 synthetic hosts of a typical fleet, one failed, plus one host whose strings try to run script. */
function posture(): FleetPosture {
  const f = syntheticFleet({ hosts: 40, certificatesPerHost: 18, declared: 6, privatePool: 60, now: NOW, seed: 7, rates: TYPICAL_RATES });
  const b = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust test', now: NOW, desired: f.desired, desiredFile: 'desired.yaml' });
  const hosts = f.observations.map((o) => b.observe(o));
  const hostile = cert(`${SCRIPT_SUBJECT}`, 12, false);
  hosts.push(b.observe({ name: HOST_NAME, storePath: CACERTS, store: store([[IMG_ALIAS, hostile]]), mid: mid('migrate_delta', '/etc/<b>truststore</b>.p12') }));
  hosts.push(b.failed('mid-zz-down.corp.example', 'ssh root@10.9.9.9:22: connect ECONNREFUSED <script>window.__pwned=4</script>'));
  return b.build(hosts);
}

needs('chromium').describe('the HTML report in headless Chromium', () => {
  const dir = tempDir('mt-report-page-');
  const p = posture();
  const file = path.join(dir, 'report.html');
  let chromium: LaunchedChromium;
  let view: WatchedPage;

  beforeAll(async () => {
    fs.writeFileSync(file, renderHtml(p));
    chromium = await launchChromium();
    view = await openFile(chromium.browser, file);
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const evaluate = <T>(js: string): Promise<T> => view.page.evaluate(js) as Promise<T>;

  it('loads with no console error or warning, no page error, and no request but the page itself', async () => {
    expect(view.pageErrors).toEqual([]);
    expect(view.consoleProblems).toEqual([]);
    expect(view.requests).toEqual([view.url]);
  });

  it('declares a CSP that forbids the network and allows only its own inline style and script, by hash', async () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; script-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; form-action 'none'$/);
    expect(await evaluate<string>(`document.querySelector('meta[http-equiv="Content-Security-Policy"]').content`)).toBe(CONTENT_SECURITY_POLICY);
    // The script did run under that policy: the controls it reveals are visible.
    expect(await evaluate<boolean>(`document.getElementById('host-controls').hidden`)).toBe(false);
  });

  it('hostile strings from stores, hosts and errors are shown as text and run nothing', async () => {
    expect(await evaluate<unknown>('window.__pwned')).toBeUndefined();
    expect(await evaluate<number>(`document.querySelectorAll('script').length`)).toBe(1);
    expect(await evaluate<number>(`document.querySelectorAll('img, main svg:not(.timeline)').length`)).toBe(0);
    const text = await evaluate<string>('document.body.innerText');
    expect(text).toContain(IMG_ALIAS);
    expect(text).toContain(HOST_NAME);
    expect(text).toContain('/etc/<b>truststore</b>.p12');
    expect(text).toContain('<script>window.__pwned=4</script>');
    // The subject is in the expiring list (it expires in 12 days).
    expect(await evaluate<string>(`document.getElementById('expiring-table').innerText`)).toContain(SCRIPT_SUBJECT);
  });

  it('one row per host, most urgent first, with the right cells', async () => {
    const rows = await evaluate<string[][]>(`[...document.querySelectorAll('#hosts-table tbody tr[data-flags]')].map((r) => [...r.cells].map((c) => c.innerText.trim()))`);
    expect(rows.length).toBe(p.hosts.length);
    expect(new Set(rows.map((r) => r[0].split('\n')[0]))).toEqual(new Set(p.hosts.map((h) => h.name)));
    const failed = p.hosts.filter((h) => !h.reached).map((h) => h.name);
    expect(rows.slice(0, failed.length).map((r) => r[0].split('\n')[0]).sort()).toEqual([...failed].sort());
    expect(rows[0][0]).toContain('FAILED');
    for (const h of p.hosts.filter((x) => x.reached)) {
      const r = rows.find((x) => x[0] === h.name) as string[];
      expect(r[1].split('\n')[0]).toBe(h.drift?.changes ? `${h.drift.changes} change${h.drift.changes === 1 ? '' : 's'}` : 'in sync');
      expect(r[2]).toBe(String(h.store?.entries));
      expect(r[3].startsWith(h.soonestExpiry?.notAfter.slice(0, 10) ?? '—')).toBe(true);
      expect(r[4]).toBe(h.mid?.strategy);
      expect(r[6].split('\n')[0]).toBe(h.upgrade?.lost.length ? String(h.upgrade.lost.length) : 'none');
    }
  });

  it('sorts by a column (text and numbers, both directions)', async () => {
    const names = (): Promise<string[]> => evaluate<string[]>(`[...document.querySelectorAll('#hosts-table tbody tr[data-flags]')].map((r) => r.cells[0].innerText.split('\\n')[0])`);
    await view.page.click('#hosts-table thead th:nth-child(1) button');
    const asc = await names();
    expect(asc).toEqual([...asc].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));
    await view.page.click('#hosts-table thead th:nth-child(1) button');
    expect(await names()).toEqual([...asc].reverse());
    expect(await evaluate<string>(`document.querySelector('#hosts-table thead th:nth-child(1)').getAttribute('aria-sort')`)).toBe('descending');
    await view.page.click('#hosts-table thead th:nth-child(3) button');
    const entries = await evaluate<number[]>(`[...document.querySelectorAll('#hosts-table tbody tr[data-flags]')].filter((r) => r.cells.length > 2).map((r) => Number(r.cells[2].getAttribute('data-v')))`);
    expect(entries).toEqual([...entries].sort((a, b) => a - b));
  });

  it('filters by text and by what needs attention, and says how many are shown', async () => {
    const visible = (): Promise<string[]> => evaluate<string[]>(`[...document.querySelectorAll('#hosts-table tbody tr[data-flags]')].filter((r) => !r.hidden).map((r) => r.cells[0].innerText.split('\\n')[0])`);
    await view.page.type('#host-query', 'mid-00');
    expect((await visible()).sort()).toEqual(p.hosts.map((h) => h.name).filter((n) => n.startsWith('mid-00')).sort());
    const matching = p.hosts.filter((h) => h.name.startsWith('mid-00')).length;
    expect(await evaluate<string>(`document.getElementById('host-count').textContent`)).toBe(`${matching} of ${p.hosts.length} hosts`);
    await view.page.click('#host-query', { clickCount: 3 });
    await view.page.keyboard.press('Backspace');
    await view.page.select('#host-flag', 'failed');
    expect(await visible()).toEqual(['mid-zz-down.corp.example']);
    await view.page.select('#host-flag', 'upgrade');
    expect((await visible()).sort()).toEqual(p.hosts.filter((h) => (h.upgrade?.lost.length ?? 0) > 0).map((h) => h.name).sort());
    await view.page.select('#host-flag', '');
    expect((await visible()).length).toBe(p.hosts.length);
  });

  it('the timeline names each certificate and its host count in its marks; the coverage grid shows the gaps', async () => {
    const titles = await evaluate<string[]>(`[...document.querySelectorAll('svg.timeline circle > title')].map((t) => t.textContent)`);
    expect(titles.length).toBeGreaterThan(0);
    for (const t of titles) expect(t).toMatch(/\non \d+ hosts? · (not )?declared\n/);
    const root = p.certificates.find((c) => c.aliases.includes('acme-root'));
    expect(titles.some((t) => t.startsWith('acme-root\n') && t.includes(`on ${root?.hosts} host`))).toBe(true);
    const gaps = p.hosts.filter((h) => h.coverage?.some((s) => s === 'missing')).length;
    expect(await evaluate<number>(`document.querySelectorAll('#coverage-grid td.c-missing').length`)).toBeGreaterThanOrEqual(gaps);
  });

  it('prints without the controls, and reads without JavaScript (all rows, controls hidden)', async () => {
    await view.page.emulateMediaType('print');
    expect(await evaluate<string>(`getComputedStyle(document.getElementById('host-controls')).display`)).toBe('none');
    await view.page.emulateMediaType('screen');
    const noJs = await openFile(chromium.browser, file, { javaScript: false });
    expect(await noJs.page.evaluate('document.querySelectorAll("#hosts-table tbody tr[data-flags]").length')).toBe(p.hosts.length);
    expect(await noJs.page.evaluate('document.getElementById("host-controls").hidden')).toBe(true);
    expect(noJs.requests).toEqual([noJs.url]);
    await noJs.page.close();
  });

  it('leaves a screenshot at artifacts/report-page.png', async () => {
    await view.page.select('#host-flag', '');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'report-page.png');
    await view.page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
  });
});

const EVIL_TARGET = 'https://x.example/"><img src=x onerror="window.__pwned=5">';

/** 60 hosts with 3 declared endpoints (made-up verdicts), and one host whose endpoint strings try to run script. */
function endpointPosture(): FleetPosture {
  const f = syntheticFleet({ hosts: 60, certificatesPerHost: 12, declared: 4, privatePool: 40, now: NOW, seed: 5, rates: TYPICAL_RATES, endpoints: 3 });
  const targets = [...(f.desired.endpoints ?? []), EVIL_TARGET];
  const b = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust test', now: NOW, desired: { ...f.desired, endpoints: targets }, desiredFile: 'desired.yaml' });
  const hosts = f.observations.map((o) => b.observe({ ...o, endpoints: [...(o.endpoints ?? []), { ...(o.endpoints?.[0] ?? { ...endpoint(true), afterUpgrade: null }), target: EVIL_TARGET }] }));
  const evil = endpoint(false, { problems: [{ code: 'ROOT_NOT_TRUSTED', message: `the chain ends at CN=${SCRIPT_SUBJECT}, which the store does not trust` }], suggest: [{ subject: `CN=<svg onload="window.__pwned=6">`, reason: 'add this root CA' }] });
  const down = endpoint(null, { error: 'cannot connect: <script>window.__pwned=7</script>' });
  hosts.push(b.observe({ name: HOST_NAME, storePath: CACERTS, store: store([]), mid: mid('migrate_delta'), endpoints: targets.map((target, i) => ({ target, ...(i === 3 ? evil : i === 2 ? down : endpoint(true)), afterUpgrade: null })) }));
  return b.build(hosts);
}

needs('chromium').describe('the report’s Endpoints section in headless Chromium (a 61-host fleet)', () => {
  const dir = tempDir('mt-report-page-endpoints-');
  const p = endpointPosture();
  const file = path.join(dir, 'report.html');
  let chromium: LaunchedChromium;

  beforeAll(async () => {
    fs.writeFileSync(file, renderHtml(p));
    chromium = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hostile targets, problems, fixes and errors are text; only hosts with a problem get a row, the rest fold into one line', async () => {
    const view = await openFile(chromium.browser, file);
    const evaluate = <T>(js: string): Promise<T> => view.page.evaluate(js) as Promise<T>;
    expect(view.pageErrors).toEqual([]);
    expect(view.consoleProblems).toEqual([]);
    expect(view.requests).toEqual([view.url]);
    expect(await evaluate<unknown>('window.__pwned')).toBeUndefined();
    expect(await evaluate<number>(`document.querySelectorAll('#endpoints img, #endpoints svg, #endpoints script').length`)).toBe(0);
    const section = await evaluate<string>(`document.getElementById('endpoints').innerText`);
    for (const text of [EVIL_TARGET, SCRIPT_SUBJECT, 'CN=<svg onload="window.__pwned=6">', '<script>window.__pwned=7</script>']) expect(section).toContain(text);
    const troubled = p.hosts.filter((h) => h.endpoints?.some((e) => e.trusted !== true || (e.afterUpgrade && e.afterUpgrade.trusted !== true)));
    const fine = p.hosts.filter((h) => h.reached && !troubled.includes(h));
    expect(troubled.length).toBeGreaterThan(0);
    expect(fine.length).toBeGreaterThan(0);
    const rows = await evaluate<string[]>(`[...document.querySelectorAll('#endpoint-grid tbody th')].map((th) => th.innerText)`);
    expect(rows.sort()).toEqual(troubled.map((h) => h.name).sort());
    expect(await evaluate<string>(`document.querySelector('#endpoints details summary').innerText`)).toBe(`The other ${fine.length} reached hosts trust every declared endpoint, now and after the upgrade`);
    // The grid's red cells are the verdicts "not trusted", one for one.
    const notTrusted = p.hosts.reduce((n, h) => n + (h.endpoints ?? []).filter((e) => e.trusted === false).length, 0);
    expect(await evaluate<number>(`document.querySelectorAll('#endpoint-grid td.e-no').length`)).toBe(notTrusted);
    expect(await evaluate<string>(`document.querySelector('#endpoint-grid td.e-no').title`)).toMatch(/NOT TRUSTED now\n.+\nFix: /);
    await view.page.close();
  });
});

/** The page at a given width: a fresh page, so the viewport is the one asked for. */
async function openAt(chromium: LaunchedChromium, file: string, width: number): Promise<WatchedPage> {
  const view = await openFile(chromium.browser, file);
  await view.page.setViewport({ width, height: 900 });
  await view.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  return view;
}

needs('chromium').describe('honest at a glance: nothing reached is unknown, details open on click and in print, 800 px fits', () => {
  const dir = tempDir('mt-report-page-honest-');
  let chromium: LaunchedChromium;
  const unreachable = path.join(dir, 'unreachable.html');
  const fleet = path.join(dir, 'fleet.html');
  const detailed = posture();

  beforeAll(async () => {
    const root = cert('ACME Root CA', 3000);
    const b = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust test', now: NOW, desired: { ...desiredOf([['acme-root', root]]), endpoints: ['ldaps://ad.acme.example'] }, desiredFile: 'desired.yaml' });
    fs.writeFileSync(unreachable, renderHtml(b.build([b.failed('mid-1', 'ssh mid@10.0.0.1:22: connect ECONNREFUSED'), b.failed('mid-2', 'ssh mid@10.0.0.2:22: connect ETIMEDOUT')])));
    fs.writeFileSync(fleet, renderHtml(detailed));
    chromium = await launchChromium();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([1280, 800])('an inventory of 2 unreachable hosts at %i px: every measured card reads "unknown — 0 of 2 hosts reached", none is green', async (width) => {
    const view = await openAt(chromium, unreachable, width);
    const cards = await view.page.evaluate(`[...document.querySelectorAll('.summary .card')].map((c) => ({ cls: c.className, key: c.querySelector('.k').innerText, value: c.querySelector('.v').innerText, detail: c.querySelector('.d').innerText }))`) as { cls: string; key: string; value: string; detail: string }[];
    expect(cards[0]).toEqual({ cls: 'card red', key: 'HOSTS REACHED', value: '0 / 2', detail: '2 failed' });
    const measured = cards.slice(1);
    expect(measured.map((c) => c.key)).toEqual(['DRIFTED HOSTS', 'EXPIRED OR ≤ 30 DAYS', 'EXPIRING ≤ 90 DAYS', 'UPGRADE RISK', 'POLICY FINDINGS', 'ENDPOINTS NOT TRUSTED']);
    for (const c of measured) expect(c).toEqual({ cls: 'card unknown', key: c.key, value: '?', detail: 'unknown — 0 of 2 hosts reached' });
    expect(await view.page.evaluate(`document.querySelectorAll('.card.calm').length`)).toBe(0);
    // The calm green of the stylesheet is on no card: checked on the rendered colours too.
    const borders = await view.page.evaluate(`[...document.querySelectorAll('.summary .card')].map((c) => getComputedStyle(c).borderLeftColor)`) as string[];
    expect(borders).not.toContain('rgb(139, 184, 160)');
    await view.page.screenshot({ path: path.join(ARTIFACTS, `report-unreachable-${width}.png`), fullPage: true });
    await view.page.close();
  });

  it('a host’s counts are explained in a details row: closed on screen, opened by a click, open in print', async () => {
    const view = await openAt(chromium, fleet, 1280);
    const host = detailed.hosts.find((h) => h.reached && h.violations.some((v) => v.severity === 'error') && (h.drift?.changes ?? 0) > 0) as HostPosture;
    expect(host).toBeDefined();
    const rowOf = `[...document.querySelectorAll('#hosts-table tbody tr[data-flags]')].find((r) => r.cells[0].innerText.split('\\n')[0] === ${JSON.stringify(host.name)})`;
    const list = `${rowOf}.nextElementSibling.querySelector('details.why ul')`;
    expect(await view.page.evaluate(`${rowOf}.nextElementSibling.querySelector('summary').innerText`)).toMatch(new RegExp(`^Details for ${host.name}: ${host.drift?.changes} pending changes? · .*\\d+ errors?`));
    // checkVisibility: false inside the closed details' hidden content (offsetHeight would force a layout).
    expect(await view.page.evaluate(`${list}.checkVisibility()`)).toBe(false);
    await view.page.evaluate(`${rowOf}.nextElementSibling.querySelector('summary').click()`);
    expect(await view.page.evaluate(`${list}.checkVisibility()`)).toBe(true);
    const text = (await view.page.evaluate(`${rowOf}.nextElementSibling.innerText`)) as string;
    const firstError = host.violations.find((v) => v.severity === 'error') as { message: string };
    expect(text).toContain(firstError.message.slice(0, 40));
    expect(text).toContain(`${host.drift?.actions[0].action} ${host.drift?.actions[0].alias}`);
    await view.page.screenshot({ path: path.join(ARTIFACTS, 'report-details-open.png'), fullPage: false, clip: await view.page.evaluate(`(() => { const r = ${rowOf}.getBoundingClientRect(); return { x: 0, y: r.top + window.scrollY - 40, width: 1280, height: 360 }; })()`) as { x: number; y: number; width: number; height: number } });
    await view.page.close();
    // Print: every details row open without a click.
    const printed = await openAt(chromium, fleet, 1280);
    await printed.page.emulateMediaType('print');
    const closedButShown = (await printed.page.evaluate(`[...document.querySelectorAll('#hosts-table details.why')].map((d) => [d.open, d.querySelector('ul').checkVisibility()])`)) as [boolean, boolean][];
    expect(closedButShown.length).toBeGreaterThan(0);
    for (const [open, shown] of closedButShown) expect([open, shown]).toEqual([false, true]);
    const pdf = await printed.page.pdf({ width: '210mm', height: '297mm' });
    expect(pdf.length).toBeGreaterThan(10_000);
    await printed.page.close();
  });

  it('at 800 px the host table fits: no column cut, the findings column inside the page', async () => {
    const view = await openAt(chromium, fleet, 800);
    const fit = (await view.page.evaluate(`(() => {
      const t = document.getElementById('hosts-table');
      const s = document.getElementById('hosts');
      const findings = [...t.querySelectorAll('tbody td.findings')].map((c) => c.getBoundingClientRect().right);
      return { table: t.getBoundingClientRect().width, section: s.clientWidth, right: Math.max(...findings), page: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth };
    })()`)) as { table: number; section: number; right: number; page: number; scroll: number };
    expect(fit.table).toBeLessThanOrEqual(fit.section);
    expect(fit.right).toBeLessThanOrEqual(fit.page);
    expect(fit.scroll).toBeLessThanOrEqual(fit.page);
    await view.page.screenshot({ path: path.join(ARTIFACTS, 'report-page-800.png'), fullPage: true });
    // The top of the host table at 800 px, at full size, to look at.
    const top = (await view.page.evaluate(`document.getElementById('hosts').getBoundingClientRect().top + window.scrollY`)) as number;
    await view.page.screenshot({ path: path.join(ARTIFACTS, 'report-hosts-800.png'), clip: { x: 0, y: top, width: 800, height: 1000 }, captureBeyondViewport: true });
    await view.page.close();
  });
});
