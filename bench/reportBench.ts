/**
 * `midtrust report` benchmark (`npm run bench:report`): a synthetic fleet of 500 MID hosts × 150
 * trusted certificates, in memory (no SSH: that is bench:fleet's subject). Measures, worst of
 * five runs each:
 * - measuring the fleet (plan, policy rules and upgrade model for every host) into a posture;
 * - generating the HTML page from it (and, for reference, JSON and Prometheus text);
 * - the HTML's size;
 * - the same with 5 declared endpoints per host (made-up verdicts: the report's own cost);
 * - Chromium (Debian's /usr/bin/chromium, via puppeteer-core) loading and rendering the file.
 * Each run starts cold: every host gets its own copy of its certificate bytes, as read from its
 * own file, and a new builder. It also leaves a screenshot of a typical 14-host fleet in
 * artifacts/report-typical.png (the README's picture, docs/report.png, is a copy of it). Not a test: it asserts nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderHtml } from '../provider/report/html/renderHtml';
import type { FleetPosture } from '../provider/report/posture';
import { PostureBuilder, type HostObservation } from '../provider/report/postureBuilder';
import { renderPrometheus } from '../provider/report/prometheusText';
import { renderJson } from '../provider/report/reportJson';
import { report, resultLines } from './benchUtil';
import { syntheticFleet, TYPICAL_RATES, type SyntheticFleet } from './syntheticFleet';

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const HOSTS = 500;
const CERTS = 150;
const DECLARED = 30;
const POOL = 1000;
const RUNS = 5;
const ENDPOINTS = 5;
const NOW = new Date();

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Every host's certificates in bytes of its own, as a gatherer reading 500 files would have them. */
function coldCopy(obs: readonly HostObservation[]): HostObservation[] {
  return obs.map((o) => ({ ...o, store: { ...o.store, entries: o.store.entries.map((e) => ({ ...e, certificates: e.certificates.map((c) => new Uint8Array(c)) })) } }));
}

function measure(fleet: SyntheticFleet, observations: readonly HostObservation[]): FleetPosture {
  const b = new PostureBuilder({ source: { kind: 'inventory', path: 'hosts.yaml' }, generator: 'midtrust bench', now: NOW, desired: fleet.desired, desiredFile: 'desired.yaml' });
  const hosts = observations.map((o) => b.observe(o));
  for (const [name, error] of fleet.failures) hosts.push(b.failed(name, error));
  return b.build(hosts);
}

