import * as os from 'node:os';
import * as path from 'node:path';
import { MidtrustError } from '../../errors';
import type { FleetPosture, HostPosture } from '../../report/posture';
import { EXIT } from '../cliIo';
import { defineCommand } from '../commandSpec';
import { parseSeconds } from '../secondsOption';
import { STORE_PASSWORD_OPTIONS, resolveStorePassword, type StorePasswordOptions } from '../storePassword';

/** The formats `report` writes. */
export type ReportFormat = 'html' | 'json' | 'prometheus';

const FORMATS: readonly ReportFormat[] = ['html', 'json', 'prometheus'];

const BY_EXTENSION: Readonly<Record<string, ReportFormat>> = { '.html': 'html', '.htm': 'html', '.json': 'json', '.prom': 'prometheus' };

interface ReportOptions extends StorePasswordOptions {
  inventory?: string;
  'mid-home'?: string;
  keystore?: string;
  file?: string;
  incoming?: string;
  format?: string;
  output?: string;
  parallel?: string;
  'endpoint-timeout'?: string;
}

/**
 * --format, else the extension of -o (.html/.htm, .json, .prom), else HTML. An -o whose extension
 * says nothing needs --format: guessing would put HTML where a collector expects metrics.
 *
 * @example
 * reportFormat(undefined, 'fleet.prom'); // 'prometheus'
 */
export function reportFormat(format: string | undefined, output: string | undefined): ReportFormat {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new MidtrustError('INVALID_INPUT', `--format ${format}: use html, json or prometheus`);
    return format as ReportFormat;
  }
  if (output === undefined) return 'html';
  const byExt = BY_EXTENSION[path.extname(output).toLowerCase()];
  if (!byExt) throw new MidtrustError('INVALID_INPUT', `-o ${output}: cannot tell the format from its extension; name it .html, .json or .prom, or give --format html|json|prometheus`);
  return byExt;
}