async function chromiumLoad(files: string[]): Promise<{ times: number[]; shot?: string }> {
  const puppeteer = (await import('puppeteer-core')).default;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-bench-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
  });
  try {
    const times: number[] = [];
    for (const file of files) {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      const t0 = process.hrtime.bigint();
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      // Two animation frames: layout and paint of the loaded page are done.
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      times.push(ms(t0));
      await page.close();
    }
    return { times };
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function typicalScreenshot(work: string): Promise<string> {
  const f = syntheticFleet({ hosts: 14, certificatesPerHost: 24, declared: 6, privatePool: 60, now: NOW, seed: 11, rates: { ...TYPICAL_RATES, failed: 0 }, endpoints: 3 });
  // One of each thing a reader should recognise: a host down, a CA deleted by hand (mid-001 runs
  // the old strategy by the draw, and its endpoints break at the upgrade with it).
  const failures = new Map([[f.observations[8].name, `ssh mid@${f.observations[8].name}:22: connect ETIMEDOUT (after 3 attempts)`]]);
  const observations = f.observations.filter((_, i) => i !== 8).map((o, i) => (i === 3 ? { ...o, store: { ...o.store, entries: o.store.entries.filter((e) => e.alias !== 'acme-ca-03') } } : o));
  const html = path.join(work, 'typical.html');
  fs.writeFileSync(html, renderHtml(measure({ ...f, failures }, observations)));
  const puppeteer = (await import('puppeteer-core')).default;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-bench-chromium-'));
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`] });
  try {
    const page = await browser.newPage();
    // The page laid out at 1280 CSS px, drawn at 3/4 scale: the whole page in a small picture.
    await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 0.75 });
    await page.goto(`file://${html}`, { waitUntil: 'load' });
    const shot = path.join(ROOT, 'artifacts', 'report-typical.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    return shot;
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function main(work: string): Promise<void> {
  const { lines, out } = resultLines();
  out(`midtrust report bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`);
  const t0 = process.hrtime.bigint();
  const fleet = syntheticFleet({ hosts: HOSTS, certificatesPerHost: CERTS, declared: DECLARED, privatePool: POOL, now: NOW });
  out(`      fleet: ${HOSTS} hosts × ${CERTS} trusted certificates (${DECLARED} declared, the rest from ${POOL} private ones), ${fleet.failures.size} failed; synthesized in ${ms(t0).toFixed(0)} ms`);

  const measureMs: number[] = [];
  const measureCpuMs: number[] = [];
  const htmlMs: number[] = [];
  const jsonMs: number[] = [];
  const promMs: number[] = [];
  let html = '';
  let json = '';
  let prom = '';
  let posture: FleetPosture | undefined;
  for (let i = 0; i < RUNS; i++) {
    const observations = coldCopy(fleet.observations);
    let t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    posture = measure(fleet, observations);
    measureMs.push(ms(t));
    const used = process.cpuUsage(cpu);
    measureCpuMs.push((used.user + used.system) / 1000);
    t = process.hrtime.bigint();
    html = renderHtml(posture);
    htmlMs.push(ms(t));
    t = process.hrtime.bigint();
    json = renderJson(posture);
    jsonMs.push(ms(t));
    t = process.hrtime.bigint();
    prom = renderPrometheus(posture);
    promMs.push(ms(t));
  }
  const worst = (xs: number[]): number => Math.max(...xs);
  const list = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' / ');
  const htmlBytes = Buffer.byteLength(html);
  out(report('generate the HTML page from the posture (worst of 5)', `${worst(htmlMs).toFixed(0)} ms`, '≤ 1000 ms', worst(htmlMs) <= 1000));
  out(report('measure 500 hosts (plan, rules, upgrade) + HTML (worst of 5)', `${worst(measureMs.map((m, i) => m + htmlMs[i])).toFixed(0)} ms`, '≤ 1000 ms', worst(measureMs.map((m, i) => m + htmlMs[i])) <= 1000));
  out(`      runs: measure ${list(measureMs)} ms (CPU time ${list(measureCpuMs)} ms); HTML ${list(htmlMs)} ms; JSON ${list(jsonMs)} ms (${(Buffer.byteLength(json) / 1e6).toFixed(1)} MB); Prometheus ${list(promMs)} ms (${(Buffer.byteLength(prom) / 1e6).toFixed(1)} MB, ${prom.split('\n').filter((l) => l && !l.startsWith('#')).length} samples)`);
  out(report('HTML file size', `${(htmlBytes / 1e6).toFixed(2)} MB`, '≤ 3 MB', htmlBytes <= 3e6));

  // The same fleet with declared endpoints: made-up verdicts (the handshakes are the network's,
  // not this benchmark's), so this is what the report's own work on them costs.
  const withEndpoints = syntheticFleet({ hosts: HOSTS, certificatesPerHost: CERTS, declared: DECLARED, privatePool: POOL, now: NOW, endpoints: ENDPOINTS });
  const endpointMs: number[] = [];
  let endpointHtml = '';
  for (let i = 0; i < RUNS; i++) {
    const observations = coldCopy(withEndpoints.observations);
    const t = process.hrtime.bigint();
    endpointHtml = renderHtml(measure(withEndpoints, observations));
    endpointMs.push(ms(t));
  }
  out(report(`measure + HTML with ${ENDPOINTS} declared endpoints per host (worst of 5)`, `${worst(endpointMs).toFixed(0)} ms`, '≤ 1000 ms', worst(endpointMs) <= 1000));
  out(`      runs: ${list(endpointMs)} ms; HTML ${(Buffer.byteLength(endpointHtml) / 1e6).toFixed(2)} MB (≤ 3 MB: ${Buffer.byteLength(endpointHtml) <= 3e6 ? 'met' : 'MISSED'})`);

  if (fs.existsSync(CHROMIUM)) {
    const files = Array.from({ length: RUNS }, (_, i) => {
      // A new file each run: no cache helps the next load.
      const f = path.join(work, `report-${i}.html`);
      fs.writeFileSync(f, html);
      return f;
    });
    const { times } = await chromiumLoad(files);
    out(report('Chromium load + render, 1280 px (worst of 5)', `${worst(times).toFixed(0)} ms`, '≤ 2000 ms', worst(times) <= 2000));
    out(`      runs: ${list(times)} ms (from navigation to the second animation frame after load; ${posture?.hosts.length} host rows)`);
    const endpointFiles = Array.from({ length: RUNS }, (_, i) => {
      const f = path.join(work, `report-endpoints-${i}.html`);
      fs.writeFileSync(f, endpointHtml);
      return f;
    });
    const withEndpointsLoad = (await chromiumLoad(endpointFiles)).times;
    out(report(`Chromium load + render, ${ENDPOINTS} endpoints per host (worst of 5)`, `${worst(withEndpointsLoad).toFixed(0)} ms`, '≤ 2000 ms', worst(withEndpointsLoad) <= 2000));
    out(`      runs: ${list(withEndpointsLoad)} ms`);
    out(`      screenshot of a typical 14-host fleet: ${path.relative(ROOT, await typicalScreenshot(work))}`);
  } else {
    out(`MISS  Chromium load + render: ${CHROMIUM} not found (apt-get install chromium)`);
  }
  out(`      (load at the end ${os.loadavg()[0].toFixed(2)})`);
  fs.writeFileSync(path.join(ROOT, 'bench', 'latest-report.txt'), `${lines.join('\n')}\n`);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'midtrust-reportbench-'));
main(work)
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(work, { recursive: true, force: true }));