/** `midtrust report`: the fleet's trust posture as a page, metrics or JSON. */
export const reportCommand = defineCommand<ReportOptions>({
  name: 'report',
  usage: `midtrust report <hosts> [-f desired.yaml] [--incoming <new JRE cacerts>]
                [--format html|json|prometheus] [-o <file>] [options]
  <hosts>   --inventory <hosts.yaml> [--parallel N]   every MID host, over SSH
            | --mid-home <dir> | --keystore <file>    this machine
  options   [--storepass-env VAR | --storepass-file F | --storepass-stdin]
            [--endpoint-timeout <seconds>]   per declared endpoint (default 10)
The format follows -o (.html, .json, .prom) unless --format says; without -o
the report goes to stdout (HTML by default). The endpoints: of -f are judged on
every host (connecting from the MID host for an inventory), now and, with
--incoming, after the next upgrade.
Exit: 1 when a host could not be read (it shows as failed; the report is still
written), else 0.`,
  options: {
    ...STORE_PASSWORD_OPTIONS,
    inventory: { type: 'string' },
    'mid-home': { type: 'string' },
    keystore: { type: 'string' },
    file: { type: 'string', short: 'f' },
    incoming: { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string', short: 'o' },
    parallel: { type: 'string' },
    'endpoint-timeout': { type: 'string' },
  },
  async run(positionals, opts, io) {
    if (positionals.length > 0) throw new MidtrustError('INVALID_INPUT', `unexpected argument ${positionals[0]}; give the keystore with --keystore <file>`);
    const sources = (['inventory', 'mid-home', 'keystore'] as const).filter((k) => opts[k] !== undefined);
    if (sources.length !== 1) {
      throw new MidtrustError('INVALID_INPUT', `give exactly one of --inventory <hosts.yaml>, --mid-home <dir> or --keystore <file>${sources.length ? ` (got ${sources.map((s) => `--${s}`).join(' and ')})` : ''}`);
    }
    const format = reportFormat(opts.format, opts.output);
    const endpointTimeoutMs = parseSeconds(opts['endpoint-timeout'], '--endpoint-timeout', 10_000);
    const { loadDesiredStateFile } = require('../desiredStateIo') as typeof import('../desiredStateIo');
    const desired = opts.file ? loadDesiredStateFile(opts.file, io) : undefined;
    const password = (await resolveStorePassword(opts, io)) ?? desired?.keystore.password?.reveal();
    const { PostureBuilder } = require('../../report/postureBuilder') as typeof import('../../report/postureBuilder');
    const { LocalHost } = require('../../host/localHost') as typeof import('../../host/localHost');
    const { openStore } = require('../../mid/upgrade/upgradeRun') as typeof import('../../mid/upgrade/upgradeRun');
    const { packageVersion } = require('../../packageVersion') as typeof import('../../packageVersion');
    const local = new LocalHost();
    const incomingPath = opts.incoming ? path.resolve(io.cwd, opts.incoming) : undefined;
    const incoming = incomingPath ? { path: opts.incoming as string, store: await openStore(local, { path: incomingPath, password }) } : undefined;
    const kind = opts.inventory ? 'inventory' : opts['mid-home'] ? 'midHome' : 'keystore';
    const given = (opts.inventory ?? opts['mid-home'] ?? opts.keystore) as string;
    const now = new Date();
    const builder = new PostureBuilder({ source: { kind, path: given }, generator: `midtrust ${packageVersion()}`, now, desired, desiredFile: opts.file, incoming });
    // Declared endpoints: judged on every host against the store its JVM uses (now, and after the upgrade with --incoming).
    const endpoints = desired?.endpoints?.length ? { targets: desired.endpoints, timeoutMs: endpointTimeoutMs, now, incoming, env: io.env } : undefined;

    const { observeHostOn, gatherFleetPosture } = require('../../fleet/postureGatherer') as typeof import('../../fleet/postureGatherer');
    let hosts: HostPosture[];
    if (opts.inventory) {
      const { loadInventory } = require('../../fleet/inventory') as typeof import('../../fleet/inventory');
      const { parseParallel } = require('../fleetDoor') as typeof import('../fleetDoor');
      const inventory = loadInventory(path.resolve(io.cwd, opts.inventory), io.env);
      hosts = await gatherFleetPosture(inventory, builder, {
        password,
        parallel: parseParallel(opts.parallel),
        endpoints,
        onHostDone: (_h, done, total) => {
          if (io.isTty) io.stderr(`\rreading hosts: ${done}/${total}${done === total ? '\n' : ''}`);
        },
      });
    } else {
      const { midLayout } = require('../../mid/midLayout') as typeof import('../../mid/midLayout');
      const midHome = opts['mid-home'] ? path.resolve(io.cwd, opts['mid-home']) : undefined;
      const storePath = midHome ? midLayout(midHome).cacerts : path.resolve(io.cwd, opts.keystore as string);
      const name = midHome ? await midName(local, midHome) : os.hostname();
      hosts = [await observeHostOn(local, { name, storePath, midHome }, password, builder, endpoints && { ...endpoints, local: true })];
    }
    const posture = builder.build(hosts);
    const text = render(posture, format);

    if (opts.output) {
      const { writeOutputFileAtomic } = require('../../host/writeOutputFileAtomic') as typeof import('../../host/writeOutputFileAtomic');
      const out = path.resolve(io.cwd, opts.output);
      await writeOutputFileAtomic(out, text);
      const s = posture.summary;
      io.stderr(`wrote ${out} (${format}): ${s.hosts} host(s), ${s.reached} reached, ${s.failed} failed\n`);
    } else {
      io.stdout(text);
    }
    for (const h of posture.hosts.filter((x) => !x.reached)) io.stderr(`midtrust report: ${h.name}: FAILED: ${h.error}\n`);
    return posture.summary.failed > 0 ? EXIT.ERROR : EXIT.OK;
  },
});

/**
 * A single MID is named as the instance knows it: config.xml's `name` parameter, else its
 * directory (`/opt/servicenow/mid-ldap` → `mid-ldap`) — never the machine running the report.
 * An unreadable config.xml is left to the observation, which reports it.
 */
async function midName(host: import('../../host/localHost').LocalHost, midHome: string): Promise<string> {
  const { midLayout } = require('../../mid/midLayout') as typeof import('../../mid/midLayout');
  const { readConfigXml } = require('../../mid/upgrade/upgradeRun') as typeof import('../../mid/upgrade/upgradeRun');
  const { getMidParameter } = require('../../mid/configXml') as typeof import('../../mid/configXml');
  const layout = midLayout(midHome);
  try {
    const value = getMidParameter(await readConfigXml(host, layout), 'name')?.value.trim();
    if (value && !value.startsWith('encrypted:')) return value;
  } catch (e) {
    if (!(e instanceof MidtrustError)) throw e;
  }
  return path.basename(layout.home) || layout.home;
}

/** Loads only the renderer asked for (the HTML one is the largest). */
function render(posture: FleetPosture, format: ReportFormat): string {
  if (format === 'html') return (require('../../report/html/renderHtml') as typeof import('../../report/html/renderHtml')).renderHtml(posture);
  if (format === 'prometheus') return (require('../../report/prometheusText') as typeof import('../../report/prometheusText')).renderPrometheus(posture);
  return (require('../../report/reportJson') as typeof import('../../report/reportJson')).renderJson(posture);
}
